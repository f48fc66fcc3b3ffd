//! The store's own error, and its mapping into the core's [`StoreError`].

use cinetpay_core::StoreError;
use sea_orm::{DbErr, RuntimeErr, SqlxError};

/// What went wrong in a [`SeaOrmStore`](crate::SeaOrmStore).
///
/// Converts into [`StoreError`] (keeping itself, and so the database error, as
/// the source): [`Error::Unavailable`] becomes [`StoreError::Unavailable`], so
/// that the engine answers `503` and CinetPay retries later.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use cinetpay_core::StoreError;
/// use cinetpay_store::{Error, SeaOrmStore};
///
/// let bad = SeaOrmStore::builder().table_prefix("bad-prefix").connect("sqlite::memory:").await;
/// let err = bad.expect_err("'-' is not allowed in a prefix");
/// assert!(matches!(err, Error::Config { setting: "table_prefix", .. }));
/// let core: StoreError = err.into();
/// assert!(!core.is_transient());
///
/// let down = SeaOrmStore::connect("mysql://root@127.0.0.1:1/none").await;
/// let core = StoreError::from(down.expect_err("nothing listens on port 1"));
/// assert!(core.is_transient()); // the engine answers 503
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting of the builder is invalid.
    #[error("invalid cinetpay-store setting `{setting}`: {reason}")]
    Config {
        /// The builder method or URL part.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The database cannot be reached, timed out, or is busy: retry later.
    #[error("database unavailable while {action}: {source}")]
    Unavailable {
        /// What the store was doing.
        action: &'static str,
        /// The database error.
        #[source]
        source: DbErr,
    },
    /// The database refused a statement.
    #[error("database error while {action}: {source}")]
    Database {
        /// What the store was doing.
        action: &'static str,
        /// The database error.
        #[source]
        source: DbErr,
    },
    /// A payment with this transaction id exists already.
    #[error("a payment with transaction id {0} exists already")]
    DuplicateTransactionId(String),
    /// A stored row could not be turned back into a payment.
    #[error("corrupt payment row {transaction_id:?}: column `{column}`: {reason}")]
    Corrupt {
        /// The row's transaction id, as stored.
        transaction_id: String,
        /// The column that failed.
        column: &'static str,
        /// Why.
        reason: String,
    },
    /// The schema migration could not run.
    #[error("migrating the cinetpay tables failed: {reason}")]
    Migration {
        /// What failed.
        reason: String,
        /// The database error, when there is one.
        #[source]
        source: Option<DbErr>,
    },
}

impl Error {
    /// Wraps a database error met while doing `action`, deciding whether it is
    /// transient (connection lost, pool exhausted, lock timeout, busy database).
    pub(crate) fn db(action: &'static str, source: DbErr) -> Self {
        if is_unavailable(&source) {
            Error::Unavailable { action, source }
        } else {
            Error::Database { action, source }
        }
    }

    /// Worth retrying later: the database is down, overloaded or busy.
    ///
    /// ```
    /// # use cinetpay_store::Error;
    /// let err = Error::DuplicateTransactionId("abc".into());
    /// assert!(!err.is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Unavailable { .. } => true,
            Error::Migration {
                source: Some(source),
                ..
            } => is_unavailable(source),
            _ => false,
        }
    }
}

impl From<Error> for StoreError {
    fn from(err: Error) -> Self {
        let message = err.to_string();
        match err {
            Error::DuplicateTransactionId(_) => StoreError::Conflict(message),
            Error::Corrupt { .. } => StoreError::Corrupt(message),
            err if err.is_unavailable() => StoreError::Unavailable {
                message,
                source: Some(Box::new(err)),
            },
            err => StoreError::Backend {
                message,
                source: Some(Box::new(err)),
            },
        }
    }
}

/// Whether a database error means "cannot be reached now" rather than "refused".
pub(crate) fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_is_unavailable(e)
        }
        _ => false,
    }
}

fn sqlx_is_unavailable(err: &SqlxError) -> bool {
    match err {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => true,
        SqlxError::Database(db) => {
            #[cfg(feature = "mysql")]
            if let Some(mysql) = db.try_downcast_ref::<sea_orm::SqlxMySqlError>() {
                return MYSQL_TRANSIENT.contains(&mysql.number());
            }
            let Some(code) = db.code() else { return false };
            #[cfg(feature = "sqlite")]
            if db.try_downcast_ref::<sea_orm::SqlxSqliteError>().is_some() {
                return code
                    .parse::<i32>()
                    .is_ok_and(|c| SQLITE_TRANSIENT.contains(&(c & 0xff)));
            }
            code.starts_with("08") || PG_TRANSIENT.contains(&code.as_ref())
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs (besides class 08, connection exceptions) that mean
/// "try again later": serialization failure, deadlock, lock or statement
/// timeout, too many connections, server shutting down or starting up.
const PG_TRANSIENT: &[&str] = &[
    "40001", "40P01", "55P03", "57014", "53300", "57P01", "57P02", "57P03",
];

/// MySQL/MariaDB error numbers that mean "try again later": too many
/// connections, shutdown in progress, lock wait timeout, deadlock, query
/// interrupted or timed out (MySQL's `max_execution_time`: 3024, MariaDB's
/// `max_statement_time`: 1969), connection killed.
#[cfg(feature = "mysql")]
const MYSQL_TRANSIENT: &[u16] = &[1040, 1053, 1205, 1213, 1317, 3024, 1969, 1927, 4031];

/// SQLite primary result codes that mean "try again later": BUSY, LOCKED,
/// CANTOPEN (the file is not reachable), FULL (disk full).
#[cfg(feature = "sqlite")]
const SQLITE_TRANSIENT: &[i32] = &[5, 6, 13, 14];

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn pool_timeouts_are_unavailable_and_keep_the_source() {
        let err = Error::db(
            "claiming a fulfilment",
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        );
        assert!(err.is_unavailable());
        let core: StoreError = err.into();
        assert!(core.is_transient());
        let source = std::error::Error::source(&core).map(ToString::to_string);
        assert!(source.is_some_and(|s| s.contains("claiming a fulfilment")));
    }

    #[test]
    fn other_errors_are_backend_or_conflict() {
        let err = Error::db("reading", DbErr::Custom("syntax".into()));
        assert!(matches!(StoreError::from(err), StoreError::Backend { .. }));
        let dup = Error::DuplicateTransactionId("abc".into());
        assert!(matches!(StoreError::from(dup), StoreError::Conflict(_)));
    }
}
