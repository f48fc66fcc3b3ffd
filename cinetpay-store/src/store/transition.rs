//! `transition`: compare-and-set of the status, in one statement.

use cinetpay_core::{PaymentStatus, StatusChange, TransactionId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use super::SeaOrmStore;
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    pub(super) async fn apply_transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<bool, Error> {
        let mut stmt = Query::update();
        stmt.table(self.tables.payments())
            .value(P::Status, change.to.as_str())
            .value(P::StatusReason, change.reason.clone())
            .value(P::UpdatedAt, time::to_db(change.at));
        // The check that justifies the change replaces the previous one (none
        // for `start_failed`, which has no check).
        let check = change.check.as_ref();
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
        if change.to != PaymentStatus::Pending {
            // Any outcome frees the order's slot: the next init starts afresh.
            stmt.value(P::OpenOrderRef, Option::<String>::None);
        }
        stmt.and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::Status).eq(change.from.as_str()));
        let applied = self
            .update_one(&stmt, "changing a payment's status")
            .await?;
        tracing::debug!(transaction_id = %id, from = %change.from, to = %change.to, applied, "status transition");
        Ok(applied)
    }
}
