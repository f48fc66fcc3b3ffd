//! Check faults: how `/v2/payment/check` misbehaves, set globally or per payment.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::scenario::millis;

/// How `/v2/payment/check` misbehaves. Counters (`fail_next`, `hang_next`)
/// are consumed by the calls they affect: per payment they count that
/// payment's checks, globally every check.
///
/// In JSON (admin API): `{"fail_next":2,"latency_ms":300,"amount":900,...}`.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_sandbox::CheckFaults;
/// let f = CheckFaults::new().fail_next(2).latency(Duration::from_millis(100)).report_amount(900);
/// let json = serde_json::to_value(&f).unwrap();
/// assert_eq!(json["fail_next"], 2);
/// assert_eq!(json["latency_ms"], 100);
/// assert_eq!(json["amount"], 900);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckFaults {
    /// The next `n` checks answer HTTP 500 with an HTML body.
    pub fail_next: u32,
    /// The next `n` checks do not answer for [`hang_for`](Self::hang_for).
    pub hang_next: u32,
    /// How long a hanging check holds the connection (default 30 s).
    #[serde(rename = "hang_ms", with = "millis")]
    pub hang_for: Duration,
    /// Added to every check.
    #[serde(rename = "latency_ms", with = "millis")]
    pub latency: Duration,
    /// Report this amount instead of the one initialised (tampering).
    pub amount: Option<i64>,
    /// Report this currency instead of the one initialised (tampering).
    pub currency: Option<String>,
}

impl Default for CheckFaults {
    fn default() -> Self {
        CheckFaults {
            fail_next: 0,
            hang_next: 0,
            hang_for: Duration::from_secs(30),
            latency: Duration::ZERO,
            amount: None,
            currency: None,
        }
    }
}

impl CheckFaults {
    /// No fault.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `n` checks answer HTTP 500.
    #[must_use]
    pub fn fail_next(mut self, n: u32) -> Self {
        self.fail_next = n;
        self
    }

    /// The next `n` checks hang.
    #[must_use]
    pub fn hang_next(mut self, n: u32) -> Self {
        self.hang_next = n;
        self
    }

    /// How long a hanging check holds.
    #[must_use]
    pub fn hang_for(mut self, d: Duration) -> Self {
        self.hang_for = d;
        self
    }

    /// Latency added to every check.
    #[must_use]
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = d;
        self
    }

    /// Reports this amount instead of the one initialised.
    #[must_use]
    pub fn report_amount(mut self, amount: i64) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Reports this currency instead of the one initialised.
    #[must_use]
    pub fn report_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Whether anything is injected at all.
    pub fn is_none(&self) -> bool {
        self.fail_next == 0
            && self.hang_next == 0
            && self.latency.is_zero()
            && self.amount.is_none()
            && self.currency.is_none()
    }
}
