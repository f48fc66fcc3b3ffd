//! The transactional fulfilment: the merchant's own writes and the delivery
//! mark commit in one database transaction, so that after any crash either
//! both happened or neither did.

use std::sync::Arc;

use async_trait::async_trait;
use cinetpay_core::first_delivery::{FirstDelivered, FirstDelivery};
use cinetpay_core::{
    DeliveryRecord, FulfilError, OrderFulfiller, OrderQuote, OrderRef, Payment, QuoteError,
    RefundReason,
};
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::SeaOrmStore;
use crate::store::Turn;

/// The merchant's code, delivering inside the store's database transaction.
///
/// Like [`OrderFulfiller`], except that [`fulfil`](Self::fulfil) receives the
/// transaction: write the order's own rows through it (mark the order paid,
/// insert the shipment) and return `Ok`; the engine's delivery mark joins the
/// same transaction, which commits only if every write and the mark succeed,
/// and only while this instance still holds the payment's claim. An error
/// (or a panic, a timeout, a crash) rolls everything back, and the delivery is
/// retried later. So the merchant's writes in the transaction happen **exactly
/// once**, whatever fails when. It is also the fastest way to deliver: a
/// first notification's change to `accepted`, its claim, these writes, the
/// mark and the delivery-log line are **one** commit
/// ([`OrderFulfiller::accept_and_fulfil`]), and any later delivery writes its
/// log line in this transaction too ([`OrderFulfiller::fulfil_recording`]). Effects outside the database (an e-mail) still
/// need an idempotency key (see [`OrderFulfiller`]'s contract).
///
/// Wrap it with [`SeaOrmStore::fulfil_in_transaction`] and give the result to
/// the engine as its fulfiller. The tables written must live in the store's
/// database.
///
/// ```no_run
/// use std::sync::Arc;
/// use cinetpay_core::*;
/// use cinetpay_store::{SeaOrmStore, TransactionalFulfiller};
/// use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement};
///
/// struct Shop;
///
/// #[async_trait]
/// impl TransactionalFulfiller for Shop {
///     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
///         Ok(OrderQuote::new(
///             Money::new(Amount::new(1000).unwrap(), Currency::Xof),
///             Description::new("Attiéké poisson").unwrap(),
///         ))
///     }
///
///     async fn fulfil(
///         &self,
///         txn: &DatabaseTransaction,
///         payment: &Payment,
///         _attempt: u32,
///     ) -> Result<(), FulfilError> {
///         let backend = txn.get_database_backend();
///         txn.execute_raw(Statement::from_sql_and_values(
///             backend,
///             "UPDATE orders SET paid = 1 WHERE order_ref = $1",
///             [payment.order_ref.as_str().into()],
///         ))
///         .await
///         .map_err(|e| FulfilError::new(e.to_string()))?;
///         Ok(())
///     }
/// }
///
/// # async fn demo(store: SeaOrmStore) {
/// let fulfiller: Arc<dyn OrderFulfiller> = Arc::new(store.fulfil_in_transaction(Shop));
/// # let _ = fulfiller;
/// # }
/// ```
#[async_trait]
pub trait TransactionalFulfiller: Send + Sync + 'static {
    /// What `order` costs, or why it cannot be paid (as
    /// [`OrderFulfiller::quote`]).
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError>;

    /// Delivers the order of a verified, accepted payment, writing through
    /// `txn`. Do not commit or roll back `txn`: the store does. Write through
    /// `txn` only: on SQLite the store's other writes (its `PaymentStore`
    /// methods) wait for this transaction to end, so one made from here
    /// would wait for the busy timeout and fail.
    async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        payment: &Payment,
        attempt: u32,
    ) -> Result<(), FulfilError>;

    /// As [`OrderFulfiller::payment_failed`]. Does nothing by default.
    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        let _ = payment;
        Ok(())
    }

    /// As [`OrderFulfiller::payment_needs_refund`]. Does nothing by default.
    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        let _ = (payment, reason);
        Ok(())
    }
}

/// A [`TransactionalFulfiller`] made an [`OrderFulfiller`]: see
/// [`SeaOrmStore::fulfil_in_transaction`].
pub struct InTransaction<F> {
    store: SeaOrmStore,
    fulfiller: F,
    #[cfg(feature = "testing")]
    faults: Arc<std::sync::Mutex<Vec<TransactionStep>>>,
}

impl<F> std::fmt::Debug for InTransaction<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InTransaction")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The steps of a transactional fulfilment, in order; with the `testing`
/// feature, `InTransaction::fail_at` makes one fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStep {
    /// Opening the transaction.
    Begin,
    /// Right after the merchant's writes (before the delivery mark).
    AfterWrites,
    /// Right after the delivery mark (before the commit).
    AfterMark,
    /// The commit itself: the transaction is dropped instead (rolled back).
    Commit,
    /// After a successful commit, whose answer is lost: an error is returned
    /// although everything committed.
    AnswerLost,
}

impl SeaOrmStore {
    /// The transactional fulfilment: an [`OrderFulfiller`] whose `fulfil`
    /// runs `fulfiller`'s writes and the engine's delivery mark in one
    /// transaction of this store's database (see [`TransactionalFulfiller`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_core::*;
    /// use cinetpay_store::{SeaOrmStore, TransactionalFulfiller};
    /// use sea_orm::DatabaseTransaction;
    /// struct Shop;
    /// #[async_trait]
    /// impl TransactionalFulfiller for Shop {
    ///     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
    ///     async fn fulfil(&self, _: &DatabaseTransaction, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
    /// }
    /// let store = SeaOrmStore::connect("sqlite::memory:").await?;
    /// let fulfiller = store.fulfil_in_transaction(Shop);
    /// assert!(fulfiller.records_delivery());
    /// # Ok(()) }
    /// ```
    pub fn fulfil_in_transaction<F: TransactionalFulfiller>(
        &self,
        fulfiller: F,
    ) -> InTransaction<F> {
        InTransaction {
            store: self.clone(),
            fulfiller,
            #[cfg(feature = "testing")]
            faults: Arc::default(),
        }
    }
}

impl<F> InTransaction<F> {
    /// The merchant's fulfiller.
    pub fn inner(&self) -> &F {
        &self.fulfiller
    }
}

#[cfg(feature = "testing")]
impl<F> InTransaction<F> {
    /// Makes the next fulfilment fail at `step` (faults queue up, one per
    /// fulfilment): for tests that prove the writes and the mark commit
    /// together or not at all.
    pub fn fail_at(&self, step: TransactionStep) {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(step);
    }

    fn fault(&self) -> Option<TransactionStep> {
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (!faults.is_empty()).then(|| faults.remove(0))
    }
}

/// The fault planned for this fulfilment, if any.
struct Plan(Option<TransactionStep>);

impl Plan {
    fn at(&self, step: TransactionStep) -> Result<(), FulfilError> {
        if self.0 == Some(step) {
            Err(FulfilError::new(format!("planned fault at {step:?}")))
        } else {
            Ok(())
        }
    }
}

fn db_error(what: &str, e: sea_orm::DbErr) -> FulfilError {
    FulfilError::new(format!("{what}: {e}"))
}

#[async_trait]
impl<F: TransactionalFulfiller> OrderFulfiller for InTransaction<F> {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        self.fulfiller.quote(order).await
    }

    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
        self.deliver(payment, attempt, None).await
    }

    /// The delivery-log line joins the delivery's transaction: one commit
    /// for the shop's writes, the mark and the line.
    async fn fulfil_recording(
        &self,
        payment: &Payment,
        attempt: u32,
        line: &DeliveryRecord,
    ) -> Result<bool, FulfilError> {
        self.deliver(payment, attempt, Some(line))
            .await
            .map(|()| true)
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        self.fulfiller.payment_failed(payment).await
    }

    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        self.fulfiller.payment_needs_refund(payment, reason).await
    }

    fn records_delivery(&self) -> bool {
        true
    }

    /// The change to `accepted`, its claim, the merchant's writes, the
    /// delivery mark and the delivery-log line in one transaction: one
    /// commit for a first delivery. Declines, writing nothing, when the
    /// change does not apply (a concurrent change, the order already paid by
    /// another payment) or the delivery cannot be claimed: the engine's
    /// usual steps then tell which.
    async fn accept_and_fulfil(
        &self,
        first: &FirstDelivery<'_>,
    ) -> Result<FirstDelivered, FulfilError> {
        #[cfg(feature = "testing")]
        let plan = Plan(self.fault());
        #[cfg(not(feature = "testing"))]
        let plan = Plan(None);
        // Built before the transaction begins: on SQLite it holds the write
        // lock from its first statement to its commit.
        let Some(statement) = self
            .store
            .accept_and_mark_stmt(first.transaction_id, first.change, first.claim, first.line)
            .map_err(|e| FulfilError::new(e.to_string()))?
        else {
            return Ok(FirstDelivered::Declined);
        };
        plan.at(TransactionStep::Begin)?;
        let (_turn, txn) = self.begin_delivery().await?;
        // From here on, every early return drops `txn`: a rollback.
        // The change, the claim and the delivery mark: one statement (on
        // PostgreSQL and SQLite, with the line of the first attempt in the
        // same round trip).
        let claimed = self
            .store
            .accept_and_mark_in(&txn, statement)
            .await
            .map_err(|e| FulfilError::new(e.to_string()))?;
        let Some((claim, line_written)) = claimed else {
            return Ok(FirstDelivered::Declined);
        };
        // Marked by that statement already: the merchant's writes and the
        // line, unless it is written already.
        let line = (!line_written).then(|| (first.line)(claim.attempt));
        self.write_and_commit(
            txn,
            &claim.payment,
            None,
            claim.attempt,
            line.as_ref(),
            &plan,
        )
        .await?;
        tracing::debug!(transaction_id = %first.transaction_id, attempt = claim.attempt, "accepted and delivered in one commit with the merchant's writes");
        Ok(FirstDelivered::Delivered(Box::new(claim)))
    }
}

impl<F: TransactionalFulfiller> InTransaction<F> {
    /// The delivery's transaction, begun once this write's turn has come
    /// (SQLite: the transaction writes from its first statement, so it waits
    /// for its turn among the store's writes and holds it until it ends).
    async fn begin_delivery(&self) -> Result<(Turn<'_>, DatabaseTransaction), FulfilError> {
        const ACTION: &str = "opening the delivery's transaction";
        let turn = self
            .store
            .write_turn(ACTION)
            .await
            .map_err(|e| FulfilError::new(e.to_string()))?;
        let txn = self
            .store
            .connection()
            .begin()
            .await
            .map_err(|e| db_error(ACTION, e))?;
        Ok((turn, txn))
    }

    /// A delivery of a payment this instance holds the claim of: the
    /// merchant's writes, the mark and `line` (if any) in one transaction.
    async fn deliver(
        &self,
        payment: &Payment,
        attempt: u32,
        line: Option<&DeliveryRecord>,
    ) -> Result<(), FulfilError> {
        #[cfg(feature = "testing")]
        let plan = Plan(self.fault());
        #[cfg(not(feature = "testing"))]
        let plan = Plan(None);
        let owner = payment
            .fulfilment
            .claim_owner
            .as_deref()
            .ok_or_else(|| FulfilError::new("fulfil called without a claim"))?;
        plan.at(TransactionStep::Begin)?;
        let (_turn, txn) = self.begin_delivery().await?;
        self.write_and_commit(txn, payment, Some(owner), attempt, line, &plan)
            .await?;
        tracing::debug!(transaction_id = %payment.transaction_id, attempt, "delivery committed with the merchant's writes");
        Ok(())
    }

    /// The merchant's writes, the mark fenced by `owner` (none when the
    /// transaction's first statement made it), `line`, then the commit, in
    /// `txn` (every early return drops it: a rollback).
    async fn write_and_commit(
        &self,
        txn: DatabaseTransaction,
        payment: &Payment,
        owner: Option<&str>,
        attempt: u32,
        line: Option<&DeliveryRecord>,
        plan: &Plan,
    ) -> Result<(), FulfilError> {
        self.fulfiller.fulfil(&txn, payment, attempt).await?;
        plan.at(TransactionStep::AfterWrites)?;
        if let Some(owner) = owner {
            let marked = self
                .store
                .mark_fulfilled_in(&txn, payment, owner)
                .await
                .map_err(|e| db_error("marking the delivery", e))?;
            if !marked {
                return Err(FulfilError::new(
                    "this instance no longer holds the payment's claim: nothing was committed",
                ));
            }
        }
        if let Some(line) = line {
            self.store
                .insert_lines(&txn, std::slice::from_ref(line))
                .await
                .map_err(|e| FulfilError::new(e.to_string()))?;
        }
        plan.at(TransactionStep::AfterMark)?;
        plan.at(TransactionStep::Commit)?;
        txn.commit()
            .await
            .map_err(|e| db_error("committing the delivery", e))?;
        plan.at(TransactionStep::AnswerLost)?;
        Ok(())
    }
}

/// Shared ownership of a transactional fulfiller, so that one shop value can
/// be both the engine's fulfiller and the app's state.
#[async_trait]
impl<T: TransactionalFulfiller + ?Sized> TransactionalFulfiller for Arc<T> {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        (**self).quote(order).await
    }

    async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        payment: &Payment,
        attempt: u32,
    ) -> Result<(), FulfilError> {
        (**self).fulfil(txn, payment, attempt).await
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        (**self).payment_failed(payment).await
    }

    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        (**self).payment_needs_refund(payment, reason).await
    }
}
