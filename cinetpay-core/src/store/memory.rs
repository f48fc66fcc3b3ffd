//! [`MemoryStore`]: a complete [`PaymentStore`] in process memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{InsertOutcome, PaymentStore, StatusChange, StoreError};
use crate::model::{DeliveryRecord, FulfilmentClaim, NewPayment, Payment, Timestamp};
use crate::values::{OrderRef, TransactionId};

/// A [`PaymentStore`] in process memory, for tests and single-process use.
///
/// It has exactly the semantics of the database stores (the open slot per
/// order, compare-and-set transitions, fulfilment claims with leases fenced by
/// owner tokens) and passes the same conformance suite. Every method is one
/// step under one lock, so concurrent callers see the same outcomes as on a
/// database: one claim wins, one transition applies, one insert opens the order.
///
/// Clones share the same data, so two engines built on two clones behave like
/// two instances on one database. Data is lost when the last clone is dropped:
/// use a database store when payments must survive a restart.
///
/// ```
/// use cinetpay_core::{MemoryStore, PaymentStore};
/// use std::sync::Arc;
///
/// let store = MemoryStore::new();
/// let shared: Arc<dyn PaymentStore> = Arc::new(store.clone());
/// # let _ = shared;
/// assert!(store.payments().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    payments: HashMap<TransactionId, Payment>,
    /// The open slot: the order's open payment.
    open_by_order: HashMap<OrderRef, TransactionId>,
    /// The delivery log, in insertion order.
    deliveries: Vec<DeliveryRecord>,
    /// Fault injection: every call fails with [`StoreError::Unavailable`].
    unavailable: bool,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every payment, oldest first (by `created_at`, then transaction id): for
    /// assertions in tests.
    pub fn payments(&self) -> Vec<Payment> {
        let inner = self.lock();
        let mut all: Vec<Payment> = inner.payments.values().cloned().collect();
        all.sort_by(|a, b| {
            (a.created_at, &a.transaction_id).cmp(&(b.created_at, &b.transaction_id))
        });
        all
    }

    /// The whole delivery log, in the order it was recorded: for assertions in tests.
    pub fn all_deliveries(&self) -> Vec<DeliveryRecord> {
        self.lock().deliveries.clone()
    }

    /// Makes every call fail with [`StoreError::Unavailable`] (`true`) or work
    /// again (`false`), as a database that went down would: for testing how the
    /// engine answers when its store is unreachable. Shared by all clones.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().unavailable = unavailable;
    }

    /// The lock, recovered if a panicking thread poisoned it: every method
    /// leaves the maps consistent before anything can panic.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lock for a store operation, or the injected outage.
    fn op(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        let inner = self.lock();
        if inner.unavailable {
            return Err(StoreError::unavailable(
                "memory store set unavailable for a test",
            ));
        }
        Ok(inner)
    }
}

impl Inner {
    /// Clears the order's open slot if this payment holds it.
    fn close_slot(&mut self, payment: &mut Payment) {
        if payment.open {
            payment.open = false;
            if self.open_by_order.get(&payment.order_ref) == Some(&payment.transaction_id) {
                self.open_by_order.remove(&payment.order_ref);
            }
        }
    }
}

/// `None` or not after `now`: a lease that has passed, or a next attempt that is due.
fn passed(at: Option<Timestamp>, now: Timestamp) -> bool {
    at.is_none_or(|at| at <= now)
}

/// Accepted, unfulfilled, no live claim and the next attempt due at `now`.
fn claimable(payment: &Payment, now: Timestamp) -> bool {
    payment.status == crate::model::PaymentStatus::Accepted
        && payment.fulfilment.fulfilled_at.is_none()
        && passed(payment.fulfilment.claim_until, now)
        && passed(payment.fulfilment.next_attempt_at, now)
}

/// The owner still holds the claim of an unfulfilled payment.
fn holds_claim(payment: &Payment, owner: &str) -> bool {
    payment.fulfilment.fulfilled_at.is_none()
        && payment.fulfilment.claim_owner.as_deref() == Some(owner)
}

#[async_trait]
impl PaymentStore for MemoryStore {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        let mut inner = self.op()?;
        if inner.payments.contains_key(&new.transaction_id) {
            return Err(StoreError::Conflict(format!(
                "transaction id {} already exists",
                new.transaction_id
            )));
        }
        if let Some(open) = inner
            .open_by_order
            .get(&new.order_ref)
            .and_then(|id| inner.payments.get(id))
        {
            return Ok(InsertOutcome::OrderHasOpenPayment(open.clone()));
        }
        let payment = Payment::from_new(new);
        inner
            .open_by_order
            .insert(new.order_ref.clone(), new.transaction_id.clone());
        inner
            .payments
            .insert(new.transaction_id.clone(), payment.clone());
        Ok(InsertOutcome::Inserted(payment))
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        Ok(self.op()?.payments.get(id).cloned())
    }

    async fn find_open_payment(&self, order_ref: &OrderRef) -> Result<Option<Payment>, StoreError> {
        let inner = self.op()?;
        Ok(inner
            .open_by_order
            .get(order_ref)
            .and_then(|id| inner.payments.get(id))
            .cloned())
    }

    async fn payments_for_order(
        &self,
        order_ref: &OrderRef,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let inner = self.op()?;
        let mut found: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| &p.order_ref == order_ref)
            .collect();
        found.sort_by(|a, b| {
            (b.created_at, &b.transaction_id).cmp(&(a.created_at, &a.transaction_id))
        });
        Ok(found.into_iter().take(limit).cloned().collect())
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        payment_token: &str,
        payment_url: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner.payments.get_mut(id) else {
            return Ok(false);
        };
        payment.payment_token = Some(payment_token.to_owned());
        payment.payment_url = Some(payment_url.to_owned());
        payment.updated_at = at;
        Ok(true)
    }

    async fn close_payment(&self, id: &TransactionId, at: Timestamp) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(mut payment) = inner.payments.get(id).filter(|p| p.open).cloned() else {
            return Ok(false);
        };
        inner.close_slot(&mut payment);
        payment.updated_at = at;
        inner.payments.insert(id.clone(), payment);
        Ok(true)
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(mut payment) = inner
            .payments
            .get(id)
            .filter(|p| p.status == change.from)
            .cloned()
        else {
            return Ok(false);
        };
        payment.status = change.to;
        payment.check = change.check.clone();
        payment.status_reason = change.reason.clone();
        payment.updated_at = change.at;
        if change.to != crate::model::PaymentStatus::Pending {
            inner.close_slot(&mut payment);
        }
        tracing::debug!(
            transaction_id = %id,
            from = %change.from,
            to = %change.to,
            "memory store: status changed"
        );
        inner.payments.insert(id.clone(), payment);
        Ok(true)
    }

    async fn claim_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner.payments.get_mut(id).filter(|p| claimable(p, now)) else {
            return Ok(None);
        };
        let fulfilment = &mut payment.fulfilment;
        fulfilment.claim_owner = Some(owner.to_owned());
        fulfilment.claim_until = Some(lease_until);
        fulfilment.attempts = fulfilment.attempts.saturating_add(1);
        payment.updated_at = now;
        Ok(Some(FulfilmentClaim {
            attempt: payment.fulfilment.attempts,
            payment: payment.clone(),
            owner: owner.to_owned(),
            lease_until,
        }))
    }

    async fn complete_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner.payments.get_mut(id).filter(|p| holds_claim(p, owner)) else {
            return Ok(false);
        };
        payment.fulfilment.fulfilled_at = Some(now);
        payment.updated_at = now;
        Ok(true)
    }

    async fn release_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        error: &str,
        next_attempt_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner.payments.get_mut(id).filter(|p| holds_claim(p, owner)) else {
            return Ok(false);
        };
        let fulfilment = &mut payment.fulfilment;
        fulfilment.claim_owner = None;
        fulfilment.claim_until = None;
        fulfilment.last_error = Some(error.to_owned());
        fulfilment.next_attempt_at = Some(next_attempt_at);
        payment.updated_at = now;
        Ok(true)
    }

    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner
            .payments
            .get_mut(id)
            .filter(|p| p.status.is_failure() && p.failure_notified_at.is_none())
        else {
            return Ok(false);
        };
        payment.failure_notified_at = Some(now);
        payment.updated_at = now;
        Ok(true)
    }

    async fn record_delivery(&self, record: &DeliveryRecord) -> Result<(), StoreError> {
        // Bounded like a database column, even for a record built by hand.
        let bounded = DeliveryRecord::new(
            &record.transaction_id,
            record.source,
            &record.outcome,
            record.at,
        );
        self.op()?.deliveries.push(bounded);
        Ok(())
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        let bounded = records
            .iter()
            .map(|r| DeliveryRecord::new(&r.transaction_id, r.source, &r.outcome, r.at));
        self.op()?.deliveries.extend(bounded);
        Ok(())
    }

    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let inner = self.op()?;
        let mut found: Vec<&DeliveryRecord> = inner
            .deliveries
            .iter()
            .filter(|r| r.transaction_id == transaction_id)
            .collect();
        // Stable: records of the same instant keep the order they were recorded in.
        found.sort_by_key(|r| r.at);
        Ok(found.into_iter().take(limit).cloned().collect())
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let inner = self.op()?;
        let mut due: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| claimable(p, now))
            .collect();
        due.sort_by(|a, b| {
            (a.created_at, &a.transaction_id).cmp(&(b.created_at, &b.transaction_id))
        });
        Ok(due.into_iter().take(limit).cloned().collect())
    }

    async fn stale_pending(
        &self,
        created_before: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let inner = self.op()?;
        let mut stale: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| {
                p.status == crate::model::PaymentStatus::Pending
                    && p.payment_url.is_some()
                    && p.created_at < created_before
            })
            .collect();
        stale.sort_by(|a, b| {
            (a.updated_at, &a.transaction_id).cmp(&(b.updated_at, &b.transaction_id))
        });
        Ok(stale.into_iter().take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::MemoryStore;
    use crate::PaymentStore;
    use crate::testing::{fixtures, run_conformance};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_store_passes_the_conformance_suite() {
        let report =
            run_conformance(|| async { Arc::new(MemoryStore::new()) as Arc<dyn PaymentStore> })
                .await;
        assert!(report.cases_run() >= 20, "{report:?}");
    }

    #[tokio::test]
    async fn memory_store_passes_the_conformance_suite_on_one_thread() {
        run_conformance(|| async { Arc::new(MemoryStore::new()) as Arc<dyn PaymentStore> }).await;
    }

    #[tokio::test]
    async fn clones_share_data_and_outages() {
        let a = MemoryStore::new();
        let b = a.clone();
        let new = fixtures::new_payment(&fixtures::order_ref("shared"), 1500, fixtures::at(0));
        a.insert_payment(&new).await.ok();
        assert_eq!(b.payments().len(), 1);
        assert!(
            b.find_payment(&new.transaction_id)
                .await
                .ok()
                .flatten()
                .is_some()
        );
        a.set_unavailable(true);
        let err = b.find_payment(&new.transaction_id).await.err();
        assert!(err.is_some_and(|e| e.is_transient()));
        b.set_unavailable(false);
        assert!(a.find_payment(&new.transaction_id).await.is_ok());
    }
}
