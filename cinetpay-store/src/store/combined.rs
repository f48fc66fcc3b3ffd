//! The combined steps of a first notification (issue 15): the change to
//! `accepted` and the claim of the delivery it makes owed in one conditional
//! `UPDATE`, and the completion with its delivery-log line in one
//! transaction: one durable commit each instead of two.

use cinetpay_core::{
    Claim, Completion, DeliveryRecord, FulfilmentClaim, PaymentStatus, StatusChange, Timestamp,
    TransactionId, Transition,
};
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Cond, Expr, ExprTrait, InsertStatement, Query,
    SelectStatement, UpdateStatement, WithClause, WithQuery,
};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, SqlErr, Statement, TransactionTrait,
};

use super::SeaOrmStore;
use super::row::payment_from_row;
use crate::entity::payment::Column as P;
use crate::{Error, time};

/// A first delivery's statement, built ahead of its transaction
/// ([`SeaOrmStore::accept_and_mark_stmt`]).
pub(crate) struct AcceptAndMark<'a> {
    owner: &'a str,
    now: Timestamp,
    run: Run,
}

/// How each database runs it.
enum Run {
    /// PostgreSQL: one statement returning the row, the line in its `WITH`.
    Returning(Statement),
    /// SQLite: the update returning the row, then the line, in one call.
    ReturningThenLine(Statement),
    /// MySQL: the update, then the row read back by its owner token (the
    /// line is the caller's).
    UpdateThenRead { update: Statement, read: Statement },
}

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

    /// The one-commit first delivery's statement, built before its
    /// transaction begins (run by [`accept_and_mark_in`](Self::accept_and_mark_in)):
    /// on SQLite the transaction holds the database's write lock, and
    /// building the statement takes about 40 µs that would hold it too.
    /// `None` when the change is not to `accepted` or the claim is on another
    /// payment: this step does not apply.
    ///
    /// `change` (to `accepted`), its claim and the delivery mark, in one
    /// `UPDATE` that applies only when the claim's conditions hold (the
    /// transaction commits them with the merchant's writes, or nothing); the
    /// mark's time is taken here. On PostgreSQL and SQLite the sync's
    /// delivery-log line for attempt 1 (`line(1)`) is appended in the same
    /// round trip (PostgreSQL: a data-modifying `WITH`; SQLite: a second
    /// statement in the same call, one hop to the connection's thread fewer
    /// while the transaction holds the write lock): the update then also
    /// requires `attempts = 0`, so that the line's attempt is the one it
    /// claims (a payment that is not accepted yet has never been claimed; if
    /// one were, the statement would not apply and the engine's usual steps
    /// would follow).
    pub(crate) fn accept_and_mark_stmt<'a>(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'a>,
        line: &(dyn Fn(u32) -> DeliveryRecord + Send + Sync),
    ) -> Result<Option<AcceptAndMark<'a>>, Error> {
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
        let backend = self.db.get_database_backend();
        let run = match backend {
            DbBackend::MySql => {
                let read = self
                    .select_payments()
                    .and_where(Expr::col(P::TransactionId).eq(id.as_str()))
                    .and_where(Expr::col(P::ClaimOwner).eq(claim.owner))
                    .to_owned();
                Run::UpdateThenRead {
                    update: backend.build(&stmt),
                    read: backend.build(&read),
                }
            }
            DbBackend::Postgres => {
                stmt.and_where(Expr::col(P::Attempts).eq(0)).returning_all();
                Run::Returning(backend.build(&self.with_line(stmt, &line(1))?))
            }
            _ => {
                stmt.and_where(Expr::col(P::Attempts).eq(0)).returning_all();
                Run::ReturningThenLine(self.then_line(backend, &stmt, &line(1))?)
            }
        };
        Ok(Some(AcceptAndMark {
            owner: claim.owner,
            now: claim.now,
            run,
        }))
    }

    /// Runs `first` inside `txn`. The claimed payment as the merchant's code
    /// must see it (`fulfilled_at` not set yet), read by `RETURNING` where
    /// the database has it (one round trip) or read back (MySQL), and whether
    /// the delivery-log line was written with it. `None` when it did not
    /// apply (the order already paid by another payment included: the
    /// transaction must then be rolled back, as PostgreSQL has aborted it).
    pub(crate) async fn accept_and_mark_in(
        &self,
        txn: &DatabaseTransaction,
        first: AcceptAndMark<'_>,
    ) -> Result<Option<(FulfilmentClaim, bool)>, Error> {
        const ACTION: &str = "accepting a payment, claiming and marking its delivery";
        let unique =
            |e: &sea_orm::DbErr| matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)));
        let line_written = !matches!(first.run, Run::UpdateThenRead { .. });
        let row = match first.run {
            Run::UpdateThenRead { update, read } => {
                match txn.execute_raw(update).await {
                    Ok(done) if done.rows_affected() > 0 => {}
                    Ok(_) => return Ok(None),
                    Err(e) if unique(&e) => return Ok(None),
                    Err(e) => return Err(Error::db(ACTION, e)),
                }
                txn.query_one_raw(read).await
            }
            Run::Returning(stmt) => txn.query_one_raw(stmt).await,
            Run::ReturningThenLine(stmt) => txn
                .query_all_raw(stmt)
                .await
                .map(|rows| rows.into_iter().next()),
        };
        let row = match row {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(None),
            Err(e) if unique(&e) => return Ok(None),
            Err(e) => return Err(Error::db(ACTION, e)),
        };
        let mut payment = payment_from_row(&row)?;
        payment.fulfilment.fulfilled_at = None;
        tracing::debug!(transaction_id = %payment.transaction_id, attempt = payment.fulfilment.attempts, "accepted, claimed and marked in the delivery's transaction");
        Ok(Some((
            FulfilmentClaim {
                attempt: payment.fulfilment.attempts,
                lease_until: payment.fulfilment.claim_until.unwrap_or(first.now),
                owner: first.owner.to_owned(),
                payment,
            },
            line_written,
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
        let accepted = Alias::new("accepted");
        // A CTE's values have no column to take their types from: cast.
        let insert = self.line_from_select(line, true, |values| {
            values.from(accepted.clone());
        })?;
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

    /// `INSERT INTO deliveries (…) SELECT <line's values>`, the select
    /// completed by `complete` (its `FROM`, its condition); each value cast
    /// to its column's type when `cast`.
    fn line_from_select(
        &self,
        line: &DeliveryRecord,
        cast: bool,
        complete: impl FnOnce(&mut SelectStatement),
    ) -> Result<InsertStatement, Error> {
        // Bounded like `DeliveryRecord::new`, whatever the caller built.
        let line = DeliveryRecord::new(&line.transaction_id, line.source, &line.outcome, line.at);
        let typed = |value: Expr, ty: &'static str| if cast { value.cast_as(ty) } else { value };
        let mut values = Query::select();
        values.exprs([
            typed(Expr::val(line.transaction_id), "text"),
            typed(Expr::val(line.source.as_str()), "text"),
            typed(Expr::val(line.outcome), "text"),
            typed(Expr::val(time::to_db(line.at)), "int8"),
        ]);
        complete(&mut values);
        // Fails only when the columns and the values differ in number.
        Ok(self
            .insert_into_log()
            .select_from(values)
            .map_err(|e| Error::Database {
                action: "appending the delivery's line",
                source: sea_orm::DbErr::Custom(e.to_string()),
            })?
            .to_owned())
    }

    /// SQLite: `<update> RETURNING *; INSERT INTO deliveries … SELECT <the
    /// line> WHERE changes() = 1`, one call to the connection's thread: the
    /// line is appended exactly when the update applied (`changes()` counts
    /// the rows of the statement completed just before), and the call's
    /// rows are the update's.
    fn then_line(
        &self,
        backend: DbBackend,
        update: &UpdateStatement,
        line: &DeliveryRecord,
    ) -> Result<Statement, Error> {
        let insert = self.line_from_select(line, false, |values| {
            values.and_where(Expr::cust("changes() = 1"));
        })?;
        let update = backend.build(update);
        let insert = backend.build(&insert);
        let values = update
            .values
            .into_iter()
            .chain(insert.values)
            .flat_map(|v| v.0);
        Ok(Statement::from_sql_and_values(
            backend,
            format!("{}; {}", update.sql, insert.sql),
            values,
        ))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use cinetpay_core::{Claim, DeliveryRecord, DeliverySource, PaymentStatus, PaymentStore};
    use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref};
    use sea_orm::TransactionTrait;

    use crate::SeaOrmStore;

    /// SQLite's first-delivery call appends the line exactly when its update
    /// applied: the `changes() = 1` guard holds even in a transaction that
    /// commits anyway.
    #[tokio::test(flavor = "current_thread")]
    async fn sqlite_line_only_when_the_update_applied() {
        let store = SeaOrmStore::connect("sqlite::memory:")
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let new = new_payment(&order_ref("line"), 1500, at(0));
        store.insert_payment(&new).await.expect("insert");
        let id = &new.transaction_id;
        let change = |from| accepted_change(&new, from, at(10));
        let claim = Claim {
            transaction_id: id,
            owner: "me",
            now: at(10),
            lease: Duration::from_secs(60),
        };
        let line = |attempt: u32| {
            DeliveryRecord::new(
                id.as_str(),
                DeliverySource::Notify,
                &format!("delivered, attempt {attempt}"),
                at(10),
            )
        };
        // The stored status is `pending`: a change from `refused` does not
        // apply, and no line is written although the transaction commits.
        let txn = store.connection().begin().await.expect("begin");
        let first = store
            .accept_and_mark_stmt(id, &change(PaymentStatus::Refused), &claim, &line)
            .expect("built")
            .expect("a change to accepted");
        let declined = store
            .accept_and_mark_in(&txn, first)
            .await
            .expect("the call");
        assert!(declined.is_none());
        txn.commit().await.expect("commit");
        assert!(
            store
                .delivery_log(id.as_str(), 10)
                .await
                .expect("log")
                .is_empty()
        );

        let txn = store.connection().begin().await.expect("begin");
        let first = store
            .accept_and_mark_stmt(id, &change(PaymentStatus::Pending), &claim, &line)
            .expect("built")
            .expect("a change to accepted");
        let (claimed, line_written) = store
            .accept_and_mark_in(&txn, first)
            .await
            .expect("the call")
            .expect("applied");
        txn.commit().await.expect("commit");
        assert!(line_written);
        assert_eq!(claimed.attempt, 1);
        assert_eq!(claimed.payment.status, PaymentStatus::Accepted);
        let log = store.delivery_log(id.as_str(), 10).await.expect("log");
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].outcome, "delivered, attempt 1");
        assert_eq!(log[0].source, DeliverySource::Notify);
    }
}
