//! Running the migrations under a database-wide lock, so that several
//! instances starting at once apply each migration exactly once.
//!
//! * PostgreSQL: one transaction holding `pg_advisory_xact_lock` (DDL is
//!   transactional there, so a failed migration leaves nothing behind);
//! * MySQL/MariaDB: `GET_LOCK` on one pinned connection, released explicitly;
//! * SQLite: a `BEGIN IMMEDIATE` transaction, which takes the database's write
//!   lock at once (others wait for it through the busy timeout).

use std::collections::HashSet;
use std::time::Duration;

use sea_orm::sea_query::{Alias, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTraitSelf;

use super::Migrator;
use crate::Error;
use crate::connect::MySqlFlavour;
use crate::tables::Tables;

/// How long an instance waits for another one's migration to finish.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// The lock's name/key: one for every cinetpay store of a database, so that
/// stores with different prefixes or schemas never run DDL side by side either.
const MYSQL_LOCK_NAME: &str = "cinetpay_store_migrate";
/// `pg_advisory_xact_lock` key: the bytes of "cinetpay" as a big-endian integer.
const PG_LOCK_KEY: i64 = 0x6369_6e65_7470_6179;

/// Creates or upgrades the store's tables.
pub(crate) async fn migrate(db: &DatabaseConnection, tables: &Tables) -> Result<(), Error> {
    migrate_steps(db, tables, None).await
}

/// Applies the first `steps` pending migrations (`None`: all of them).
pub(crate) async fn migrate_steps(
    db: &DatabaseConnection,
    tables: &Tables,
    steps: Option<u32>,
) -> Result<(), Error> {
    let migrator = Migrator {
        tables: tables.clone(),
        steps,
    };
    // The usual start-up: nothing to do, so no lock, no DDL and no log lines
    // ("relation … already exists, skipping", "No pending migrations").
    if steps.is_none() && up_to_date(db, tables, &migrator).await {
        tracing::debug!("store schema up to date");
        return Ok(());
    }
    match db.get_database_backend() {
        DbBackend::Postgres => postgres(db, tables, &migrator).await,
        DbBackend::MySql => mysql(db, &migrator).await,
        DbBackend::Sqlite => sqlite(db, &migrator).await,
        other => Err(Error::Config {
            setting: "url",
            reason: format!("unsupported database backend {other:?}"),
        }),
    }
}

/// Whether every migration is recorded in the migration table already. Any
/// error (no table yet, no permission) says no: the locked path then decides.
async fn up_to_date(db: &DatabaseConnection, tables: &Tables, migrator: &Migrator) -> bool {
    let query = Query::select()
        .column(Alias::new("version"))
        .from(tables.migrations_table())
        .to_owned();
    let Ok(rows) = db.query_all(&query).await else {
        return false;
    };
    let applied: HashSet<String> = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "version").ok())
        .collect();
    migrator
        .migrations()
        .iter()
        .all(|m| applied.contains(m.name()))
}

fn failed(step: &str, source: DbErr) -> Error {
    Error::Migration {
        reason: format!("{step}: {source}"),
        source: Some(source),
    }
}

async fn postgres(
    db: &DatabaseConnection,
    tables: &Tables,
    migrator: &Migrator,
) -> Result<(), Error> {
    let txn = db
        .begin()
        .await
        .map_err(|e| failed("starting a transaction", e))?;
    // Wait for another instance's migration up to LOCK_WAIT, whatever the
    // pool's statement timeout; then give the DDL itself as long again.
    let lock = format!(
        "SET LOCAL lock_timeout = '{wait}s'; SET LOCAL statement_timeout = '{total}s'; \
         SET LOCAL client_min_messages = warning",
        wait = LOCK_WAIT.as_secs(),
        total = 2 * LOCK_WAIT.as_secs()
    );
    txn.execute_unprepared(&lock)
        .await
        .map_err(|e| failed("setting the lock timeout", e))?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [PG_LOCK_KEY.into()],
    ))
    .await
    .map_err(|e| failed("waiting for the migration lock", e))?;
    if let Some(schema) = tables.schema() {
        // The schema name is a checked plain identifier (letters, digits, `_`).
        let sql = format!(
            "CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET LOCAL search_path TO \"{schema}\""
        );
        txn.execute_unprepared(&sql)
            .await
            .map_err(|e| failed("creating the schema", e))?;
    }
    migrator
        .up(&txn, migrator.steps)
        .await
        .map_err(|e| failed("applying migrations", e))?;
    txn.commit().await.map_err(|e| failed("committing", e))
}

async fn mysql(db: &DatabaseConnection, migrator: &Migrator) -> Result<(), Error> {
    // A transaction pins one connection: GET_LOCK belongs to that session.
    let txn = db
        .begin()
        .await
        .map_err(|e| failed("starting a session", e))?;
    // Wait for another instance's migration up to LOCK_WAIT and give the DDL
    // as long again, whatever the pool's statement timeout, as on
    // PostgreSQL; the session's own limit is put back before its connection
    // returns to the pool.
    let limit = SessionLimit::lift(&txn, 2 * LOCK_WAIT).await?;
    let migrated = mysql_locked(&txn, migrator).await;
    let restored = limit.restore(&txn).await;
    migrated?;
    restored?;
    txn.commit().await.map_err(|e| failed("committing", e))
}

async fn mysql_locked(txn: &DatabaseTransaction, migrator: &Migrator) -> Result<(), Error> {
    let got = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::MySql,
            "SELECT GET_LOCK(?, ?) AS got",
            [MYSQL_LOCK_NAME.into(), (LOCK_WAIT.as_secs() as i64).into()],
        ))
        .await
        .map_err(|e| failed("waiting for the migration lock", e))?
        .and_then(|row| row.try_get::<Option<i64>>("", "got").ok().flatten());
    if got != Some(1) {
        return Err(Error::Migration {
            reason: format!(
                "another instance held the migration lock `{MYSQL_LOCK_NAME}` for more than {}s",
                LOCK_WAIT.as_secs()
            ),
            source: None,
        });
    }
    let applied = migrator.up(txn, migrator.steps).await;
    let released = release_mysql_lock(txn).await;
    applied.map_err(|e| failed("applying migrations", e))?;
    released
}

/// A MySQL/MariaDB session's statement timeout (set by the pool), as it was
/// before [`SessionLimit::lift`].
struct SessionLimit {
    flavour: MySqlFlavour,
    saved: Duration,
}

impl SessionLimit {
    async fn lift(txn: &DatabaseTransaction, to: Duration) -> Result<Self, Error> {
        let version = text(txn, "SELECT VERSION() AS v").await?;
        let flavour = MySqlFlavour::of_version(&version);
        let variable = flavour.timeout_variable();
        let current = text(
            txn,
            &format!("SELECT CAST(@@SESSION.{variable} AS CHAR) AS v"),
        )
        .await?;
        let saved = flavour
            .parse_timeout(&current)
            .ok_or_else(|| Error::Migration {
                reason: format!("unreadable {variable}: {current:?}"),
                source: None,
            })?;
        txn.execute_unprepared(&flavour.set_timeout(to))
            .await
            .map_err(|e| failed("lifting the statement timeout", e))?;
        Ok(SessionLimit { flavour, saved })
    }

    async fn restore(self, txn: &DatabaseTransaction) -> Result<(), Error> {
        txn.execute_unprepared(&self.flavour.set_timeout(self.saved))
            .await
            .map(|_| ())
            .map_err(|e| failed("restoring the statement timeout", e))
    }
}

/// The one text column `v` of a one-row query.
async fn text(txn: &DatabaseTransaction, sql: &str) -> Result<String, Error> {
    txn.query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await
        .map_err(|e| failed("reading the session settings", e))?
        .and_then(|row| row.try_get::<String>("", "v").ok())
        .ok_or_else(|| Error::Migration {
            reason: format!("no answer to {sql}"),
            source: None,
        })
}

async fn release_mysql_lock(txn: &DatabaseTransaction) -> Result<(), Error> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::MySql,
        "SELECT RELEASE_LOCK(?)",
        [MYSQL_LOCK_NAME.into()],
    ))
    .await
    .map(|_| ())
    .map_err(|e| failed("releasing the migration lock", e))
}

async fn sqlite(db: &DatabaseConnection, migrator: &Migrator) -> Result<(), Error> {
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .map_err(|e| failed("taking the write lock", e))?;
    migrator
        .up(&txn, migrator.steps)
        .await
        .map_err(|e| failed("applying migrations", e))?;
    txn.commit().await.map_err(|e| failed("committing", e))
}
