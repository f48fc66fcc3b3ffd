//! Time: a [`Clock`] the engine (and a store without a clock of its own) asks
//! for "now", so that tests
//! can move time (leases, backoff, stale payments) without sleeping.

use std::sync::Mutex;
use std::time::Duration;

use chrono::TimeDelta;

use crate::model::Timestamp;

/// Where the engine reads the current time.
///
/// Every time the engine hands to a [`PaymentStore`](crate::PaymentStore)
/// (claims, leases, next attempts, the delivery log) comes from here. Timeouts
/// around the merchant's code use tokio's timer, not the clock.
///
/// ```
/// use cinetpay_core::engine::{Clock, SystemClock};
/// let now = SystemClock.now();
/// assert!(now.timestamp() > 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real time (`chrono::Utc::now()`), the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// A clock that only moves when told to: for tests of leases, backoff and
/// reconciliation.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_core::engine::{Clock, ManualClock};
/// let clock = ManualClock::starting_now();
/// let t0 = clock.now();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!((clock.now() - t0).num_seconds(), 90);
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// A clock standing at the current real time.
    pub fn starting_now() -> Self {
        Self::new(chrono::Utc::now())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = after(*now, by);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `at + by`, saturating at the largest representable time.
pub(crate) fn after(at: Timestamp, by: Duration) -> Timestamp {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// `at - by`, saturating at the smallest representable time.
#[cfg(feature = "engine")]
pub(crate) fn before(at: Timestamp, by: Duration) -> Timestamp {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|d| at.checked_sub_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}
