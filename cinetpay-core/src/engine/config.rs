//! The validated engine configuration, [`CheckoutConfig`], and its builder.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::return_to::ReturnTemplate;
use super::settings::{self, Setting};
use crate::client::ClientConfig;
use crate::protocol::Lang;
use crate::values::{Channels, Credentials};

/// A setting that is missing or wrong. The message names the setting by its
/// environment variable and its config key, and never shows a secret.
///
/// ```
/// use cinetpay_core::engine::CheckoutSettings;
/// let err = CheckoutSettings::default().into_config().unwrap_err();
/// assert_eq!(err.to_string(), "CINETPAY_API_KEY / api_key is missing");
/// assert_eq!(err.setting(), "CINETPAY_API_KEY / api_key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting} {problem}")]
pub struct ConfigError {
    setting: String,
    problem: String,
}

impl ConfigError {
    /// An error about `setting`, e.g. `("CINETPAY_SITE_ID / site_id", "is missing")`.
    pub fn new(setting: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            setting: setting.into(),
            problem: problem.into(),
        }
    }

    pub(crate) fn of(setting: Setting, problem: impl Into<String>) -> Self {
        Self::new(setting.to_string(), problem)
    }

    /// Which setting is wrong.
    pub fn setting(&self) -> &str {
        &self.setting
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// The engine's configuration, validated: once you hold one, every URL, path,
/// template and duration in it is usable.
///
/// Build it from [`CheckoutSettings`](super::CheckoutSettings) (environment or a
/// Rocket figment table) or in code with [`CheckoutConfig::builder`].
///
/// ```
/// use std::time::Duration;
/// use cinetpay_core::{ApiKey, Credentials, SiteId};
/// use cinetpay_core::engine::CheckoutConfig;
/// let creds = Credentials::new(SiteId::new("123456")?, ApiKey::new("key")?, None);
/// let config = CheckoutConfig::builder(creds, "https://shop.example")
///     .prefix("/pay")
///     .return_to("/orders/{order_ref}?paid={status}")
///     .fulfil_timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(config.notify_url().as_str(), "https://shop.example/pay/notify");
/// assert_eq!(config.return_url().as_str(), "https://shop.example/pay/return");
///
/// let bad = CheckoutConfig::builder(config.credentials().clone(), "https://shop.example")
///     .prefix("pay/")
///     .build();
/// assert!(bad.unwrap_err().to_string().starts_with("CINETPAY_PREFIX / prefix"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CheckoutConfig {
    pub(crate) credentials: Credentials,
    pub(crate) client: ClientConfig,
    pub(crate) public_url: Url,
    pub(crate) prefix: String,
    pub(crate) notify_url: Url,
    pub(crate) return_url: Url,
    pub(crate) return_to: ReturnTemplate,
    pub(crate) return_fallback: ReturnTemplate,
    pub(crate) body_limit: usize,
    pub(crate) channels: Channels,
    pub(crate) lang: Option<Lang>,
    pub(crate) fulfil_timeout: Duration,
    pub(crate) claim_lease: Duration,
    pub(crate) retry_base: Duration,
    pub(crate) retry_max: Duration,
    pub(crate) init_abandoned_after: Duration,
    pub(crate) reconcile_interval: Duration,
    pub(crate) reconcile_batch: usize,
    pub(crate) stale_pending_after: Option<Duration>,
}

impl fmt::Debug for CheckoutConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts the API key and the secret key.
        f.debug_struct("CheckoutConfig")
            .field("credentials", &self.credentials)
            .field("api_url", &self.client.base_url.as_str())
            .field("public_url", &self.public_url.as_str())
            .field("prefix", &self.prefix)
            .field("return_to", &self.return_to)
            .field("return_fallback", &self.return_fallback)
            .field("body_limit", &self.body_limit)
            .field("channels", &self.channels)
            .field("lang", &self.lang)
            .field("fulfil_timeout", &self.fulfil_timeout)
            .field("claim_lease", &self.claim_lease)
            .field("retry_base", &self.retry_base)
            .field("retry_max", &self.retry_max)
            .field("init_abandoned_after", &self.init_abandoned_after)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("reconcile_batch", &self.reconcile_batch)
            .field("stale_pending_after", &self.stale_pending_after)
            .finish_non_exhaustive()
    }
}

impl CheckoutConfig {
    /// Smallest accepted body limit: CinetPay's notifications must fit.
    pub const MIN_BODY_LIMIT: usize = 4 * 1024;
    /// Largest accepted body limit.
    pub const MAX_BODY_LIMIT: usize = 1024 * 1024;
    /// Largest accepted reconciliation batch.
    pub const MAX_RECONCILE_BATCH: usize = 10_000;

    /// A builder with every default, for the shop at `public_url` (its public
    /// base URL, from which `notify_url` and `return_url` are made).
    pub fn builder(
        credentials: Credentials,
        public_url: impl Into<String>,
    ) -> CheckoutConfigBuilder {
        CheckoutConfigBuilder {
            credentials,
            public_url: public_url.into(),
            api_url: ClientConfig::DEFAULT_BASE_URL.to_owned(),
            prefix: settings::DEFAULT_PREFIX.to_owned(),
            return_to: settings::DEFAULT_RETURN_TO.to_owned(),
            return_fallback: settings::DEFAULT_RETURN_FALLBACK.to_owned(),
            body_limit: settings::DEFAULT_BODY_LIMIT,
            channels: Channels::All,
            lang: None,
            fulfil_timeout: Duration::from_millis(settings::DEFAULT_FULFIL_TIMEOUT_MS),
            claim_lease: Duration::from_millis(settings::DEFAULT_CLAIM_LEASE_MS),
            retry_base: Duration::from_millis(settings::DEFAULT_RETRY_BASE_MS),
            retry_max: Duration::from_millis(settings::DEFAULT_RETRY_MAX_MS),
            init_abandoned_after: Duration::from_millis(settings::DEFAULT_INIT_ABANDONED_AFTER_MS),
            reconcile_interval: Duration::from_millis(settings::DEFAULT_RECONCILE_INTERVAL_MS),
            reconcile_batch: settings::DEFAULT_RECONCILE_BATCH,
            stale_pending_after: None,
            client: ClientConfig::default(),
        }
    }

    /// Site id, API key and optional secret key.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The settings of the CinetPay client the engine builds.
    pub fn client_config(&self) -> &ClientConfig {
        &self.client
    }

    /// The shop's public base URL.
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The route prefix, such as `/cinetpay` (starts with `/`, no trailing `/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{public_url}{prefix}/notify`, sent to CinetPay at init.
    pub fn notify_url(&self) -> &Url {
        &self.notify_url
    }

    /// `{public_url}{prefix}/return`, sent to CinetPay at init.
    pub fn return_url(&self) -> &Url {
        &self.return_url
    }

    /// Where `{prefix}/return` sends the customer.
    pub fn return_to(&self) -> &ReturnTemplate {
        &self.return_to
    }

    /// Where `{prefix}/return` sends a customer whose payment is unknown.
    pub fn return_fallback(&self) -> &str {
        self.return_fallback.as_str()
    }

    /// Largest request body read, in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Payment means offered when the quote does not say.
    pub fn channels(&self) -> Channels {
        self.channels
    }

    /// Language of CinetPay's hosted page, when set.
    pub fn lang(&self) -> Option<Lang> {
        self.lang
    }

    /// How long one `fulfil` may run before it counts as failed.
    pub fn fulfil_timeout(&self) -> Duration {
        self.fulfil_timeout
    }

    /// How long a fulfilment claim lasts (longer than the fulfil timeout).
    pub fn claim_lease(&self) -> Duration {
        self.claim_lease
    }

    /// Delay before the second attempt of a failed fulfilment; doubles each attempt.
    pub fn retry_base(&self) -> Duration {
        self.retry_base
    }

    /// Longest delay between two attempts of a failed fulfilment.
    pub fn retry_max(&self) -> Duration {
        self.retry_max
    }

    /// Age after which an open payment without a payment page is considered
    /// abandoned (its init crashed) and replaced by the next init.
    pub fn init_abandoned_after(&self) -> Duration {
        self.init_abandoned_after
    }

    /// Interval an adapter should give to [`Checkout::spawn_reconciler`](super::Checkout::spawn_reconciler).
    pub fn reconcile_interval(&self) -> Duration {
        self.reconcile_interval
    }

    /// Most payments one reconciliation pass handles, per kind.
    pub fn reconcile_batch(&self) -> usize {
        self.reconcile_batch
    }

    /// When set, reconciliation also checks payments pending for longer than this.
    pub fn stale_pending_after(&self) -> Option<Duration> {
        self.stale_pending_after
    }

    /// The delay before attempt `attempt + 1` after attempt `attempt` (1-based)
    /// failed: `retry_base * 2^(attempt-1)`, at most `retry_max`.
    ///
    /// ```
    /// # use cinetpay_core::{ApiKey, Credentials, SiteId};
    /// # use cinetpay_core::engine::CheckoutConfig;
    /// use std::time::Duration;
    /// # let creds = Credentials::new(SiteId::new("1")?, ApiKey::new("k")?, None);
    /// let c = CheckoutConfig::builder(creds, "https://shop.example")
    ///     .retry_backoff(Duration::from_secs(10), Duration::from_secs(60))
    ///     .build()?;
    /// assert_eq!(c.retry_delay(1), Duration::from_secs(10));
    /// assert_eq!(c.retry_delay(3), Duration::from_secs(40));
    /// assert_eq!(c.retry_delay(30), Duration::from_secs(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        self.retry_base
            .saturating_mul(1u32 << exp)
            .min(self.retry_max)
    }

    /// `{prefix}/init`, `{prefix}/notify` or `{prefix}/return`, or `None`.
    pub(crate) fn route_of(&self, path: &str) -> Option<super::routes::Route> {
        use super::routes::Route;
        match path.strip_prefix(self.prefix.as_str())? {
            "/init" => Some(Route::Init),
            "/notify" => Some(Route::Notify),
            "/return" => Some(Route::Return),
            _ => None,
        }
    }
}

/// Builds a [`CheckoutConfig`] in code; [`build`](Self::build) validates everything.
#[derive(Clone)]
#[must_use]
pub struct CheckoutConfigBuilder {
    credentials: Credentials,
    public_url: String,
    api_url: String,
    prefix: String,
    return_to: String,
    return_fallback: String,
    body_limit: usize,
    channels: Channels,
    lang: Option<Lang>,
    fulfil_timeout: Duration,
    claim_lease: Duration,
    retry_base: Duration,
    retry_max: Duration,
    init_abandoned_after: Duration,
    reconcile_interval: Duration,
    reconcile_batch: usize,
    stale_pending_after: Option<Duration>,
    client: ClientConfig,
}

impl fmt::Debug for CheckoutConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckoutConfigBuilder")
            .field("credentials", &self.credentials)
            .field("public_url", &self.public_url)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl CheckoutConfigBuilder {
    /// CinetPay's API base URL (default `https://api-checkout.cinetpay.com`);
    /// point it at the sandbox or a mock in tests.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// The route prefix (default `/cinetpay`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The return redirect template (see [`ReturnTemplate`]).
    pub fn return_to(mut self, template: impl Into<String>) -> Self {
        self.return_to = template.into();
        self
    }

    /// Where to send a customer whose return names no known payment (default `/`).
    pub fn return_fallback(mut self, url: impl Into<String>) -> Self {
        self.return_fallback = url.into();
        self
    }

    /// Largest request body, in bytes (default 16 KiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Payment means when the quote does not say (default `ALL`).
    pub fn channels(mut self, channels: Channels) -> Self {
        self.channels = channels;
        self
    }

    /// Language of the hosted page (default: CinetPay's, French).
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// How long one `fulfil` call may run (default 60 s); must be shorter than the claim lease.
    pub fn fulfil_timeout(mut self, timeout: Duration) -> Self {
        self.fulfil_timeout = timeout;
        self
    }

    /// How long a fulfilment claim lasts (default 5 min).
    pub fn claim_lease(mut self, lease: Duration) -> Self {
        self.claim_lease = lease;
        self
    }

    /// First and largest delay between attempts of a failed fulfilment
    /// (default 30 s and 1 h).
    pub fn retry_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry_base = base;
        self.retry_max = max;
        self
    }

    /// Age after which an open payment without a payment page is replaced (default 60 s).
    pub fn init_abandoned_after(mut self, age: Duration) -> Self {
        self.init_abandoned_after = age;
        self
    }

    /// Reconciliation interval (default 60 s) and batch size (default 50).
    pub fn reconcile(mut self, interval: Duration, batch: usize) -> Self {
        self.reconcile_interval = interval;
        self.reconcile_batch = batch;
        self
    }

    /// Also check payments pending for longer than `age` during reconciliation
    /// (off by default: CinetPay asks merchants not to poll).
    pub fn stale_pending_after(mut self, age: Option<Duration>) -> Self {
        self.stale_pending_after = age;
        self
    }

    /// Timeouts and retries of the CinetPay client. Its `base_url` is replaced
    /// by [`api_url`](Self::api_url).
    pub fn client_config(mut self, client: ClientConfig) -> Self {
        self.client = client;
        self
    }

    /// Validates everything.
    pub fn build(self) -> Result<CheckoutConfig, ConfigError> {
        use settings::*;

        let api_url = parse_http_url(API_URL, &self.api_url)?;
        let public_url = parse_http_url(PUBLIC_URL, &self.public_url)?;
        if public_url.query().is_some() || public_url.fragment().is_some() {
            return Err(ConfigError::of(
                PUBLIC_URL,
                "must not have a query or a fragment",
            ));
        }
        check_prefix(&self.prefix)?;
        let base = public_url.as_str().trim_end_matches('/');
        let notify_url = Url::parse(&format!("{base}{}/notify", self.prefix))
            .map_err(|e| ConfigError::of(PUBLIC_URL, format!("gives a bad notify URL: {e}")))?;
        let return_url = Url::parse(&format!("{base}{}/return", self.prefix))
            .map_err(|e| ConfigError::of(PUBLIC_URL, format!("gives a bad return URL: {e}")))?;
        let return_to =
            ReturnTemplate::parse(&self.return_to).map_err(|p| ConfigError::of(RETURN_TO, p))?;
        let return_fallback = ReturnTemplate::parse_fixed(&self.return_fallback)
            .map_err(|p| ConfigError::of(RETURN_FALLBACK, p))?;
        if !(CheckoutConfig::MIN_BODY_LIMIT..=CheckoutConfig::MAX_BODY_LIMIT)
            .contains(&self.body_limit)
        {
            return Err(ConfigError::of(
                BODY_LIMIT,
                format!(
                    "is {} bytes: it must be between {} and {}",
                    self.body_limit,
                    CheckoutConfig::MIN_BODY_LIMIT,
                    CheckoutConfig::MAX_BODY_LIMIT
                ),
            ));
        }
        positive(FULFIL_TIMEOUT, self.fulfil_timeout)?;
        positive(CLAIM_LEASE, self.claim_lease)?;
        if self.fulfil_timeout >= self.claim_lease {
            return Err(ConfigError::of(
                FULFIL_TIMEOUT,
                format!(
                    "({} ms) must be shorter than {CLAIM_LEASE} ({} ms), or a slow fulfilment could run twice at once",
                    self.fulfil_timeout.as_millis(),
                    self.claim_lease.as_millis()
                ),
            ));
        }
        positive(RETRY_BASE, self.retry_base)?;
        if self.retry_max < self.retry_base {
            return Err(ConfigError::of(
                RETRY_MAX,
                format!("must be at least {RETRY_BASE}"),
            ));
        }
        positive(INIT_ABANDONED_AFTER, self.init_abandoned_after)?;
        positive(RECONCILE_INTERVAL, self.reconcile_interval)?;
        if !(1..=CheckoutConfig::MAX_RECONCILE_BATCH).contains(&self.reconcile_batch) {
            return Err(ConfigError::of(
                RECONCILE_BATCH,
                format!(
                    "must be between 1 and {}",
                    CheckoutConfig::MAX_RECONCILE_BATCH
                ),
            ));
        }
        if let Some(age) = self.stale_pending_after {
            positive(STALE_PENDING_AFTER, age)?;
        }
        positive(HTTP_TIMEOUT, self.client.timeout)?;
        if self.client.check_retries > ClientConfig::MAX_CHECK_RETRIES {
            return Err(ConfigError::of(
                CHECK_RETRIES,
                format!("must be at most {}", ClientConfig::MAX_CHECK_RETRIES),
            ));
        }
        let client = ClientConfig {
            base_url: api_url,
            ..self.client
        };
        client
            .validate()
            .map_err(|e| ConfigError::new("CinetPay client settings", e.to_string()))?;
        Ok(CheckoutConfig {
            credentials: self.credentials,
            client,
            public_url,
            prefix: self.prefix,
            notify_url,
            return_url,
            return_to,
            return_fallback,
            body_limit: self.body_limit,
            channels: self.channels,
            lang: self.lang,
            fulfil_timeout: self.fulfil_timeout,
            claim_lease: self.claim_lease,
            retry_base: self.retry_base,
            retry_max: self.retry_max,
            init_abandoned_after: self.init_abandoned_after,
            reconcile_interval: self.reconcile_interval,
            reconcile_batch: self.reconcile_batch,
            stale_pending_after: self.stale_pending_after,
        })
    }
}

fn parse_http_url(setting: Setting, raw: &str) -> Result<Url, ConfigError> {
    if raw.trim().is_empty() {
        return Err(ConfigError::of(setting, "is missing"));
    }
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigError::of(setting, format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(ConfigError::of(setting, "must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::of(
            setting,
            "must not contain a user name or password",
        ));
    }
    Ok(url)
}

fn check_prefix(prefix: &str) -> Result<(), ConfigError> {
    let fail = |p: &str| Err(ConfigError::of(settings::PREFIX, p));
    if !prefix.starts_with('/') {
        return fail("must start with '/'");
    }
    if prefix.ends_with('/') {
        return fail("must not end with '/'");
    }
    if prefix.contains("//") {
        return fail("must not contain '//'");
    }
    if let Some(c) = prefix
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~')))
    {
        return fail(&format!(
            "contains {c:?}: only letters, digits, '/', '-', '_', '.' and '~' are allowed"
        ));
    }
    if prefix.split('/').any(|seg| seg == "." || seg == "..") {
        return fail("must not contain '.' or '..' segments");
    }
    Ok(())
}

fn positive(setting: Setting, d: Duration) -> Result<(), ConfigError> {
    if d.is_zero() {
        Err(ConfigError::of(setting, "must be greater than zero"))
    } else {
        Ok(())
    }
}
