use std::time::Duration;

use url::Url;

/// Settings of a [`Client`](super::Client): where CinetPay is, how long to
/// wait, how to retry `check`.
///
/// There is deliberately no setting to turn TLS certificate verification off:
/// the requests carry the API key.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_core::ClientConfig;
/// let c = ClientConfig::default();
/// assert_eq!(c.base_url.as_str(), "https://api-checkout.cinetpay.com/");
/// assert_eq!(c.check_retries, 3);
///
/// let local = ClientConfig::default()
///     .with_base_url("http://127.0.0.1:8080/cinetpay")?
///     .with_timeouts(Duration::from_secs(1), Duration::from_secs(5))
///     .with_check_retries(5);
/// assert!(local.validate().is_ok());
/// assert!(ClientConfig::default().with_check_retries(1000).validate().is_err());
/// # Ok::<(), cinetpay_core::client::ClientConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// API base URL (default `https://api-checkout.cinetpay.com`). A path is
    /// kept (`http://host/prefix` calls `http://host/prefix/v2/payment`).
    /// `http` is accepted for local stand-ins such as the sandbox (a warning is
    /// logged when the host is not a loopback address); user info, query and
    /// fragment are refused.
    pub base_url: Url,
    /// TCP/TLS connect timeout (default 5 s).
    pub connect_timeout: Duration,
    /// Timeout of one whole request, body included (default 20 s). A `check`
    /// with retries can take up to `(check_retries + 1) * timeout` plus the
    /// retry delays.
    pub timeout: Duration,
    /// Retries of `check` after the first try, on transport errors, timeouts,
    /// 5xx, 408 and 429 answers (default 3, at most
    /// [`ClientConfig::MAX_CHECK_RETRIES`]). `init` is never retried.
    pub check_retries: u32,
    /// First delay between two tries of `check`; doubles each time, with
    /// full jitter (default 200 ms).
    pub check_retry_base: Duration,
    /// Upper bound of a delay between two tries of `check` (default 5 s).
    pub check_retry_max: Duration,
}

/// A [`ClientConfig`] field that is wrong: its name and what is wrong.
///
/// ```
/// use cinetpay_core::ClientConfig;
/// let mut c = ClientConfig::default();
/// c.check_retries = 99;
/// let e = c.validate().unwrap_err();
/// assert_eq!(e.field, "check_retries");
/// assert_eq!(e.to_string(), "check_retries is 99, at most 10 are allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct ClientConfigError {
    /// The field, such as `base_url`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> ClientConfigError {
    ClientConfigError {
        field,
        problem: problem.into(),
    }
}

impl ClientConfig {
    /// The production API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api-checkout.cinetpay.com";
    /// The largest accepted [`check_retries`](Self::check_retries).
    pub const MAX_CHECK_RETRIES: u32 = 10;
    /// The largest answer body read from CinetPay (1 MiB); a longer one is an error.
    pub const MAX_BODY_BYTES: usize = 1024 * 1024;

    /// Sets the base URL (see [`base_url`](Self::base_url)), checked like
    /// [`validate`](Self::validate) does.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, ClientConfigError> {
        self.base_url = Url::parse(base_url)
            .map_err(|e| invalid("base_url", format!("is not a valid URL: {e}")))?;
        check_base_url(&self.base_url)?;
        Ok(self)
    }

    /// Sets the connect and whole-request timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.timeout = total;
        self
    }

    /// Sets how many times `check` is retried after the first try.
    #[must_use]
    pub fn with_check_retries(mut self, retries: u32) -> Self {
        self.check_retries = retries;
        self
    }

    /// Sets the first and the largest delay between two tries of `check`.
    #[must_use]
    pub fn with_retry_delays(mut self, base: Duration, max: Duration) -> Self {
        self.check_retry_base = base;
        self.check_retry_max = max;
        self
    }

    /// Checks the settings; the error names the field that is wrong.
    /// [`Client::new`](super::Client::new) calls it.
    pub fn validate(&self) -> Result<(), ClientConfigError> {
        check_base_url(&self.base_url)?;
        if self.connect_timeout.is_zero() {
            return Err(invalid("connect_timeout", "must be more than zero"));
        }
        if self.timeout.is_zero() {
            return Err(invalid("timeout", "must be more than zero"));
        }
        if self.check_retries > Self::MAX_CHECK_RETRIES {
            return Err(invalid(
                "check_retries",
                format!(
                    "is {}, at most {} are allowed",
                    self.check_retries,
                    Self::MAX_CHECK_RETRIES
                ),
            ));
        }
        if self.check_retry_max < self.check_retry_base {
            return Err(invalid(
                "check_retry_max",
                "must not be less than check_retry_base",
            ));
        }
        Ok(())
    }

    /// The delay before retry number `attempt` (0-based): a random duration in
    /// `[0, min(max, base * 2^attempt)]` ("full jitter").
    ///
    /// ```
    /// use std::time::Duration;
    /// use cinetpay_core::ClientConfig;
    /// let c = ClientConfig::default()
    ///     .with_retry_delays(Duration::from_millis(100), Duration::from_millis(250));
    /// assert!(c.backoff(0) <= Duration::from_millis(100));
    /// assert!(c.backoff(30) <= Duration::from_millis(250));
    /// ```
    pub fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .check_retry_base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.check_retry_max);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::random_range(0..=millis))
    }
}

fn check_base_url(url: &Url) -> Result<(), ClientConfigError> {
    let bad = |why: &str| Err(invalid("base_url", why));
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                tracing::warn!(
                    host = url.host_str().unwrap_or(""),
                    "CinetPay base_url is plain http: the API key travels unencrypted"
                );
            }
        }
        _ => return bad("must be an http or https URL"),
    }
    if url.host().is_none() {
        return bad("has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("must not contain a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return bad("must not have a query or a fragment");
    }
    Ok(())
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: Url::parse(Self::DEFAULT_BASE_URL).unwrap_or_else(|_| unreachable_url()),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            check_retries: 3,
            check_retry_base: Duration::from_millis(200),
            check_retry_max: Duration::from_secs(5),
        }
    }
}

#[cold]
fn unreachable_url() -> Url {
    panic!("the default CinetPay URL is valid")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn invalid(c: &ClientConfig) -> String {
        match c.validate() {
            Err(e) => e.to_string(),
            Ok(()) => panic!("expected an invalid configuration"),
        }
    }

    #[test]
    fn the_default_is_valid_and_points_at_production() {
        let c = ClientConfig::default();
        assert!(c.validate().is_ok());
        assert_eq!(c.base_url.host_str(), Some("api-checkout.cinetpay.com"));
        assert_eq!(c.connect_timeout, Duration::from_secs(5));
        assert_eq!(c.timeout, Duration::from_secs(20));
    }

    #[test]
    fn bad_settings_are_named() {
        let d = ClientConfig::default();
        for (url, why) in [
            ("ftp://x.example", "http or https"),
            ("https://user:pw@x.example", "user name or password"),
            ("https://x.example/?a=1", "query"),
            ("https://x.example/#f", "fragment"),
        ] {
            let mut c = d.clone();
            c.base_url = Url::parse(url).unwrap();
            assert!(invalid(&c).contains(why), "{url}: {}", invalid(&c));
            assert!(d.clone().with_base_url(url).is_err());
        }
        assert!(d.clone().with_base_url("not a url").is_err());
        assert!(
            invalid(
                &d.clone()
                    .with_timeouts(Duration::ZERO, Duration::from_secs(1))
            )
            .contains("connect_timeout")
        );
        assert!(
            invalid(
                &d.clone()
                    .with_timeouts(Duration::from_secs(1), Duration::ZERO)
            )
            .starts_with("timeout")
        );
        assert!(invalid(&d.clone().with_check_retries(11)).contains("check_retries"));
        assert!(d.clone().with_check_retries(10).validate().is_ok());
        assert!(
            invalid(
                &d.clone()
                    .with_retry_delays(Duration::from_secs(2), Duration::from_secs(1))
            )
            .contains("check_retry_max")
        );
        assert!(d.with_base_url("http://sandbox.internal:8080/x/").is_ok());
    }

    #[test]
    fn backoff_grows_within_its_cap() {
        let c = ClientConfig::default()
            .with_retry_delays(Duration::from_millis(10), Duration::from_millis(35));
        for _ in 0..200 {
            assert!(c.backoff(0) <= Duration::from_millis(10));
            assert!(c.backoff(1) <= Duration::from_millis(20));
            assert!(c.backoff(2) <= Duration::from_millis(35));
            assert!(c.backoff(u32::MAX) <= Duration::from_millis(35));
        }
        // Full jitter: the delays spread over the whole range.
        let spread: std::collections::HashSet<_> = (0..200).map(|_| c.backoff(5)).collect();
        assert!(spread.len() > 5);
        let zero = ClientConfig::default().with_retry_delays(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.backoff(3), Duration::ZERO);
    }
}
