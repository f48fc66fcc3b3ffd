//! Shared set-up of the integration tests: which databases to run on, and a
//! fresh, isolated set of tables for each test or case.
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};

use cinetpay_core::{NewPayment, Payment, PaymentStore, TransactionId};
use cinetpay_store::SeaOrmStore;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};

/// The environment variable that names the PostgreSQL test database.
pub const POSTGRES_VAR: &str = "CINETPAY_TEST_POSTGRES_URL";
/// The environment variable that names the MySQL/MariaDB test database.
pub const MYSQL_VAR: &str = "CINETPAY_TEST_MYSQL_URL";

/// The URL in `var`, or `None` after one line saying the test was skipped.
/// Under `CI=true` a missing variable fails the test instead: CI must prove
/// every database.
pub fn server_url(var: &str, test: &str) -> Option<String> {
    let example = if var == POSTGRES_VAR {
        "postgres://postgres@127.0.0.1:5432/test"
    } else {
        "mysql://root@127.0.0.1:3306/test"
    };
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{test}: {var} is not set and CI=true; CI must run every database (e.g. {var}={example})"
            )
        }
        _ => {
            eprintln!("skipped {test}: set {var} (e.g. {var}={example}) to run it");
            None
        }
    }
}

/// A name nobody else uses: `{tag}_{pid}_{n}_{random}`, lower case.
pub fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{tag}{}_{n}_{:06x}",
        std::process::id() % 100_000,
        rand::random::<u32>() & 0xff_ffff
    )
}

/// A connection to a server database for set-up and clean-up.
pub async fn admin(url: &str) -> DatabaseConnection {
    let mut options = sea_orm::ConnectOptions::new(url);
    options
        .connect_timeout(std::time::Duration::from_secs(5))
        .acquire_timeout(std::time::Duration::from_secs(5))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test database: {e}"))
}

/// Where one test's tables live on a server database, dropped by [`Place::drop_all`].
#[derive(Debug, Clone)]
pub struct Place {
    /// PostgreSQL: a schema of this test's own.
    pub schema: Option<String>,
    /// MySQL: a table prefix of this test's own (every case adds to it).
    pub prefix: String,
}

impl Place {
    /// A fresh place on the backend of `url`.
    pub fn new(backend: DbBackend, tag: &str) -> Self {
        match backend {
            DbBackend::Postgres => Place {
                schema: Some(unique_name(&format!("t_{tag}_"))),
                prefix: "cinetpay_".to_owned(),
            },
            _ => Place {
                schema: None,
                prefix: format!("{}_", unique_name(&format!("t{tag}"))),
            },
        }
    }

    /// A builder with this place's schema and `prefix` (which must start with
    /// the place's prefix on MySQL so that clean-up finds it).
    pub fn builder(&self, prefix: &str) -> cinetpay_store::StoreBuilder {
        let builder = SeaOrmStore::builder().table_prefix(prefix);
        match &self.schema {
            Some(schema) => builder.schema(schema.clone()),
            None => builder,
        }
    }

    /// Drops everything this test created.
    pub async fn drop_all(&self, db: &DatabaseConnection) {
        match &self.schema {
            Some(schema) => {
                let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                if let Err(e) = db.execute_unprepared(&sql).await {
                    eprintln!("clean-up of schema {schema} failed: {e}");
                }
            }
            None => {
                let like = format!("{}%", self.prefix.replace('_', "\\_"));
                let rows = db
                    .query_all_raw(sea_orm::Statement::from_sql_and_values(
                        DbBackend::MySql,
                        "SELECT table_name AS t FROM information_schema.tables \
                         WHERE table_schema = DATABASE() AND table_name LIKE ?",
                        [like.into()],
                    ))
                    .await
                    .unwrap_or_default();
                for row in rows {
                    if let Ok(table) = row.try_get::<String>("", "t") {
                        let sql = format!("DROP TABLE IF EXISTS `{table}`");
                        if let Err(e) = db.execute_unprepared(&sql).await {
                            eprintln!("clean-up of table {table} failed: {e}");
                        }
                    }
                }
            }
        }
    }
}

/// The payments table as raw SQL names it.
pub fn payments_table(store: &SeaOrmStore) -> String {
    table(store, "payments")
}

/// The store's table `base` (`payments`, `migrations`) as raw SQL names it.
pub fn table(store: &SeaOrmStore, base: &str) -> String {
    let table = format!("{}{base}", store.table_prefix());
    match (store.connection().get_database_backend(), store.schema()) {
        (DbBackend::MySql, _) => format!("`{table}`"),
        (_, Some(schema)) => format!("\"{schema}\".\"{table}\""),
        (_, None) => format!("\"{table}\""),
    }
}

/// Inserts `new` as an older version of the store wrote it: pending and
/// open, only the columns version 1 created (what every row of a database
/// migrated by an older version has), so that an upgrade finds rows it did
/// not write. The fixtures' ids, references and descriptions need no quoting.
pub async fn insert_old_row(store: &SeaOrmStore, new: &NewPayment) {
    let at = new.created_at.timestamp_micros();
    let sql = format!(
        "INSERT INTO {table} (transaction_id, order_ref, open_order_ref, amount, currency, \
         description, status, attempts, created_at, updated_at) \
         VALUES ('{id}', '{order}', '{order}', {amount}, '{currency}', '{description}', \
         'pending', 0, {at}, {at})",
        table = payments_table(store),
        id = new.transaction_id,
        order = new.order_ref,
        amount = new.amount.get(),
        currency = new.currency.as_str(),
        description = new.description.as_str(),
    );
    store
        .connection()
        .execute_unprepared(&sql)
        .await
        .unwrap_or_else(|e| panic!("a row as an older version wrote it: {e}\n{sql}"));
}

/// The stored payment `id`, which must exist.
pub async fn stored_payment(store: &SeaOrmStore, id: &TransactionId) -> Payment {
    store
        .find_payment(id)
        .await
        .unwrap_or_else(|e| panic!("reading payment {id}: {e}"))
        .unwrap_or_else(|| panic!("payment {id} is not stored"))
}
