//! The [`PaymentStore`] trait: what the engine needs from storage, and nothing more.

mod error;
mod memory;

pub use error::StoreError;
pub use memory::MemoryStore;

use async_trait::async_trait;

use crate::model::{
    CheckSnapshot, DeliveryRecord, FulfilmentClaim, NewPayment, Payment, PaymentStatus, Timestamp,
};
use crate::values::{OrderRef, TransactionId};

/// The result of [`PaymentStore::insert_payment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// The payment was created and is now the order's open payment.
    Inserted(Payment),
    /// The order already has an open payment (a double click, or a concurrent
    /// `init`); nothing was written. The existing payment is returned.
    OrderHasOpenPayment(Payment),
}

/// A verified status change, applied by [`PaymentStore::transition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status the caller read (compare-and-set).
    pub from: PaymentStatus,
    /// The new status.
    pub to: PaymentStatus,
    /// The check that justifies it (`None` for `start_failed`, which has no check).
    pub check: Option<CheckSnapshot>,
    /// A human-readable reason (kept for `start_failed` and `needs_attention`).
    pub reason: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// Storage for payments, claims and the delivery log.
///
/// Every method is a single atomic step; the conditional ones (`transition`,
/// `claim_fulfilment`, `complete_fulfilment`, `release_fulfilment`,
/// `claim_failure_notice`, `insert_payment`) must be correct when several
/// processes share the store: a conditional `UPDATE ... WHERE ...` and its
/// affected-row count, never a read followed by a write, never an in-process lock
/// as the only guarantee. Time is always passed in by the caller, so that tests
/// can move it.
///
/// Run [`testing::run_conformance`](crate::testing::run_conformance) (feature
/// `testing`) against any implementation.
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_core::PaymentStore;
/// fn takes_any_store(store: Arc<dyn PaymentStore>) { let _ = store; }
/// ```
#[async_trait]
pub trait PaymentStore: Send + Sync + 'static {
    /// Creates a pending, open payment — unless the order already has an open
    /// payment, in which case nothing is written and that payment is returned.
    /// A transaction id that already exists is [`StoreError::Conflict`].
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError>;

    /// The payment with this id.
    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError>;

    /// The order's open payment, if any.
    async fn find_open_payment(&self, order_ref: &OrderRef) -> Result<Option<Payment>, StoreError>;

    /// The payments of an order, newest first (by `created_at`, then
    /// transaction id), at most `limit`: what a shop shows on its order page.
    async fn payments_for_order(
        &self,
        order_ref: &OrderRef,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError>;

    /// Records CinetPay's `payment_token` and `payment_url` for a payment.
    /// Returns `false` when the payment does not exist.
    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        payment_token: &str,
        payment_url: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Releases the order's open slot held by this payment (its status is kept),
    /// so that the next `init` for the order creates a new payment.
    /// Returns `false` when the payment was not open.
    async fn close_payment(&self, id: &TransactionId, at: Timestamp) -> Result<bool, StoreError>;

    /// Compare-and-set of the status: applies `change` only if the stored status
    /// is still `change.from`. Any status other than `Pending` also closes the
    /// order's open slot. Returns whether it was applied.
    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<bool, StoreError>;

    /// Claims the fulfilment of an accepted, unfulfilled payment for `owner`
    /// until `lease_until`, if nobody holds a live claim (`claim_until` absent or
    /// `<= now`) and the next attempt is due (`next_attempt_at` absent or `<= now`).
    /// Counts the attempt. `None` when not claimable.
    async fn claim_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FulfilmentClaim>, StoreError>;

    /// Marks the payment fulfilled, if `owner` still holds the claim (even with
    /// an expired lease, as long as nobody took it over). Returns whether it did.
    async fn complete_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Gives the claim back after a failed attempt, with the error and the
    /// earliest time of the next attempt, if `owner` still holds it.
    async fn release_fulfilment(
        &self,
        id: &TransactionId,
        owner: &str,
        error: &str,
        next_attempt_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Claims the one-time `payment_failed` notice of a refused or cancelled
    /// payment. Returns `true` exactly once per payment.
    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Appends to the delivery log.
    async fn record_delivery(&self, record: &DeliveryRecord) -> Result<(), StoreError>;

    /// Appends several lines in this order, ideally in one statement (the
    /// engine groups the lines of concurrent requests into one call). The
    /// default calls [`record_delivery`](Self::record_delivery) for each line
    /// and stops at the first error.
    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        for record in records {
            self.record_delivery(record).await?;
        }
        Ok(())
    }

    /// The delivery log of one transaction id, oldest first, at most `limit` lines.
    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Accepted, unfulfilled payments whose fulfilment can be claimed at `now`,
    /// oldest first, at most `limit`.
    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError>;

    /// Pending payments with a payment page created before `created_before`,
    /// least recently updated first, at most `limit`.
    async fn stale_pending(
        &self,
        created_before: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError>;
}
