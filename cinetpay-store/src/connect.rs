//! Connecting: [`StoreBuilder`] and the pool settings of each database.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::clock::Clock;
#[cfg(feature = "mysql")]
use sea_orm::sqlx::mysql::MySqlConnection;
#[cfg(feature = "sqlite")]
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
#[cfg(feature = "mysql")]
use sea_orm::sqlx::{AssertSqlSafe, Executor};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

use crate::tables::{DEFAULT_PREFIX, Tables};
use crate::{Error, SeaOrmStore};

/// Settings of a [`SeaOrmStore`]: table prefix, schema, pool.
///
/// Consuming; nothing is checked until [`connect`](StoreBuilder::connect) or
/// [`build`](StoreBuilder::build), which return [`Error::Config`] naming the
/// bad setting.
///
/// ```no_run
/// # async fn run() -> Result<(), cinetpay_store::Error> {
/// use std::time::Duration;
/// use cinetpay_store::SeaOrmStore;
///
/// let store = SeaOrmStore::builder()
///     .table_prefix("shop_")
///     .schema("payments")
///     .max_connections(20)
///     .acquire_timeout(Duration::from_secs(3))
///     .connect("postgres://shop@db.internal/shop")
///     .await?;
/// store.migrate().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct StoreBuilder {
    lease_clock: Option<Arc<dyn Clock>>,
    prefix: String,
    schema: Option<String>,
    max_connections: Option<u32>,
    connect_timeout: Duration,
    acquire_timeout: Duration,
    statement_timeout: Duration,
    ping_idle_for: Duration,
    sqlite_busy_timeout: Duration,
    sqlite_cache_kib: u32,
}

impl Default for StoreBuilder {
    fn default() -> Self {
        StoreBuilder {
            lease_clock: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            schema: None,
            max_connections: None,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            ping_idle_for: DEFAULT_PING_IDLE_FOR,
            sqlite_busy_timeout: DEFAULT_BUSY_TIMEOUT,
            sqlite_cache_kib: DEFAULT_SQLITE_CACHE_KIB,
        }
    }
}

/// How long a SQLite write waits for the write lock unless chosen.
pub(crate) const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each SQLite connection's page cache unless chosen, in KiB. SQLite's own
/// default is 2000 KiB, which the pool's 4 connections fill on a table of
/// 10^4 payments (8 MiB of a shop's 34 MiB peak in BENCHMARKS.md). A
/// notification's read goes down two B-trees by primary key; pages a
/// connection does not cache come from the operating system's file cache.
const DEFAULT_SQLITE_CACHE_KIB: u32 = 1024;

/// PostgreSQL and MySQL: a pooled connection idle at least this long is
/// pinged before a statement uses it, unless chosen: zero, every time, as
/// sqlx does by default. The ping is a round trip to the server for each
/// statement outside a transaction (two of a first notification's seven,
/// one of a duplicate's two), and what keeps a connection the server, a
/// proxy or a firewall dropped while it sat in the pool from failing a
/// statement. `StoreBuilder::ping_connections_idle_for` trades the one for
/// the other (BENCHMARKS.md measures both).
const DEFAULT_PING_IDLE_FOR: Duration = Duration::ZERO;

/// Pool size for PostgreSQL and MySQL unless chosen.
const SERVER_POOL: u32 = 10;
/// Pool size for a SQLite file unless chosen: readers run side by side in WAL
/// mode, the store's writers take turns (`store/write_turn.rs`).
#[cfg(feature = "sqlite")]
const SQLITE_FILE_POOL: u32 = 4;

impl std::fmt::Debug for StoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreBuilder")
            .field("prefix", &self.prefix)
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("lease_clock", &self.lease_clock.as_ref().map(|_| "given"))
            .finish_non_exhaustive()
    }
}

impl SeaOrmStore {
    /// Settings beyond the defaults.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::builder()
    ///     .table_prefix("pay_")
    ///     .connect("sqlite::memory:")
    ///     .await?;
    /// store.migrate().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> StoreBuilder {
        StoreBuilder::default()
    }

    /// Connects with the default settings (prefix `cinetpay_`).
    ///
    /// URLs: `sqlite://shop.db?mode=rwc` (a file, created if missing),
    /// `sqlite::memory:` (one private in-memory database, for tests),
    /// `postgres://user:pass@host/db`, `mysql://user:pass@host/db`.
    /// SQLite runs in WAL mode with `synchronous = FULL` (a commit survives a
    /// power cut), a 5 s busy timeout and foreign keys on.
    /// A server that cannot be reached gives [`Error::Unavailable`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// use cinetpay_store::SeaOrmStore;
    ///
    /// let store = SeaOrmStore::connect("sqlite::memory:").await?;
    /// store.migrate().await?;
    ///
    /// let down = SeaOrmStore::connect("postgres://postgres@127.0.0.1:1/none").await;
    /// assert!(down.unwrap_err().is_unavailable());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::builder().connect(url).await
    }
}

impl StoreBuilder {
    /// The prefix of every table and index name (default `cinetpay_`):
    /// ASCII letters, digits and `_`, at most 32 characters.
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// PostgreSQL only: the schema of the tables, created by
    /// [`migrate`](SeaOrmStore::migrate) if missing.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Most connections in the pool (default 10 for PostgreSQL and MySQL, 4
    /// for a SQLite file; always 1 for an in-memory SQLite database).
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// How long opening one connection may take (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a statement waits for a free connection before the store
    /// answers [`StoreError::Unavailable`](cinetpay_core::StoreError) (default 5 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// PostgreSQL and MySQL/MariaDB: ping a pooled connection before a
    /// statement uses it only once it has been idle at least this long
    /// (default `Duration::ZERO`: before every statement, sqlx's default).
    ///
    /// The ping is a round trip to the server, made for every statement
    /// outside a transaction: with a second, say, a busy shop's connections
    /// are back at work within milliseconds and never pinged (BENCHMARKS.md:
    /// 19–66 % more duplicate notifications a second on PostgreSQL), and a
    /// quiet shop's are checked before use. The price: a connection the
    /// server closed (a restart, a failover, an administrator) less than
    /// this after its last use fails the one statement given to it
    /// ([`Error::Unavailable`]: the engine answers 503, CinetPay and the
    /// reconciler try again; nothing is lost). SQLite's connections are in
    /// the process and are never pinged.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = cinetpay_store::SeaOrmStore::builder()
    ///     .ping_connections_idle_for(Duration::from_secs(1));
    /// # let _ = builder;
    /// ```
    pub fn ping_connections_idle_for(mut self, idle: Duration) -> Self {
        self.ping_idle_for = idle;
        self
    }

    /// PostgreSQL and MySQL/MariaDB: the longest a statement may run before
    /// the server cancels it and the store answers
    /// [`StoreError::Unavailable`](cinetpay_core::StoreError) (default 30 s;
    /// `Duration::ZERO` for no limit). Every statement of the store is a
    /// single-row step, so only a stuck server ever reaches it.
    ///
    /// Each new connection of the pool sets it: PostgreSQL's
    /// `statement_timeout`; on MariaDB `max_statement_time` (every
    /// statement); on MySQL 5.7.8+ `max_execution_time` (which MySQL applies
    /// to `SELECT` statements only: a stuck write waits for InnoDB's
    /// `innodb_lock_wait_timeout` instead). Which of the two is told by
    /// `SELECT VERSION()`. The limit is kept to whole milliseconds, rounded
    /// up. [`migrate`](SeaOrmStore::migrate) lifts it for its own session, as
    /// it waits for another instance's migration.
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// Measures claim leases on `clock` instead of the database server's
    /// clock: for tests that move time with a
    /// [`ManualClock`](cinetpay_core::clock::ManualClock). In production leave
    /// it unset: every instance then measures leases on the one clock they
    /// share, the database's, and an instance whose own clock runs ahead can
    /// never take over a live claim.
    pub fn lease_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.lease_clock = Some(clock);
        self
    }

    /// SQLite only: how long a write waits for another connection's write to
    /// finish (default 5 s). The store's own writes wait for one another in
    /// a queue of the process, first come first served, for at most as
    /// long; other writers to the file meet them in SQLite's busy handler.
    pub fn sqlite_busy_timeout(mut self, timeout: Duration) -> Self {
        self.sqlite_busy_timeout = timeout;
        self
    }

    /// SQLite only: the page cache of each of the pool's connections, in KiB
    /// (default 1024; SQLite's own is 2000). More keeps more of a large
    /// table in the process at that much more memory per connection; the
    /// operating system's file cache holds the rest.
    ///
    /// ```
    /// let builder = cinetpay_store::SeaOrmStore::builder().sqlite_cache_kib(4096);
    /// # let _ = builder;
    /// ```
    pub fn sqlite_cache_kib(mut self, kib: u32) -> Self {
        self.sqlite_cache_kib = kib;
        self
    }

    /// A store on an existing connection, with these table names (the pool
    /// settings do not apply).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// let store = cinetpay_store::SeaOrmStore::builder().table_prefix("pay_").build(db)?;
    /// store.migrate().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(self, db: DatabaseConnection) -> Result<SeaOrmStore, Error> {
        let tables = self.tables(db.get_database_backend())?;
        Ok(SeaOrmStore::with_tables(
            db,
            tables,
            self.lease_clock,
            self.sqlite_busy_timeout,
        ))
    }

    /// Connects to `url` (see [`SeaOrmStore::connect`]).
    pub async fn connect(self, url: &str) -> Result<SeaOrmStore, Error> {
        let backend = backend_of(url)?;
        let tables = self.tables(backend)?;
        let options = self.options(url, backend)?;
        let db = Database::connect(options)
            .await
            .map_err(|e| Error::db("connecting to the database", e))?;
        tracing::debug!(
            ?backend,
            prefix = tables.prefix(),
            "cinetpay store connected"
        );
        Ok(SeaOrmStore::with_tables(
            db,
            tables,
            self.lease_clock,
            self.sqlite_busy_timeout,
        ))
    }

    fn tables(&self, backend: DbBackend) -> Result<Tables, Error> {
        if self.schema.is_some() && backend != DbBackend::Postgres {
            return Err(Error::Config {
                setting: "schema",
                reason: format!("schemas are for PostgreSQL only, this is {backend:?}"),
            });
        }
        Tables::new(&self.prefix, self.schema.as_deref())
    }

    fn options(&self, url: &str, backend: DbBackend) -> Result<ConnectOptions, Error> {
        let mut options = ConnectOptions::new(url);
        options
            .connect_timeout(self.connect_timeout)
            .acquire_timeout(self.acquire_timeout)
            .sqlx_logging(false);
        if backend != DbBackend::Sqlite {
            options.max_connections(self.max_connections.unwrap_or(SERVER_POOL));
            if !self.ping_idle_for.is_zero() {
                options.test_before_acquire_if_idle_for(self.ping_idle_for);
            }
            let timeout = self.statement_timeout;
            if timeout.is_zero() {
                return Ok(options);
            }
            if backend == DbBackend::Postgres {
                options.statement_timeout(timeout);
            } else {
                #[cfg(feature = "mysql")]
                options.map_sqlx_mysql_pool_opts(move |pool| {
                    pool.after_connect(move |conn, _| {
                        Box::pin(limit_mysql_statements(conn, timeout))
                    })
                });
            }
            return Ok(options);
        }
        #[cfg(feature = "sqlite")]
        self.sqlite_options(url, &mut options)?;
        Ok(options)
    }

    /// The pool and connection settings of a SQLite database.
    #[cfg(feature = "sqlite")]
    fn sqlite_options(&self, url: &str, options: &mut ConnectOptions) -> Result<(), Error> {
        // Validate the SQLite URL now, with a message naming it.
        url.parse::<SqliteConnectOptions>()
            .map_err(|e| Error::Config {
                setting: "url",
                reason: format!("not a SQLite URL: {e}"),
            })?;
        if is_memory(url) {
            // Each connection to `:memory:` is a database of its own: keep
            // exactly one, for ever.
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            options.max_connections(self.max_connections.unwrap_or(SQLITE_FILE_POOL));
        }
        // A connection is a thread of this process: a ping is a round trip
        // to it for nothing (and on a first notification, one more inside
        // the write lock).
        options.test_before_acquire(false);
        let busy = self.sqlite_busy_timeout;
        let cache_kib = self.sqlite_cache_kib;
        options.map_sqlx_sqlite_opts(move |opts| {
            // FULL: a commit (a claim, a completion) survives a power cut;
            // NORMAL could lose the last ones and deliver an order twice.
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(busy)
                .foreign_keys(true)
                // Negative: a size in KiB, not in pages.
                .pragma("cache_size", format!("-{cache_kib}"))
        });
        Ok(())
    }
}

/// Sets the statement timeout of a new MySQL/MariaDB connection, after
/// asking the server which of the two it is.
#[cfg(feature = "mysql")]
async fn limit_mysql_statements(
    conn: &mut MySqlConnection,
    timeout: Duration,
) -> Result<(), sea_orm::sqlx::Error> {
    let version: String = sea_orm::sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&mut *conn)
        .await?;
    let flavour = MySqlFlavour::of_version(&version);
    conn.execute(AssertSqlSafe(flavour.set_timeout(timeout)))
        .await?;
    tracing::trace!(?flavour, ?timeout, "statement timeout set");
    Ok(())
}

/// MySQL or MariaDB: they bound a statement's run time with different
/// session variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MySqlFlavour {
    /// `max_statement_time`, in seconds (fractions allowed), every statement.
    MariaDb,
    /// `max_execution_time`, in milliseconds, `SELECT` only.
    MySql,
}

impl MySqlFlavour {
    /// The flavour of a server by its `SELECT VERSION()`, such as
    /// `10.11.6-MariaDB-0+deb12u1` or `8.0.36`.
    pub(crate) fn of_version(version: &str) -> Self {
        if version.contains("MariaDB") {
            MySqlFlavour::MariaDb
        } else {
            MySqlFlavour::MySql
        }
    }

    /// The session variable that bounds a statement's run time.
    pub(crate) fn timeout_variable(self) -> &'static str {
        match self {
            MySqlFlavour::MariaDb => "max_statement_time",
            MySqlFlavour::MySql => "max_execution_time",
        }
    }

    /// The statement that sets it to `timeout`, in whole milliseconds rounded
    /// up (so that a tiny limit is not read as zero, which is no limit).
    pub(crate) fn set_timeout(self, timeout: Duration) -> String {
        let ms = timeout.as_nanos().div_ceil(1_000_000);
        let value = match self {
            MySqlFlavour::MariaDb => format!("{}.{:03}", ms / 1000, ms % 1000),
            MySqlFlavour::MySql => ms.to_string(),
        };
        format!("SET SESSION {} = {value}", self.timeout_variable())
    }

    /// Reads back a value of [`timeout_variable`](Self::timeout_variable)
    /// as the server shows it (`30.000000` on MariaDB, `30000` on MySQL).
    pub(crate) fn parse_timeout(self, value: &str) -> Option<Duration> {
        let number: f64 = value.trim().parse().ok()?;
        let ms = match self {
            MySqlFlavour::MariaDb => number * 1000.0,
            MySqlFlavour::MySql => number,
        };
        (ms.is_finite() && (0.0..1e15).contains(&ms))
            .then(|| Duration::from_millis(ms.round() as u64))
    }
}

/// The database of a URL, if this build has its driver (the `sqlite`,
/// `postgres` and `mysql` features).
fn backend_of(url: &str) -> Result<DbBackend, Error> {
    let scheme = url.split(':').next().unwrap_or_default();
    let (backend, built) = match scheme {
        "sqlite" => (DbBackend::Sqlite, cfg!(feature = "sqlite")),
        "postgres" | "postgresql" => (DbBackend::Postgres, cfg!(feature = "postgres")),
        "mysql" => (DbBackend::MySql, cfg!(feature = "mysql")),
        _ => {
            return Err(Error::Config {
                setting: "url",
                reason: "expected a sqlite:, postgres: or mysql: URL".to_owned(),
            });
        }
    };
    if !built {
        let feature = match backend {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            _ => "mysql",
        };
        return Err(Error::Config {
            setting: "url",
            reason: format!(
                "this build has no {scheme}: driver: enable the `{feature}` feature of cinetpay-store"
            ),
        });
    }
    Ok(backend)
}

#[cfg(feature = "sqlite")]
fn is_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        assert_eq!(backend_of("sqlite::memory:").ok(), Some(DbBackend::Sqlite));
        assert_eq!(
            backend_of("postgresql://x/y").ok(),
            Some(DbBackend::Postgres)
        );
        assert_eq!(backend_of("mysql://root@h/db").ok(), Some(DbBackend::MySql));
        let err = backend_of("redis://h").expect_err("not a database URL");
        assert!(err.to_string().contains("url"), "{err}");
        // Never echo the URL: it may carry a password.
        assert!(!err.to_string().contains("redis://h"));
    }

    #[test]
    fn mysql_timeouts_in_each_flavour() {
        let maria = MySqlFlavour::of_version("10.11.6-MariaDB-0+deb12u1");
        let mysql = MySqlFlavour::of_version("8.0.36");
        assert_eq!(maria, MySqlFlavour::MariaDb);
        assert_eq!(mysql, MySqlFlavour::MySql);
        let cases = [
            (Duration::from_secs(30), "30.000", "30000"),
            (Duration::from_millis(1500), "1.500", "1500"),
            (Duration::from_micros(1), "0.001", "1"),
            (Duration::from_micros(2_000_001), "2.001", "2001"),
        ];
        for (timeout, seconds, millis) in cases {
            assert_eq!(
                maria.set_timeout(timeout),
                format!("SET SESSION max_statement_time = {seconds}")
            );
            assert_eq!(
                mysql.set_timeout(timeout),
                format!("SET SESSION max_execution_time = {millis}")
            );
        }
        assert_eq!(
            maria.set_timeout(Duration::ZERO),
            "SET SESSION max_statement_time = 0.000"
        );
        assert_eq!(
            maria.parse_timeout("1.500000"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            maria.parse_timeout("0.100000"),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            mysql.parse_timeout("1500"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(maria.parse_timeout("0.000000"), Some(Duration::ZERO));
        assert_eq!(mysql.parse_timeout("-1"), None);
        assert_eq!(mysql.parse_timeout("x"), None);
    }
}
