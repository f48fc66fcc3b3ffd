//! The [`PaymentStore`] trait: what the engine needs from storage, and
//! nothing more; [`PaymentQueries`]: what people look at.

mod error;
mod memory;
mod queries;
mod requests;

pub use error::StoreError;
pub use memory::MemoryStore;
pub use queries::{PaymentFilter, PaymentQueries};
pub use requests::{
    Claim, Completion, InsertOutcome, PaymentPage, PollQuery, Release, StatusChange, Transition,
};

use async_trait::async_trait;

use crate::model::{
    CheckSnapshot, DeliveryRecord, FulfilmentClaim, NewPayment, Payment, PaymentLookup, Timestamp,
};
use crate::values::TransactionId;

/// Storage for payments, claims and the delivery log: what the engine needs.
///
/// Listing payments and reading the delivery log back is the separate
/// [`PaymentQueries`] (for shops, admin views and tools).
///
/// Every method is a single atomic step. The conditional ones (`transition`,
/// `claim_fulfilment`, `complete_fulfilment`, `release_fulfilment`,
/// `claim_failure_notice`, `insert_payment`, `supersede_payment`) must be
/// correct when several processes share the store: a conditional
/// `UPDATE ... WHERE ...` and its affected-row count (or a unique index),
/// never a read followed by a write, never an in-process lock as the only
/// guarantee.
///
/// # Time
///
/// Instants are passed in by the caller (the engine's [`Clock`](crate::clock::Clock)),
/// so that tests can move them, with one exception: a claim's **lease** is
/// measured on the store's own clock, one clock that every instance sharing
/// the store agrees on. [`claim_fulfilment`](Self::claim_fulfilment) gets a
/// lease *duration*; the store sets `claim_until` to its own "now" plus that
/// duration, and a claim is live while `claim_until` is after its own "now".
/// A database store uses the database server's clock (`SeaOrmStore` does);
/// [`MemoryStore`] uses the [`Clock`](crate::clock::Clock) it was built with.
/// So an instance whose clock runs ahead can never take over a live claim.
///
/// # Orders
///
/// An order has at most one `accepted` payment: the payment that pays it. A
/// transition to `accepted` is refused with [`Transition::OrderAlreadyPaid`]
/// when another payment of the same order is accepted (a unique index on the
/// order of accepted payments, on a database), and is not applied to a
/// superseded payment. The engine then moves such a payment to
/// `needs_attention` for a refund: an order is delivered at most once.
///
/// Run the conformance suite of the `cinetpay-testing` crate
/// (`cinetpay_testing::run_conformance`) against any implementation: it
/// races several instances of your store on one backend.
///
/// The methods, as they read without `async_trait`'s rewriting:
///
/// ```text
/// async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError>;
/// async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError>;
/// async fn find_for_notification(&self, id: &TransactionId) -> Result<Option<PaymentLookup>, StoreError>; // provided
/// async fn attach_payment_page(&self, id: &TransactionId, page: &PaymentPage<'_>) -> Result<bool, StoreError>;
/// async fn supersede_payment(&self, id: &TransactionId, at: Timestamp) -> Result<bool, StoreError>;
/// async fn transition(&self, id: &TransactionId, change: &StatusChange) -> Result<Transition, StoreError>;
/// async fn record_check(&self, id: &TransactionId, check: Option<&CheckSnapshot>,
///                       at: Timestamp) -> Result<bool, StoreError>;
/// async fn claim_fulfilment(&self, claim: &Claim<'_>) -> Result<Option<FulfilmentClaim>, StoreError>;
/// async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError>;
/// async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError>;
/// async fn claim_failure_notice(&self, id: &TransactionId, now: Timestamp) -> Result<bool, StoreError>;
/// async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError>;
/// async fn due_fulfilments(&self, now: Timestamp, limit: usize) -> Result<Vec<Payment>, StoreError>;
/// async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError>;
/// // provided (two steps each), overridden by stores that can do them in one commit:
/// async fn accept_and_claim(&self, id: &TransactionId, change: &StatusChange, claim: &Claim<'_>)
///     -> Result<(Transition, Option<FulfilmentClaim>), StoreError>;
/// async fn complete_and_record(&self, done: &Completion<'_>, record: &DeliveryRecord) -> Result<bool, StoreError>;
/// ```
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

    /// The payment with this id as a notification reads it, in one read:
    /// its [`PaymentSummary`](crate::PaymentSummary) when it is delivered (CinetPay's repeated
    /// notifications: nothing is left to do, so the rest of the row need not
    /// be read), the whole payment otherwise. The default reads the whole
    /// payment ([`PaymentLookup::of`]); a database store decodes the
    /// summary's columns only for a delivered payment.
    async fn find_for_notification(
        &self,
        id: &TransactionId,
    ) -> Result<Option<PaymentLookup>, StoreError> {
        Ok(self.find_payment(id).await?.map(PaymentLookup::of))
    }

    /// Records what CinetPay answered at init (`payment_token`,
    /// `payment_url`, and on the 2026 API the `notify_token` and CinetPay's
    /// own id) in one write, unless the payment was superseded meanwhile.
    /// `updated_at = page.at`. Returns `false` when the payment does not
    /// exist or is superseded (its page must not be shown).
    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError>;

    /// Marks a pending, open payment superseded (`superseded_at = at`) and
    /// releases the order's open slot, so that the next `init` creates a new
    /// payment. A superseded payment is never accepted (see
    /// [`transition`](Self::transition)). Returns `false` when the payment is
    /// not open and pending.
    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Compare-and-set of the status: applies `change` only if the stored
    /// status is still `change.from`, and records its check and
    /// `checked_at = change.at` when it has one. Any status other than
    /// `pending` also closes the order's open slot. A change to `accepted` is
    /// applied only to a payment that is not superseded, and is refused with
    /// [`Transition::OrderAlreadyPaid`] when another payment of the same order
    /// is accepted.
    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError>;

    /// Records that CinetPay was asked about a payment at `at`
    /// (`checked_at`), with the answer's snapshot when it is kept, without
    /// changing the status. Returns `false` for an unknown payment.
    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Claims what the merchant's code owes a payment ([`Payment::owed`]: the
    /// delivery of an accepted, unfulfilled payment, or the refund notice of
    /// one that must be refunded) for `claim.owner`, if nobody holds a live
    /// claim and the next attempt is due (`next_attempt_at` absent or
    /// `<= claim.now`). The lease is `claim.lease` on the store's clock (see
    /// [Time](#time)). Counts the attempt. `None` when not claimable.
    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError>;

    /// Marks what was claimed done — `fulfilled_at` for a delivery,
    /// `refund_notified_at` for a refund notice — if `done.owner` still holds
    /// the claim (even with an expired lease, as long as nobody took it over).
    /// Returns whether it did.
    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError>;

    /// After a failed attempt, if `release.owner` still holds the claim:
    /// records the error and the earliest time of the next attempt, and gives
    /// the claim back — or, with `keep_lease` (the attempt timed out and work
    /// it started may still run), keeps the lease until it ends, so that the
    /// next attempt cannot overlap it.
    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError>;

    /// Claims the one-time `payment_failed` notice of a refused or cancelled
    /// payment. Returns `true` exactly once per payment.
    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Appends lines to the delivery log in this order, ideally in one
    /// statement (the engine groups the lines of concurrent requests). Strings
    /// over the [`DeliveryRecord`] bounds are cut, not refused.
    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError>;

    /// A verified change to `accepted` and the claim on the delivery it makes
    /// owed, as one atomic step where the store can (one conditional
    /// statement: one commit instead of two on a first notification). The
    /// transition's conditions are [`transition`](Self::transition)'s; the
    /// claim is taken only when the transition is applied, with
    /// [`claim_fulfilment`](Self::claim_fulfilment)'s lease and attempt count.
    ///
    /// Provided: `transition`, then `claim_fulfilment` when it was applied —
    /// correct for any store (the claim protocol does not need the two to be
    /// atomic), just one commit more.
    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        let transition = self.transition(id, change).await?;
        if transition != Transition::Applied {
            return Ok((transition, None));
        }
        let claimed = self.claim_fulfilment(claim).await?;
        Ok((transition, claimed))
    }

    /// [`complete_fulfilment`](Self::complete_fulfilment) and the delivery-log
    /// line that reports it, in one transaction where the store can (one
    /// commit instead of two). The line is appended whether or not the
    /// completion applied (it reports what the sync did). Returns whether the
    /// completion applied; an `Err` means nothing was completed.
    ///
    /// Provided: `complete_fulfilment`, then `record_deliveries`; a line that
    /// cannot be appended after the completion is logged and dropped, as the
    /// engine's delivery log drops a line it cannot store (the completion is
    /// what matters).
    async fn complete_and_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, StoreError> {
        let completed = self.complete_fulfilment(done).await?;
        if let Err(error) = self.record_deliveries(std::slice::from_ref(record)).await {
            tracing::warn!(%error, "could not append to the delivery log");
        }
        Ok(completed)
    }

    /// Payments whose owed work ([`Payment::owed`]) can be claimed at `now`,
    /// oldest first (`created_at`, then transaction id), at most `limit`.
    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError>;

    /// The payments the reconciler should check with CinetPay (see
    /// [`PollQuery`]), least recently looked at first, at most `query.limit`.
    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError>;
}
