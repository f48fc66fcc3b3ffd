//! The transactional fulfilment: the shop's own row and the delivery mark
//! commit together or not at all, whatever step of the transaction fails
//! (its start, after the shop's writes, after the mark, the commit, the
//! commit's lost answer, a fulfilment cut off by its timeout), on every
//! database. After each fault the engine retries and the order ends with
//! exactly one row.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::clock::SystemClock;
use cinetpay_core::engine::FulfilmentOutcome;
use cinetpay_core::{
    Amount, Currency, DeliverySource, Description, FulfilError, Money, OrderFulfiller, OrderQuote,
    OrderRef, Payment, PaymentQueries, PaymentStatus, PaymentStore, QuoteError, async_trait,
};
use cinetpay_store::{SeaOrmStore, TransactionStep, TransactionalFulfiller};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url, unique_name};
use super::engine::{engine, paid, quiet_sandbox, settings};

/// A shop that records each delivery as a row of its own table, through the
/// store's transaction, and hangs after writing when told to.
struct Shop {
    table: String,
    hang_after_write: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl TransactionalFulfiller for Shop {
    async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Ok(OrderQuote::new(
            Money::new(Amount::new(1000).expect("an amount"), Currency::Xof),
            Description::new("Commande").expect("a description"),
        ))
    }

    async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        payment: &Payment,
        _: u32,
    ) -> Result<(), FulfilError> {
        let backend = txn.get_database_backend();
        let sql = format!(
            "INSERT INTO {} (order_ref, transaction_id) VALUES ({}, {})",
            self.table,
            placeholder(backend, 1),
            placeholder(backend, 2)
        );
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                payment.order_ref.as_str().into(),
                payment.transaction_id.as_str().into(),
            ],
        ))
        .await
        .map_err(|e| FulfilError::new(e.to_string()))?;
        if self
            .hang_after_write
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

async fn rows(store: &SeaOrmStore, table: &str, order: &str) -> i64 {
    let db = store.connection();
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE order_ref = {}",
        placeholder(backend, 1)
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [order.into()]))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

async fn every_step_fails_and_the_order_is_delivered_once(store: SeaOrmStore) {
    store.migrate().await.expect("migrate");
    let table = unique_name("shop_rows_");
    store
        .connection()
        .execute_unprepared(&format!(
            "CREATE TABLE {table} (order_ref VARCHAR(64) NOT NULL, transaction_id VARCHAR(64) NOT NULL)"
        ))
        .await
        .expect("the shop's table");
    let sandbox = quiet_sandbox().await;
    let fulfiller = Arc::new(store.fulfil_in_transaction(Shop {
        table: table.clone(),
        hang_after_write: false.into(),
    }));
    let checkout = engine(
        settings(&sandbox, |s| {
            s.fulfil_retry_base_ms = 10;
            s.fulfil_retry_max_ms = 10;
            s.fulfil_timeout_ms = 300;
            s.claim_lease_ms = 1_000;
        }),
        Arc::new(store.clone()),
        Arc::clone(&fulfiller) as Arc<dyn OrderFulfiller>,
        Arc::new(SystemClock),
    );
    // A clean first delivery: one commit, one row, and one line in the log
    // for attempt 1 (on PostgreSQL appended by the accepting statement).
    let id = paid(&checkout, &sandbox, "ord-tx-clean").await;
    let first = checkout
        .sync(&id, DeliverySource::Notify)
        .await
        .expect("sync");
    assert_eq!(
        first.fulfilment,
        FulfilmentOutcome::Fulfilled { attempt: 1 }
    );
    assert_eq!(rows(&store, &table, "ord-tx-clean").await, 1);
    let lines = store.deliveries(id.as_str(), 10).await.expect("the log");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].outcome.ends_with(", fulfilled (attempt 1)"),
        "{lines:?}"
    );
    let steps = [
        Some(TransactionStep::Begin),
        Some(TransactionStep::AfterWrites),
        Some(TransactionStep::AfterMark),
        Some(TransactionStep::Commit),
        Some(TransactionStep::AnswerLost),
        None, // cut off by its timeout after writing
    ];
    for (i, step) in steps.into_iter().enumerate() {
        let order = format!("ord-tx-{i}");
        let id = paid(&checkout, &sandbox, &order).await;
        match step {
            Some(step) => fulfiller.fail_at(step),
            None => fulfiller
                .inner()
                .hang_after_write
                .store(true, std::sync::atomic::Ordering::SeqCst),
        }
        let first = checkout.sync(&id, DeliverySource::Notify).await;
        let committed = step == Some(TransactionStep::AnswerLost);
        assert_eq!(
            rows(&store, &table, &order).await,
            i64::from(committed),
            "{step:?}: the shop's row commits with the mark or not at all"
        );
        let payment = store
            .find_payment(&id)
            .await
            .expect("read")
            .expect("payment");
        assert_eq!(payment.is_fulfilled(), committed, "{step:?}");
        let lines = store.deliveries(id.as_str(), 10).await.expect("the log");
        assert_eq!(
            lines
                .iter()
                .any(|l| l.outcome.ends_with(", fulfilled (attempt 1)")),
            committed,
            "{step:?}: the line that says delivered commits with the delivery or not at all: {lines:?}"
        );
        match first {
            // The first delivery is one commit (status, claim, the shop's
            // row, the mark, the log line): a lost commit answer is found
            // by the engine's next step, which sees the payment delivered.
            Ok(outcome) if committed => assert!(
                matches!(
                    outcome.fulfilment,
                    FulfilmentOutcome::Failed { .. } | FulfilmentOutcome::AlreadyFulfilled
                ),
                "{step:?}: {outcome:?}"
            ),
            Ok(outcome) => {
                assert!(
                    matches!(outcome.fulfilment, FulfilmentOutcome::Failed { .. }),
                    "{step:?}: {outcome:?}"
                );
                // The failed attempt is recorded with the change to
                // `accepted`: nothing of the verified status is lost.
                assert_eq!(payment.status, PaymentStatus::Accepted, "{step:?}");
                assert_eq!(payment.fulfilment.attempts, 1, "{step:?}");
                assert!(payment.fulfilment.last_error.is_some(), "{step:?}");
            }
            Err(e) => panic!("{step:?}: {e}"),
        }
        // The retry: after the backoff (and, after a timeout, the lease).
        let wait = if step.is_none() { 1_200 } else { 50 };
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let again = checkout
            .sync(&id, DeliverySource::Reconcile)
            .await
            .expect("retry");
        assert!(
            matches!(
                again.fulfilment,
                FulfilmentOutcome::Fulfilled { .. } | FulfilmentOutcome::AlreadyFulfilled
            ),
            "{step:?}: {again:?}"
        );
        assert_eq!(rows(&store, &table, &order).await, 1, "{step:?}: one row");
        let third = checkout
            .sync(&id, DeliverySource::Return)
            .await
            .expect("sync");
        assert_eq!(third.fulfilment, FulfilmentOutcome::AlreadyFulfilled);
        assert_eq!(
            rows(&store, &table, &order).await,
            1,
            "{step:?}: still one row"
        );
    }
    store
        .connection()
        .execute_unprepared(&format!("DROP TABLE {table}"))
        .await
        .expect("drop the shop's table");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactional_fulfilment_on_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("tx.db").display());
    let store = SeaOrmStore::connect(&url).await.expect("connect");
    every_step_fails_and_the_order_is_delivered_once(store).await;
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "tx");
    let prefix = place.prefix.clone();
    // The shop's table lives in the default schema; the store's in the place.
    let store = place.builder(&prefix).connect(&url).await.expect("connect");
    every_step_fails_and_the_order_is_delivered_once(store).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactional_fulfilment_on_postgres() {
    on_server(
        POSTGRES_VAR,
        "transactional::transactional_fulfilment_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactional_fulfilment_on_mysql() {
    on_server(
        MYSQL_VAR,
        "transactional::transactional_fulfilment_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
