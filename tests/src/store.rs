//! The payment stores a shop can run on, and the database each case gets.
//!
//! PostgreSQL and MySQL/MariaDB come from `CINETPAY_TEST_POSTGRES_URL` and
//! `CINETPAY_TEST_MYSQL_URL`. Without the variable a case prints one line
//! saying it was skipped and how to enable it, and passes; with `CI=true` it
//! fails instead, so that CI always proves every database. A variable that
//! is set but names a server that cannot be reached always fails.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tempfile::TempDir;

use crate::shop::StoreChoice;

/// The environment variable naming the PostgreSQL test database.
pub const POSTGRES_VAR: &str = "CINETPAY_TEST_POSTGRES_URL";
/// The environment variable naming the MySQL/MariaDB test database.
pub const MYSQL_VAR: &str = "CINETPAY_TEST_MYSQL_URL";

/// A payment store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// `cinetpay_core::MemoryStore`; the shop's orders in a temporary SQLite file.
    Memory,
    /// `cinetpay_store::SeaOrmStore` on a temporary SQLite file.
    Sqlite,
    /// `SeaOrmStore` on PostgreSQL (`CINETPAY_TEST_POSTGRES_URL`), tables of its own prefix.
    Postgres,
    /// `SeaOrmStore` on MySQL/MariaDB (`CINETPAY_TEST_MYSQL_URL`), tables of its own prefix.
    Mysql,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Memory => "memory",
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
            StoreKind::Mysql => "mysql",
        })
    }
}

/// The database of one case: where the shop keeps its orders and payments.
/// Dropping it removes what the case created (the temporary directory, or
/// the payment tables of its prefix on a server).
#[derive(Debug)]
pub struct CaseDatabase {
    /// The shop's `DATABASE_URL`.
    pub url: String,
    /// The payment store the shop uses.
    pub choice: StoreChoice,
    /// The table prefix on a server database (the shop's own `shop_orders`
    /// and `shop_deliveries` are shared: order references are random).
    pub prefix: Option<String>,
    _dir: Option<TempDir>,
}

impl CaseDatabase {
    /// The database for `case` on `kind`, or `None` when the case is skipped
    /// (see [`server_url`]).
    ///
    /// # Panics
    /// When a temporary directory cannot be made, or a server database is
    /// configured but unreachable.
    pub async fn prepare(kind: StoreKind, case: &str) -> Option<Self> {
        let sqlite = |choice: StoreChoice| {
            let dir = tempfile::Builder::new()
                .prefix("cinetpay-e2e-")
                .tempdir()
                .expect("cannot make a temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
            CaseDatabase {
                url,
                choice,
                prefix: None,
                _dir: Some(dir),
            }
        };
        match kind {
            StoreKind::Memory => Some(sqlite(StoreChoice::Memory)),
            StoreKind::Sqlite => Some(sqlite(StoreChoice::Database { table_prefix: None })),
            StoreKind::Postgres | StoreKind::Mysql => {
                let url = server_url(kind, case)?;
                reachable(&url, kind).await;
                let prefix = unique_prefix();
                Some(CaseDatabase {
                    url,
                    choice: StoreChoice::Database {
                        table_prefix: Some(prefix.clone()),
                    },
                    prefix: Some(prefix),
                    _dir: None,
                })
            }
        }
    }
}

/// The one rule for server databases: the URL from the environment; else,
/// under `CI=true`, a failure; else one line on stderr saying that `case`
/// was skipped and how to enable it, and `None`.
///
/// # Panics
/// Under `CI=true` when the variable is missing.
pub fn server_url(kind: StoreKind, case: &str) -> Option<String> {
    let (var, example) = match kind {
        StoreKind::Postgres => (POSTGRES_VAR, "postgres://postgres@127.0.0.1:5432/test"),
        StoreKind::Mysql => (MYSQL_VAR, "mysql://root@127.0.0.1:3306/test"),
        StoreKind::Memory | StoreKind::Sqlite => return None,
    };
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{case}: {var} is not set and CI=true: CI must run every database (e.g. {var}={example})"
        ),
        _ => {
            eprintln!("skipped {case}: set {var} (e.g. {var}={example}) to run it");
            None
        }
    }
}

/// Fails the case unless the server answers: a configured database that is
/// down is an error, never a skip.
async fn reachable(url: &str, kind: StoreKind) {
    let attempt = tokio::time::timeout(Duration::from_secs(10), Database::connect(url)).await;
    match attempt {
        Ok(Ok(db)) => {
            let _ = db.close().await;
        }
        Ok(Err(e)) => panic!("the {kind} test database is configured but unreachable: {e}"),
        Err(_) => panic!("the {kind} test database is configured but did not answer within 10 s"),
    }
}

/// `e2e{pid}_{n}_{random}_`: at most 26 characters, letters, digits and `_`.
fn unique_prefix() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "e2e{}_{n}_{:06x}_",
        std::process::id() % 100_000,
        rand::random::<u32>() & 0xff_ffff
    )
}

impl Drop for CaseDatabase {
    fn drop(&mut self) {
        let Some(prefix) = self.prefix.clone() else {
            return;
        };
        let url = self.url.clone();
        // Drop cannot await, and may run on a runtime thread: clean up on a
        // thread of its own with a small runtime, and wait for it.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(rt) => rt.block_on(async {
                    let drop =
                        tokio::time::timeout(Duration::from_secs(20), drop_tables(&url, &prefix));
                    if drop.await.is_err() {
                        eprintln!("clean-up of tables {prefix}* timed out");
                    }
                }),
                Err(e) => eprintln!("clean-up of tables {prefix}*: no runtime: {e}"),
            }
        });
        let _ = cleanup.join();
    }
}

/// Drops every table whose name starts with `prefix` (this case's only).
async fn drop_tables(url: &str, prefix: &str) {
    let db = match Database::connect(url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("clean-up of tables {prefix}*: {e}");
            return;
        }
    };
    let backend = db.get_database_backend();
    let like = format!("{}%", prefix.replace('_', "\\_"));
    let (list, quote) = match backend {
        DbBackend::Postgres => (
            "SELECT table_name::text AS t FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name LIKE $1",
            '"',
        ),
        _ => {
            let _ = db
                .execute_unprepared("SET SESSION lock_wait_timeout = 10")
                .await;
            (
                "SELECT table_name AS t FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name LIKE ?",
                '`',
            )
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, list, [like.into()]))
        .await
        .unwrap_or_default();
    for row in rows {
        if let Ok(table) = row.try_get::<String>("", "t") {
            let sql = format!("DROP TABLE IF EXISTS {quote}{table}{quote}");
            if let Err(e) = db.execute_unprepared(&sql).await {
                eprintln!("clean-up of table {table} failed: {e}");
            }
        }
    }
    let _ = db.close().await;
}
