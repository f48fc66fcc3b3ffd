//! Reads: one payment, the open payment of an order, an order's payments, and
//! the two work lists of the reconciler (due fulfilments, payments to poll).

use cinetpay_core::{
    OrderRef, Payment, PaymentFilter, PaymentLookup, PaymentStatus, PollQuery, Timestamp,
    TransactionId,
};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, Iterable};

use super::SeaOrmStore;
use super::row::{SUMMARY_COLUMNS, lookup_from_row, payment_from_row, summary_from_row};
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    /// `SELECT <every column> FROM payments`.
    pub(super) fn select_payments(&self) -> SelectStatement {
        Query::select()
            .columns(P::iter())
            .from(self.tables.payments())
            .to_owned()
    }

    /// The first matching payment.
    pub(super) async fn fetch_one(
        &self,
        stmt: &SelectStatement,
        action: &'static str,
    ) -> Result<Option<Payment>, Error> {
        let row = self
            .db
            .query_one(stmt)
            .await
            .map_err(|e| Error::db(action, e))?;
        row.as_ref().map(payment_from_row).transpose()
    }

    /// Every matching payment, in the statement's order.
    async fn fetch_all(
        &self,
        stmt: &SelectStatement,
        action: &'static str,
    ) -> Result<Vec<Payment>, Error> {
        let rows = self
            .db
            .query_all(stmt)
            .await
            .map_err(|e| Error::db(action, e))?;
        rows.iter().map(payment_from_row).collect()
    }

    /// `SELECT <every column> FROM payments WHERE transaction_id = ?`,
    /// rendered once per store: every notification reads one (on SQLite, a
    /// repeat of a delivered payment does not).
    pub(super) fn render_find(
        db: &sea_orm::DatabaseConnection,
        tables: &crate::tables::Tables,
    ) -> String {
        render_by_id(db, tables, P::iter())
    }

    /// `SELECT <the summary's columns> FROM payments WHERE transaction_id = ?`,
    /// rendered once per store: SQLite's first read of a notification's
    /// payment (see [`find_for_notice`](Self::find_for_notice)).
    pub(super) fn render_find_summary(
        db: &sea_orm::DatabaseConnection,
        tables: &crate::tables::Tables,
    ) -> String {
        render_by_id(db, tables, SUMMARY_COLUMNS)
    }

    /// The row a statement of [`render_by_id`] finds for `id`.
    async fn row_by_id(
        &self,
        sql: &str,
        id: &TransactionId,
        action: &'static str,
    ) -> Result<Option<sea_orm::QueryResult>, Error> {
        let stmt = sea_orm::Statement::from_sql_and_values(
            self.db.get_database_backend(),
            sql,
            [id.as_str().into()],
        );
        self.db
            .query_one_raw(stmt)
            .await
            .map_err(|e| Error::db(action, e))
    }

    /// [`PaymentStore::find_for_notification`](cinetpay_core::PaymentStore::find_for_notification).
    ///
    /// On PostgreSQL and MySQL: the payment's row, as [`find`](Self::find)
    /// reads it; a repeated notification decodes the summary's five values
    /// of it (see [`lookup_from_row`]) and any other needs no second round
    /// trip. (Columns outside the summary made `NULL` for a delivered payment
    /// by a `CASE` each cost PostgreSQL more than sending them: 0.147 against
    /// 0.124 ms a read, `pgbench -M prepared` on the bench's 10^4 database,
    /// where the summary alone took 0.103.)
    ///
    /// SQLite copies every value of a row it returns (an allocation each, a
    /// `NULL` too): 37 columns made a repeated notification cost 29 % more
    /// instructions than five (callgrind, the bench's `count-notifications`).
    /// There a delivered payment is read as its summary, and any other is
    /// read again whole, a second read in the process and no round trip.
    pub(super) async fn find_for_notice(
        &self,
        id: &TransactionId,
    ) -> Result<Option<PaymentLookup>, Error> {
        const ACTION: &str = "reading a notification's payment";
        if self.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
            let row = self.row_by_id(&self.find_sql, id, ACTION).await?;
            return row
                .map(|row| lookup_from_row(&row, id.as_str()))
                .transpose();
        }
        let Some(row) = self.row_by_id(&self.find_summary_sql, id, ACTION).await? else {
            return Ok(None);
        };
        let summary = summary_from_row(&row, id.as_str())?;
        if summary.is_delivered() {
            return Ok(Some(PaymentLookup::Delivered(summary)));
        }
        Ok(self
            .find(id)
            .await?
            .map(|payment| PaymentLookup::Open(Box::new(payment))))
    }

    pub(super) async fn find(&self, id: &TransactionId) -> Result<Option<Payment>, Error> {
        let row = self
            .row_by_id(&self.find_sql, id, "reading a payment")
            .await?;
        row.as_ref().map(payment_from_row).transpose()
    }

    pub(super) async fn find_open(&self, order_ref: &OrderRef) -> Result<Option<Payment>, Error> {
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::OpenOrderRef).eq(order_ref.as_str()))
            .to_owned();
        self.fetch_one(&stmt, "reading the open payment of an order")
            .await
    }

    /// [`PaymentFilter`]'s payments, newest first.
    pub(super) async fn list(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, Error> {
        if filter.limit == 0 {
            return Ok(Vec::new());
        }
        let mut cond = Cond::all();
        if let Some(order) = &filter.order_ref {
            cond = cond.add(Expr::col(P::OrderRef).eq(order.as_str()));
        }
        if let Some(status) = filter.status {
            cond = cond.add(Expr::col(P::Status).eq(status.as_str()));
        }
        if filter.failing_fulfilment {
            cond = cond
                .add(Expr::col(P::Status).eq(PaymentStatus::Accepted.as_str()))
                .add(Expr::col(P::FulfilledAt).is_null())
                .add(Expr::col(P::Attempts).gt(0));
        }
        if filter.needing_refund {
            cond = cond
                .add(Expr::col(P::Status).eq(PaymentStatus::NeedsAttention.as_str()))
                .add(Expr::col(P::Attention).is_in(REFUND_KINDS));
        }
        if let Some(since) = filter.created_since {
            cond = cond.add(Expr::col(P::CreatedAt).gte(time::to_db(since)));
        }
        if let Some((at, id)) = &filter.before {
            let at = time::to_db(*at);
            cond = cond.add(
                Cond::any().add(Expr::col(P::CreatedAt).lt(at)).add(
                    Cond::all()
                        .add(Expr::col(P::CreatedAt).eq(at))
                        .add(Expr::col(P::TransactionId).lt(id.as_str())),
                ),
            );
        }
        let stmt = self
            .select_payments()
            .cond_where(cond)
            .order_by(P::CreatedAt, Order::Desc)
            .order_by(P::TransactionId, Order::Desc)
            .limit(as_limit(filter.limit))
            .to_owned();
        self.fetch_all(&stmt, "listing payments").await
    }

    pub(super) async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<Payment>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stmt = self
            .select_payments()
            .cond_where(self.claimable(now))
            .order_by(P::CreatedAt, Order::Asc)
            .order_by(P::TransactionId, Order::Asc)
            .limit(as_limit(limit))
            .to_owned();
        self.fetch_all(&stmt, "listing due fulfilments").await
    }

    /// [`PollQuery`]'s candidates, least recently seen first.
    pub(super) async fn to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, Error> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let now = time::to_db(query.now);
        let after = i64::try_from(query.after.as_micros()).unwrap_or(i64::MAX / 4);
        let seen = || Expr::col(P::CheckedAt).if_null(Expr::col(P::CreatedAt));
        let stmt = self
            .select_payments()
            .cond_where(
                Cond::any()
                    .add(
                        Cond::all()
                            .add(Expr::col(P::Status).eq(PaymentStatus::Pending.as_str()))
                            .add(Expr::col(P::PaymentUrl).is_not_null()),
                    )
                    .add(Expr::col(P::Status).is_in([
                        PaymentStatus::Refused.as_str(),
                        PaymentStatus::Cancelled.as_str(),
                    ])),
            )
            .and_where(Expr::col(P::CreatedAt).gte(time::to_db(query.since)))
            .and_where(seen().lte(now.saturating_sub(after)))
            // Checks thin out with age: 4 * seen <= 3 * now + created_at.
            .and_where(
                seen()
                    .mul(4)
                    .lte(Expr::val(now.saturating_mul(3)).add(Expr::col(P::CreatedAt))),
            )
            .order_by_expr(seen(), Order::Asc)
            .order_by(P::TransactionId, Order::Asc)
            .limit(as_limit(query.limit))
            .to_owned();
        self.fetch_all(&stmt, "listing payments to poll").await
    }
}

/// Accepted and not delivered: a delivery is owed.
pub(super) fn owed_delivery() -> Cond {
    Cond::all()
        .add(Expr::col(P::Status).eq(PaymentStatus::Accepted.as_str()))
        .add(Expr::col(P::FulfilledAt).is_null())
}

/// Needs attention for a refund not yet notified: a refund notice is owed.
pub(super) fn owed_refund_notice() -> Cond {
    Cond::all()
        .add(Expr::col(P::Status).eq(PaymentStatus::NeedsAttention.as_str()))
        .add(Expr::col(P::Attention).is_in(REFUND_KINDS))
        .add(Expr::col(P::RefundNotifiedAt).is_null())
}

/// What the merchant's code owes a payment (`Payment::owed`), in SQL.
pub(super) fn owed() -> Cond {
    Cond::any().add(owed_delivery()).add(owed_refund_notice())
}

/// The `attention` kinds that ask for a refund (`Attention::kind` of each
/// `RefundReason`; tested below).
const REFUND_KINDS: [&str; 2] = ["order_already_paid", "superseded"];

/// A `LIMIT` every database accepts (PostgreSQL and SQLite take a signed 64-bit one).
pub(super) fn as_limit(limit: usize) -> u64 {
    u64::try_from(limit).map_or(i64::MAX as u64, |l| std::cmp::min(l, i64::MAX as u64))
}

/// `SELECT <columns> FROM payments WHERE transaction_id = ?` in the store's
/// dialect, its one parameter the id.
fn render_by_id(
    db: &sea_orm::DatabaseConnection,
    tables: &crate::tables::Tables,
    columns: impl IntoIterator<Item = P>,
) -> String {
    let stmt = Query::select()
        .columns(columns)
        .from(tables.payments())
        .and_where(Expr::col(P::TransactionId).eq(""))
        .to_owned();
    db.get_database_backend().build(&stmt).sql
}

#[cfg(test)]
mod tests {
    use cinetpay_core::{Attention, RefundReason, TransactionId};

    #[test]
    fn refund_kinds_are_the_refund_reasons() {
        let by = TransactionId::generate();
        let kinds = [
            Attention::Refund(RefundReason::OrderAlreadyPaid { by }).kind(),
            Attention::Refund(RefundReason::Superseded).kind(),
        ];
        assert_eq!(kinds, super::REFUND_KINDS);
        assert!(!super::REFUND_KINDS.contains(&Attention::MoneyMismatch.kind()));
    }
}
