//! The suite must fail broken stores: each mutant below wraps [`MemoryStore`]
//! with one classic bug, and the cases that guard against it must fail,
//! naming themselves.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::TimeDelta;

use cinetpay_core::{
    AccountName, CheckSnapshot, Claim, Completion, DeliveryRecord, FulfilmentClaim, Generation,
    InsertOutcome, MemoryStore, NewPayment, NotifyToken, Owed, Payment, PaymentFilter, PaymentPage,
    PaymentQueries, PaymentStatus, PaymentStore, PollQuery, Release, StatusChange, StoreError,
    Timestamp, TransactionId, Transition,
};

use crate::{
    QueryableStore, StoreBackend, cases, check_conformance, run_conformance, run_isolated,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bug {
    None,
    /// Keeps instants to the second.
    SecondsPrecision,
    /// A second insert for an order supersedes the open payment instead of returning it.
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
    /// `payments_to_poll` lists pending payments without a page too.
    PollIncludesNoPage,
    /// `payments_to_poll` lists pending payments only: a refused payment's
    /// late success is never found (the old reconciler).
    PollPendingOnly,
    /// `due_fulfilments` judges next attempts an hour late.
    DueAnHourLate,
    /// Strings are compared without case (a `_ci` collation).
    CaseInsensitiveIds,
    /// `transition` never answers `OrderAlreadyPaid`: a second payment of a
    /// paid order is accepted too.
    AcceptTwicePerOrder,
    /// `transition` accepts a superseded payment.
    SupersedeIgnoredByTransition,
    /// Completing a refund notice sets `fulfilled_at` instead of `refund_notified_at`.
    RefundCompleteSetsFulfilledAt,
    /// `record_check` stores the snapshot but not `checked_at`.
    RecordCheckDropsCheckedAt,
    /// `payments_to_poll` orders candidates by `updated_at`.
    PollByUpdatedAt,
    /// `payments_to_poll` ignores `checked_at` (the old bug): oldest created
    /// first, whatever was checked.
    PollByCreatedAt,
    /// Leases measured from the caller's `now` (`claim_until = claim.now + lease`,
    /// judged against `claim.now`).
    LeaseOnCallerClock,
    /// `release` ignores `keep_lease`.
    KeepLeaseIgnored,
    /// Each instance serialises its own calls with its own lock, and claims,
    /// inserts and transitions read, wait, then write blindly: correct inside
    /// one process, racy across two.
    InProcessLockOnly,
    /// `list_payments` lists oldest first.
    ListOldestFirst,
    /// `list_payments` ignores every condition but the limit.
    ListIgnoresFilters,
    /// Every payment is stored on the default account (a store that predates accounts).
    AccountDropped,
    /// Every payment is stored as a Checkout v2 payment.
    GenerationDropped,
    /// `attach_payment_page` records the page but not the 2026 notify token.
    NotifyTokenDropped,
    /// `attach_payment_page` writes the payment token into the notify token's
    /// column (a mixed-up column).
    NotifyTokenFromPaymentToken,
    /// `accept_and_claim` applies the transition but takes no claim.
    AcceptWithoutClaim,
}

/// How long a read-then-write mutant waits between its read and its write.
const RACE_WINDOW: Duration = Duration::from_millis(100);

/// A mutant backend: its instances share one [`MemoryStore`].
struct MutantBackend {
    memory: MemoryStore,
    bug: Bug,
}

#[async_trait]
impl StoreBackend for MutantBackend {
    async fn instance(&self) -> Arc<dyn QueryableStore> {
        Arc::new(Mutant {
            inner: self.memory.clone(),
            bug: self.bug,
            lock: Arc::new(tokio::sync::Mutex::new(())),
        })
    }
}

fn backend(bug: Bug) -> MutantBackend {
    MutantBackend {
        memory: MemoryStore::new(),
        bug,
    }
}

struct Mutant {
    inner: MemoryStore,
    bug: Bug,
    /// This instance's own lock (used by [`Bug::InProcessLockOnly`] only).
    lock: Arc<tokio::sync::Mutex<()>>,
}

fn plus(at: Timestamp, by: Duration) -> Timestamp {
    at + TimeDelta::from_std(by).unwrap()
}

/// What MemoryStore checks, with the lease judged at `lease_now`.
fn claimable(p: &Payment, lease_now: Timestamp, now: Timestamp) -> bool {
    p.owed().is_some()
        && p.fulfilment.claim_until.is_none_or(|t| t <= lease_now)
        && p.fulfilment.next_attempt_at.is_none_or(|t| t <= now)
}

fn apply(p: &mut Payment, change: &StatusChange) {
    p.status = change.to;
    p.check = change.check.clone();
    p.status_reason = change.reason.clone();
    p.attention = change.attention.clone();
    if change.check.is_some() {
        p.checked_at = Some(change.at);
    }
    p.updated_at = change.at;
    if change.to != PaymentStatus::Pending {
        p.open = false;
    }
}

fn sorted_poll(mut list: Vec<Payment>, limit: usize) -> Vec<Payment> {
    list.truncate(limit);
    list
}

impl Mutant {
    async fn serial(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.bug == Bug::InProcessLockOnly {
            Some(self.lock.lock().await)
        } else {
            None
        }
    }

    /// Reads, waits `RACE_WINDOW`, then writes the claim without checking again.
    async fn claim_blindly(
        &self,
        claim: &Claim<'_>,
        lease_now: impl Fn() -> Timestamp,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        let id = claim.transaction_id;
        let Some(p) = self.inner.find_payment(id).await? else {
            return Ok(None);
        };
        if !claimable(&p, lease_now(), claim.now) {
            return Ok(None);
        }
        tokio::time::sleep(RACE_WINDOW).await;
        Ok(self.write_claim(claim, plus(lease_now(), claim.lease)))
    }

    fn write_claim(&self, claim: &Claim<'_>, lease_until: Timestamp) -> Option<FulfilmentClaim> {
        let mut attempt = 0;
        let mut payment = None;
        self.inner.edit(claim.transaction_id, |p| {
            p.fulfilment.claim_owner = Some(claim.owner.to_owned());
            p.fulfilment.claim_until = Some(lease_until);
            p.fulfilment.attempts += 1;
            p.updated_at = claim.now;
            attempt = p.fulfilment.attempts;
            payment = Some(p.clone());
        });
        Some(FulfilmentClaim {
            payment: payment?,
            owner: claim.owner.to_owned(),
            lease_until,
            attempt,
        })
    }
}

#[async_trait]
impl PaymentStore for Mutant {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        let _serial = self.serial().await;
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
                        .supersede_payment(&open.transaction_id, new.created_at)
                        .await?;
                    self.inner.insert_payment(new).await
                }
                inserted => Ok(inserted),
            },
            Bug::AccountDropped | Bug::GenerationDropped => {
                let mut new = new.clone();
                if self.bug == Bug::AccountDropped {
                    new.account = AccountName::default();
                } else {
                    new.generation = Generation::CheckoutV2;
                }
                self.inner.insert_payment(&new).await
            }
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
            Bug::InProcessLockOnly => {
                if self
                    .inner
                    .find_payment(&new.transaction_id)
                    .await?
                    .is_some()
                {
                    return Err(StoreError::Conflict("exists".to_owned()));
                }
                let open_of = |inner: &MemoryStore| -> Vec<Payment> {
                    inner
                        .payments()
                        .into_iter()
                        .filter(|p| p.order_ref == new.order_ref && p.open)
                        .collect()
                };
                if let Some(open) = open_of(&self.inner).into_iter().next() {
                    return Ok(InsertOutcome::OrderHasOpenPayment(open));
                }
                tokio::time::sleep(RACE_WINDOW).await;
                // The blind write: whatever another process opened meanwhile.
                let others = open_of(&self.inner);
                for p in &others {
                    self.inner.edit(&p.transaction_id, |p| p.open = false);
                }
                let outcome = self.inner.insert_payment(new).await;
                for p in &others {
                    self.inner.edit(&p.transaction_id, |p| p.open = true);
                }
                outcome
            }
            _ => self.inner.insert_payment(new).await,
        }
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        let _serial = self.serial().await;
        self.inner.find_payment(id).await
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        let mixed_up = NotifyToken::new(page.payment_token).ok();
        let notify_token = match self.bug {
            Bug::NotifyTokenDropped => None,
            Bug::NotifyTokenFromPaymentToken => mixed_up.as_ref(),
            _ => page.notify_token,
        };
        let page = PaymentPage {
            notify_token,
            ..page.clone()
        };
        self.inner.attach_payment_page(id, &page).await
    }

    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        self.inner.supersede_payment(id, at).await
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        let _serial = self.serial().await;
        match self.bug {
            Bug::TransitionIgnoresFrom => {
                tokio::task::yield_now().await;
                if let Some(current) = self.inner.find_payment(id).await? {
                    let mut change = change.clone();
                    change.from = current.status;
                    return self.inner.transition(id, &change).await;
                }
            }
            Bug::AcceptTwicePerOrder => {
                let outcome = self.inner.transition(id, change).await?;
                if let Transition::OrderAlreadyPaid(_) = outcome {
                    self.inner.edit(id, |p| apply(p, change));
                    return Ok(Transition::Applied);
                }
                return Ok(outcome);
            }
            Bug::SupersedeIgnoredByTransition => {
                let outcome = self.inner.transition(id, change).await?;
                let Some(p) = self.inner.find_payment(id).await? else {
                    return Ok(outcome);
                };
                if outcome == Transition::NotApplied
                    && change.to == PaymentStatus::Accepted
                    && p.status == change.from
                    && p.superseded_at.is_some()
                {
                    self.inner.edit(id, |p| p.superseded_at = None);
                    let outcome = self.inner.transition(id, change).await?;
                    self.inner.edit(id, |q| q.superseded_at = p.superseded_at);
                    return Ok(outcome);
                }
                return Ok(outcome);
            }
            Bug::InProcessLockOnly => {
                let Some(p) = self.inner.find_payment(id).await? else {
                    return Ok(Transition::NotApplied);
                };
                if p.status != change.from {
                    return Ok(Transition::NotApplied);
                }
                if change.to == PaymentStatus::Accepted {
                    if p.superseded_at.is_some() {
                        return Ok(Transition::NotApplied);
                    }
                    let payer = self.inner.payments().into_iter().find(|q| {
                        q.order_ref == p.order_ref
                            && q.status == PaymentStatus::Accepted
                            && &q.transaction_id != id
                    });
                    if let Some(payer) = payer {
                        return Ok(Transition::OrderAlreadyPaid(payer.transaction_id));
                    }
                }
                tokio::time::sleep(RACE_WINDOW).await;
                self.inner.edit(id, |p| apply(p, change));
                return Ok(Transition::Applied);
            }
            _ => {}
        }
        self.inner.transition(id, change).await
    }

    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        if self.bug == Bug::RecordCheckDropsCheckedAt {
            return Ok(self.inner.edit(id, |p| {
                if let Some(check) = check {
                    p.check = Some(check.clone());
                }
                p.updated_at = at;
            }));
        }
        self.inner.record_check(id, check, at).await
    }

    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        let _serial = self.serial().await;
        match self.bug {
            Bug::ClaimReadThenWrite | Bug::InProcessLockOnly => {
                self.claim_blindly(claim, chrono::Utc::now).await
            }
            Bug::LeaseOnCallerClock => {
                let Some(p) = self.inner.find_payment(claim.transaction_id).await? else {
                    return Ok(None);
                };
                if !claimable(&p, claim.now, claim.now) {
                    return Ok(None);
                }
                Ok(self.write_claim(claim, plus(claim.now, claim.lease)))
            }
            _ => self.inner.claim_fulfilment(claim).await,
        }
    }

    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        let current = self.inner.find_payment(done.transaction_id).await?;
        match self.bug {
            Bug::CompleteIgnoresOwner => {
                if let Some(owner) = current.and_then(|p| p.fulfilment.claim_owner) {
                    return self
                        .inner
                        .complete_fulfilment(&Completion {
                            owner: &owner,
                            ..done.clone()
                        })
                        .await;
                }
            }
            Bug::RefundCompleteSetsFulfilledAt => {
                if let Some(p) = current
                    && p.owed() == Some(Owed::RefundNotice)
                    && p.fulfilment.claim_owner.as_deref() == Some(done.owner)
                {
                    return Ok(self.inner.edit(done.transaction_id, |p| {
                        p.fulfilment.fulfilled_at = Some(done.now);
                        p.updated_at = done.now;
                    }));
                }
            }
            _ => {}
        }
        self.inner.complete_fulfilment(done).await
    }

    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        let mut release = release.clone();
        match self.bug {
            Bug::ReleaseIgnoresSchedule => release.next_attempt_at = release.now,
            Bug::KeepLeaseIgnored => release.keep_lease = false,
            _ => {}
        }
        self.inner.release_fulfilment(&release).await
    }

    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _serial = self.serial().await;
        let granted = self.inner.claim_failure_notice(id, now).await?;
        if self.bug == Bug::NoticeEveryTime {
            let failed = self.inner.find_payment(id).await?;
            return Ok(failed.is_some_and(|p| p.status.is_failure()));
        }
        Ok(granted)
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        let _serial = self.serial().await;
        if self.bug == Bug::BatchReversed {
            let reversed: Vec<DeliveryRecord> = records.iter().rev().cloned().collect();
            return self.inner.record_deliveries(&reversed).await;
        }
        self.inner.record_deliveries(records).await
    }

    /// The provided two steps, through this mutant's own (mutated)
    /// `transition` and `claim_fulfilment`, so that no bug is bypassed; or the
    /// claim left out. (`complete_and_record` is not overridden: the
    /// provided default calls the mutated `complete_fulfilment` and
    /// `record_deliveries`.)
    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        let outcome = self.transition(id, change).await?;
        if outcome != Transition::Applied || self.bug == Bug::AcceptWithoutClaim {
            return Ok((outcome, None));
        }
        Ok((outcome, self.claim_fulfilment(claim).await?))
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let _serial = self.serial().await;
        let now = if self.bug == Bug::DueAnHourLate {
            now + TimeDelta::hours(1)
        } else {
            now
        };
        self.inner.due_fulfilments(now, limit).await
    }

    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        let _serial = self.serial().await;
        let all = self.inner.payments();
        match self.bug {
            Bug::PollIncludesNoPage => {
                let mut list: Vec<Payment> = all
                    .into_iter()
                    .filter(|p| {
                        let mut paged = p.clone();
                        paged.payment_url.get_or_insert_with(String::new);
                        query.matches(&paged)
                    })
                    .collect();
                list.sort_by(|a, b| PollQuery::order_key(a).cmp(&PollQuery::order_key(b)));
                Ok(sorted_poll(list, query.limit))
            }
            Bug::PollPendingOnly => {
                let mut list: Vec<Payment> = all
                    .into_iter()
                    .filter(|p| p.status == PaymentStatus::Pending && query.matches(p))
                    .collect();
                list.sort_by(|a, b| PollQuery::order_key(a).cmp(&PollQuery::order_key(b)));
                Ok(sorted_poll(list, query.limit))
            }
            Bug::PollByUpdatedAt => {
                let mut list: Vec<Payment> = all.into_iter().filter(|p| query.matches(p)).collect();
                list.sort_by(|a, b| {
                    (a.updated_at, &a.transaction_id).cmp(&(b.updated_at, &b.transaction_id))
                });
                Ok(sorted_poll(list, query.limit))
            }
            Bug::PollByCreatedAt => {
                let mut list: Vec<Payment> = all
                    .into_iter()
                    .filter(|p| {
                        let mut unchecked = p.clone();
                        unchecked.checked_at = None;
                        query.matches(&unchecked)
                    })
                    .collect();
                list.sort_by(|a, b| {
                    (a.created_at, &a.transaction_id).cmp(&(b.created_at, &b.transaction_id))
                });
                Ok(sorted_poll(list, query.limit))
            }
            _ => self.inner.payments_to_poll(query).await,
        }
    }
}

#[async_trait]
impl PaymentQueries for Mutant {
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError> {
        let _serial = self.serial().await;
        if self.bug == Bug::ListOldestFirst {
            let mut everything = filter.clone();
            everything.limit = usize::MAX;
            let mut list = self.inner.list_payments(&everything).await?;
            list.reverse();
            list.truncate(filter.limit);
            return Ok(list);
        }
        if self.bug == Bug::ListIgnoresFilters {
            let unfiltered = PaymentFilter::newest(filter.limit);
            return self.inner.list_payments(&unfiltered).await;
        }
        self.inner.list_payments(filter).await
    }

    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let _serial = self.serial().await;
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
}

/// Runs `case` on a fresh mutant backend; its failure message, if it failed.
async fn failure_of(bug: Bug, case: &str) -> Option<String> {
    let Some(case) = cases().iter().find(|c| c.name == case) else {
        panic!("no conformance case named {case}");
    };
    run_isolated(case, Arc::new(backend(bug))).await.err()
}

/// What must happen to a mutant on a case.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The case fails, naming itself.
    Caught,
    /// The case passes (the bug is outside what it covers).
    Passes,
}

/// Runs every `(bug, case, expectation)` at once; panics listing every miss.
async fn expect_all(expectations: Vec<(Bug, &'static str, Expect)>) {
    let tasks: Vec<_> = expectations
        .into_iter()
        .map(|(bug, case, expect)| {
            tokio::spawn(async move {
                let failure = failure_of(bug, case).await;
                match (expect, failure) {
                    (Expect::Caught, None) => {
                        Some(format!("case {case} passed a store with the bug {bug:?}"))
                    }
                    (Expect::Caught, Some(message)) if !message.contains(&format!("`{case}`")) => {
                        Some(format!(
                            "the failure of {case} on {bug:?} does not name the case: {message}"
                        ))
                    }
                    (Expect::Passes, Some(message)) => Some(format!(
                        "case {case} should pass on {bug:?}, failed: {message}"
                    )),
                    _ => None,
                }
            })
        })
        .collect();
    let mut misses = Vec::new();
    for task in tasks {
        if let Some(miss) = task.await.unwrap() {
            misses.push(miss);
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faithful_wrapper_passes() {
    let report = run_conformance(|| async { backend(Bug::None) }).await;
    assert_eq!(report.cases_run(), cases().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_by_the_cases_that_guard_against_it() {
    let guards: &[(Bug, &[&'static str])] = &[
        (Bug::SecondsPrecision, &["insert_and_find_round_trip"]),
        (
            Bug::NoOpenSlot,
            &[
                "open_slot_per_order",
                "insert_and_find_round_trip",
                "race_insert_one_open_payment",
            ],
        ),
        (
            Bug::CompleteIgnoresOwner,
            &[
                "claim_and_complete",
                "expired_lease_takeover",
                "complete_and_record_in_one_step",
            ],
        ),
        (
            Bug::ReleaseIgnoresSchedule,
            &[
                "release_schedules_retry",
                "release_keep_lease",
                "refund_notice_claim_protocol",
            ],
        ),
        (
            Bug::NoticeEveryTime,
            &["failure_notice_exactly_once", "race_failure_notice_once"],
        ),
        (
            Bug::DeliveriesNewestFirst,
            &[
                "delivery_log_order_and_limit",
                "delivery_log_batches",
                "complete_and_record_in_one_step",
            ],
        ),
        (Bug::BatchReversed, &["delivery_log_batches"]),
        (
            Bug::ListOldestFirst,
            &[
                "payments_for_order_newest_first",
                "list_payments_filters_and_pages",
            ],
        ),
        (
            Bug::ListIgnoresFilters,
            &[
                "payments_for_order_newest_first",
                "list_payments_filters_and_pages",
            ],
        ),
        (
            Bug::ClaimReadThenWrite,
            &[
                "race_claim_one_winner",
                "race_takeover_one_winner",
                "race_many_payments_one_winner_each",
                "race_claim_across_instances",
            ],
        ),
        (
            Bug::TransitionIgnoresFrom,
            &[
                "transition_compare_and_set",
                "race_transition_one_applied",
                "accept_and_claim_in_one_step",
            ],
        ),
        (
            Bug::PollIncludesNoPage,
            &["payments_to_poll_filters_and_order"],
        ),
        (
            Bug::PollPendingOnly,
            &["payments_to_poll_filters_and_order"],
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
        (
            Bug::AcceptTwicePerOrder,
            &[
                "one_accepted_payment_per_order",
                "race_accept_one_payer",
                "race_accept_across_instances",
                "accept_and_claim_refused",
            ],
        ),
        (
            Bug::SupersedeIgnoredByTransition,
            &[
                "superseded_payment_is_never_accepted",
                "accept_and_claim_refused",
            ],
        ),
        (
            Bug::RefundCompleteSetsFulfilledAt,
            &["refund_notice_claim_protocol"],
        ),
        (
            Bug::RecordCheckDropsCheckedAt,
            &[
                "record_check_keeps_status",
                "polling_reaches_every_candidate",
                "payments_to_poll_filters_and_order",
            ],
        ),
        (
            Bug::PollByUpdatedAt,
            &["payments_to_poll_filters_and_order"],
        ),
        (
            Bug::PollByCreatedAt,
            &[
                "payments_to_poll_filters_and_order",
                "polling_reaches_every_candidate",
            ],
        ),
        (
            Bug::LeaseOnCallerClock,
            &["lease_on_the_store_clock", "claim_and_complete"],
        ),
        (Bug::KeepLeaseIgnored, &["release_keep_lease"]),
        (
            Bug::AcceptWithoutClaim,
            &[
                "accept_and_claim_in_one_step",
                "race_accept_and_claim_one_winner",
            ],
        ),
        (
            Bug::AccountDropped,
            &[
                "account_and_generation_round_trip",
                "attach_payment_page_records_the_2026_answer",
            ],
        ),
        (
            Bug::GenerationDropped,
            &[
                "account_and_generation_round_trip",
                "attach_payment_page_records_the_2026_answer",
            ],
        ),
        (
            Bug::NotifyTokenDropped,
            &["attach_payment_page_records_the_2026_answer"],
        ),
        (
            Bug::NotifyTokenFromPaymentToken,
            &[
                "attach_payment_page_records_the_2026_answer",
                "no_notify_token_without_a_2026_page",
                "attach_payment_page",
            ],
        ),
    ];
    let expectations = guards
        .iter()
        .flat_map(|(bug, cases)| cases.iter().map(|case| (*bug, *case, Expect::Caught)))
        .collect();
    expect_all(expectations).await;
}

/// The point of the cross-instance races: a store whose only guarantee is an
/// in-process lock passes every single-instance race and fails every
/// cross-instance one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_process_lock_passes_alone_and_fails_across_instances() {
    let single = [
        "race_claim_one_winner",
        "race_insert_one_open_payment",
        "race_transition_one_applied",
        "race_accept_one_payer",
    ];
    let across = [
        "race_claim_across_instances",
        "race_insert_across_instances",
        "race_transition_across_instances",
        "race_accept_across_instances",
    ];
    let expectations = single
        .into_iter()
        .map(|case| (Bug::InProcessLockOnly, case, Expect::Passes))
        .chain(
            across
                .into_iter()
                .map(|case| (Bug::InProcessLockOnly, case, Expect::Caught)),
        )
        .collect();
    expect_all(expectations).await;
    // Caught for the right reason: more than one winner.
    for case in across {
        let message = failure_of(Bug::InProcessLockOnly, case).await.unwrap();
        assert!(
            message.contains("the number of"),
            "{case} on InProcessLockOnly failed, but not on a winner count: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_is_reported_and_the_run_goes_on() {
    let expected = [
        "complete_and_record_in_one_step",
        "delivery_log_order_and_limit",
        "delivery_log_batches",
    ];
    let checked = tokio::spawn(check_conformance(|| async {
        backend(Bug::DeliveriesNewestFirst)
    }));
    let panicked = tokio::spawn(run_conformance(|| async {
        backend(Bug::DeliveriesNewestFirst)
    }));

    let report = checked.await.unwrap();
    assert!(!report.passed());
    assert_eq!(report.cases_run(), cases().len());
    let failed: Vec<&str> = report.failures().iter().map(|(name, _)| *name).collect();
    assert_eq!(failed, expected);
    for (name, message) in report.failures() {
        assert!(message.contains(&format!("`{name}`")), "{message}");
    }

    let err = panicked.await.unwrap_err();
    let message = crate::panic_message(err.into_panic());
    assert!(message.contains("3 of"), "{message}");
    for name in expected {
        assert!(message.contains(&format!("- {name}: ")), "{message}");
    }
}

/// A store that overrides none of the provided methods (`accept_and_claim`,
/// `complete_and_record`): the two-step defaults must pass the same cases as
/// the one-step versions of [`MemoryStore`] and the database stores.
struct ProvidedDefaults(MemoryStore);

#[async_trait]
impl PaymentStore for ProvidedDefaults {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        self.0.insert_payment(new).await
    }
    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        self.0.find_payment(id).await
    }
    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        self.0.attach_payment_page(id, page).await
    }
    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.0.supersede_payment(id, at).await
    }
    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        self.0.transition(id, change).await
    }
    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.0.record_check(id, check, at).await
    }
    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        self.0.claim_fulfilment(claim).await
    }
    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        self.0.complete_fulfilment(done).await
    }
    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        self.0.release_fulfilment(release).await
    }
    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.0.claim_failure_notice(id, now).await
    }
    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        self.0.record_deliveries(records).await
    }
    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.0.due_fulfilments(now, limit).await
    }
    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        self.0.payments_to_poll(query).await
    }
}

#[async_trait]
impl PaymentQueries for ProvidedDefaults {
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError> {
        self.0.list_payments(filter).await
    }
    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.0.deliveries(transaction_id, limit).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provided_two_step_defaults_pass_like_the_one_step_overrides() {
    let report = run_conformance(|| async {
        let memory = MemoryStore::new();
        move || Arc::new(ProvidedDefaults(memory.clone())) as Arc<dyn QueryableStore>
    })
    .await;
    assert_eq!(report.cases_run(), cases().len());
}
