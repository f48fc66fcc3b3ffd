//! [`PaymentQueries`]: the read side of a store, for what people look at (a
//! shop's order page, an admin view, a command line), not for the engine.

use async_trait::async_trait;

use super::StoreError;
use crate::model::{DeliveryRecord, Payment, PaymentStatus, Timestamp};
use crate::values::{OrderRef, TransactionId};

/// Lists payments and the delivery log.
///
/// The engine never calls it ([`PaymentStore`](super::PaymentStore) is all it
/// needs); a shop's pages, an admin view and operators' tools do. Both store
/// implementations of cinetpay-rs implement it, and the conformance suite of
/// `cinetpay-testing` checks it beside `PaymentStore`.
///
/// The methods, as they read without `async_trait`'s rewriting:
///
/// ```text
/// async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError>;
/// async fn deliveries(&self, transaction_id: &str, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError>;
/// async fn payments_for_order(&self, order_ref: &OrderRef, limit: usize) -> Result<Vec<Payment>, StoreError>; // provided
/// ```
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_core::store::{PaymentFilter, PaymentQueries};
/// use cinetpay_core::{MemoryStore, PaymentStatus};
///
/// let store = MemoryStore::new();
/// let to_refund = store.list_payments(&PaymentFilter::newest(50).needing_refund()).await?;
/// let accepted = store
///     .list_payments(&PaymentFilter::newest(50).status(PaymentStatus::Accepted))
///     .await?;
/// assert!(to_refund.is_empty() && accepted.is_empty());
/// # Ok(()) }
/// ```
#[async_trait]
pub trait PaymentQueries: Send + Sync + 'static {
    /// The payments that match `filter`, newest first (`created_at`, then
    /// transaction id, both descending), at most `filter.limit`.
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError>;

    /// The delivery log of one transaction id, oldest first (lines of the
    /// same instant in recording order), at most `limit` lines.
    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// The payments of an order, newest first, at most `limit`: what a shop
    /// shows on its order page.
    async fn payments_for_order(
        &self,
        order_ref: &OrderRef,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.list_payments(&PaymentFilter::newest(limit).order(order_ref.clone()))
            .await
    }
}

/// Which payments [`PaymentQueries::list_payments`] returns: every condition
/// set must hold.
///
/// ```
/// use chrono::{TimeDelta, Utc};
/// use cinetpay_core::store::PaymentFilter;
/// use cinetpay_core::PaymentStatus;
///
/// // The first page of yesterday's payments whose delivery keeps failing...
/// let page = PaymentFilter::newest(20)
///     .failing_fulfilment()
///     .created_since(Utc::now() - TimeDelta::hours(24));
/// // ...and the next page, after the last payment of this one:
/// # let last = cinetpay_core::Payment::from_new(&cinetpay_core::NewPayment {
/// #     transaction_id: cinetpay_core::TransactionId::generate(),
/// #     order_ref: cinetpay_core::OrderRef::new("o")?, amount: cinetpay_core::Amount::new(100)?,
/// #     currency: cinetpay_core::Currency::Xof, description: cinetpay_core::Description::new("d")?,
/// #     account: Default::default(), generation: Default::default(),
/// #     created_at: Utc::now() });
/// let next = page.clone().after(&last);
/// assert_eq!(next.limit, 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentFilter {
    /// Only payments of this order.
    pub order_ref: Option<OrderRef>,
    /// Only payments with this status.
    pub status: Option<PaymentStatus>,
    /// Only accepted payments not delivered yet whose delivery failed at
    /// least once (`attempts > 0`, no `fulfilled_at`).
    pub failing_fulfilment: bool,
    /// Only payments to refund: `needs_attention` with a
    /// [`RefundReason`](crate::RefundReason) (a second payment of a paid order, or a
    /// superseded one), whether the merchant was told or not.
    pub needing_refund: bool,
    /// Only payments created at or after this instant.
    pub created_since: Option<Timestamp>,
    /// Only payments strictly older than this one in the list's order
    /// (`created_at`, then transaction id): the next page.
    pub before: Option<(Timestamp, TransactionId)>,
    /// Most payments returned.
    pub limit: usize,
}

impl PaymentFilter {
    /// Every payment, newest first, at most `limit`.
    pub fn newest(limit: usize) -> Self {
        PaymentFilter {
            order_ref: None,
            status: None,
            failing_fulfilment: false,
            needing_refund: false,
            created_since: None,
            before: None,
            limit,
        }
    }

    /// Only payments of `order_ref`.
    #[must_use]
    pub fn order(mut self, order_ref: OrderRef) -> Self {
        self.order_ref = Some(order_ref);
        self
    }

    /// Only payments with `status`.
    #[must_use]
    pub fn status(mut self, status: PaymentStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only accepted payments whose delivery failed and is not done.
    #[must_use]
    pub fn failing_fulfilment(mut self) -> Self {
        self.failing_fulfilment = true;
        self
    }

    /// Only payments to refund.
    #[must_use]
    pub fn needing_refund(mut self) -> Self {
        self.needing_refund = true;
        self
    }

    /// Only payments created at or after `since`.
    #[must_use]
    pub fn created_since(mut self, since: Timestamp) -> Self {
        self.created_since = Some(since);
        self
    }

    /// The page after `last`, the last payment of the previous page.
    #[must_use]
    pub fn after(mut self, last: &Payment) -> Self {
        self.before = Some((last.created_at, last.transaction_id.clone()));
        self
    }

    /// Whether `payment` matches (the rule above, for stores that filter in
    /// memory).
    pub fn matches(&self, payment: &Payment) -> bool {
        self.order_ref
            .as_ref()
            .is_none_or(|o| &payment.order_ref == o)
            && self.status.is_none_or(|s| payment.status == s)
            && (!self.failing_fulfilment
                || (payment.status == PaymentStatus::Accepted
                    && !payment.is_fulfilled()
                    && payment.fulfilment.attempts > 0))
            && (!self.needing_refund
                || (payment.status == PaymentStatus::NeedsAttention
                    && payment.refund_reason().is_some()))
            && self.created_since.is_none_or(|t| payment.created_at >= t)
            && self
                .before
                .as_ref()
                .is_none_or(|(at, id)| (payment.created_at, &payment.transaction_id) < (*at, id))
    }

    /// The list's order, for sorting in memory: newest first.
    pub fn order_key(payment: &Payment) -> std::cmp::Reverse<(Timestamp, &TransactionId)> {
        std::cmp::Reverse((payment.created_at, &payment.transaction_id))
    }
}
