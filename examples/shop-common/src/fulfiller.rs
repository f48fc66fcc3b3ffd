//! The shop's fulfiller: prices come from the order book, and a delivery is a
//! line appended to the order's delivery list. On a database store it is a
//! [`TransactionalFulfiller`]: the delivery line and the payment's delivery
//! mark commit in one transaction, so an order's delivery is recorded exactly
//! once whatever crashes when.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use cinetpay_core::{
    Description, FulfilError, OrderFulfiller, OrderQuote, OrderRef, Payment, QuoteError,
    RefundReason,
};
use cinetpay_store::TransactionalFulfiller;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::catalogue;
use crate::orders::OrderBook;

/// Switches that make the next deliveries fail on purpose, so that tests (and
/// curious merchants) can watch the engine retry.
///
/// ```
/// let faults = shop_common::fulfiller::Faults::default();
/// faults.fail_next(2);
/// assert_eq!(faults.pending_failures(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Faults {
    state: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    fail_next: u32,
    fail_next_for: HashMap<String, u32>,
    panic_next: u32,
}

/// What the next delivery should do.
enum Fault {
    None,
    Fail,
    Panic,
}

impl Faults {
    /// The next `n` deliveries (any order) fail.
    pub fn fail_next(&self, n: u32) {
        self.with(|s| s.fail_next = n);
    }

    /// The next `n` deliveries of this order fail.
    pub fn fail_next_for(&self, order_ref: &str, n: u32) {
        self.with(|s| {
            s.fail_next_for.insert(order_ref.to_owned(), n);
        });
    }

    /// The next `n` deliveries (any order) panic.
    pub fn panic_next(&self, n: u32) {
        self.with(|s| s.panic_next = n);
    }

    /// Failures still to come, for any order.
    pub fn pending_failures(&self) -> u32 {
        self.with(|s| s.fail_next)
    }

    fn with<T>(&self, f: impl FnOnce(&mut FaultState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }

    fn take(&self, order_ref: &str) -> Fault {
        self.with(|s| {
            if s.panic_next > 0 {
                s.panic_next -= 1;
                return Fault::Panic;
            }
            if let Some(n) = s.fail_next_for.get_mut(order_ref).filter(|n| **n > 0) {
                *n -= 1;
                return Fault::Fail;
            }
            if s.fail_next > 0 {
                s.fail_next -= 1;
                return Fault::Fail;
            }
            Fault::None
        })
    }
}

/// The shop's fulfiller.
#[derive(Debug, Clone)]
pub struct ShopFulfiller {
    orders: OrderBook,
    faults: Faults,
}

impl ShopFulfiller {
    /// A fulfiller over `orders`, failing on purpose when `faults` say so.
    pub fn new(orders: OrderBook, faults: Faults) -> Self {
        ShopFulfiller { orders, faults }
    }
}

impl ShopFulfiller {
    async fn price(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let found = self
            .orders
            .get(order.as_str())
            .await
            .map_err(|e| QuoteError::Unavailable(e.to_string()))?
            .ok_or(QuoteError::NotFound)?;
        let delivered = self
            .orders
            .deliveries(order.as_str())
            .await
            .map_err(|e| QuoteError::Unavailable(e.to_string()))?;
        if !delivered.is_empty() {
            return Err(QuoteError::NotPayable("this order is already paid".into()));
        }
        let product = catalogue::product(&found.product_id)
            .ok_or_else(|| QuoteError::NotPayable("this product is no longer sold".into()))?;
        let money = product
            .money()
            .map_err(|e| QuoteError::NotPayable(e.to_string()))?;
        let description = Description::sanitised(&format!("{} - {}", product.name, order));
        Ok(OrderQuote::new(money, description))
    }

    /// Delivers through `db` (the store's transaction, or the order book's
    /// own connection).
    async fn deliver(
        &self,
        db: &impl ConnectionTrait,
        payment: &Payment,
        attempt: u32,
    ) -> Result<(), FulfilError> {
        match self.faults.take(payment.order_ref.as_str()) {
            Fault::Panic => panic!("the warehouse robot fell over (a planned fault)"),
            Fault::Fail => {
                return Err(FulfilError::new(
                    "the warehouse is closed (a planned fault)",
                ));
            }
            Fault::None => {}
        }
        OrderBook::record_delivery_in(
            db,
            payment.order_ref.as_str(),
            payment.transaction_id.as_str(),
            attempt,
        )
        .await
        .map_err(|e| FulfilError::new(e.to_string()))?;
        tracing::info!(order = %payment.order_ref, transaction_id = %payment.transaction_id, attempt, "order delivered");
        Ok(())
    }

    async fn failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        tracing::info!(order = %payment.order_ref, transaction_id = %payment.transaction_id, status = %payment.status, "payment failed; the order stays open");
        Ok(())
    }

    async fn refund(&self, payment: &Payment, reason: &RefundReason) -> Result<(), FulfilError> {
        tracing::error!(order = %payment.order_ref, transaction_id = %payment.transaction_id, %reason, "refund owed to the customer");
        self.orders
            .record_refund(
                payment.order_ref.as_str(),
                payment.transaction_id.as_str(),
                &reason.to_string(),
            )
            .await
            .map_err(|e| FulfilError::new(e.to_string()))
    }
}

/// On a memory store (tests): the delivery line through the order book's
/// own connection.
#[async_trait]
impl OrderFulfiller for ShopFulfiller {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        self.price(order).await
    }

    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
        self.deliver(self.orders.connection(), payment, attempt)
            .await
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        self.failed(payment).await
    }

    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        self.refund(payment, reason).await
    }
}

/// On a database store: the delivery line in the store's transaction.
#[async_trait]
impl TransactionalFulfiller for ShopFulfiller {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        self.price(order).await
    }

    async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        payment: &Payment,
        attempt: u32,
    ) -> Result<(), FulfilError> {
        self.deliver(txn, payment, attempt).await
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        self.failed(payment).await
    }

    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        self.refund(payment, reason).await
    }
}
