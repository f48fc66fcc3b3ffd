//! The public conformance suite of `cinetpay-core` on every database: SQLite
//! in memory and in a file, PostgreSQL and MySQL/MariaDB.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cinetpay_core::PaymentStore;
use cinetpay_core::testing::run_conformance;
use cinetpay_store::SeaOrmStore;
use common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
use sea_orm::DbBackend;

async fn migrated(store: SeaOrmStore) -> Arc<dyn PaymentStore> {
    store.migrate().await.expect("migrate");
    Arc::new(store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_sqlite_in_memory() {
    let started = Instant::now();
    // A new in-memory database per case.
    let report = run_conformance(|| async {
        migrated(
            SeaOrmStore::connect("sqlite::memory:")
                .await
                .expect("connect"),
        )
        .await
    })
    .await;
    eprintln!(
        "sqlite memory: {} cases in {:?}",
        report.cases_run(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_sqlite_file() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("store.db").display()
    );
    let case = AtomicUsize::new(0);
    // One file (and one pool per case); a new table prefix per case.
    let report = run_conformance(|| {
        let prefix = format!("c{}_", case.fetch_add(1, Ordering::Relaxed));
        let url = url.clone();
        async move {
            let store = SeaOrmStore::builder()
                .table_prefix(prefix)
                .connect(&url)
                .await
                .expect("connect");
            migrated(store).await
        }
    })
    .await;
    eprintln!(
        "sqlite file: {} cases in {:?}",
        report.cases_run(),
        started.elapsed()
    );
}

async fn conformance_on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let started = Instant::now();
    let admin = admin(&url).await;
    let place = Place::new(backend, "conf");
    // One pool for the whole suite; a new table prefix per case.
    let db = SeaOrmStore::builder()
        .max_connections(8)
        .connect(&url)
        .await
        .expect("connect")
        .connection()
        .clone();
    let case = AtomicUsize::new(0);
    let report = run_conformance(|| {
        let prefix = format!("{}c{}_", place.prefix, case.fetch_add(1, Ordering::Relaxed));
        let builder = place.builder(&prefix);
        let db = db.clone();
        async move { migrated(builder.build(db).expect("build")).await }
    })
    .await;
    place.drop_all(&admin).await;
    eprintln!(
        "{test}: {} cases in {:?}",
        report.cases_run(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_postgres() {
    conformance_on_server(POSTGRES_VAR, "conformance_on_postgres", DbBackend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_mysql() {
    conformance_on_server(MYSQL_VAR, "conformance_on_mysql", DbBackend::MySql).await;
}
