//! Timestamps as `BIGINT` unix microseconds.
//!
//! One integer type compares and sorts the same on SQLite, PostgreSQL and
//! MySQL, is exact (no time-zone conversion, no rounding by a driver), and holds
//! every instant the engine uses. Microseconds are what PostgreSQL keeps in a
//! `timestamptz` too.

use cinetpay_core::Timestamp;

/// The stored form of a timestamp (sub-microsecond digits are dropped).
pub(crate) fn to_db(at: Timestamp) -> i64 {
    at.timestamp_micros()
}

/// `at` as it reads back from the database.
pub(crate) fn stored(at: Timestamp) -> Timestamp {
    from_db(to_db(at)).unwrap_or(at)
}

/// The timestamp of a stored value; `None` when out of chrono's range.
pub(crate) fn from_db(micros: i64) -> Option<Timestamp> {
    Timestamp::from_timestamp_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microseconds_round_trip_and_order() {
        let a = Timestamp::from_timestamp_micros(1_780_000_000_123_456).expect("in range");
        assert_eq!(from_db(to_db(a)), Some(a));
        let b = a + chrono::Duration::microseconds(1);
        assert!(to_db(b) > to_db(a));
        let before_1970 = Timestamp::from_timestamp_micros(-5).expect("in range");
        assert_eq!(from_db(to_db(before_1970)), Some(before_1970));
    }
}
