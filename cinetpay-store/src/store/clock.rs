//! The clock of claim leases: the database server's, one clock that every
//! instance sharing the database agrees on (or a given one, in tests).

use sea_orm::DbBackend;
use sea_orm::sea_query::Expr;

use super::SeaOrmStore;
use crate::time;

impl SeaOrmStore {
    /// "Now" for leases, as a SQL expression of unix microseconds: evaluated
    /// by the database in the statement that uses it, so that no instance's
    /// own clock decides whether a claim is live.
    pub(super) fn lease_now(&self) -> Expr {
        if let Some(clock) = &self.lease_clock {
            return Expr::val(time::to_db(clock.now()));
        }
        Expr::cust(match self.db.get_database_backend() {
            // julianday('now') is the same for a whole statement.
            DbBackend::Sqlite => {
                "CAST(ROUND((julianday('now') - 2440587.5) * 86400000000.0) AS INTEGER)"
            }
            DbBackend::Postgres => {
                "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)"
            }
            // Pure arithmetic on UTC: no session time zone involved.
            _ => "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))",
        })
    }
}
