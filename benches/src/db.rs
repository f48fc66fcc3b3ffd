//! The bench's databases: one per backend and table size, kept between runs
//! (SQLite files under `target/bench/db/`, PostgreSQL databases
//! `cinetpay_bench_1eN` on the configured server), seeded once.
//!
//! Rows the bench adds have transaction ids starting `bn-`; seeded rows start
//! `sd-`. [`BenchDb::clean`] takes every added row away again (payments, the
//! delivery log past the seed, the shop's orders and deliveries), so that each
//! part starts with exactly the seeded table.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cinetpay_store::SeaOrmStore;
use sea_orm::sea_query::{Alias, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde::Serialize;
use shop_common::orders::OrderBook;

use crate::seed;

/// Transaction ids of the payments the bench adds start with this.
pub(crate) const ADDED_PREFIX: &str = "bn-";
/// ...and on the 2026 API (upper case only), with this.
pub(crate) const ADDED_PREFIX_2026: &str = "BN-";
/// The fulfilled 2026 payments of the duplicate runs, kept while their pair
/// runs (a run's [`BenchDb::clean`] leaves them).
pub(crate) const DUPLICATES_PREFIX_2026: &str = "BD-";

/// A database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Backend {
    /// A SQLite file (WAL, `synchronous = FULL`).
    Sqlite,
    /// The PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Its name in tables.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// `1e4` for 10 000.
pub(crate) fn level_name(level: u64) -> String {
    let mut exp = 0;
    let mut n = level;
    while n >= 10 && n.is_multiple_of(10) {
        n /= 10;
        exp += 1;
    }
    if n == 1 {
        format!("1e{exp}")
    } else {
        level.to_string()
    }
}

/// One database: a backend at a table size.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The engine.
    pub(crate) backend: Backend,
    /// Seeded payments.
    pub(crate) level: u64,
    /// Connection URL.
    pub(crate) url: String,
    /// The SQLite file, or the PostgreSQL database name and server URL.
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    File(PathBuf),
    Server { admin_url: String, name: String },
}

impl Target {
    /// The SQLite file for `level` under `dir`.
    pub(crate) fn sqlite(dir: &Path, level: u64) -> Target {
        let file = dir.join(format!("sqlite-{}.db", level_name(level)));
        Target {
            backend: Backend::Sqlite,
            level,
            url: format!("sqlite://{}?mode=rwc", file.display()),
            place: Place::File(file),
        }
    }

    /// The PostgreSQL database for `level` on the server of `admin_url`.
    pub(crate) fn postgres(admin_url: &str, level: u64) -> Result<Target, String> {
        let name = format!("cinetpay_bench_{}", level_name(level));
        let mut url = url::Url::parse(admin_url).map_err(|e| format!("PostgreSQL URL: {e}"))?;
        url.set_path(&format!("/{name}"));
        Ok(Target {
            backend: Backend::Postgres,
            level,
            url: url.to_string(),
            place: Place::Server {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }

    /// Removes the database and creates it empty.
    async fn recreate(&self) -> Result<(), String> {
        match &self.place {
            Place::File(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let path = PathBuf::from(format!("{}{suffix}", file.display()));
                    if path.exists() {
                        std::fs::remove_file(&path)
                            .map_err(|e| format!("removing {}: {e}", path.display()))?;
                    }
                }
                if let Some(dir) = file.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
                }
                Ok(())
            }
            Place::Server { admin_url, name } => {
                let admin = sea_orm::Database::connect(admin_url.as_str())
                    .await
                    .map_err(|e| format!("PostgreSQL at {admin_url}: {e}"))?;
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    admin
                        .execute_unprepared(&sql)
                        .await
                        .map_err(|e| format!("{sql}: {e}"))?;
                }
                let _ = admin.close().await;
                Ok(())
            }
        }
    }
}

/// How a database was made ready.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeedInfo {
    /// Seeded payments.
    pub(crate) payments: u64,
    /// Seeded in this run (else reused from an earlier one).
    pub(crate) seeded_now: bool,
    /// Time the seeding took, when it ran now.
    pub(crate) seconds: f64,
}

/// A prepared database, with a connection of the store's pool settings.
pub(crate) struct BenchDb {
    /// Which one.
    pub(crate) target: Target,
    db: DatabaseConnection,
    log_max_id: i64,
}

/// Deliveries recorded by the shop's fulfiller (or the naive handler).
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Deliveries {
    /// Rows in `shop_deliveries`.
    pub(crate) rows: u64,
    /// Payments delivered at least once.
    pub(crate) payments: u64,
}

impl Deliveries {
    /// Deliveries beyond the first of each payment.
    pub(crate) fn duplicates(&self) -> u64 {
        self.rows.saturating_sub(self.payments)
    }
}

impl BenchDb {
    /// Opens `target`, seeding it first unless an earlier run left it complete.
    pub(crate) async fn prepare(
        target: &Target,
        reseed: bool,
    ) -> Result<(BenchDb, SeedInfo), String> {
        if !reseed && let Ok(Some((db, log_max_id))) = reuse(target).await {
            let bench = BenchDb {
                target: target.clone(),
                db,
                log_max_id,
            };
            bench.clean().await?;
            let info = SeedInfo {
                payments: target.level,
                seeded_now: false,
                seconds: 0.0,
            };
            return Ok((bench, info));
        }
        let started = Instant::now();
        target.recreate().await?;
        let db = connect(&target.url).await?;
        let log_max_id = seed::seed(&db, target.level).await?;
        let seconds = started.elapsed().as_secs_f64();
        execute(
            &db,
            &format!(
                "INSERT INTO bench_seed (level, log_max_id, seconds) VALUES ({}, {log_max_id}, {seconds})",
                target.level
            ),
        )
        .await?;
        let info = SeedInfo {
            payments: target.level,
            seeded_now: true,
            seconds,
        };
        Ok((
            BenchDb {
                target: target.clone(),
                db,
                log_max_id,
            },
            info,
        ))
    }

    /// Takes away every row the bench added.
    pub(crate) async fn clean(&self) -> Result<(), String> {
        for prefix in [ADDED_PREFIX, ADDED_PREFIX_2026] {
            self.remove_payments(prefix).await?;
        }
        for sql in [
            format!(
                "DELETE FROM cinetpay_deliveries WHERE id > {}",
                self.log_max_id
            ),
            "DELETE FROM shop_deliveries".to_owned(),
            "DELETE FROM shop_orders".to_owned(),
            "DELETE FROM bench_commits".to_owned(),
        ] {
            execute(&self.db, &sql).await?;
        }
        Ok(())
    }

    /// Takes away the payments whose ids start with `prefix` (three
    /// characters ending in `-`).
    pub(crate) async fn remove_payments(&self, prefix: &str) -> Result<(), String> {
        let sql = match self.target.backend {
            // SQLite's LIKE ignores case and so cannot use the primary key:
            // a range in its binary order ('-' and '.' are neighbours) can.
            Backend::Sqlite => format!(
                "DELETE FROM cinetpay_payments WHERE transaction_id >= '{prefix}' AND transaction_id < '{}'",
                prefix.replace('-', ".")
            ),
            // Right under any collation (and indexed under C).
            Backend::Postgres => {
                format!("DELETE FROM cinetpay_payments WHERE transaction_id LIKE '{prefix}%'")
            }
        };
        execute(&self.db, &sql).await
    }

    /// Payments in the store.
    pub(crate) async fn payment_count(&self) -> Result<u64, String> {
        count(&self.db, "SELECT COUNT(*) AS n FROM cinetpay_payments").await
    }

    /// What the shop's deliveries table holds.
    /// Both counts come from one statement: one snapshot of the table, even
    /// while background deliveries (the 2026 API's) are still being written.
    pub(crate) async fn deliveries(&self) -> Result<Deliveries, String> {
        let sql = "SELECT COUNT(*) AS n, COUNT(DISTINCT transaction_id) AS d FROM shop_deliveries";
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .map_err(|e| format!("{sql}: {e}"))?
            .ok_or_else(|| format!("{sql}: no row"))?;
        let read = |column: &str| -> Result<u64, String> {
            let n: i64 = row.try_get("", column).map_err(|e| format!("{sql}: {e}"))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(Deliveries {
            rows: read("n")?,
            payments: read("d")?,
        })
    }

    /// The query plans of the engine's two kinds of statement on a payment
    /// (a read by transaction id, a conditional update by transaction id), as
    /// the database explains them.
    pub(crate) async fn lookup_plans(&self) -> Result<Vec<String>, String> {
        let backend = self.db.get_database_backend();
        let explain = match backend {
            DbBackend::Postgres => "EXPLAIN",
            _ => "EXPLAIN QUERY PLAN",
        };
        let column = match backend {
            DbBackend::Postgres => "QUERY PLAN",
            _ => "detail",
        };
        let mut plans = Vec::new();
        for sql in [
            "SELECT * FROM cinetpay_payments WHERE transaction_id = 'sd-00000002'",
            "UPDATE cinetpay_payments SET claim_owner = 'x' WHERE transaction_id = 'sd-00000002' AND fulfilled_at IS NULL",
        ] {
            let rows = self
                .db
                .query_all_raw(Statement::from_string(backend, format!("{explain} {sql}")))
                .await
                .map_err(|e| format!("{explain} {sql}: {e}"))?;
            let lines: Vec<String> = rows
                .iter()
                .filter_map(|r| r.try_get::<String>("", column).ok())
                .collect();
            plans.push(lines.join(" / "));
        }
        Ok(plans)
    }

    /// Forgets the deliveries, before a measurement that counts them.
    pub(crate) async fn clear_deliveries(&self) -> Result<(), String> {
        execute(&self.db, "DELETE FROM shop_deliveries").await
    }

    /// Inserts pending payments (as `insert_payment` leaves them, with the
    /// page created), in one transaction of multi-row INSERTs.
    pub(crate) async fn insert_pending(
        &self,
        payments: &[crate::fixtures::PoolPayment],
    ) -> Result<(), String> {
        self.insert_payments(payments, false).await
    }

    /// Inserts payments as a first notification leaves them: accepted
    /// (checked) and fulfilled, for the duplicate runs.
    pub(crate) async fn insert_fulfilled(
        &self,
        payments: &[crate::fixtures::PoolPayment],
    ) -> Result<(), String> {
        self.insert_payments(payments, true).await
    }

    async fn insert_payments(
        &self,
        payments: &[crate::fixtures::PoolPayment],
        fulfilled: bool,
    ) -> Result<(), String> {
        let txn = self.db.begin().await.map_err(|e| e.to_string())?;
        for chunk in payments.chunks(200) {
            let mut insert = Query::insert();
            insert.into_table(Alias::new("cinetpay_payments")).columns(
                [
                    "transaction_id",
                    "order_ref",
                    "open_order_ref",
                    "amount",
                    "currency",
                    "description",
                    "status",
                    "payment_token",
                    "payment_url",
                    "attempts",
                    "created_at",
                    "updated_at",
                    "generation",
                    "notify_token",
                    "cinetpay_id",
                    "paid_order_ref",
                    "fulfilled_at",
                    "check_code",
                    "check_status",
                ]
                .map(Alias::new),
            );
            for p in chunk {
                let at = p.created.timestamp_micros();
                let done = |v: SimpleExpr| {
                    if fulfilled {
                        v
                    } else {
                        Option::<String>::None.into()
                    }
                };
                let (code, status) = match p.api {
                    crate::api::Api::V2 => ("00", "ACCEPTED"),
                    crate::api::Api::Rest2026 => ("100", "SUCCESS"),
                };
                let row: [SimpleExpr; 19] = [
                    p.id.as_str().into(),
                    p.order_ref.as_str().into(),
                    if fulfilled {
                        Option::<String>::None.into()
                    } else {
                        p.order_ref.as_str().into()
                    },
                    p.amount.into(),
                    "XOF".into(),
                    p.description.as_str().into(),
                    if fulfilled { "accepted" } else { "pending" }.into(),
                    p.token.as_str().into(),
                    p.url.as_str().into(),
                    i32::from(fulfilled).into(),
                    at.into(),
                    at.into(),
                    p.api.name().into(),
                    p.notify_token.clone().into(),
                    p.cinetpay_id.clone().into(),
                    done(p.order_ref.as_str().into()),
                    if fulfilled {
                        Some(at).into()
                    } else {
                        Option::<i64>::None.into()
                    },
                    done(code.into()),
                    done(status.into()),
                ];
                insert.values_panic(row);
            }
            txn.execute(&insert)
                .await
                .map_err(|e| format!("inserting pending payments: {e}"))?;
        }
        txn.commit().await.map_err(|e| e.to_string())
    }

    /// Closes the pool.
    pub(crate) async fn close(self) {
        let _ = self.db.close().await;
    }
}

/// A connection with the store's settings, the store's tables migrated and
/// the shop's tables created.
async fn connect(url: &str) -> Result<DatabaseConnection, String> {
    let store = SeaOrmStore::builder()
        .max_connections(4)
        .connect(url)
        .await
        .map_err(|e| format!("connecting to {url}: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migrating {url}: {e}"))?;
    let db = store.connection().clone();
    OrderBook::open(db.clone())
        .await
        .map_err(|e| format!("shop tables in {url}: {e}"))?;
    execute(
        &db,
        "CREATE TABLE IF NOT EXISTS bench_seed (level BIGINT NOT NULL, log_max_id BIGINT NOT NULL, seconds DOUBLE PRECISION NOT NULL)",
    )
    .await?;
    let commits = match db.get_database_backend() {
        DbBackend::Postgres => {
            "CREATE TABLE IF NOT EXISTS bench_commits (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL)"
        }
        _ => {
            "CREATE TABLE IF NOT EXISTS bench_commits (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL)"
        }
    };
    execute(&db, commits).await?;
    Ok(db)
}

/// The database as an earlier run left it, when its seed is complete.
async fn reuse(target: &Target) -> Result<Option<(DatabaseConnection, i64)>, String> {
    if let Place::File(file) = &target.place
        && !file.exists()
    {
        return Ok(None);
    }
    let db = connect(&target.url).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT level, log_max_id FROM bench_seed",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let Some(row) = row else {
        let _ = db.close().await;
        return Ok(None);
    };
    let level: i64 = row.try_get("", "level").map_err(|e| e.to_string())?;
    let log_max_id: i64 = row.try_get("", "log_max_id").map_err(|e| e.to_string())?;
    if u64::try_from(level).ok() != Some(target.level) {
        let _ = db.close().await;
        return Ok(None);
    }
    Ok(Some((db, log_max_id)))
}

/// Runs one statement without parameters.
pub(crate) async fn execute(db: &impl ConnectionTrait, sql: &str) -> Result<(), String> {
    db.execute_unprepared(sql)
        .await
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", sql.chars().take(120).collect::<String>()))
}

/// The `n` column of a one-row query.
pub(crate) async fn count(db: &DatabaseConnection, sql: &str) -> Result<u64, String> {
    let backend: DbBackend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .map_err(|e| format!("{sql}: {e}"))?
        .ok_or_else(|| format!("{sql}: no row"))?;
    let n: i64 = row.try_get("", "n").map_err(|e| format!("{sql}: {e}"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_named_by_their_power_of_ten() {
        assert_eq!(level_name(1_000), "1e3");
        assert_eq!(level_name(1_000_000), "1e6");
        assert_eq!(level_name(1), "1e0");
        assert_eq!(level_name(2_500), "2500");
    }

    #[test]
    fn postgres_databases_are_named_by_level() {
        let t = Target::postgres("postgres://postgres@127.0.0.1:5432/test", 10_000).expect("url");
        assert_eq!(
            t.url,
            "postgres://postgres@127.0.0.1:5432/cinetpay_bench_1e4"
        );
        let s = Target::sqlite(Path::new("/tmp/x"), 1_000);
        assert_eq!(s.url, "sqlite:///tmp/x/sqlite-1e3.db?mode=rwc");
    }
}
