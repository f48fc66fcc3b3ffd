//! The suite must fail broken stores: each mutant below wraps [`MemoryStore`]
//! with one classic bug, and the cases that guard against it must panic, naming
//! themselves.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::TimeDelta;

use super::{cases, run_conformance};
use crate::model::{
    DeliveryRecord, FulfilmentClaim, NewPayment, Payment, PaymentStatus, Timestamp,
};
use crate::store::{InsertOutcome, MemoryStore, PaymentStore, StatusChange, StoreError};
use crate::values::{OrderRef, TransactionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bug {
    None,
    /// Keeps instants to the second.
    SecondsPrecision,
    /// A second insert for an order closes the open payment instead of returning it.
    NoOpenSlot,
    /// `complete` is not fenced by the owner token.
    CompleteIgnoresOwner,
    /// `release` schedules the next attempt immediately.
    ReleaseIgnoresSchedule,
    /// The failure notice is granted every time.
    NoticeEveryTime,
    /// The delivery log comes newest first.
    DeliveriesNewestFirst,
    /// A batch of delivery-log lines is written in reverse order.
    BatchReversed,
    /// The claim reads, then writes unconditionally.
    ClaimReadThenWrite,
    /// `transition` ignores `from`.
    TransitionIgnoresFrom,
    /// `stale_pending` lists payments without a page too.
    StaleIncludesNoPage,
    /// `due_fulfilments` judges leases and next attempts an hour late.
    DueAnHourLate,
    /// Strings are compared without case (a `_ci` collation).
    CaseInsensitiveIds,
}

struct Mutant {
    inner: MemoryStore,
    bug: Bug,
}

fn far_future() -> Timestamp {
    super::fixtures::at(1_000_000_000)
}

#[async_trait]
impl PaymentStore for Mutant {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        match self.bug {
            Bug::SecondsPrecision => {
                let mut new = new.clone();
                new.created_at -=
                    TimeDelta::milliseconds(i64::from(new.created_at.timestamp_subsec_millis()));
                self.inner.insert_payment(&new).await
            }
            Bug::NoOpenSlot => match self.inner.insert_payment(new).await? {
                InsertOutcome::OrderHasOpenPayment(open) => {
                    self.inner
                        .close_payment(&open.transaction_id, new.created_at)
                        .await?;
                    self.inner.insert_payment(new).await
                }
                inserted => Ok(inserted),
            },
            Bug::CaseInsensitiveIds => {
                let clash = self.inner.payments().into_iter().any(|p| {
                    p.transaction_id
                        .as_str()
                        .eq_ignore_ascii_case(new.transaction_id.as_str())
                });
                if clash {
                    return Err(StoreError::Conflict("case-insensitive clash".to_owned()));
                }
                self.inner.insert_payment(new).await
            }
            _ => self.inner.insert_payment(new).await,
        }
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        self.inner.find_payment(id).await
    }

    async fn find_open_payment(&self, order_ref: &OrderRef) -> Result<Option<Payment>, StoreError> {
        self.inner.find_open_payment(order_ref).await
    }

    async fn payments_for_order(
        &self,
        order_ref: &OrderRef,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.inner.payments_for_order(order_ref, limit).await
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        payment_token: &str,
        payment_url: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner
            .attach_payment_page(id, payment_token, payment_url, at)
            .await
    }

    async fn close_payment(&self, id: &TransactionId, at: Timestamp) -> Result<bool, StoreError> {
        self.inner.close_payment(id, at).await
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<bool, StoreError> {
        if self.bug == Bug::TransitionIgnoresFrom {
            tokio::task::yield_now().await;
            if let Some(current) = self.inner.find_payment(id).await? {
                let mut change = change.clone();
                change.from = current.status;
                return self.inner.transition(id, &change).await;
            }
        }
        self.inner.transition(id, change).await
    }

    async fn claim_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        if self.bug != Bug::ClaimReadThenWrite {
            return self
                .inner
                .claim_fulfilment(id, owner, now, lease_until)
                .await;
        }
        let Some(p) = self.inner.find_payment(id).await? else {
            return Ok(None);
        };
        let f = &p.fulfilment;
        let looks_free = p.status == PaymentStatus::Accepted
            && f.fulfilled_at.is_none()
            && f.claim_until.is_none_or(|t| t <= now)
            && f.next_attempt_at.is_none_or(|t| t <= now);
        if !looks_free {
            return Ok(None);
        }
        // Leave every concurrent claimer time to read the same free row, even on
        // a loaded machine: yielding a few times did not always let them in.
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        // The write no longer checks what was read.
        self.inner
            .claim_fulfilment(id, owner, far_future(), lease_until)
            .await
    }

    async fn complete_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if self.bug == Bug::CompleteIgnoresOwner {
            let current = self
                .inner
                .find_payment(id)
                .await?
                .and_then(|p| p.fulfilment.claim_owner);
            if let Some(current) = current {
                return self.inner.complete_fulfilment(id, &current, now).await;
            }
        }
        self.inner.complete_fulfilment(id, owner, now).await
    }

    async fn release_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        error: &str,
        next_attempt_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let next = if self.bug == Bug::ReleaseIgnoresSchedule {
            now
        } else {
            next_attempt_at
        };
        self.inner
            .release_fulfilment(id, owner, error, next, now)
            .await
    }

    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let granted = self.inner.claim_failure_notice(id, now).await?;
        if self.bug == Bug::NoticeEveryTime {
            let failed = self.inner.find_payment(id).await?;
            return Ok(failed.is_some_and(|p| p.status.is_failure()));
        }
        Ok(granted)
    }

    async fn record_delivery(&self, record: &DeliveryRecord) -> Result<(), StoreError> {
        self.inner.record_delivery(record).await
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        if self.bug == Bug::BatchReversed {
            let reversed: Vec<DeliveryRecord> = records.iter().rev().cloned().collect();
            return self.inner.record_deliveries(&reversed).await;
        }
        self.inner.record_deliveries(records).await
    }

    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        match self.bug {
            Bug::DeliveriesNewestFirst => {
                let mut all = self.inner.deliveries(transaction_id, usize::MAX).await?;
                all.reverse();
                all.truncate(limit);
                Ok(all)
            }
            Bug::CaseInsensitiveIds => {
                let mut all: Vec<DeliveryRecord> = self
                    .inner
                    .all_deliveries()
                    .into_iter()
                    .filter(|r| r.transaction_id.eq_ignore_ascii_case(transaction_id))
                    .collect();
                all.sort_by_key(|r| r.at);
                all.truncate(limit);
                Ok(all)
            }
            _ => self.inner.deliveries(transaction_id, limit).await,
        }
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let now = if self.bug == Bug::DueAnHourLate {
            now + TimeDelta::hours(1)
        } else {
            now
        };
        self.inner.due_fulfilments(now, limit).await
    }

    async fn stale_pending(
        &self,
        created_before: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        if self.bug != Bug::StaleIncludesNoPage {
            return self.inner.stale_pending(created_before, limit).await;
        }
        let mut stale: Vec<Payment> = self
            .inner
            .payments()
            .into_iter()
            .filter(|p| p.status == PaymentStatus::Pending && p.created_at < created_before)
            .collect();
        stale.sort_by_key(|p| p.updated_at);
        stale.truncate(limit);
        Ok(stale)
    }
}

fn mutant(bug: Bug) -> Arc<dyn PaymentStore> {
    Arc::new(Mutant {
        inner: MemoryStore::new(),
        bug,
    })
}

/// Runs `case` on a fresh mutant; returns the panic message, if it panicked.
async fn failure_of(bug: Bug, case: &str) -> Option<String> {
    let Some(case) = cases().iter().find(|c| c.name == case) else {
        panic!("no conformance case named {case}");
    };
    let outcome = tokio::spawn((case.run)(mutant(bug))).await;
    let err = outcome.err()?;
    assert!(err.is_panic(), "case {} did not finish: {err}", case.name);
    let payload = err.into_panic();
    Some(
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faithful_wrapper_passes() {
    let report = run_conformance(|| async { mutant(Bug::None) }).await;
    assert_eq!(report.cases_run(), cases().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_by_the_cases_that_guard_against_it() {
    let expectations: &[(Bug, &[&str])] = &[
        (Bug::SecondsPrecision, &["insert_and_find_round_trip"]),
        (
            Bug::NoOpenSlot,
            &["open_slot_per_order", "race_insert_one_open_payment"],
        ),
        (
            Bug::CompleteIgnoresOwner,
            &["claim_and_complete", "expired_lease_takeover"],
        ),
        (Bug::ReleaseIgnoresSchedule, &["release_schedules_retry"]),
        (Bug::NoticeEveryTime, &["failure_notice_exactly_once"]),
        (
            Bug::DeliveriesNewestFirst,
            &["delivery_log_order_and_limit", "delivery_log_batches"],
        ),
        (Bug::BatchReversed, &["delivery_log_batches"]),
        (
            Bug::ClaimReadThenWrite,
            &["race_claim_one_winner", "race_takeover_one_winner"],
        ),
        (
            Bug::TransitionIgnoresFrom,
            &["transition_compare_and_set", "race_transition_one_applied"],
        ),
        (
            Bug::StaleIncludesNoPage,
            &["stale_pending_filters_and_order"],
        ),
        (
            Bug::DueAnHourLate,
            &[
                "due_fulfilments_filters_and_order",
                "release_schedules_retry",
            ],
        ),
        (
            Bug::CaseInsensitiveIds,
            &["insert_and_find_round_trip", "delivery_log_order_and_limit"],
        ),
    ];
    for (bug, guards) in expectations {
        for case in *guards {
            let Some(message) = failure_of(*bug, case).await else {
                panic!("case {case} passed a store with the bug {bug:?}");
            };
            assert!(
                message.contains(&format!("`{case}`")),
                "the failure of {case} on {bug:?} does not name the case: {message}"
            );
        }
    }
}
