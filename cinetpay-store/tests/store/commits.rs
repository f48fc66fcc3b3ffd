//! Durable commits of the combined steps of a first notification (issue 15),
//! counted by each database itself: `accept_and_claim` is one commit,
//! `complete_and_record` is one commit, where their two steps are two each
//! (measured too, so that a counter that cannot see commits fails).
//!
//! What counts, and why it is reliable:
//!
//! * SQLite: `sqlite3_commit_hook` on the store's only connection. SQLite
//!   calls it for every write transaction that commits (an autocommit
//!   statement or a `COMMIT`), never for a read: exact, and nobody else's.
//! * PostgreSQL: transaction ids assigned (`pg_current_snapshot()`'s xmax,
//!   read on another connection, which assigns none). PostgreSQL gives an id
//!   to a transaction when it first writes, and only a transaction with one
//!   writes a commit record (read-only ones skip the WAL flush), so ids
//!   assigned = durable commits. `xact_commit` of `pg_stat_database` would
//!   count reads too, and is flushed to the view only now and then.
//! * MySQL/MariaDB: InnoDB's `trx_rw_commits` monitor counter (enabled here
//!   with `SET GLOBAL innodb_monitor_enable`, harmless), read-write commits
//!   only. `Handler_commit` counts reads and statements, not commits.
//!
//! The PostgreSQL and InnoDB counters are server-wide: another client (or
//! InnoDB's background statistics) can only add to them, so each step is
//! measured several times and the least count must be the expected one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cinetpay_core::{
    Claim, Completion, DeliveryRecord, DeliverySource, PaymentStatus, PaymentStore, Transition,
};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};

/// Most measurements per step on a server (the least one counts; they stop
/// once every step is at its expected count, which no measurement can go
/// below). Other tests of this binary write on the same servers meanwhile.
const TRIES: usize = 100;

/// The expected commits: `[accept_and_claim, complete_and_record,
/// transition + claim_fulfilment, complete_fulfilment + record_deliveries]`.
const EXPECTED: [u64; 4] = [1, 1, 2, 2];

/// Where the commits are counted.
enum Counter {
    Sqlite(Arc<AtomicU64>),
    Server(DatabaseConnection),
}

impl Counter {
    async fn read(&self) -> u64 {
        let db = match self {
            Counter::Sqlite(commits) => return commits.load(Ordering::SeqCst),
            Counter::Server(db) => db,
        };
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => {
                "SELECT CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS text) AS BIGINT) AS n"
            }
            _ => {
                "SELECT CAST(`COUNT` AS SIGNED) AS n FROM information_schema.INNODB_METRICS \
                 WHERE NAME = 'trx_rw_commits'"
            }
        };
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("reading the commit counter")
            .expect("a counter row");
        let n: i64 = row.try_get("", "n").expect("the counter");
        u64::try_from(n).expect("a count")
    }
}

/// The commits of each step (in the order of [`EXPECTED`]), the least over
/// at most `tries` fresh payments.
async fn commits_per_step(store: &SeaOrmStore, counter: &Counter, tries: usize) -> [u64; 4] {
    let mut least = [u64::MAX; 4];
    for i in 0..tries {
        for combined in [true, false] {
            let new = new_payment(&order_ref(&format!("commits-{i}-{combined}")), 1500, at(0));
            let id = &new.transaction_id;
            store.insert_payment(&new).await.expect("insert");
            let change = accepted_change(&new, PaymentStatus::Pending, at(1_000));
            let claim = Claim {
                transaction_id: id,
                owner: "owner-commits",
                now: at(1_000),
                lease: Duration::from_secs(60),
            };
            let done = Completion {
                transaction_id: id,
                owner: "owner-commits",
                now: at(2_000),
            };
            let line =
                DeliveryRecord::new(id.as_str(), DeliverySource::Notify, "fulfilled", at(2_000));

            let before = counter.read().await;
            let claimed = if combined {
                let (outcome, claimed) = store
                    .accept_and_claim(id, &change, &claim)
                    .await
                    .expect("accept_and_claim");
                assert_eq!(outcome, Transition::Applied);
                claimed
            } else {
                let outcome = store.transition(id, &change).await.expect("transition");
                assert_eq!(outcome, Transition::Applied);
                store.claim_fulfilment(&claim).await.expect("claim")
            };
            let accepted = counter.read().await;
            assert_eq!(claimed.expect("a claim").attempt, 1);
            let completed = if combined {
                store
                    .complete_and_record(&done, &line)
                    .await
                    .expect("complete_and_record")
            } else {
                let completed = store.complete_fulfilment(&done).await.expect("complete");
                store
                    .record_deliveries(std::slice::from_ref(&line))
                    .await
                    .expect("record");
                completed
            };
            let recorded = counter.read().await;
            assert!(completed, "the completion applies");
            let stored = store.find_payment(id).await.expect("find").expect("stored");
            assert!(stored.fulfilment.fulfilled_at.is_some());
            let base = if combined { 0 } else { 2 };
            least[base] = least[base].min(accepted - before);
            least[base + 1] = least[base + 1].min(recorded - accepted);
        }
        if least == EXPECTED {
            break;
        }
        // Give a burst of other clients' writes time to pass.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    least
}

fn check(what: &str, least: [u64; 4]) {
    eprintln!(
        "{what}: commits accept_and_claim {}, complete_and_record {}, \
         transition+claim {}, complete+record {}",
        least[0], least[1], least[2], least[3]
    );
    assert_eq!(
        least, EXPECTED,
        "{what}: [accept_and_claim, complete_and_record, transition + claim_fulfilment, \
         complete_fulfilment + record_deliveries] commits"
    );
}

#[tokio::test]
async fn one_commit_per_combined_step_on_sqlite() {
    // One connection, so that the hook sees every statement of the store.
    let store = SeaOrmStore::builder()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let commits = Arc::new(AtomicU64::new(0));
    {
        let pool = store.connection().get_sqlite_connection_pool();
        let mut conn = pool.acquire().await.expect("the store's connection");
        let mut handle = conn.lock_handle().await.expect("its handle");
        let counted = Arc::clone(&commits);
        handle.set_commit_hook(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            true
        });
    }
    let least = commits_per_step(&store, &Counter::Sqlite(commits), 1).await;
    check("sqlite", least);
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let admin = admin(&url).await;
    if backend == DbBackend::MySql {
        let enabled = admin
            .execute_unprepared("SET GLOBAL innodb_monitor_enable = 'trx_rw_commits'")
            .await;
        if let Err(e) = enabled {
            eprintln!("skipped {test}: cannot enable InnoDB's trx_rw_commits counter: {e}");
            return;
        }
    }
    let place = Place::new(backend, "commits");
    let store = place
        .builder(&place.prefix)
        .max_connections(2)
        .connect(&url)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let least = commits_per_step(&store, &Counter::Server(admin.clone()), TRIES).await;
    place.drop_all(&admin).await;
    check(test, least);
}

#[tokio::test]
async fn one_commit_per_combined_step_on_postgres() {
    on_server(
        POSTGRES_VAR,
        "commits::one_commit_per_combined_step_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn one_commit_per_combined_step_on_mysql() {
    on_server(
        MYSQL_VAR,
        "commits::one_commit_per_combined_step_on_mysql",
        DbBackend::MySql,
    )
    .await;
}

/// A shop that records each delivery as a row of its own table.
pub(super) struct RowShop;

#[cinetpay_core::async_trait]
impl cinetpay_store::TransactionalFulfiller for RowShop {
    async fn quote(
        &self,
        _: &cinetpay_core::OrderRef,
    ) -> Result<cinetpay_core::OrderQuote, cinetpay_core::QuoteError> {
        Ok(quote())
    }

    async fn fulfil(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        payment: &cinetpay_core::Payment,
        _: u32,
    ) -> Result<(), cinetpay_core::FulfilError> {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO shop_rows (order_ref) VALUES (?)",
            [payment.order_ref.as_str().into()],
        ))
        .await
        .map_err(|e| cinetpay_core::FulfilError::new(e.to_string()))?;
        Ok(())
    }
}

/// A shop whose delivery writes nothing the store sees.
struct PlainShop;

#[cinetpay_core::async_trait]
impl cinetpay_core::OrderFulfiller for PlainShop {
    async fn quote(
        &self,
        _: &cinetpay_core::OrderRef,
    ) -> Result<cinetpay_core::OrderQuote, cinetpay_core::QuoteError> {
        Ok(quote())
    }

    async fn fulfil(
        &self,
        _: &cinetpay_core::Payment,
        _: u32,
    ) -> Result<(), cinetpay_core::FulfilError> {
        Ok(())
    }
}

fn quote() -> cinetpay_core::OrderQuote {
    use cinetpay_core::{Amount, Currency, Description, Money};
    cinetpay_core::OrderQuote::new(
        Money::new(Amount::new(1000).expect("an amount"), Currency::Xof),
        Description::new("Commande").expect("a description"),
    )
}

/// A store on one in-memory SQLite connection whose commit hook counts
/// into the returned counter, with the shops' `shop_rows` table.
pub(super) async fn counted_sqlite_store() -> (SeaOrmStore, Arc<AtomicU64>) {
    let store = SeaOrmStore::builder()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store
        .connection()
        .execute_unprepared("CREATE TABLE shop_rows (order_ref VARCHAR(64) NOT NULL)")
        .await
        .expect("the shop's table");
    let commits = Arc::new(AtomicU64::new(0));
    {
        let pool = store.connection().get_sqlite_connection_pool();
        let mut conn = pool.acquire().await.expect("the store's connection");
        let mut handle = conn.lock_handle().await.expect("its handle");
        let counted = Arc::clone(&commits);
        handle.set_commit_hook(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            true
        });
    }
    (store, commits)
}

/// The number of rows in `shop_rows`.
pub(super) async fn shop_rows(store: &SeaOrmStore) -> i64 {
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM shop_rows",
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// Commits of a first notification, of a duplicate on the answer's path,
/// and behind it (none: a duplicate writes no line), through the whole engine on
/// one SQLite connection whose commit hook counts.
async fn engine_commits(transactional: bool) -> [u64; 4] {
    use cinetpay_core::clock::SystemClock;
    use cinetpay_core::engine::FulfilmentOutcome;

    use super::engine::{engine, paid, quiet_sandbox, settings};

    let (store, commits) = counted_sqlite_store().await;
    let in_transaction = Arc::new(store.fulfil_in_transaction(RowShop));
    let fulfiller: Arc<dyn cinetpay_core::OrderFulfiller> = if transactional {
        in_transaction.clone()
    } else {
        Arc::new(PlainShop)
    };
    let sandbox = quiet_sandbox().await;
    let checkout = engine(
        settings(&sandbox, |s| {
            s.fulfil_retry_base_ms = 10;
            s.fulfil_retry_max_ms = 10;
        }),
        Arc::new(store.clone()),
        fulfiller,
        Arc::new(SystemClock),
    );
    let id = paid(&checkout, &sandbox, "ord-commits").await;
    checkout.flush_delivery_log().await;

    let before = commits.load(Ordering::SeqCst);
    let first = checkout
        .sync(&id, DeliverySource::Notify)
        .await
        .expect("first");
    let after_first = commits.load(Ordering::SeqCst);
    assert_eq!(
        first.fulfilment,
        FulfilmentOutcome::Fulfilled { attempt: 1 }
    );
    let duplicate = checkout
        .sync(&id, DeliverySource::Notify)
        .await
        .expect("duplicate");
    let after_duplicate = commits.load(Ordering::SeqCst);
    assert_eq!(duplicate.fulfilment, FulfilmentOutcome::AlreadyFulfilled);
    checkout.flush_delivery_log().await;
    let after_flush = commits.load(Ordering::SeqCst);

    // Everything the counts claim is there: the shop's row once, the
    // payment delivered, one line (the delivery; the duplicate is counted).
    if transactional {
        assert_eq!(shop_rows(&store).await, 1);
    }
    let stored = store
        .find_payment(&id)
        .await
        .expect("find")
        .expect("stored");
    assert_eq!(stored.status, PaymentStatus::Accepted);
    assert!(stored.is_fulfilled());
    let lines = cinetpay_core::PaymentQueries::deliveries(&store, id.as_str(), 10)
        .await
        .expect("the delivery log");
    assert_eq!(
        lines.len(),
        1,
        "the duplicate is counted, not logged: {lines:?}"
    );
    assert!(
        lines[0].outcome.contains("fulfilled (attempt 1)"),
        "{lines:?}"
    );
    // A retried delivery (its first attempt failed): its claim, then the
    // shop's writes, the mark and the retry's line in one commit with the
    // transactional fulfilment.
    let mut retry_commits = 0;
    if transactional {
        let retried = paid(&checkout, &sandbox, "ord-commits-retry").await;
        in_transaction.fail_at(cinetpay_store::TransactionStep::AfterWrites);
        let failed = checkout
            .sync(&retried, DeliverySource::Notify)
            .await
            .expect("first attempt");
        assert!(
            matches!(failed.fulfilment, FulfilmentOutcome::Failed { .. }),
            "{failed:?}"
        );
        checkout.flush_delivery_log().await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        let before_retry = commits.load(Ordering::SeqCst);
        let retry = checkout
            .sync(&retried, DeliverySource::Reconcile)
            .await
            .expect("retry");
        retry_commits = commits.load(Ordering::SeqCst) - before_retry;
        assert_eq!(
            retry.fulfilment,
            FulfilmentOutcome::Fulfilled { attempt: 2 }
        );
        let lines = cinetpay_core::PaymentQueries::deliveries(&store, retried.as_str(), 10)
            .await
            .expect("the delivery log");
        assert!(
            lines
                .iter()
                .any(|l| l.outcome.contains("fulfilled (attempt 2)")),
            "{lines:?}"
        );
    }
    sandbox.shutdown().await;
    [
        after_first - before,
        after_duplicate - after_first,
        after_flush - after_duplicate,
        retry_commits,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_per_notification_through_the_engine_on_sqlite() {
    let transactional = engine_commits(true).await;
    let plain = engine_commits(false).await;
    eprintln!(
        "engine on sqlite: first notification {} commit(s) transactional, {} plain; \
         duplicate {} on the answer's path, {} written behind; retried delivery {}",
        transactional[0], plain[0], transactional[1], transactional[2], transactional[3]
    );
    // The transactional fulfilment: status, claim, the shop's row, the mark
    // and the line in one commit.
    // A retried delivery: its claim, then the shop's row, the mark and the
    // line in one commit.
    assert_eq!(
        transactional,
        [1, 0, 0, 2],
        "transactional [first, duplicate, behind, retried delivery]"
    );
    // A plain fulfiller: accept_and_claim, then the completion with the line.
    assert_eq!(plain[..3], [2, 0, 0], "plain [first, duplicate, behind]");
}
