//! The public conformance suite on every database: SQLite in memory and in a
//! file, PostgreSQL and MySQL/MariaDB. On the file and the servers each
//! instance of a backend is a store on its own connection pool (as another
//! app instance would be), so the suite's races run across pools.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cinetpay_store::{SeaOrmStore, StoreBuilder};
use cinetpay_testing::{QueryableStore, StoreBackend, async_trait, run_conformance};
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::OnceCell;

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};

/// One case's tables (a table prefix, or a PostgreSQL schema) reached through
/// several pools: each `instance()` takes the next pool.
struct Tables {
    pools: Arc<Vec<DatabaseConnection>>,
    builder: StoreBuilder,
    next: AtomicUsize,
    migrated: OnceCell<()>,
}

impl Tables {
    fn new(pools: Arc<Vec<DatabaseConnection>>, builder: StoreBuilder) -> Self {
        Tables {
            pools,
            builder,
            next: AtomicUsize::new(0),
            migrated: OnceCell::new(),
        }
    }
}

#[async_trait]
impl StoreBackend for Tables {
    async fn instance(&self) -> Arc<dyn QueryableStore> {
        let pool = &self.pools[self.next.fetch_add(1, Ordering::Relaxed) % self.pools.len()];
        let store = self.builder.clone().build(pool.clone()).expect("a store");
        self.migrated
            .get_or_init(|| async { store.migrate().await.expect("migrate") })
            .await;
        Arc::new(store)
    }
}

/// `n` pools on `url`.
async fn pools(url: &str, n: usize) -> Arc<Vec<DatabaseConnection>> {
    let mut pools = Vec::with_capacity(n);
    for _ in 0..n {
        let store = SeaOrmStore::builder()
            .max_connections(4)
            .connect(url)
            .await
            .expect("connect");
        pools.push(store.connection().clone());
    }
    Arc::new(pools)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_sqlite_in_memory() {
    let started = Instant::now();
    // A new in-memory database per case; its instances share its one connection.
    let report = run_conformance(|| async {
        let store = SeaOrmStore::connect("sqlite::memory:")
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let store: Arc<dyn QueryableStore> = Arc::new(store);
        move || Arc::clone(&store)
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
    let pools = pools(&url, 3).await;
    let case = AtomicUsize::new(0);
    // One file, three pools; a new table prefix per case.
    let report = run_conformance(|| {
        let prefix = format!("c{}_", case.fetch_add(1, Ordering::Relaxed));
        let tables = Tables::new(pools.clone(), SeaOrmStore::builder().table_prefix(prefix));
        async move { tables }
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
    let pools = pools(&url, 3).await;
    let case = AtomicUsize::new(0);
    // Three pools for the whole suite; a new table prefix per case.
    let report = run_conformance(|| {
        let prefix = format!("{}c{}_", place.prefix, case.fetch_add(1, Ordering::Relaxed));
        let tables = Tables::new(pools.clone(), place.builder(&prefix));
        async move { tables }
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
    conformance_on_server(
        POSTGRES_VAR,
        "conformance::conformance_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_mysql() {
    conformance_on_server(
        MYSQL_VAR,
        "conformance::conformance_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
