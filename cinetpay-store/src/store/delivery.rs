//! The delivery log: append, and read one transaction's lines oldest first.

use cinetpay_core::DeliveryRecord;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, Iterable};

use super::SeaOrmStore;
use super::read::as_limit;
use super::row::delivery_from_row;
use crate::entity::delivery::Column as D;
use crate::{Error, time};

impl SeaOrmStore {
    pub(super) async fn append_delivery(&self, record: &DeliveryRecord) -> Result<(), Error> {
        self.append_deliveries(std::slice::from_ref(record)).await
    }

    /// One multi-row `INSERT`, lines in order (their ids increase with it).
    pub(super) async fn append_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), Error> {
        if records.is_empty() {
            return Ok(());
        }
        let mut stmt = Query::insert();
        stmt.into_table(self.tables.deliveries()).columns([
            D::TransactionId,
            D::Source,
            D::Outcome,
            D::At,
        ]);
        for record in records {
            // Bounded like `DeliveryRecord::new`, whatever the caller built.
            let record = DeliveryRecord::new(
                &record.transaction_id,
                record.source,
                &record.outcome,
                record.at,
            );
            stmt.values_panic([
                record.transaction_id.into(),
                record.source.as_str().into(),
                record.outcome.into(),
                time::to_db(record.at).into(),
            ]);
        }
        self.db
            .execute(&stmt)
            .await
            .map_err(|e| Error::db("recording deliveries", e))?;
        Ok(())
    }

    pub(super) async fn delivery_log(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stmt = Query::select()
            .columns(D::iter())
            .from(self.tables.deliveries())
            .and_where(Expr::col(D::TransactionId).eq(transaction_id))
            .order_by(D::At, Order::Asc)
            .order_by(D::Id, Order::Asc)
            .limit(as_limit(limit))
            .to_owned();
        let rows = self
            .db
            .query_all(&stmt)
            .await
            .map_err(|e| Error::db("reading the delivery log", e))?;
        rows.iter().map(delivery_from_row).collect()
    }
}
