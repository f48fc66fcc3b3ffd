//! The configuration: [`CheckoutSettings`] (what serde reads: the
//! environment, a Rocket figment table, JSON, a struct literal) and
//! [`CheckoutConfig`] (the same, validated). There is no other way in.

mod account;
mod account_settings;
mod error;
mod settings;
mod validate;

use std::fmt;
use std::time::Duration;

use url::Url;

pub use account::{AccountApi, AccountConfig};
pub use account_settings::AccountSettings;
pub use error::ConfigError;
pub use settings::CheckoutSettings;

use super::return_to::ReturnTemplate;
use crate::protocol::Lang;
use crate::values::Channels;

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
/// let account = config.account();
/// assert_eq!(account.name().as_str(), "default");
/// assert_eq!(account.v2_credentials().map(|c| c.site_id.as_str()), Some("123456"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CheckoutConfig {
    /// At least one; names are unique; the first is the default.
    pub(crate) accounts: Vec<AccountConfig>,
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
    pub(crate) fulfil_in_background: bool,
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
            .field("accounts", &self.accounts)
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
            .field("fulfil_in_background", &self.fulfil_in_background)
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

    /// The first configured CinetPay account: the only one of a shop that
    /// names none (`default`), else the first of `accounts`.
    pub fn account(&self) -> &AccountConfig {
        &self.accounts[0]
    }

    /// Every configured CinetPay account, the default first.
    pub fn accounts(&self) -> &[AccountConfig] {
        &self.accounts
    }

    /// The account with this name.
    pub fn account_named(&self, name: &crate::model::AccountName) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| &a.name == name)
    }

    /// Whether some account is on the 2026 API.
    pub fn has_rest_2026(&self) -> bool {
        self.accounts
            .iter()
            .any(|a| a.generation() == crate::model::Generation::Rest2026)
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

    /// Whether Checkout v2 notifications are answered before the fulfiller
    /// runs (the 2026 API's always are).
    pub fn fulfil_in_background(&self) -> bool {
        self.fulfil_in_background
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
