//! Clocks for tests of several instances whose clocks disagree.

use std::time::Duration;

use cinetpay_core::Timestamp;
use cinetpay_core::clock::Clock;

/// The system clock, shifted: an instance whose clock runs `ahead` (or
/// behind, with a negative offset) of the others.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_core::clock::{Clock, SystemClock};
/// use cinetpay_testing::OffsetClock;
/// let ahead = OffsetClock::ahead(Duration::from_secs(60));
/// let behind = OffsetClock::behind(Duration::from_secs(60));
/// let gap = ahead.now() - behind.now();
/// assert!(gap.num_seconds() >= 119 && gap.num_seconds() <= 121);
/// assert!(ahead.now() > SystemClock.now());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetClock {
    offset: chrono::TimeDelta,
}

impl OffsetClock {
    /// A clock `by` ahead of the system clock.
    pub fn ahead(by: Duration) -> Self {
        OffsetClock {
            offset: chrono::TimeDelta::from_std(by).unwrap_or(chrono::TimeDelta::MAX),
        }
    }

    /// A clock `by` behind the system clock.
    pub fn behind(by: Duration) -> Self {
        OffsetClock {
            offset: -chrono::TimeDelta::from_std(by).unwrap_or(chrono::TimeDelta::MAX),
        }
    }

    /// A clock `seconds` off the system clock (negative: behind).
    pub fn off_by_seconds(seconds: i64) -> Self {
        OffsetClock {
            offset: chrono::TimeDelta::seconds(seconds),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now() + self.offset
    }
}
