//! The [`OrderFulfiller`] trait: the merchant's side of the engine.

use async_trait::async_trait;

use crate::model::Payment;
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
}

impl OrderQuote {
    /// A quote with no customer and the default channels.
    pub fn new(money: Money, description: Description) -> Self {
        OrderQuote {
            money,
            description,
            customer: None,
            channels: None,
        }
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
///   currency; never again after it returned `Ok`; never twice at once for one
///   payment, across any number of instances sharing the store. After an `Err`,
///   a panic or a timeout it is called again later with the next `attempt`
///   number, so it should be idempotent on `payment.transaction_id`.
/// * [`payment_failed`](OrderFulfiller::payment_failed) is called at most once
///   per payment, when CinetPay reports it refused or cancelled. A refused
///   payment may still be accepted later (push operators), and then `fulfil` runs.
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
///         tracing::info!(%payment.transaction_id, attempt, "shipping {}", payment.order_ref);
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
}
