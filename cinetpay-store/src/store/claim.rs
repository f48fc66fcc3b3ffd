//! The claim protocol: claim, complete and release a fulfilment, fenced by the
//! owner token; and the one-time failure notice. Each is one conditional
//! `UPDATE`; its affected-row count is the answer.

use cinetpay_core::{FulfilmentClaim, PaymentStatus, Timestamp, TransactionId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use super::SeaOrmStore;
use super::read::claimable;
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    pub(super) async fn claim(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<FulfilmentClaim>, Error> {
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::ClaimOwner, owner)
            .value(P::ClaimUntil, time::to_db(lease_until))
            .value(P::Attempts, Expr::col(P::Attempts).add(1))
            .value(P::UpdatedAt, time::to_db(now))
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .cond_where(claimable(now))
            .to_owned();
        if !self.update_one(&stmt, "claiming a fulfilment").await? {
            return Ok(None);
        }
        // Owner tokens are unique, so this reads the row as our claim left it
        // (unless our lease already ran out and someone took it over).
        let read = self
            .select_payments()
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(owner))
            .to_owned();
        let Some(payment) = self.fetch_one(&read, "reading a claimed payment").await? else {
            tracing::warn!(transaction_id = %id, "claim taken over before it could be read back");
            return Ok(None);
        };
        tracing::debug!(transaction_id = %id, attempt = payment.fulfilment.attempts, "fulfilment claimed");
        Ok(Some(FulfilmentClaim {
            attempt: payment.fulfilment.attempts,
            lease_until: time::stored(lease_until),
            owner: owner.to_owned(),
            payment,
        }))
    }

    pub(super) async fn complete(
        &self,
        id: &TransactionId,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, Error> {
        // The claim columns stay as they are: they tell who delivered it, and
        // `fulfilled_at` alone makes the payment unclaimable for ever.
        let now = time::to_db(now);
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::FulfilledAt, now)
            .value(P::UpdatedAt, now)
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(owner))
            .and_where(Expr::col(P::FulfilledAt).is_null())
            .to_owned();
        self.update_one(&stmt, "completing a fulfilment").await
    }

    pub(super) async fn release(
        &self,
        id: &TransactionId,
        owner: &str,
        error: &str,
        next_attempt_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::ClaimOwner, Option::<String>::None)
            .value(P::ClaimUntil, Option::<i64>::None)
            .value(P::LastError, error)
            .value(P::NextAttemptAt, time::to_db(next_attempt_at))
            .value(P::UpdatedAt, time::to_db(now))
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(owner))
            .and_where(Expr::col(P::FulfilledAt).is_null())
            .to_owned();
        self.update_one(&stmt, "releasing a fulfilment").await
    }

    pub(super) async fn claim_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let now = time::to_db(now);
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::FailureNotifiedAt, now)
            .value(P::UpdatedAt, now)
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::FailureNotifiedAt).is_null())
            .and_where(Expr::col(P::Status).is_in([
                PaymentStatus::Refused.as_str(),
                PaymentStatus::Cancelled.as_str(),
            ]))
            .to_owned();
        self.update_one(&stmt, "claiming the failure notice").await
    }
}
