//! The delivery log: append, and read one transaction's lines oldest first.

use cinetpay_core::DeliveryRecord;
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, Order, Query};
use sea_orm::{ConnectionTrait, Iterable, TransactionTrait};

use super::SeaOrmStore;
use super::read::as_limit;
use super::row::delivery_from_row;
use crate::entity::delivery::Column as D;
use crate::{Error, time};

impl SeaOrmStore {
    /// Lines in order (their ids increase with it), in one transaction.
    ///
    /// A batch is written as multi-row `INSERT`s of 64, 16, 4 and 1 rows, so
    /// that the connections' statement caches hold at most four shapes of
    /// this statement instead of one per batch size.
    pub(super) async fn append_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), Error> {
        let chunks = chunked(records);
        match chunks.as_slice() {
            [] => Ok(()),
            [one] => self.insert_lines(&self.db, one).await,
            many => {
                let txn = self
                    .db
                    .begin()
                    .await
                    .map_err(|e| Error::db("recording deliveries", e))?;
                for chunk in many {
                    self.insert_lines(&txn, chunk).await?;
                }
                txn.commit()
                    .await
                    .map_err(|e| Error::db("recording deliveries", e))
            }
        }
    }

    /// `INSERT INTO deliveries (transaction_id, source, outcome, at)`, its
    /// values to follow.
    pub(super) fn insert_into_log(&self) -> InsertStatement {
        Query::insert()
            .into_table(self.tables.deliveries())
            .columns([D::TransactionId, D::Source, D::Outcome, D::At])
            .to_owned()
    }

    /// One multi-row `INSERT`.
    pub(crate) async fn insert_lines<C: ConnectionTrait>(
        &self,
        db: &C,
        records: &[DeliveryRecord],
    ) -> Result<(), Error> {
        let mut stmt = self.insert_into_log();
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
        db.execute(&stmt)
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

/// `records` cut into runs of 64, 16, 4 and 1, in order.
fn chunked(records: &[DeliveryRecord]) -> Vec<&[DeliveryRecord]> {
    let mut chunks = Vec::new();
    let mut rest = records;
    for size in [64, 16, 4, 1] {
        while rest.len() >= size {
            let (chunk, tail) = rest.split_at(size);
            chunks.push(chunk);
            rest = tail;
        }
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinetpay_core::{DeliverySource, Timestamp};

    #[test]
    fn batches_are_cut_into_four_shapes_in_order() {
        let lines: Vec<DeliveryRecord> = (0..157)
            .map(|i| {
                DeliveryRecord::new(
                    &format!("cp-{i}"),
                    DeliverySource::Notify,
                    "accepted",
                    Timestamp::UNIX_EPOCH,
                )
            })
            .collect();
        let chunks = chunked(&lines);
        let sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [64, 64, 16, 4, 4, 4, 1]);
        let flat: Vec<&DeliveryRecord> = chunks.iter().flat_map(|c| c.iter()).collect();
        assert!(flat.iter().zip(&lines).all(|(a, b)| std::ptr::eq(*a, b)));
        assert!(chunked(&[]).is_empty());
    }
}
