//! The combined steps of a first notification (issue 15): the change to
//! `accepted` and the claim of the delivery it makes owed in one conditional
//! `UPDATE`, and the completion with its delivery-log line in one
//! transaction: one durable commit each instead of two.

use cinetpay_core::{
    Claim, Completion, DeliveryRecord, FulfilmentClaim, PaymentStatus, StatusChange, TransactionId,
    Transition,
};
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Cond, Expr, ExprTrait, Query, UpdateStatement,
    WithClause, WithQuery,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, SqlErr, TransactionTrait};

use super::SeaOrmStore;
use super::row::payment_from_row;
use crate::entity::payment::Column as P;
use crate::{Error, time};

impl SeaOrmStore {
    /// `transition` to `accepted` and `claim_fulfilment`, in one statement.
    ///
    /// The statement is `transition`'s compare-and-set (its `WHERE`, and the
    /// unique index on `paid_order_ref` for [`Transition::OrderAlreadyPaid`]),
    /// whose claim columns are set only when the claim's own conditions hold
    /// on the row being accepted (`CASE WHEN`): the transition applies
    /// whether or not the claim can be taken, as in the two-step default. The
    /// claim is then read back by its owner token (a read, no commit).
    ///
    /// Any other change (or a claim on another payment) takes the two steps.
    pub(super) async fn accept_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), Error> {
        if change.to != PaymentStatus::Accepted || claim.transaction_id != id {
            let outcome = self.apply_transition(id, change).await?;
            if outcome != Transition::Applied {
                return Ok((outcome, None));
            }
            return Ok((outcome, self.claim(claim).await?));
        }
        let stmt = self.accept_claim_stmt(id, change, claim);
        let outcome = self.run_transition(id, change, &stmt).await?;
        if outcome != Transition::Applied {
            return Ok((outcome, None));
        }
        let claimed = self.read_claim(claim).await?;
        if claimed.is_none() {
            tracing::debug!(transaction_id = %id, "accepted, but the delivery was not claimable");
        }
        Ok((outcome, claimed))
    }

    /// The statement of [`accept_claim`](Self::accept_claim): `change` (to
    /// `accepted`) with the claim columns set under `CASE WHEN` the claim's
    /// conditions hold on the old row.
    fn accept_claim_stmt(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> UpdateStatement {
        let claimable = self.claimable_once_accepted(claim);
        let when = |then: Expr, otherwise: Expr| -> Expr {
            Expr::case(claimable.clone(), then)
                .finally(otherwise)
                .into()
        };
        let lease = i64::try_from(claim.lease.as_micros()).unwrap_or(i64::MAX / 4);
        let mut stmt = self.transition_stmt(
            id,
            change,
            when(
                Expr::val(time::to_db(claim.now)),
                Expr::val(time::to_db(change.at)),
            ),
        );
        // MySQL assigns left to right, later expressions seeing earlier
        // assignments: every column the condition reads (`claim_until`,
        // `fulfilled_at`, `next_attempt_at`) is assigned after it is read,
        // `claim_until` last, so that all databases judge the same old row.
        stmt.value(
            P::Attempts,
            when(Expr::col(P::Attempts).add(1), Expr::col(P::Attempts)),
        )
        .value(
            P::ClaimOwner,
            when(Expr::val(claim.owner), Expr::col(P::ClaimOwner)),
        )
        .value(
            P::ClaimUntil,
            when(self.lease_now().add(lease), Expr::col(P::ClaimUntil)),
        );
        stmt
    }

    /// The one-commit first delivery's statement, inside `txn`: `change` (to
    /// `accepted`), its claim and the delivery mark, in one `UPDATE` that
    /// applies only when the claim's conditions hold (the transaction commits
    /// them with the merchant's writes, or nothing). The claimed payment as
    /// the merchant's code must see it (`fulfilled_at` not set yet), read by
    /// `RETURNING` where the database has it (one round trip) or read back
    /// (MySQL). `None` when it did not apply (the order already paid by
    /// another payment included: the transaction must then be rolled back, as
    /// PostgreSQL has aborted it).
    ///
    /// On PostgreSQL the sync's delivery-log line for attempt 1 (`line(1)`)
    /// is appended by the same statement (a data-modifying `WITH`), one
    /// round trip fewer: the statement then also requires `attempts = 0`,
    /// so that the line's attempt is the one it claims (a payment that is
    /// not accepted yet has never been claimed; if one were, the statement
    /// would not apply and the engine's usual steps would follow). The
    /// returned flag says whether the line was written.
    pub(crate) async fn accept_and_mark_in(
        &self,
        txn: &DatabaseTransaction,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
        line: &(dyn Fn(u32) -> DeliveryRecord + Send + Sync),
    ) -> Result<Option<(FulfilmentClaim, bool)>, Error> {
        const ACTION: &str = "accepting a payment, claiming and marking its delivery";
        if change.to != PaymentStatus::Accepted || claim.transaction_id != id {
            return Ok(None);
        }
        let lease = i64::try_from(claim.lease.as_micros()).unwrap_or(i64::MAX / 4);
        let marked_at = time::to_db(
            self.lease_clock
                .as_ref()
                .map_or_else(chrono::Utc::now, |clock| clock.now()),
        );
        let mut stmt = self.transition_stmt(id, change, Expr::val(time::to_db(claim.now)));
        // No column the condition reads is assigned before it is read: the
        // condition is the `WHERE`, judged on the old row everywhere.
        stmt.value(P::Attempts, Expr::col(P::Attempts).add(1))
            .value(P::ClaimOwner, claim.owner)
            .value(P::ClaimUntil, self.lease_now().add(lease))
            .value(P::FulfilledAt, marked_at)
            .cond_where(self.claimable_once_accepted(claim));
        let unique =
            |e: &sea_orm::DbErr| matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)));
        let backend = txn.get_database_backend();
        let row = match backend {
            DbBackend::MySql => {
                match txn.execute(&stmt).await {
                    Ok(done) if done.rows_affected() > 0 => {}
                    Ok(_) => return Ok(None),
                    Err(e) if unique(&e) => return Ok(None),
                    Err(e) => return Err(Error::db(ACTION, e)),
                }
                let read = self
                    .select_payments()
                    .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
                    .and_where(Expr::col(P::ClaimOwner).eq(claim.owner))
                    .to_owned();
                txn.query_one(&read).await
            }
            DbBackend::Postgres => {
                stmt.and_where(Expr::col(P::Attempts).eq(0)).returning_all();
                txn.query_one(&self.with_line(stmt, &line(1))?).await
            }
            _ => {
                stmt.returning_all();
                txn.query_one(&stmt).await
            }
        };
        let row = match row {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(None),
            Err(e) if unique(&e) => return Ok(None),
            Err(e) => return Err(Error::db(ACTION, e)),
        };
        let mut payment = payment_from_row(&row)?;
        payment.fulfilment.fulfilled_at = None;
        tracing::debug!(transaction_id = %id, attempt = payment.fulfilment.attempts, "accepted, claimed and marked in the delivery's transaction");
        Ok(Some((
            FulfilmentClaim {
                attempt: payment.fulfilment.attempts,
                lease_until: payment.fulfilment.claim_until.unwrap_or(claim.now),
                owner: claim.owner.to_owned(),
                payment,
            },
            backend == DbBackend::Postgres,
        )))
    }

    /// PostgreSQL: `WITH accepted AS (<update> RETURNING *), line AS
    /// (INSERT INTO deliveries … SELECT <the line> FROM accepted) SELECT *
    /// FROM accepted`: the line is appended exactly when the update applied.
    fn with_line(
        &self,
        update: UpdateStatement,
        line: &DeliveryRecord,
    ) -> Result<WithQuery, Error> {
        // Bounded like `DeliveryRecord::new`, whatever the caller built.
        let line = DeliveryRecord::new(&line.transaction_id, line.source, &line.outcome, line.at);
        let accepted = Alias::new("accepted");
        let values = Query::select()
            .exprs([
                Expr::val(line.transaction_id).cast_as("text"),
                Expr::val(line.source.as_str()).cast_as("text"),
                Expr::val(line.outcome).cast_as("text"),
                Expr::val(time::to_db(line.at)).cast_as("int8"),
            ])
            .from(accepted.clone())
            .to_owned();
        // Fails only when the columns and the values differ in number.
        let insert = self
            .insert_into_log()
            .select_from(values)
            .map_err(|e| Error::Database {
                action: "appending the delivery's line",
                source: sea_orm::DbErr::Custom(e.to_string()),
            })?
            .to_owned();
        let with = WithClause::new()
            .cte(
                CommonTableExpression::new()
                    .query(update)
                    .table_name(accepted.clone())
                    .to_owned(),
            )
            .cte(
                CommonTableExpression::new()
                    .query(insert)
                    .table_name(Alias::new("line"))
                    .to_owned(),
            )
            .to_owned();
        Ok(Query::select()
            .column(Asterisk)
            .from(accepted)
            .to_owned()
            .with(with))
    }

    /// [`claimable`](Self::claimable) of a row this very statement moves to
    /// `accepted` (the condition reads the old row, whose status is still
    /// `from`): the delivery is not done, no live claim on the lease clock,
    /// the next attempt due at the caller's `now`.
    fn claimable_once_accepted(&self, claim: &Claim<'_>) -> Cond {
        let now = time::to_db(claim.now);
        Cond::all()
            .add(Expr::col(P::FulfilledAt).is_null())
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

    /// `complete_fulfilment` and the delivery-log line, in one transaction
    /// (one commit). The line is written whether or not the completion
    /// applied.
    pub(super) async fn complete_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, Error> {
        const ACTION: &str = "completing a fulfilment and recording its delivery";
        let txn = self.db.begin().await.map_err(|e| Error::db(ACTION, e))?;
        let completed = self.complete_on(&txn, done).await?;
        self.insert_lines(&txn, std::slice::from_ref(record))
            .await?;
        txn.commit().await.map_err(|e| Error::db(ACTION, e))?;
        Ok(completed)
    }
}
