//! The [`OrderFulfiller`] trait: the merchant's side of the engine.

use async_trait::async_trait;

use crate::first_delivery::{FirstDelivered, FirstDelivery};
use crate::model::{AccountName, DeliveryRecord, Payment, RefundReason};
use crate::values::{Channels, Customer, Description, Money, OrderRef};

/// What an order costs, as the merchant's own code says (never the browser).
///
/// ```
/// use cinetpay_core::{Amount, Currency, Description, Money, OrderQuote};
/// let quote = OrderQuote::new(
///     Money::new(Amount::new(5000).unwrap(), Currency::Xof),
///     Description::new("Sac de riz 25 kg").unwrap(),
/// );
/// assert_eq!(quote.money.amount.get(), 5000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuote {
    /// Amount and currency to charge.
    pub money: Money,
    /// What the customer sees on CinetPay's page.
    pub description: Description,
    /// The customer, when known (needed for card payments).
    pub customer: Option<Customer>,
    /// Payment means offered; `None` uses the configured default.
    pub channels: Option<Channels>,
    /// The CinetPay account to pay on; `None`: the account that takes the
    /// quote's currency (see [`OrderQuote::on_account`]).
    pub account: Option<AccountName>,
}

impl OrderQuote {
    /// A quote with no customer and the default channels.
    pub fn new(money: Money, description: Description) -> Self {
        OrderQuote {
            money,
            description,
            customer: None,
            channels: None,
            account: None,
        }
    }

    /// Pays on the named account (a shop with several accounts per
    /// country, or per tenant). Without it, the engine picks the one account
    /// whose `currency` is the quote's, or the one account with no currency
    /// set; several candidates, or none, fail the init with a clear error.
    ///
    /// ```
    /// use cinetpay_core::{AccountName, Amount, Currency, Description, Money, OrderQuote};
    /// let quote = OrderQuote::new(
    ///     Money::new(Amount::new(5000)?, Currency::Xaf),
    ///     Description::new("Sac de riz 25 kg")?,
    /// )
    /// .on_account(AccountName::new("cm")?);
    /// assert_eq!(quote.account.as_ref().map(|a| a.as_str()), Some("cm"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn on_account(mut self, account: AccountName) -> Self {
        self.account = Some(account);
        self
    }

    /// With this customer (the 2026 API requires the name and e-mail).
    #[must_use]
    pub fn with_customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }
}

/// Why an order cannot be paid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    /// No such order (the engine answers 404).
    #[error("no such order")]
    NotFound,
    /// The order exists but cannot be paid now: already paid, cancelled,
    /// out of stock... (the engine answers 409 with this message).
    #[error("order cannot be paid now: {0}")]
    NotPayable(String),
    /// The merchant's own systems failed (the engine answers 503).
    #[error("order lookup failed: {0}")]
    Unavailable(String),
}

/// A failed delivery; the engine retries it later with backoff.
///
/// ```
/// use cinetpay_core::FulfilError;
/// let e = FulfilError::new("warehouse API timed out");
/// assert_eq!(e.to_string(), "warehouse API timed out");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FulfilError(pub String);

impl FulfilError {
    /// An error with a message for the log and the payment's `last_error`.
    pub fn new(message: impl Into<String>) -> Self {
        FulfilError(message.into())
    }
}

/// The merchant's code: what orders cost and how to deliver them.
///
/// # Contract
///
/// * [`quote`](OrderFulfiller::quote) is asked at every `init`; the amount never
///   comes from the request.
/// * [`fulfil`](OrderFulfiller::fulfil) is called only after CinetPay's check
///   reported success (`00`/`ACCEPTED`) for exactly the stored amount and
///   currency, and only for the one payment that pays its order: **an order
///   is fulfilled by at most one payment**, across any number of instances
///   sharing the store. A second accepted payment of an order already paid,
///   or a payment that `init` had replaced by a newer one (the customer paid
///   an old page), is never fulfilled: it becomes `needs_attention` and
///   [`payment_needs_refund`](OrderFulfiller::payment_needs_refund) hears of it.
/// * Two runs of `fulfil` for an order never overlap, whatever the instances'
///   clocks say: a claim's lease is measured on the store's clock. A run that
///   times out keeps its claim until the lease (`claim_lease_ms`) ends, so
///   the retry cannot start while it might still be going. **Work that
///   `fulfil` spawns (`tokio::spawn`, `spawn_blocking`, threads) must not
///   outlive it**: the engine can only stop the future it was given.
/// * After an `Err`, a panic or a timeout it is called again later with the
///   next `attempt` number (retried until it returns `Ok`).
///
/// # What "exactly once" means
///
/// * Effects made **in the store's own database transaction**, with the
///   delivery mark (`cinetpay_store`'s transactional fulfilment), happen
///   exactly once, whatever fails when: both commit or neither does.
/// * Effects **outside** it (an e-mail, another service's API) happen exactly
///   once, except in one window: `fulfil` returned `Ok` and then the process
///   died, or the store stayed unreachable until the claim's lease ended,
///   before the delivery was recorded. Then `fulfil` runs again for the same
///   payment. Make those effects idempotent with a stable key: the order
///   (`payment.order_ref`, delivered at most once by the engine) and the
///   payment (`payment.transaction_id`, the same on every attempt), for
///   example as the `Idempotency-Key` of the call that ships the order.
///   Never use `attempt` in the key: it changes with each try.
/// * [`payment_needs_refund`](OrderFulfiller::payment_needs_refund) runs under
///   the same protocol, with the same guarantee; key it on
///   `payment.transaction_id`.
/// * [`payment_failed`](OrderFulfiller::payment_failed) is called at most once
///   per payment, when CinetPay reports it refused or cancelled (and not again
///   if it returns an error). A refused payment may still be accepted later
///   (push operators report a failure first), and then `fulfil` runs.
///
/// ```
/// use async_trait::async_trait;
/// use cinetpay_core::*;
///
/// struct Shop;
///
/// #[async_trait]
/// impl OrderFulfiller for Shop {
///     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
///         match order.as_str() {
///             "ord-1" => Ok(OrderQuote::new(
///                 Money::new(Amount::new(1000).unwrap(), Currency::Xof),
///                 Description::new("Attiéké poisson").unwrap(),
///             )),
///             _ => Err(QuoteError::NotFound),
///         }
///     }
///
///     async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
///         // The idempotency key of the shipment: the order and the payment.
///         let key = format!("{}:{}", payment.order_ref, payment.transaction_id);
///         tracing::info!(%key, attempt, "shipping");
///         Ok(())
///     }
///
///     async fn payment_needs_refund(
///         &self,
///         payment: &Payment,
///         reason: &RefundReason,
///     ) -> Result<(), FulfilError> {
///         tracing::error!(%payment.transaction_id, %reason, "refund this payment");
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait OrderFulfiller: Send + Sync + 'static {
    /// What `order` costs, or why it cannot be paid.
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError>;

    /// Delivers the order of a verified, accepted payment. `attempt` starts at 1.
    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError>;

    /// Hears once that a payment was refused or cancelled. Does nothing by default.
    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        let _ = payment;
        Ok(())
    }

    /// Hears that CinetPay accepted a payment that must be refunded, not
    /// delivered (see [`RefundReason`]): the customer paid an order that
    /// another payment already pays, or the page of a payment `init` had
    /// replaced. The payment is `needs_attention`; the engine has logged it
    /// at `error` level. Start the refund here (CinetPay's checkout API has
    /// none: its back-office or support does it). Called under the claim
    /// protocol, like [`fulfil`](Self::fulfil): retried after an error until
    /// it returns `Ok`, never twice at once. Does nothing by default.
    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        let _ = (payment, reason);
        Ok(())
    }

    /// Whether [`fulfil`](Self::fulfil) records the delivery itself, in the
    /// same database transaction as its own writes (the transactional
    /// fulfilment of `cinetpay_store`). Then a `fulfil` that returns `Ok` has
    /// recorded it, and the engine does not mark it again. `false` by default:
    /// the engine marks the delivery after `fulfil` returns `Ok`.
    fn records_delivery(&self) -> bool {
        false
    }

    /// [`fulfil`](Self::fulfil), and `line` (the delivery-log line of the
    /// sync that runs it) appended in the same database transaction as the
    /// delivery mark, for a fulfiller that
    /// [records the delivery](Self::records_delivery): `true` when the line
    /// was written with the delivery, `false` when the engine must write it.
    /// The default runs `fulfil` and answers `false`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use cinetpay_core::*;
    /// struct Shop;
    /// #[async_trait]
    /// impl OrderFulfiller for Shop {
    ///     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
    ///     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
    /// }
    /// let payment = Payment::from_new(&NewPayment {
    ///     transaction_id: TransactionId::generate(),
    ///     order_ref: OrderRef::new("ord-1").unwrap(),
    ///     amount: Amount::new(100).unwrap(),
    ///     currency: Currency::Xof,
    ///     description: Description::new("Tea").unwrap(),
    ///     account: AccountName::default(),
    ///     generation: Generation::CheckoutV2,
    ///     created_at: chrono::Utc::now(),
    /// });
    /// let line = DeliveryRecord::new("cp-1", DeliverySource::Notify, "fulfilled", chrono::Utc::now());
    /// assert!(!Shop.fulfil_recording(&payment, 1, &line).await.unwrap());
    /// # }
    /// ```
    async fn fulfil_recording(
        &self,
        payment: &Payment,
        attempt: u32,
        line: &DeliveryRecord,
    ) -> Result<bool, FulfilError> {
        let _ = line;
        self.fulfil(payment, attempt).await.map(|()| false)
    }

    /// The first delivery of a payment in one commit: apply `first.change`
    /// (to `accepted`) with `first.claim`, deliver, mark the delivery and
    /// append `first.line`, all in one database transaction, or write
    /// nothing and answer [`FirstDelivered::Declined`].
    ///
    /// The engine asks this of a fulfiller that
    /// [records the delivery](Self::records_delivery) when a verified
    /// success arrives for a payment that is not yet accepted, under
    /// `fulfil_timeout` and in a task of its own. On `Declined` it takes its
    /// usual steps; on an error nothing must have been committed (a lost
    /// commit answer is found by the engine's next step), and the engine
    /// records the failed attempt with the change to `accepted`, to retry it
    /// later. The default declines: only a fulfiller that owns the store's
    /// transaction (`cinetpay_store`'s transactional fulfilment) can do it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use cinetpay_core::*;
    /// use cinetpay_core::first_delivery::{FirstDelivered, FirstDelivery};
    /// struct Shop;
    /// #[async_trait]
    /// impl OrderFulfiller for Shop {
    ///     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
    ///     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
    /// }
    /// let id: TransactionId = "cp-1".parse().unwrap();
    /// let now = chrono::Utc::now();
    /// let change = StatusChange { from: PaymentStatus::Pending, to: PaymentStatus::Accepted,
    ///     check: None, reason: None, attention: None, at: now };
    /// let claim = Claim { transaction_id: &id, owner: "t", now, lease: Duration::from_secs(60) };
    /// let line = |_: u32| DeliveryRecord::new("cp-1", DeliverySource::Notify, "fulfilled", now);
    /// let first = FirstDelivery { transaction_id: &id, change: &change, claim: &claim, line: &line };
    /// assert_eq!(Shop.accept_and_fulfil(&first).await.unwrap(), FirstDelivered::Declined);
    /// # }
    /// ```
    async fn accept_and_fulfil(
        &self,
        first: &FirstDelivery<'_>,
    ) -> Result<FirstDelivered, FulfilError> {
        let _ = first;
        Ok(FirstDelivered::Declined)
    }
}
