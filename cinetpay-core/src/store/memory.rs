//! [`MemoryStore`]: a complete [`PaymentStore`] in process memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{
    Claim, Completion, InsertOutcome, PaymentFilter, PaymentPage, PaymentQueries, PaymentStore,
    PollQuery, Release, StatusChange, StoreError, Transition,
};
use crate::clock::{Clock, SystemClock, after};
use crate::model::{
    CheckSnapshot, DeliveryRecord, FulfilmentClaim, NewPayment, Owed, Payment, PaymentStatus,
    Timestamp,
};
use crate::values::{OrderRef, TransactionId};

/// A [`PaymentStore`] in process memory, for tests and single-process use.
///
/// It has exactly the semantics of the database stores (the open slot per
/// order, one accepted payment per order, compare-and-set transitions,
/// fulfilment claims with leases fenced by owner tokens) and passes the same
/// conformance suite. Every method is one step under one lock, so concurrent
/// callers see the same outcomes as on a database: one claim wins, one
/// transition applies, one insert opens the order.
///
/// Leases are measured on the store's own [`Clock`] (the system clock unless
/// given one with [`with_clock`](Self::with_clock)), never on the callers':
/// two engines on one store cannot overlap a delivery whatever their clocks say.
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
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }
}

#[derive(Debug, Default)]
struct Inner {
    payments: HashMap<TransactionId, Payment>,
    /// The open slot: the order's open payment.
    open_by_order: HashMap<OrderRef, TransactionId>,
    /// The paid slot: the order's accepted payment.
    paid_by_order: HashMap<OrderRef, TransactionId>,
    /// The delivery log, in insertion order.
    deliveries: Vec<DeliveryRecord>,
    /// Fault injection: every call fails with [`StoreError::Unavailable`].
    unavailable: bool,
}

impl MemoryStore {
    /// An empty store whose leases follow the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose leases follow `clock` (tests pass the
    /// [`ManualClock`](crate::clock::ManualClock) they move).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use cinetpay_core::MemoryStore;
    /// use cinetpay_core::clock::ManualClock;
    /// let clock = Arc::new(ManualClock::starting_now());
    /// let store = MemoryStore::with_clock(clock.clone());
    /// # let _ = store;
    /// ```
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        MemoryStore {
            inner: Arc::default(),
            clock,
        }
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

    /// Edits a stored payment in place, bypassing every rule of the trait:
    /// for tests that need a state the engine would not make (a row written
    /// by an older version, a broken store built on this one). Returns
    /// `false` for an unknown payment. The order slots follow the edited
    /// payment's `open` flag and `accepted` status.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_core::*;
    /// let store = MemoryStore::new();
    /// let new = NewPayment {
    ///     transaction_id: TransactionId::generate(),
    ///     order_ref: OrderRef::new("ord-1")?,
    ///     amount: Amount::new(1000)?,
    ///     currency: Currency::Xof,
    ///     description: Description::new("Attiéké")?,
    ///     account: AccountName::default(),
    ///     generation: Generation::CheckoutV2,
    ///     created_at: chrono::Utc::now(),
    /// };
    /// store.insert_payment(&new).await?;
    /// assert!(store.edit(&new.transaction_id, |p| p.fulfilment.attempts = 7));
    /// assert_eq!(store.find_payment(&new.transaction_id).await?.unwrap().fulfilment.attempts, 7);
    /// # Ok(()) }
    /// ```
    pub fn edit(&self, id: &TransactionId, change: impl FnOnce(&mut Payment)) -> bool {
        let mut inner = self.lock();
        let Some(mut payment) = inner.payments.get(id).cloned() else {
            return false;
        };
        change(&mut payment);
        let order = payment.order_ref.clone();
        if payment.open {
            inner.open_by_order.insert(order.clone(), id.clone());
        } else if inner.open_by_order.get(&order) == Some(id) {
            inner.open_by_order.remove(&order);
        }
        if payment.status == PaymentStatus::Accepted {
            inner.paid_by_order.insert(order, id.clone());
        } else if inner.paid_by_order.get(&order) == Some(id) {
            inner.paid_by_order.remove(&order);
        }
        inner.payments.insert(id.clone(), payment);
        true
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

    /// `transition`, under the lock.
    fn transition(&mut self, id: &TransactionId, change: &StatusChange) -> Transition {
        let Some(mut payment) = self
            .payments
            .get(id)
            .filter(|p| p.status == change.from)
            .cloned()
        else {
            return Transition::NotApplied;
        };
        if change.to == PaymentStatus::Accepted {
            if payment.superseded_at.is_some() {
                return Transition::NotApplied;
            }
            match self.paid_by_order.get(&payment.order_ref) {
                Some(payer) if payer != id => {
                    return Transition::OrderAlreadyPaid(payer.clone());
                }
                _ => {}
            }
            self.paid_by_order
                .insert(payment.order_ref.clone(), id.clone());
        }
        payment.status = change.to;
        payment.check = change.check.clone();
        payment.status_reason = change.reason.clone();
        payment.attention = change.attention.clone();
        if change.check.is_some() {
            payment.checked_at = Some(change.at);
        }
        payment.updated_at = change.at;
        if change.to != PaymentStatus::Pending {
            self.close_slot(&mut payment);
        }
        tracing::debug!(
            transaction_id = %id,
            from = %change.from,
            to = %change.to,
            "memory store: status changed"
        );
        self.payments.insert(id.clone(), payment);
        Transition::Applied
    }

    /// `claim_fulfilment`, under the lock; leases end `claim.lease` after `store_now`.
    fn claim(&mut self, claim: &Claim<'_>, store_now: Timestamp) -> Option<FulfilmentClaim> {
        let payment = self
            .payments
            .get_mut(claim.transaction_id)
            .filter(|p| claimable(p, store_now, claim.now))?;
        let lease_until = after(store_now, claim.lease);
        let fulfilment = &mut payment.fulfilment;
        fulfilment.claim_owner = Some(claim.owner.to_owned());
        fulfilment.claim_until = Some(lease_until);
        fulfilment.attempts = fulfilment.attempts.saturating_add(1);
        payment.updated_at = claim.now;
        Some(FulfilmentClaim {
            attempt: payment.fulfilment.attempts,
            payment: payment.clone(),
            owner: claim.owner.to_owned(),
            lease_until,
        })
    }

    /// `complete_fulfilment`, under the lock.
    fn complete(&mut self, done: &Completion<'_>) -> bool {
        let Some(payment) = self
            .payments
            .get_mut(done.transaction_id)
            .filter(|p| holds_claim(p, done.owner))
        else {
            return false;
        };
        match payment.owed() {
            Some(Owed::Delivery) => payment.fulfilment.fulfilled_at = Some(done.now),
            Some(Owed::RefundNotice) => payment.refund_notified_at = Some(done.now),
            None => return false,
        }
        payment.updated_at = done.now;
        true
    }

    /// `record_deliveries`, under the lock: bounded like a database column,
    /// even for a record built by hand.
    fn record(&mut self, records: &[DeliveryRecord]) {
        let bounded = records
            .iter()
            .map(|r| DeliveryRecord::new(&r.transaction_id, r.source, &r.outcome, r.at));
        self.deliveries.extend(bounded);
    }
}

/// `None` or not after `now`: a lease that has passed, or a next attempt that is due.
fn passed(at: Option<Timestamp>, now: Timestamp) -> bool {
    at.is_none_or(|at| at <= now)
}

/// Something owed, no live claim on the store's clock, the next attempt due
/// on the caller's.
fn claimable(payment: &Payment, store_now: Timestamp, now: Timestamp) -> bool {
    payment.owed().is_some()
        && passed(payment.fulfilment.claim_until, store_now)
        && passed(payment.fulfilment.next_attempt_at, now)
}

/// The owner still holds the claim of work that is still owed.
fn holds_claim(payment: &Payment, owner: &str) -> bool {
    payment.owed().is_some() && payment.fulfilment.claim_owner.as_deref() == Some(owner)
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

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner
            .payments
            .get_mut(id)
            .filter(|p| p.superseded_at.is_none())
        else {
            return Ok(false);
        };
        payment.payment_token = Some(page.payment_token.to_owned());
        payment.payment_url = Some(page.payment_url.to_owned());
        payment.notify_token = page.notify_token.cloned();
        payment.cinetpay_id = page.cinetpay_id.map(str::to_owned);
        payment.updated_at = page.at;
        Ok(true)
    }

    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(mut payment) = inner
            .payments
            .get(id)
            .filter(|p| p.open && p.status == PaymentStatus::Pending)
            .cloned()
        else {
            return Ok(false);
        };
        inner.close_slot(&mut payment);
        payment.superseded_at = Some(at);
        payment.updated_at = at;
        inner.payments.insert(id.clone(), payment);
        Ok(true)
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        Ok(self.op()?.transition(id, change))
    }

    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner.payments.get_mut(id) else {
            return Ok(false);
        };
        if let Some(check) = check {
            payment.check = Some(check.clone());
        }
        payment.checked_at = Some(at);
        payment.updated_at = at;
        Ok(true)
    }

    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        let store_now = self.clock.now();
        Ok(self.op()?.claim(claim, store_now))
    }

    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        Ok(self.op()?.complete(done))
    }

    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let Some(payment) = inner
            .payments
            .get_mut(release.transaction_id)
            .filter(|p| holds_claim(p, release.owner))
        else {
            return Ok(false);
        };
        let fulfilment = &mut payment.fulfilment;
        if !release.keep_lease {
            fulfilment.claim_owner = None;
            fulfilment.claim_until = None;
        }
        fulfilment.last_error = Some(release.error.to_owned());
        fulfilment.next_attempt_at = Some(release.next_attempt_at);
        payment.updated_at = release.now;
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

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        self.op()?.record(records);
        Ok(())
    }

    /// One step under the lock: no other call sees the payment accepted
    /// and not yet claimed.
    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        let store_now = self.clock.now();
        let mut inner = self.op()?;
        let outcome = inner.transition(id, change);
        if outcome != Transition::Applied {
            return Ok((outcome, None));
        }
        let claimed = inner.claim(claim, store_now);
        Ok((outcome, claimed))
    }

    /// One step under the lock.
    async fn complete_and_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, StoreError> {
        let mut inner = self.op()?;
        let completed = inner.complete(done);
        inner.record(std::slice::from_ref(record));
        Ok(completed)
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let store_now = self.clock.now();
        let inner = self.op()?;
        let mut due: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| claimable(p, store_now, now))
            .collect();
        due.sort_by(|a, b| {
            (a.created_at, &a.transaction_id).cmp(&(b.created_at, &b.transaction_id))
        });
        Ok(due.into_iter().take(limit).cloned().collect())
    }

    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        let inner = self.op()?;
        let mut candidates: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| query.matches(p))
            .collect();
        candidates.sort_by(|a, b| PollQuery::order_key(a).cmp(&PollQuery::order_key(b)));
        Ok(candidates.into_iter().take(query.limit).cloned().collect())
    }
}

#[async_trait]
impl PaymentQueries for MemoryStore {
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError> {
        let inner = self.op()?;
        let mut found: Vec<&Payment> = inner
            .payments
            .values()
            .filter(|p| filter.matches(p))
            .collect();
        found.sort_by_key(|p| PaymentFilter::order_key(p));
        Ok(found.into_iter().take(filter.limit).cloned().collect())
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    // The conformance suite runs on MemoryStore in the cinetpay-testing crate.
    use super::MemoryStore;
    use crate::PaymentStore;
    use crate::model::NewPayment;
    use crate::values::{Amount, Currency, Description, OrderRef, TransactionId};

    #[tokio::test]
    async fn clones_share_data_and_outages() {
        let a = MemoryStore::new();
        let b = a.clone();
        let new = NewPayment {
            transaction_id: TransactionId::generate(),
            order_ref: OrderRef::new("shared").unwrap(),
            amount: Amount::new(1500).unwrap(),
            currency: Currency::Xof,
            description: Description::new("d").unwrap(),
            account: Default::default(),
            generation: Default::default(),
            created_at: chrono::Utc::now(),
        };
        a.insert_payment(&new).await.unwrap();
        assert_eq!(b.payments().len(), 1);
        assert!(b.find_payment(&new.transaction_id).await.unwrap().is_some());
        a.set_unavailable(true);
        let err = b.find_payment(&new.transaction_id).await.err();
        assert!(err.is_some_and(|e| e.is_transient()));
        b.set_unavailable(false);
        assert!(a.find_payment(&new.transaction_id).await.is_ok());
    }
}
