//! The engine an operator's command runs: the shop's configuration and
//! store, with nothing that delivers.
//!
//! The shop's delivery code (its `OrderFulfiller`) is not in this program,
//! so the engine here must never take what the shop owes a payment. It runs
//! on [`CheckOnlyStore`], which passes every read and every status change to
//! the shop's store but answers the three claims of the merchant's code as
//! taken elsewhere:
//!
//! * the claim of a delivery (or of a refund notice), also the one the
//!   change to `accepted` takes with it: the payment is stored accepted, its
//!   delivery owed and unclaimed, due at once; the engine reports it
//!   [`ClaimedElsewhere`](cinetpay_core::engine::FulfilmentOutcome::ClaimedElsewhere)
//!   and the shop delivers it on its next touch;
//! * the one-time `payment_failed` notice of a refused payment: it stays
//!   unclaimed, for the shop's next check of that payment.
//!
//! So no attempt is counted, no error recorded, no backoff set, and nothing
//! is marked delivered. [`NoDelivery`], the fulfiller the engine needs, is a
//! second fence: should it ever be called, it fails, which the claim
//! protocol records as a failed attempt, never as a delivery.

use std::sync::Arc;

use cinetpay_core::engine::Checkout;
use cinetpay_core::{
    CheckSnapshot, Claim, Completion, DeliveryRecord, FulfilError, FulfilmentClaim, InsertOutcome,
    NewPayment, OrderFulfiller, OrderQuote, OrderRef, Payment, PaymentPage, PaymentStore,
    PollQuery, QuoteError, Release, StatusChange, StoreError, Timestamp, TransactionId, Transition,
    async_trait,
};
use cinetpay_store::SeaOrmStore;

use crate::Global;
use crate::config::{self, Loaded};

/// Why this program delivers nothing (the error of [`NoDelivery`]).
pub(crate) const NOT_HERE: &str =
    "delivery runs in the shop, not in the cinetpay command: the shop's reconciler delivers it";

/// The shop's store, with the claims of the merchant's code refused.
#[derive(Debug, Clone)]
pub(crate) struct CheckOnlyStore {
    inner: Arc<SeaOrmStore>,
}

impl CheckOnlyStore {
    pub(crate) fn new(inner: Arc<SeaOrmStore>) -> Self {
        CheckOnlyStore { inner }
    }
}

#[async_trait]
impl PaymentStore for CheckOnlyStore {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        self.inner.insert_payment(new).await
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        self.inner.find_payment(id).await
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        self.inner.attach_payment_page(id, page).await
    }

    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.supersede_payment(id, at).await
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        self.inner.transition(id, change).await
    }

    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.inner.record_check(id, check, at).await
    }

    /// Never claimed here: the shop's instances take it.
    async fn claim_fulfilment(
        &self,
        _claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        Ok(None)
    }

    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        // Unreachable without a claim of ours; the owner token fences it anyway.
        self.inner.complete_fulfilment(done).await
    }

    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        self.inner.release_fulfilment(release).await
    }

    /// Left for the shop: its own next check of the payment sends it.
    async fn claim_failure_notice(
        &self,
        _id: &TransactionId,
        _now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(false)
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        self.inner.record_deliveries(records).await
    }

    /// The change to `accepted` alone (the shop's store checks "one payment
    /// per order" in it), without the claim that usually comes with it.
    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        _claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        Ok((self.inner.transition(id, change).await?, None))
    }

    async fn complete_and_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, StoreError> {
        self.inner.complete_and_record(done, record).await
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.inner.due_fulfilments(now, limit).await
    }

    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        self.inner.payments_to_poll(query).await
    }
}

/// The fulfiller of an engine that delivers nothing: quotes nothing, and
/// fails every delivery and notice (never called behind [`CheckOnlyStore`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoDelivery;

#[async_trait]
impl OrderFulfiller for NoDelivery {
    async fn quote(&self, _order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Err(QuoteError::Unavailable(
            "the cinetpay command starts no payment".to_owned(),
        ))
    }

    async fn fulfil(&self, _payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        Err(FulfilError::new(NOT_HERE))
    }

    async fn payment_needs_refund(
        &self,
        _payment: &Payment,
        _reason: &cinetpay_core::RefundReason,
    ) -> Result<(), FulfilError> {
        Err(FulfilError::new(NOT_HERE))
    }
}

/// The engine on the shop's configuration and database, and the shop's
/// store itself (for reading).
pub(crate) async fn engine(
    global: &Global,
) -> Result<(Checkout, Arc<SeaOrmStore>, Loaded), String> {
    let loaded = config::load(global)?;
    let checkout_config = loaded.config()?;
    let store = config::store(global, Some(&loaded)).await?;
    let checkout = Checkout::builder()
        .config(checkout_config)
        .store(Arc::new(CheckOnlyStore::new(store.clone())))
        .fulfiller(Arc::new(NoDelivery))
        .build()
        .map_err(|e| format!("configuration: {}", loaded.source.name_error(&e)))?;
    Ok((checkout, store, loaded))
}
