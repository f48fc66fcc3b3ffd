//! Reads: one payment, the open payment of an order, an order's payments, and
//! the two work lists of the reconciler (due fulfilments, stale pending).

use cinetpay_core::{OrderRef, Payment, PaymentStatus, Timestamp, TransactionId};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, Iterable};

use super::SeaOrmStore;
use super::row::payment_from_row;
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

    pub(super) async fn find(&self, id: &TransactionId) -> Result<Option<Payment>, Error> {
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .to_owned();
        self.fetch_one(&stmt, "reading a payment").await
    }

    pub(super) async fn find_open(&self, order_ref: &OrderRef) -> Result<Option<Payment>, Error> {
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::OpenOrderRef).eq(order_ref.as_str()))
            .to_owned();
        self.fetch_one(&stmt, "reading the open payment of an order")
            .await
    }

    pub(super) async fn for_order(
        &self,
        order_ref: &OrderRef,
        limit: usize,
    ) -> Result<Vec<Payment>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::OrderRef).eq(order_ref.as_str()))
            .order_by(P::CreatedAt, Order::Desc)
            .order_by(P::TransactionId, Order::Desc)
            .limit(as_limit(limit))
            .to_owned();
        self.fetch_all(&stmt, "reading the payments of an order")
            .await
    }

    pub(super) async fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<Payment>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stmt = self
            .select_payments()
            .cond_where(claimable(now))
            .order_by(P::CreatedAt, Order::Asc)
            .order_by(P::TransactionId, Order::Asc)
            .limit(as_limit(limit))
            .to_owned();
        self.fetch_all(&stmt, "listing due fulfilments").await
    }

    pub(super) async fn stale(
        &self,
        created_before: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::Status).eq(PaymentStatus::Pending.as_str()))
            .and_where(Expr::col(P::PaymentUrl).is_not_null())
            .and_where(Expr::col(P::CreatedAt).lt(time::to_db(created_before)))
            .order_by(P::UpdatedAt, Order::Asc)
            .order_by(P::TransactionId, Order::Asc)
            .limit(as_limit(limit))
            .to_owned();
        self.fetch_all(&stmt, "listing stale pending payments")
            .await
    }
}

/// Accepted, not fulfilled, no live claim, next attempt due: the condition of
/// both `claim_fulfilment` and `due_fulfilments`.
pub(super) fn claimable(now: Timestamp) -> Cond {
    let now = time::to_db(now);
    Cond::all()
        .add(Expr::col(P::Status).eq(PaymentStatus::Accepted.as_str()))
        .add(Expr::col(P::FulfilledAt).is_null())
        .add(
            Cond::any()
                .add(Expr::col(P::ClaimUntil).is_null())
                .add(Expr::col(P::ClaimUntil).lte(now)),
        )
        .add(
            Cond::any()
                .add(Expr::col(P::NextAttemptAt).is_null())
                .add(Expr::col(P::NextAttemptAt).lte(now)),
        )
}

/// A `LIMIT` every database accepts (PostgreSQL and SQLite take a signed 64-bit one).
pub(super) fn as_limit(limit: usize) -> u64 {
    u64::try_from(limit).map_or(i64::MAX as u64, |l| std::cmp::min(l, i64::MAX as u64))
}
