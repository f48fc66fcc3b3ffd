//! The shop's fulfiller: prices come from the order book, and a delivery is a
//! line appended to the order's delivery list. On a database store it is a
//! [`TransactionalFulfiller`]: the delivery line and the payment's delivery
//! mark commit in one transaction, so an order's delivery is recorded exactly
//! once whatever crashes when.

use async_trait::async_trait;
use cinetpay_core::{
    Customer, Description, FulfilError, OrderFulfiller, OrderQuote, OrderRef, Payment, QuoteError,
    RefundReason,
};
use cinetpay_store::TransactionalFulfiller;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::catalogue;
use crate::orders::OrderBook;

/// Who pays: the shop's orders record no customer (there are no accounts in
/// this demo), so every quote names the same demo customer. The 2026 API
/// requires a first name, a family name and an e-mail; Checkout v2 passes
/// them on to CinetPay's page. A real shop gives the order's own customer.
///
/// ```
/// let customer = shop_common::fulfiller::demo_customer();
/// assert!(customer.name.is_some() && customer.surname.is_some() && customer.email.is_some());
/// ```
pub fn demo_customer() -> Customer {
    Customer {
        name: Some("Koné".to_owned()),
        surname: Some("Awa".to_owned()),
        email: Some("awa.kone@example.ci".to_owned()),
        ..Customer::default()
    }
}

/// The shop's fulfiller.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use shop_common::fulfiller::ShopFulfiller;
/// use shop_common::orders::OrderBook;
///
/// let store = cinetpay_store::SeaOrmStore::connect("sqlite://shop.db?mode=rwc").await?;
/// store.migrate().await?;
/// let orders = OrderBook::open(store.connection().clone()).await?;
/// // The delivery row and the payment's delivery mark commit together.
/// let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders));
/// # let _ = fulfiller;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ShopFulfiller {
    orders: OrderBook,
}

impl ShopFulfiller {
    /// A fulfiller over `orders`.
    pub fn new(orders: OrderBook) -> Self {
        ShopFulfiller { orders }
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
        Ok(OrderQuote::new(money, description).with_customer(demo_customer()))
    }

    /// Delivers through `db` (the store's transaction, or the order book's
    /// own connection).
    async fn deliver(
        &self,
        db: &impl ConnectionTrait,
        payment: &Payment,
        attempt: u32,
    ) -> Result<(), FulfilError> {
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

/// Without the transactional fulfilment (a store on another database, or
/// `MemoryStore` in tests): the delivery line through the order book's own
/// connection, outside the store's transaction, so a crash between it and the
/// engine's delivery mark can record a delivery twice.
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
