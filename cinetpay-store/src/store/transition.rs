//! `transition`: compare-and-set of the status, in one statement; and
//! `record_check`.
//!
//! A change to `accepted` also sets `paid_order_ref = order_ref`: the unique
//! index on that column lets one payment per order be accepted, on every
//! database. When another payment holds the order the statement breaks the
//! index; one read then names that payment.

use cinetpay_core::{
    CheckSnapshot, PaymentStatus, StatusChange, Timestamp, TransactionId, Transition,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_orm::{ConnectionTrait, SqlErr};

use super::SeaOrmStore;
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    pub(super) async fn apply_transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, Error> {
        let stmt = self.transition_stmt(id, change, Expr::val(time::to_db(change.at)));
        self.run_transition(id, change, &stmt).await
    }

    /// The compare-and-set `UPDATE` of `change`, with `updated_at` set to
    /// `updated_at` (`change.at`, unless a combined step decides otherwise).
    /// Every column it assigns is one it does not read, so that MySQL's
    /// left-to-right assignments see the same row as the other databases.
    pub(super) fn transition_stmt(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        updated_at: Expr,
    ) -> UpdateStatement {
        let mut stmt = Query::update();
        stmt.table(self.tables.payments())
            .value(P::Status, change.to.as_str())
            .value(P::StatusReason, change.reason.clone())
            .value(P::Attention, change.attention.as_ref().map(|a| a.kind()))
            .value(
                P::AttentionRef,
                change
                    .attention
                    .as_ref()
                    .and_then(|a| a.reference())
                    .map(|r| r.as_str().to_owned()),
            )
            .value(P::UpdatedAt, updated_at);
        // The check that justifies the change replaces the previous one (none
        // for `start_failed`, which has no check).
        let check = change.check.as_ref();
        set_check(&mut stmt, check);
        if check.is_some() {
            stmt.value(P::CheckedAt, time::to_db(change.at));
        }
        if change.to != PaymentStatus::Pending {
            // Any outcome frees the order's slot: the next init starts afresh.
            stmt.value(P::OpenOrderRef, Option::<String>::None);
        }
        if change.to == PaymentStatus::Accepted {
            stmt.value(P::PaidOrderRef, Expr::col(P::OrderRef))
                .and_where(Expr::col(P::SupersededAt).is_null());
        }
        stmt.and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::Status).eq(change.from.as_str()));
        stmt
    }

    /// Runs a statement of [`transition_stmt`](Self::transition_stmt): its
    /// affected-row count, or the unique index on `paid_order_ref`, is the
    /// answer.
    pub(super) async fn run_transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        stmt: &UpdateStatement,
    ) -> Result<Transition, Error> {
        let outcome = match self.db.execute(stmt).await {
            Ok(done) if done.rows_affected() > 0 => Transition::Applied,
            Ok(_) => Transition::NotApplied,
            Err(e)
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
                    && change.to == PaymentStatus::Accepted =>
            {
                self.order_payer(id).await?
            }
            Err(e) => return Err(Error::db("changing a payment's status", e)),
        };
        tracing::debug!(transaction_id = %id, from = %change.from, to = %change.to, ?outcome, "status transition");
        Ok(outcome)
    }

    /// After a change to `accepted` broke the unique index: the payment that
    /// holds the order.
    async fn order_payer(&self, id: &TransactionId) -> Result<Transition, Error> {
        let Some(payment) = self.find(id).await? else {
            return Ok(Transition::NotApplied);
        };
        let stmt = self
            .select_payments()
            .and_where(Expr::col(P::PaidOrderRef).eq(payment.order_ref.as_str()))
            .to_owned();
        Ok(
            match self
                .fetch_one(&stmt, "reading the payer of an order")
                .await?
            {
                Some(payer) if payer.transaction_id != *id => {
                    Transition::OrderAlreadyPaid(payer.transaction_id)
                }
                // The payer changed between the two statements (it cannot
                // stop being accepted, so this is only a vanished row).
                _ => Transition::NotApplied,
            },
        )
    }

    pub(super) async fn note_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, Error> {
        let at = time::to_db(at);
        let mut stmt = Query::update();
        stmt.table(self.tables.payments())
            .value(P::CheckedAt, at)
            .value(P::UpdatedAt, at);
        if check.is_some() {
            set_check(&mut stmt, check);
        }
        stmt.and_where(Expr::col(P::TransactionId).eq(id.as_str()));
        self.update_one(&stmt, "recording a check").await
    }
}

/// The check snapshot's columns (all `NULL` without one).
fn set_check(stmt: &mut UpdateStatement, check: Option<&CheckSnapshot>) {
    stmt.value(P::CheckCode, check.map(|c| c.code.clone()))
        .value(P::CheckMessage, check.map(|c| c.message.clone()))
        .value(P::CheckStatus, check.and_then(|c| c.status.clone()))
        .value(P::CheckAmount, check.and_then(|c| c.amount.clone()))
        .value(P::CheckCurrency, check.and_then(|c| c.currency.clone()))
        .value(
            P::CheckPaymentMethod,
            check.and_then(|c| c.payment_method.clone()),
        )
        .value(
            P::CheckOperatorId,
            check.and_then(|c| c.operator_id.clone()),
        )
        .value(
            P::CheckPaymentDate,
            check.and_then(|c| c.payment_date.clone()),
        );
}
