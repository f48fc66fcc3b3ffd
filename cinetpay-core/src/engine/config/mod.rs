//! The configuration: [`CheckoutSettings`] (what serde reads: the
//! environment, a Rocket figment table, JSON, a struct literal) and
//! [`CheckoutConfig`] (the same, validated). There is no other way in.

mod error;
mod settings;
mod validate;

use std::fmt;
use std::time::Duration;

use url::Url;

pub use error::ConfigError;
pub use settings::CheckoutSettings;

use super::return_to::ReturnTemplate;
use crate::client::ClientConfig;
use crate::protocol::Lang;
use crate::values::{Channels, Credentials};

/// One CinetPay account: its credentials and the client that talks to it.
#[derive(Clone)]
pub struct AccountConfig {
    pub(crate) credentials: Credentials,
    pub(crate) client: ClientConfig,
}

impl fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts the API key and the secret key.
        f.debug_struct("AccountConfig")
            .field("credentials", &self.credentials)
            .field("api_url", &self.client.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl AccountConfig {
    /// Site id, API key and optional secret key.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The settings of the CinetPay client of this account (API URL,
    /// timeouts, retries of the status check).
    pub fn client_config(&self) -> &ClientConfig {
        &self.client
    }

    /// Whether notifications are accepted without an `x-token` (no secret key
    /// is set). The engine says so at `error` level when it starts.
    pub fn accepts_unsigned_notifications(&self) -> bool {
        self.credentials.secret_key.is_none()
    }
}

/// When and how long the reconciler checks payments without a final status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// A payment is checked once this long has passed since it was last
    /// looked at (created or checked), and at least a third of its age at
    /// that last look: checks thin out as a payment ages.
    pub after: Duration,
    /// Payments older than this are no longer polled.
    pub window: Duration,
}

/// The engine's configuration, validated: once you hold one, every URL, path,
/// template and duration in it is usable. Made only by
/// [`CheckoutSettings::into_config`].
///
/// ```
/// use cinetpay_core::engine::CheckoutSettings;
/// let config = CheckoutSettings {
///     api_key: Some("key".into()),
///     site_id: Some("123456".into()),
///     secret_key: Some("secret".into()),
///     public_url: Some("https://shop.example".into()),
///     prefix: "/pay".into(),
///     ..CheckoutSettings::default()
/// }
/// .into_config()?;
/// assert_eq!(config.notify_url().as_str(), "https://shop.example/pay/notify");
/// assert_eq!(config.return_url().as_str(), "https://shop.example/pay/return");
/// assert_eq!(config.account().credentials().site_id.as_str(), "123456");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CheckoutConfig {
    pub(crate) account: AccountConfig,
    pub(crate) public_url: Url,
    pub(crate) prefix: String,
    pub(crate) notify_url: Url,
    pub(crate) return_url: Url,
    pub(crate) return_to: ReturnTemplate,
    pub(crate) return_fallback: ReturnTemplate,
    pub(crate) body_limit: usize,
    pub(crate) body_read_timeout: Duration,
    pub(crate) channels: Channels,
    pub(crate) lang: Option<Lang>,
    pub(crate) init_abandoned_after: Duration,
    pub(crate) min_check_interval: Duration,
    pub(crate) fulfil_timeout: Duration,
    pub(crate) claim_lease: Duration,
    pub(crate) fulfil_retry_base: Duration,
    pub(crate) fulfil_retry_max: Duration,
    pub(crate) reconcile_interval: Duration,
    pub(crate) reconcile_batch: usize,
    pub(crate) polling: Option<Polling>,
}

impl fmt::Debug for CheckoutConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckoutConfig")
            .field("account", &self.account)
            .field("public_url", &self.public_url.as_str())
            .field("prefix", &self.prefix)
            .field("return_to", &self.return_to)
            .field("return_fallback", &self.return_fallback)
            .field("body_limit", &self.body_limit)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("channels", &self.channels)
            .field("lang", &self.lang)
            .field("init_abandoned_after", &self.init_abandoned_after)
            .field("min_check_interval", &self.min_check_interval)
            .field("fulfil_timeout", &self.fulfil_timeout)
            .field("claim_lease", &self.claim_lease)
            .field("fulfil_retry_base", &self.fulfil_retry_base)
            .field("fulfil_retry_max", &self.fulfil_retry_max)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("reconcile_batch", &self.reconcile_batch)
            .field("polling", &self.polling)
            .finish()
    }
}

impl CheckoutConfig {
    /// Smallest accepted body limit: CinetPay's notifications must fit.
    pub const MIN_BODY_LIMIT: usize = 4 * 1024;
    /// Largest accepted body limit.
    pub const MAX_BODY_LIMIT: usize = 1024 * 1024;
    /// Largest accepted reconciliation batch.
    pub const MAX_RECONCILE_BATCH: usize = 10_000;

    /// The CinetPay account.
    pub fn account(&self) -> &AccountConfig {
        &self.account
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

    /// Longest time an adapter spends reading one request body.
    pub fn body_read_timeout(&self) -> Duration {
        self.body_read_timeout
    }

    /// Payment means offered when the quote does not say.
    pub fn channels(&self) -> Channels {
        self.channels
    }

    /// Language of CinetPay's hosted page, when set.
    pub fn lang(&self) -> Option<Lang> {
        self.lang
    }

    /// Age after which an open payment without a payment page is considered
    /// abandoned (its init crashed) and replaced by the next init.
    pub fn init_abandoned_after(&self) -> Duration {
        self.init_abandoned_after
    }

    /// A return or an unsigned notification does not check a payment that was
    /// checked less than this ago.
    pub fn min_check_interval(&self) -> Duration {
        self.min_check_interval
    }

    /// How long one `fulfil` may run before it counts as failed.
    pub fn fulfil_timeout(&self) -> Duration {
        self.fulfil_timeout
    }

    /// How long a fulfilment claim lasts (longer than the fulfil timeout).
    pub fn claim_lease(&self) -> Duration {
        self.claim_lease
    }

    /// Interval of the background reconciler.
    pub fn reconcile_interval(&self) -> Duration {
        self.reconcile_interval
    }

    /// Most payments one reconciliation pass handles, per kind.
    pub fn reconcile_batch(&self) -> usize {
        self.reconcile_batch
    }

    /// How the reconciler polls payments without a final status; `None`: it
    /// does not.
    pub fn polling(&self) -> Option<Polling> {
        self.polling
    }

    /// The delay before try `attempt + 1` after try `attempt` (1-based) of a
    /// fulfilment failed: `fulfil_retry_base * 2^(attempt-1)`, at most
    /// `fulfil_retry_max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cinetpay_core::engine::CheckoutSettings;
    /// let c = CheckoutSettings {
    ///     api_key: Some("k".into()),
    ///     site_id: Some("1".into()),
    ///     secret_key: Some("s".into()),
    ///     public_url: Some("https://shop.example".into()),
    ///     fulfil_retry_base_ms: 10_000,
    ///     fulfil_retry_max_ms: 60_000,
    ///     ..CheckoutSettings::default()
    /// }
    /// .into_config()?;
    /// assert_eq!(c.retry_delay(1), Duration::from_secs(10));
    /// assert_eq!(c.retry_delay(3), Duration::from_secs(40));
    /// assert_eq!(c.retry_delay(30), Duration::from_secs(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        self.fulfil_retry_base
            .saturating_mul(1u32 << exp)
            .min(self.fulfil_retry_max)
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
