//! The databases of the tests: a SQLite file of the test's own, and the
//! PostgreSQL and MySQL/MariaDB servers named by `CINETPAY_TEST_POSTGRES_URL`
//! and `CINETPAY_TEST_MYSQL_URL`.
//!
//! The skip rule and the clean-up are those of the end-to-end suite
//! ([`cinetpay_e2e::store`]): without the variable a test prints one line
//! saying it was skipped and how to enable it, and passes; with `CI=true` it
//! fails; each test gets tables of its own prefix, dropped at its end.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::clock::ManualClock;
use cinetpay_e2e::store::CaseDatabase;
pub use cinetpay_e2e::store::StoreKind;
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::QueryableStore;
use tempfile::TempDir;

/// Where one test's payments live: a SQLite file in a temporary directory,
/// or a table prefix of its own on a server.
#[derive(Debug)]
pub struct TestDatabase {
    /// The store's URL (for a server: the real server, not a proxy).
    pub url: String,
    /// The table prefix (`None`: the default, on a private SQLite file).
    pub prefix: Option<String>,
    /// Which database this is.
    pub kind: StoreKind,
    _dir: Option<TempDir>,
    _server: Option<CaseDatabase>,
}

impl TestDatabase {
    /// A fresh SQLite file.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::Builder::new()
            .prefix("cinetpay-reliability-")
            .tempdir()
            .expect("a temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("payments.db").display()
        );
        TestDatabase {
            url,
            prefix: None,
            kind: StoreKind::Sqlite,
            _dir: Some(dir),
            _server: None,
        }
    }

    /// Tables of a prefix of their own on the PostgreSQL or MySQL server, or
    /// `None` when the server is not configured (see the module docs).
    ///
    /// # Panics
    /// Under `CI=true` without the variable, or when the configured server
    /// cannot be reached.
    pub async fn server(kind: StoreKind, test: &str) -> Option<TestDatabase> {
        let server = CaseDatabase::prepare(kind, test).await?;
        Some(TestDatabase {
            url: server.url.clone(),
            prefix: server.prefix.clone(),
            kind,
            _dir: None,
            _server: Some(server),
        })
    }

    /// How to open stores on this database, from any runtime (an instance
    /// that runs on a runtime of its own opens its own pool).
    pub fn spec(&self) -> StoreSpec {
        StoreSpec {
            url: self.url.clone(),
            prefix: self.prefix.clone(),
        }
    }

    /// A store on `url` (this database's, or a proxy's in front of it) with
    /// this database's tables (see [`StoreSpec::connect`]).
    pub async fn store_at(
        &self,
        url: &str,
        max_connections: u32,
        clock: &Arc<ManualClock>,
    ) -> Arc<dyn QueryableStore> {
        StoreSpec {
            url: url.to_owned(),
            prefix: self.prefix.clone(),
        }
        .connect(max_connections, clock)
        .await
    }

    /// A store on this database, with a pool of 4 connections, measuring
    /// leases on `clock` (the rig's, which the tests move).
    pub async fn store(&self, clock: &Arc<ManualClock>) -> Arc<dyn QueryableStore> {
        self.spec().connect(4, clock).await
    }
}

/// Where a store connects: a URL and a table prefix.
#[derive(Debug, Clone)]
pub struct StoreSpec {
    /// The database URL.
    pub url: String,
    /// The table prefix (`None`: the default).
    pub prefix: Option<String>,
}

impl StoreSpec {
    /// A store with a pool of at most `max_connections`, migrated; short
    /// timeouts so that a dead connection is noticed within a second or two.
    ///
    /// # Panics
    /// When it cannot connect or migrate.
    pub async fn connect(
        &self,
        max_connections: u32,
        clock: &Arc<ManualClock>,
    ) -> Arc<dyn QueryableStore> {
        let mut builder = SeaOrmStore::builder()
            .lease_clock(clock.clone())
            .max_connections(max_connections)
            .connect_timeout(Duration::from_secs(1))
            .acquire_timeout(Duration::from_secs(2));
        if let Some(prefix) = &self.prefix {
            builder = builder.table_prefix(prefix.clone());
        }
        let store = builder
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("the store connects: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("the store migrates: {e}"));
        Arc::new(store)
    }
}

/// `host:port` of a database URL (`scheme://user@host:port/db?...`).
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// `url` with one more query parameter.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{name}={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_of_database_urls() {
        assert_eq!(
            host_port("postgres://postgres@127.0.0.1:5432/test"),
            "127.0.0.1:5432"
        );
        assert_eq!(host_port("mysql://root:pw@db:3306/test?x=1"), "db:3306");
        assert_eq!(host_port("http://127.0.0.1:8080"), "127.0.0.1:8080");
    }

    #[test]
    fn one_more_query_parameter() {
        assert_eq!(
            with_param("postgres://h/db", "application_name", "t1"),
            "postgres://h/db?application_name=t1"
        );
        assert_eq!(
            with_param("postgres://h/db?a=b", "application_name", "t1"),
            "postgres://h/db?a=b&application_name=t1"
        );
    }
}
