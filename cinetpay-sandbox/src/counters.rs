//! [`RestCounters`]: how often the 2026 REST API was called, and how it answered.

use serde::Serialize;

/// Counts of the 2026 REST API's calls and answers since start-up (or the
/// last [`Sandbox::reset`](crate::Sandbox::reset)), for tests to assert on:
/// "the client logged in once, then again after the token expired".
///
/// Read with [`Sandbox::rest_counters`](crate::Sandbox::rest_counters) or
/// `GET /_sandbox/rest/counters`.
///
/// ```
/// use cinetpay_sandbox::RestCounters;
/// let c = RestCounters::default();
/// assert_eq!(c.logins, 0);
/// assert_eq!(serde_json::to_value(&c).unwrap()["expired_tokens"], 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RestCounters {
    /// Successful logins (each issued a token).
    pub logins: u64,
    /// Logins refused (`1004` or `1005`).
    pub failed_logins: u64,
    /// `POST /v1/payment` calls that got past authentication.
    pub inits: u64,
    /// Payments created.
    pub payments_created: u64,
    /// Inits refused with `1200 TRANSACTION_EXIST`.
    pub duplicates: u64,
    /// Inits refused with `1004 INVALID_PARAMS`.
    pub invalid_inits: u64,
    /// `GET /v1/payment/{id}` calls that got past authentication.
    pub status_calls: u64,
    /// Calls refused with `1002 INVALID_TOKEN` (no, unknown or malformed token).
    pub invalid_tokens: u64,
    /// Calls refused with `1003 EXPIRED_TOKEN`.
    pub expired_tokens: u64,
    /// HTTP 500 answers injected.
    pub http_500: u64,
    /// Inits that created the payment and then held the answer.
    pub init_timeouts: u64,
}
