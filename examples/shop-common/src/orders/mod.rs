//! The shop's own orders and the deliveries made for them, in the same
//! database as the payments (SQLite, PostgreSQL or MySQL/MariaDB), so that
//! several shop instances behind a load balancer see the same orders.

mod entity;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::sea_query::Index;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Schema, Set, Statement,
};
use serde::Serialize;

use crate::catalogue::Product;
use entity::{delivery, order, refund};

/// What went wrong with the order book.
#[derive(Debug, thiserror::Error)]
#[error("order book: {0}")]
pub struct OrderError(#[from] sea_orm::DbErr);

/// An order: one product at the catalogue's price at the time of ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// The reference the order page posts to `/cinetpay/init`.
    pub order_ref: String,
    /// The product ordered.
    pub product_id: String,
    /// The amount to pay.
    pub amount: i64,
    /// The currency.
    pub currency: String,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
}

/// One successful call of the shop's fulfiller. Recorded without any
/// uniqueness on purpose: a double delivery would show as two entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The payment that paid for it.
    pub transaction_id: String,
    /// Which attempt of the fulfiller succeeded.
    pub attempt: u32,
    /// When.
    pub delivered_at: DateTime<Utc>,
}

/// A refund the shop owes: a payment CinetPay accepted that the engine did
/// not deliver (the order was paid already, or the payment was superseded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    /// The payment to refund.
    pub transaction_id: String,
    /// Why.
    pub reason: String,
    /// When the shop heard of it.
    pub noted_at: DateTime<Utc>,
}

/// The index of deliveries by order.
const DELIVERIES_INDEX: &str = "shop_deliveries_order_ref";

/// The shop's orders and deliveries.
#[derive(Debug, Clone)]
pub struct OrderBook {
    db: DatabaseConnection,
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl OrderBook {
    /// Opens the order book on `db`, creating its two tables when missing.
    /// Safe when several instances start at once.
    pub async fn open(db: DatabaseConnection) -> Result<Self, OrderError> {
        let book = OrderBook { db };
        // Concurrent `CREATE TABLE IF NOT EXISTS` can still collide on
        // PostgreSQL's catalogue; a second pass then sees the tables.
        if let Err(first) = book.create_tables().await {
            tracing::debug!(error = %first, "order tables: retrying creation");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            book.create_tables().await?;
        }
        Ok(book)
    }

    async fn create_tables(&self) -> Result<(), OrderError> {
        let backend = self.db.get_database_backend();
        let schema = Schema::new(backend);
        let mut orders = schema.create_table_from_entity(order::Entity);
        self.db.execute(&*orders.if_not_exists()).await?;
        let mut deliveries = schema.create_table_from_entity(delivery::Entity);
        self.db.execute(&*deliveries.if_not_exists()).await?;
        let mut refunds = schema.create_table_from_entity(refund::Entity);
        self.db.execute(&*refunds.if_not_exists()).await?;
        // MySQL has no `CREATE INDEX IF NOT EXISTS` (sea-query leaves the
        // clause out there): look first, so that a restart does not fail on
        // "Duplicate key name". Two instances racing here collide once; the
        // second pass of `open` then finds the index.
        if backend == DbBackend::MySql && self.mysql_index_exists(DELIVERIES_INDEX).await? {
            return Ok(());
        }
        let index = Index::create()
            .name(DELIVERIES_INDEX)
            .table(delivery::Entity)
            .col(delivery::Column::OrderRef)
            .if_not_exists()
            .to_owned();
        self.db.execute(&index).await?;
        Ok(())
    }

    async fn mysql_index_exists(&self, name: &str) -> Result<bool, OrderError> {
        let found = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::MySql,
                "SELECT 1 AS found FROM information_schema.statistics \
                 WHERE table_schema = DATABASE() AND table_name = 'shop_deliveries' AND index_name = ? \
                 LIMIT 1",
                [name.into()],
            ))
            .await?;
        Ok(found.is_some())
    }

    /// Places an order for `product` at its catalogue price.
    pub async fn create(&self, product: &Product) -> Result<Order, OrderError> {
        let order = Order {
            order_ref: new_order_ref(),
            product_id: product.id.to_owned(),
            amount: product.price,
            currency: product.currency.as_str().to_owned(),
            created_at: Utc::now(),
        };
        order::ActiveModel {
            order_ref: Set(order.order_ref.clone()),
            product_id: Set(order.product_id.clone()),
            amount: Set(order.amount),
            currency: Set(order.currency.clone()),
            created_at: Set(millis(order.created_at)),
        }
        .insert(&self.db)
        .await?;
        Ok(order)
    }

    /// The order with this reference.
    pub async fn get(&self, order_ref: &str) -> Result<Option<Order>, OrderError> {
        let row = order::Entity::find_by_id(order_ref.to_owned())
            .one(&self.db)
            .await?;
        Ok(row.map(|m| Order {
            order_ref: m.order_ref,
            product_id: m.product_id,
            amount: m.amount,
            currency: m.currency,
            created_at: from_millis(m.created_at),
        }))
    }

    /// Appends a delivery.
    pub async fn record_delivery(
        &self,
        order_ref: &str,
        transaction_id: &str,
        attempt: u32,
    ) -> Result<(), OrderError> {
        Self::record_delivery_in(&self.db, order_ref, transaction_id, attempt).await
    }

    /// Appends a delivery through `db`: the payment store's transaction, in
    /// the transactional fulfilment, so that the delivery row and the
    /// payment's delivery mark commit together.
    pub async fn record_delivery_in(
        db: &impl ConnectionTrait,
        order_ref: &str,
        transaction_id: &str,
        attempt: u32,
    ) -> Result<(), OrderError> {
        let line = delivery::ActiveModel {
            order_ref: Set(order_ref.to_owned()),
            transaction_id: Set(transaction_id.to_owned()),
            attempt: Set(i64::from(attempt)),
            delivered_at: Set(millis(Utc::now())),
            ..Default::default()
        };
        // One statement: `ActiveModel::insert` would read the row back
        // (a second statement on SQLite and MySQL), inside the transaction
        // that holds the payment's delivery mark.
        delivery::Entity::insert(line)
            .exec_without_returning(db)
            .await?;
        Ok(())
    }

    /// The database connection (the order book's tables live beside the
    /// payment store's).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Notes a refund owed for a payment of `order_ref`.
    pub async fn record_refund(
        &self,
        order_ref: &str,
        transaction_id: &str,
        reason: &str,
    ) -> Result<(), OrderError> {
        refund::ActiveModel {
            order_ref: Set(order_ref.to_owned()),
            transaction_id: Set(transaction_id.to_owned()),
            reason: Set(reason.chars().take(255).collect()),
            noted_at: Set(millis(Utc::now())),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The refunds owed for an order, oldest first.
    pub async fn refunds(&self, order_ref: &str) -> Result<Vec<Refund>, OrderError> {
        let rows = refund::Entity::find()
            .filter(refund::Column::OrderRef.eq(order_ref))
            .order_by_asc(refund::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| Refund {
                transaction_id: m.transaction_id,
                reason: m.reason,
                noted_at: from_millis(m.noted_at),
            })
            .collect())
    }

    /// The deliveries of an order, oldest first.
    pub async fn deliveries(&self, order_ref: &str) -> Result<Vec<Delivery>, OrderError> {
        let rows = delivery::Entity::find()
            .filter(delivery::Column::OrderRef.eq(order_ref))
            .order_by_asc(delivery::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| Delivery {
                transaction_id: m.transaction_id,
                attempt: u32::try_from(m.attempt).unwrap_or(0),
                delivered_at: from_millis(m.delivered_at),
            })
            .collect())
    }
}

/// `ord-` and 12 random letters and digits.
fn new_order_ref() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let tail: String = (0..12)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("ord-{tail}")
}
