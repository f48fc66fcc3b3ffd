//! The claim protocol: claim, complete and release what the merchant's code
//! owes a payment (its delivery, or its refund notice), fenced by the owner
//! token; and the one-time failure notice. Each is one conditional `UPDATE`;
//! its affected-row count is the answer. Leases are measured on the
//! database's clock ([`SeaOrmStore::lease_now`]).

use cinetpay_core::{
    Claim, Completion, FulfilmentClaim, PaymentStatus, Release, Timestamp, TransactionId,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Query};

use super::SeaOrmStore;
use super::read::{owed, owed_delivery, owed_refund_notice};
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    pub(super) async fn claim(&self, claim: &Claim<'_>) -> Result<Option<FulfilmentClaim>, Error> {
        let id = claim.transaction_id;
        let lease = i64::try_from(claim.lease.as_micros()).unwrap_or(i64::MAX / 4);
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::ClaimOwner, claim.owner)
            .value(P::ClaimUntil, self.lease_now().add(lease))
            .value(P::Attempts, Expr::col(P::Attempts).add(1))
            .value(P::UpdatedAt, time::to_db(claim.now))
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .cond_where(self.claimable(claim.now))
            .to_owned();
        if !self.update_one(&stmt, "claiming a fulfilment").await? {
            return Ok(None);
        }
        self.read_claim(claim).await
    }

    /// The claim `claim.owner` holds on its payment, read back after the
    /// statement that took it; `None` when it holds none.
    pub(super) async fn read_claim(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, Error> {
        let id = claim.transaction_id;
        // Owner tokens are unique, so this reads the row as our claim left it
        // (unless our lease already ran out and someone took it over).
        let read = self
            .select_payments()
            .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(claim.owner))
            .to_owned();
        let Some(payment) = self.fetch_one(&read, "reading a claimed payment").await? else {
            tracing::warn!(transaction_id = %id, "claim taken over before it could be read back");
            return Ok(None);
        };
        tracing::debug!(transaction_id = %id, attempt = payment.fulfilment.attempts, "fulfilment claimed");
        Ok(Some(FulfilmentClaim {
            attempt: payment.fulfilment.attempts,
            lease_until: payment.fulfilment.claim_until.unwrap_or(claim.now),
            owner: claim.owner.to_owned(),
            payment,
        }))
    }

    /// Something owed, no live claim (on the lease clock), the next attempt
    /// due at the caller's `now`: the condition of both `claim_fulfilment`
    /// and `due_fulfilments`.
    pub(super) fn claimable(&self, now: Timestamp) -> Cond {
        let now = time::to_db(now);
        Cond::all()
            .add(owed())
            .add(
                Cond::any()
                    .add(Expr::col(P::ClaimUntil).is_null())
                    .add(Expr::col(P::ClaimUntil).lte(self.lease_now())),
            )
            .add(
                Cond::any()
                    .add(Expr::col(P::NextAttemptAt).is_null())
                    .add(Expr::col(P::NextAttemptAt).lte(now)),
            )
    }

    pub(super) async fn complete(&self, done: &Completion<'_>) -> Result<bool, Error> {
        self.complete_on(&self.db, done).await
    }

    /// `complete` on `db` (the pool, or a transaction of `complete_and_record`).
    pub(super) async fn complete_on<C: ConnectionTrait>(
        &self,
        db: &C,
        done: &Completion<'_>,
    ) -> Result<bool, Error> {
        // The claim columns stay as they are: they tell who did it, and the
        // completion column alone makes the payment unclaimable for ever.
        let now = time::to_db(done.now);
        for (column, owed) in [
            (P::FulfilledAt, owed_delivery()),
            (P::RefundNotifiedAt, owed_refund_notice()),
        ] {
            let stmt = Query::update()
                .table(self.tables.payments())
                .value(column, now)
                .value(P::UpdatedAt, now)
                .and_where(Expr::col(P::TransactionId).eq(done.transaction_id.as_str()))
                .and_where(Expr::col(P::ClaimOwner).eq(done.owner))
                .cond_where(owed)
                .to_owned();
            let result = db
                .execute(&stmt)
                .await
                .map_err(|e| Error::db("completing a fulfilment", e))?;
            if result.rows_affected() > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) async fn release(&self, release: &Release<'_>) -> Result<bool, Error> {
        let mut stmt = Query::update();
        stmt.table(self.tables.payments());
        if !release.keep_lease {
            stmt.value(P::ClaimOwner, Option::<String>::None)
                .value(P::ClaimUntil, Option::<i64>::None);
        }
        stmt.value(P::LastError, release.error)
            .value(P::NextAttemptAt, time::to_db(release.next_attempt_at))
            .value(P::UpdatedAt, time::to_db(release.now))
            .and_where(Expr::col(P::TransactionId).eq(release.transaction_id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(release.owner))
            .cond_where(owed());
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

    /// Marks a delivery inside the merchant's transaction `txn`, fenced by the
    /// claim's owner token (the transactional fulfilment).
    pub(crate) async fn mark_fulfilled_in(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        payment: &cinetpay_core::Payment,
        owner: &str,
    ) -> Result<bool, sea_orm::DbErr> {
        let now = time::to_db(
            self.lease_clock
                .as_ref()
                .map_or_else(chrono::Utc::now, |clock| clock.now()),
        );
        let stmt = Query::update()
            .table(self.tables.payments())
            .value(P::FulfilledAt, now)
            .value(P::UpdatedAt, now)
            .and_where(Expr::col(P::TransactionId).eq(payment.transaction_id.as_str()))
            .and_where(Expr::col(P::ClaimOwner).eq(owner))
            .cond_where(owed_delivery())
            .to_owned();
        Ok(txn.execute(&stmt).await?.rows_affected() == 1)
    }
}
