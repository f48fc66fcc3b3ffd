use std::time::Duration;

use url::Url;

/// Settings of a [`Client`](super::Client).
///
/// ```
/// use cinetpay_core::ClientConfig;
/// let c = ClientConfig::default();
/// assert_eq!(c.base_url.as_str(), "https://api-checkout.cinetpay.com/");
/// assert_eq!(c.check_retries, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// API base URL (default `https://api-checkout.cinetpay.com`).
    pub base_url: Url,
    /// TCP/TLS connect timeout (default 5 s).
    pub connect_timeout: Duration,
    /// Whole-request timeout (default 20 s).
    pub timeout: Duration,
    /// Retries of `check` after the first try, on transport errors and 5xx (default 3).
    pub check_retries: u32,
    /// First retry delay; doubles each time, with full jitter (default 200 ms).
    pub retry_base_delay: Duration,
    /// Upper bound of a retry delay (default 5 s).
    pub retry_max_delay: Duration,
}

impl ClientConfig {
    /// The production API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api-checkout.cinetpay.com";

    /// The delay before retry number `attempt` (0-based): a random duration in
    /// `[0, min(max, base * 2^attempt)]` ("full jitter").
    pub fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .retry_base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.retry_max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::random_range(0..=millis))
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: Url::parse(Self::DEFAULT_BASE_URL).unwrap_or_else(|_| unreachable_url()),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            check_retries: 3,
            retry_base_delay: Duration::from_millis(200),
            retry_max_delay: Duration::from_secs(5),
        }
    }
}

#[cold]
fn unreachable_url() -> Url {
    panic!("the default CinetPay URL is valid")
}
