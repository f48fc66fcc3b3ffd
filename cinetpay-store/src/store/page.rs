//! The payment page, the order's open slot, and superseding a payment.

use cinetpay_core::{NotifyToken, PaymentPage, PaymentStatus, Timestamp, TransactionId};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};

use super::SeaOrmStore;
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    /// Runs a conditional update; `true` when it changed a row.
    pub(super) async fn update_one(
        &self,
        stmt: &UpdateStatement,
        action: &'static str,
    ) -> Result<bool, Error> {
        let result = self
            .db
            .execute(stmt)
            .await
            .map_err(|e| Error::db(action, e))?;
        Ok(result.rows_affected() > 0)
    }

    /// One `UPDATE` of everything CinetPay answered at init, unless the
    /// payment was superseded meanwhile.
    pub(super) async fn attach_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, Error> {
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::PaymentToken, page.payment_token)
            .value(P::PaymentUrl, page.payment_url)
            .value(P::NotifyToken, page.notify_token.map(NotifyToken::expose))
            .value(P::CinetpayId, page.cinetpay_id)
            .value(P::UpdatedAt, time::to_db(page.at))
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::SupersededAt).is_null())
            .to_owned();
        self.update_one(&stmt, "attaching the payment page").await
    }

    pub(super) async fn supersede(&self, id: &TransactionId, at: Timestamp) -> Result<bool, Error> {
        let at = time::to_db(at);
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::OpenOrderRef, Option::<String>::None)
            .value(P::SupersededAt, at)
            .value(P::UpdatedAt, at)
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::OpenOrderRef).is_not_null())
            .and_where(Expr::col(P::Status).eq(PaymentStatus::Pending.as_str()))
            .to_owned();
        self.update_one(&stmt, "superseding a payment").await
    }
}
