//! `insert_payment`: the order's open slot, made atomic by a unique index.
//!
//! The new row carries `open_order_ref = order_ref`; the unique index on that
//! column lets exactly one open payment per order exist, on every database.
//! When the insert breaks a unique rule, two reads tell why: the transaction
//! id exists (a conflict) or the order has an open payment (returned).

use cinetpay_core::{InsertOutcome, NewPayment, Payment};
use sea_orm::sea_query::{Query, SimpleExpr};
use sea_orm::{ConnectionTrait, SqlErr};

use super::SeaOrmStore;
use crate::entity::payment::Column as P;
use crate::{Error, time};

/// How often an insert is tried again when the order's open payment was
/// closed between the failed insert and the read that looked for it.
const ATTEMPTS: usize = 5;

impl SeaOrmStore {
    pub(super) async fn insert(&self, new: &NewPayment) -> Result<InsertOutcome, Error> {
        let mut payment = Payment::from_new(new);
        // What is returned equals what a later read gives back.
        payment.created_at = time::stored(payment.created_at);
        payment.updated_at = payment.created_at;
        let created_at = time::to_db(payment.created_at);
        let columns = [
            (P::TransactionId, payment.transaction_id.as_str().into()),
            (P::OrderRef, payment.order_ref.as_str().into()),
            (P::OpenOrderRef, payment.order_ref.as_str().into()),
            (P::Amount, payment.amount.get().into()),
            (P::Currency, payment.currency.as_str().into()),
            (P::Description, payment.description.as_str().into()),
            (P::Status, payment.status.as_str().into()),
            (P::Account, payment.account.as_str().into()),
            (P::Generation, payment.generation.as_str().into()),
            (P::Attempts, 0i32.into()),
            (P::CreatedAt, created_at.into()),
            (P::UpdatedAt, created_at.into()),
        ];
        let stmt = Query::insert()
            .into_table(self.tables.payments())
            .columns(columns.iter().map(|(c, _)| *c))
            .values_panic(columns.iter().map(|(_, v): &(P, SimpleExpr)| v.clone()))
            .to_owned();

        for _ in 0..ATTEMPTS {
            let err = match self.db.execute(&stmt).await {
                Ok(_) => return Ok(InsertOutcome::Inserted(payment)),
                Err(err) => err,
            };
            if !matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                return Err(Error::db("inserting a payment", err));
            }
            if self.find(&new.transaction_id).await?.is_some() {
                return Err(Error::DuplicateTransactionId(
                    new.transaction_id.as_str().to_owned(),
                ));
            }
            if let Some(open) = self.find_open(&new.order_ref).await? {
                tracing::debug!(order_ref = %new.order_ref, open = %open.transaction_id, "order has an open payment");
                return Ok(InsertOutcome::OrderHasOpenPayment(open));
            }
        }
        Err(Error::Database {
            action: "inserting a payment",
            source: sea_orm::DbErr::Custom(format!(
                "the open payment of order {} kept changing; gave up after {ATTEMPTS} attempts",
                new.order_ref
            )),
        })
    }
}
