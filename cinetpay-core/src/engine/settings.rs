//! [`CheckoutSettings`]: the plain, serde-deserializable form of the
//! configuration, read from the environment or from a Rocket figment table.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::config::{CheckoutConfig, ConfigError};
use crate::client::ClientConfig;
use crate::protocol::Lang;
use crate::values::{ApiKey, Channels, CredentialError, Credentials, SecretKey, SiteId};

/// A setting's two names: environment variable and config key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Setting {
    env: &'static str,
    key: &'static str,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.env, self.key)
    }
}

macro_rules! settings {
    ($($name:ident = $env:literal, $key:literal;)*) => {
        $(pub(crate) const $name: Setting = Setting { env: $env, key: $key };)*
    };
}

settings! {
    API_KEY = "CINETPAY_API_KEY", "api_key";
    SITE_ID = "CINETPAY_SITE_ID", "site_id";
    SECRET_KEY = "CINETPAY_SECRET_KEY", "secret_key";
    API_URL = "CINETPAY_API_URL", "api_url";
    PUBLIC_URL = "CINETPAY_PUBLIC_URL", "public_url";
    PREFIX = "CINETPAY_PREFIX", "prefix";
    RETURN_TO = "CINETPAY_RETURN_TO", "return_to";
    RETURN_FALLBACK = "CINETPAY_RETURN_FALLBACK", "return_fallback";
    BODY_LIMIT = "CINETPAY_BODY_LIMIT", "body_limit";
    CHANNELS = "CINETPAY_CHANNELS", "channels";
    LANG = "CINETPAY_LANG", "lang";
    FULFIL_TIMEOUT = "CINETPAY_FULFIL_TIMEOUT_MS", "fulfil_timeout_ms";
    CLAIM_LEASE = "CINETPAY_CLAIM_LEASE_MS", "claim_lease_ms";
    RETRY_BASE = "CINETPAY_RETRY_BASE_MS", "retry_base_ms";
    RETRY_MAX = "CINETPAY_RETRY_MAX_MS", "retry_max_ms";
    INIT_ABANDONED_AFTER = "CINETPAY_INIT_ABANDONED_AFTER_MS", "init_abandoned_after_ms";
    RECONCILE_INTERVAL = "CINETPAY_RECONCILE_INTERVAL_MS", "reconcile_interval_ms";
    RECONCILE_BATCH = "CINETPAY_RECONCILE_BATCH", "reconcile_batch";
    STALE_PENDING_AFTER = "CINETPAY_STALE_PENDING_AFTER_MS", "stale_pending_after_ms";
    CHECK_RETRIES = "CINETPAY_CHECK_RETRIES", "check_retries";
    HTTP_TIMEOUT = "CINETPAY_HTTP_TIMEOUT_MS", "http_timeout_ms";
}

pub(crate) const DEFAULT_PREFIX: &str = "/cinetpay";
pub(crate) const DEFAULT_RETURN_TO: &str =
    "/orders/{order_ref}?payment={status}&transaction_id={transaction_id}";
pub(crate) const DEFAULT_RETURN_FALLBACK: &str = "/";
pub(crate) const DEFAULT_BODY_LIMIT: usize = 16 * 1024;
pub(crate) const DEFAULT_FULFIL_TIMEOUT_MS: u64 = 60_000;
pub(crate) const DEFAULT_CLAIM_LEASE_MS: u64 = 300_000;
pub(crate) const DEFAULT_RETRY_BASE_MS: u64 = 30_000;
pub(crate) const DEFAULT_RETRY_MAX_MS: u64 = 3_600_000;
pub(crate) const DEFAULT_INIT_ABANDONED_AFTER_MS: u64 = 60_000;
pub(crate) const DEFAULT_RECONCILE_INTERVAL_MS: u64 = 60_000;
pub(crate) const DEFAULT_RECONCILE_BATCH: usize = 50;

/// The engine's settings as plain values, every one with a default: what
/// [`from_env`](Self::from_env) reads and what a Rocket figment
/// `[default.cinetpay]` table deserializes into. Unknown keys are refused, so
/// that a typo fails at start-up. Turn them into a validated
/// [`CheckoutConfig`] with [`into_config`](Self::into_config).
///
/// | key | environment | default |
/// |---|---|---|
/// | `api_key` | `CINETPAY_API_KEY` | required |
/// | `site_id` | `CINETPAY_SITE_ID` | required |
/// | `secret_key` | `CINETPAY_SECRET_KEY` | none: `x-token` not checked |
/// | `api_url` | `CINETPAY_API_URL` | `https://api-checkout.cinetpay.com` |
/// | `public_url` | `CINETPAY_PUBLIC_URL` | required: the shop's public base URL |
/// | `prefix` | `CINETPAY_PREFIX` | `/cinetpay` |
/// | `return_to` | `CINETPAY_RETURN_TO` | `/orders/{order_ref}?payment={status}&transaction_id={transaction_id}` |
/// | `return_fallback` | `CINETPAY_RETURN_FALLBACK` | `/` |
/// | `body_limit` | `CINETPAY_BODY_LIMIT` | `16384` |
/// | `channels` | `CINETPAY_CHANNELS` | `ALL` |
/// | `lang` | `CINETPAY_LANG` | none (`fr` or `en`) |
/// | `fulfil_timeout_ms` | `CINETPAY_FULFIL_TIMEOUT_MS` | `60000` |
/// | `claim_lease_ms` | `CINETPAY_CLAIM_LEASE_MS` | `300000` |
/// | `retry_base_ms` | `CINETPAY_RETRY_BASE_MS` | `30000` |
/// | `retry_max_ms` | `CINETPAY_RETRY_MAX_MS` | `3600000` |
/// | `init_abandoned_after_ms` | `CINETPAY_INIT_ABANDONED_AFTER_MS` | `60000` |
/// | `reconcile_interval_ms` | `CINETPAY_RECONCILE_INTERVAL_MS` | `60000` |
/// | `reconcile_batch` | `CINETPAY_RECONCILE_BATCH` | `50` |
/// | `stale_pending_after_ms` | `CINETPAY_STALE_PENDING_AFTER_MS` | none (off; `0` is off too) |
/// | `check_retries` | `CINETPAY_CHECK_RETRIES` | `3` |
/// | `http_timeout_ms` | `CINETPAY_HTTP_TIMEOUT_MS` | `20000` |
///
/// `Debug` never shows the API key or the secret key.
///
/// ```
/// use cinetpay_core::engine::CheckoutSettings;
/// let settings: CheckoutSettings = serde_json::from_str(r#"{
///     "api_key": "my-api-key", "site_id": 123456, "public_url": "https://shop.example"
/// }"#)?;
/// assert!(!format!("{settings:?}").contains("my-api-key"));
/// let config = settings.into_config()?;
/// assert_eq!(config.prefix(), "/cinetpay");
/// assert_eq!(config.credentials().site_id.as_str(), "123456");
///
/// let env = |name: &str| match name {
///     "CINETPAY_API_KEY" => Some("k".to_owned()),
///     "CINETPAY_PUBLIC_URL" => Some("https://shop.example".to_owned()),
///     _ => None,
/// };
/// let err = CheckoutSettings::from_lookup(env)?.into_config().unwrap_err();
/// assert_eq!(err.to_string(), "CINETPAY_SITE_ID / site_id is missing");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckoutSettings {
    /// The merchant's API key.
    #[serde(deserialize_with = "opt_string")]
    pub api_key: Option<String>,
    /// The merchant's site id (a string or a number).
    #[serde(deserialize_with = "opt_string")]
    pub site_id: Option<String>,
    /// The secret key that signs notifications; without it `x-token` is not checked.
    #[serde(deserialize_with = "opt_string")]
    pub secret_key: Option<String>,
    /// CinetPay's API base URL.
    pub api_url: String,
    /// The shop's public base URL, for `notify_url` and `return_url`.
    #[serde(deserialize_with = "opt_string")]
    pub public_url: Option<String>,
    /// The route prefix.
    pub prefix: String,
    /// The return redirect template (see [`ReturnTemplate`](super::ReturnTemplate)).
    pub return_to: String,
    /// Where a return for an unknown payment goes.
    pub return_fallback: String,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// `ALL`, `MOBILE_MONEY`, `CREDIT_CARD` or `WALLET`.
    pub channels: String,
    /// `fr` or `en`.
    #[serde(deserialize_with = "opt_string")]
    pub lang: Option<String>,
    /// Longest run of one `fulfil`, in ms.
    pub fulfil_timeout_ms: u64,
    /// Fulfilment claim lease, in ms (longer than `fulfil_timeout_ms`).
    pub claim_lease_ms: u64,
    /// First retry delay of a failed fulfilment, in ms.
    pub retry_base_ms: u64,
    /// Longest retry delay of a failed fulfilment, in ms.
    pub retry_max_ms: u64,
    /// Age, in ms, after which an open payment without a page is replaced.
    pub init_abandoned_after_ms: u64,
    /// Reconciliation interval, in ms.
    pub reconcile_interval_ms: u64,
    /// Most payments per reconciliation pass and kind.
    pub reconcile_batch: usize,
    /// Check payments pending longer than this, in ms, during reconciliation
    /// (`None` or `0`: off).
    pub stale_pending_after_ms: Option<u64>,
    /// Retries of a failed `/v2/payment/check` call.
    pub check_retries: u32,
    /// Whole-request timeout of calls to CinetPay, in ms.
    pub http_timeout_ms: u64,
}

impl Default for CheckoutSettings {
    fn default() -> Self {
        let client = ClientConfig::default();
        CheckoutSettings {
            api_key: None,
            site_id: None,
            secret_key: None,
            api_url: ClientConfig::DEFAULT_BASE_URL.to_owned(),
            public_url: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            return_to: DEFAULT_RETURN_TO.to_owned(),
            return_fallback: DEFAULT_RETURN_FALLBACK.to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            channels: Channels::All.as_str().to_owned(),
            lang: None,
            fulfil_timeout_ms: DEFAULT_FULFIL_TIMEOUT_MS,
            claim_lease_ms: DEFAULT_CLAIM_LEASE_MS,
            retry_base_ms: DEFAULT_RETRY_BASE_MS,
            retry_max_ms: DEFAULT_RETRY_MAX_MS,
            init_abandoned_after_ms: DEFAULT_INIT_ABANDONED_AFTER_MS,
            reconcile_interval_ms: DEFAULT_RECONCILE_INTERVAL_MS,
            reconcile_batch: DEFAULT_RECONCILE_BATCH,
            stale_pending_after_ms: None,
            check_retries: client.check_retries,
            http_timeout_ms: u64::try_from(client.timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

impl fmt::Debug for CheckoutSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("CheckoutSettings")
            .field("api_key", &redacted(&self.api_key))
            .field("site_id", &self.site_id)
            .field("secret_key", &redacted(&self.secret_key))
            .field("api_url", &self.api_url)
            .field("public_url", &self.public_url)
            .field("prefix", &self.prefix)
            .field("return_to", &self.return_to)
            .field("return_fallback", &self.return_fallback)
            .field("body_limit", &self.body_limit)
            .field("channels", &self.channels)
            .field("lang", &self.lang)
            .field("fulfil_timeout_ms", &self.fulfil_timeout_ms)
            .field("claim_lease_ms", &self.claim_lease_ms)
            .field("retry_base_ms", &self.retry_base_ms)
            .field("retry_max_ms", &self.retry_max_ms)
            .field("init_abandoned_after_ms", &self.init_abandoned_after_ms)
            .field("reconcile_interval_ms", &self.reconcile_interval_ms)
            .field("reconcile_batch", &self.reconcile_batch)
            .field("stale_pending_after_ms", &self.stale_pending_after_ms)
            .field("check_retries", &self.check_retries)
            .field("http_timeout_ms", &self.http_timeout_ms)
            .finish()
    }
}

impl CheckoutSettings {
    /// Reads the `CINETPAY_*` environment variables (see the table above);
    /// unset or empty variables keep their default. Fails only on a number
    /// that does not parse; [`into_config`](Self::into_config) checks the rest.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |s: Setting| lookup(s.env).filter(|v| !v.trim().is_empty());
        let mut out = CheckoutSettings::default();
        let text = |s: Setting, slot: &mut String| {
            if let Some(v) = get(s) {
                *slot = v;
            }
        };
        out.api_key = get(API_KEY);
        out.site_id = get(SITE_ID);
        out.secret_key = get(SECRET_KEY);
        out.public_url = get(PUBLIC_URL);
        out.lang = get(LANG);
        text(API_URL, &mut out.api_url);
        text(PREFIX, &mut out.prefix);
        text(RETURN_TO, &mut out.return_to);
        text(RETURN_FALLBACK, &mut out.return_fallback);
        text(CHANNELS, &mut out.channels);
        number(get(BODY_LIMIT), BODY_LIMIT, &mut out.body_limit)?;
        number(
            get(FULFIL_TIMEOUT),
            FULFIL_TIMEOUT,
            &mut out.fulfil_timeout_ms,
        )?;
        number(get(CLAIM_LEASE), CLAIM_LEASE, &mut out.claim_lease_ms)?;
        number(get(RETRY_BASE), RETRY_BASE, &mut out.retry_base_ms)?;
        number(get(RETRY_MAX), RETRY_MAX, &mut out.retry_max_ms)?;
        number(
            get(INIT_ABANDONED_AFTER),
            INIT_ABANDONED_AFTER,
            &mut out.init_abandoned_after_ms,
        )?;
        number(
            get(RECONCILE_INTERVAL),
            RECONCILE_INTERVAL,
            &mut out.reconcile_interval_ms,
        )?;
        number(
            get(RECONCILE_BATCH),
            RECONCILE_BATCH,
            &mut out.reconcile_batch,
        )?;
        number(get(CHECK_RETRIES), CHECK_RETRIES, &mut out.check_retries)?;
        number(get(HTTP_TIMEOUT), HTTP_TIMEOUT, &mut out.http_timeout_ms)?;
        let mut stale = 0u64;
        number(get(STALE_PENDING_AFTER), STALE_PENDING_AFTER, &mut stale)?;
        out.stale_pending_after_ms = (stale > 0).then_some(stale);
        Ok(out)
    }

    /// Validates the settings into a [`CheckoutConfig`], or names the first bad one.
    pub fn validate(&self) -> Result<CheckoutConfig, ConfigError> {
        let api_key = ApiKey::new(required(API_KEY, &self.api_key)?)
            .map_err(|e| credential_error(API_KEY, &e))?;
        let site_id = SiteId::new(required(SITE_ID, &self.site_id)?)
            .map_err(|e| credential_error(SITE_ID, &e))?;
        let secret_key = self
            .secret_key
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(SecretKey::new)
            .transpose()
            .map_err(|e| credential_error(SECRET_KEY, &e))?;
        let public_url = required(PUBLIC_URL, &self.public_url)?;
        let channels: Channels = self
            .channels
            .trim()
            .parse()
            .map_err(|e: crate::values::ChannelsError| ConfigError::of(CHANNELS, e.to_string()))?;
        let ms = Duration::from_millis;
        let client = ClientConfig {
            check_retries: self.check_retries,
            timeout: ms(self.http_timeout_ms),
            ..ClientConfig::default()
        };
        let mut builder =
            CheckoutConfig::builder(Credentials::new(site_id, api_key, secret_key), public_url)
                .api_url(self.api_url.clone())
                .prefix(self.prefix.clone())
                .return_to(self.return_to.clone())
                .return_fallback(self.return_fallback.clone())
                .body_limit(self.body_limit)
                .channels(channels)
                .fulfil_timeout(ms(self.fulfil_timeout_ms))
                .claim_lease(ms(self.claim_lease_ms))
                .retry_backoff(ms(self.retry_base_ms), ms(self.retry_max_ms))
                .init_abandoned_after(ms(self.init_abandoned_after_ms))
                .reconcile(ms(self.reconcile_interval_ms), self.reconcile_batch)
                .stale_pending_after(self.stale_pending_after_ms.filter(|v| *v > 0).map(ms))
                .client_config(client);
        if let Some(lang) = self
            .lang
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            builder = builder.lang(match lang {
                "fr" => Lang::Fr,
                "en" => Lang::En,
                _ => return Err(ConfigError::of(LANG, "must be fr or en")),
            });
        }
        builder.build()
    }

    /// [`validate`](Self::validate), consuming the settings.
    pub fn into_config(self) -> Result<CheckoutConfig, ConfigError> {
        self.validate()
    }
}

fn required(setting: Setting, value: &Option<String>) -> Result<String, ConfigError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(ConfigError::of(setting, "is missing")),
    }
}

fn credential_error(setting: Setting, e: &CredentialError) -> ConfigError {
    let problem = match e {
        CredentialError::Empty(_) => "is missing",
        CredentialError::BadCharacter(_) => "contains white space or control characters",
    };
    ConfigError::of(setting, problem)
}

fn number<T: std::str::FromStr>(
    raw: Option<String>,
    setting: Setting,
    slot: &mut T,
) -> Result<(), ConfigError> {
    if let Some(raw) = raw {
        *slot = raw.trim().parse().map_err(|_| {
            ConfigError::of(
                setting,
                format!(
                    "is not a whole number: {:?}",
                    raw.chars().take(32).collect::<String>()
                ),
            )
        })?;
    }
    Ok(())
}

/// A string that may be written as a number (a site id in TOML), or absent.
fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(i64),
        Unsigned(u64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::Text(s)) => Some(s),
        Some(Raw::Int(i)) => Some(i.to_string()),
        Some(Raw::Unsigned(u)) => Some(u.to_string()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    const BASE: &[(&str, &str)] = &[
        ("CINETPAY_API_KEY", "api-key-value"),
        ("CINETPAY_SITE_ID", "123456"),
        ("CINETPAY_PUBLIC_URL", "https://shop.example/"),
    ];

    #[test]
    fn environment_gives_a_config_with_defaults() {
        let config = CheckoutSettings::from_lookup(env(BASE))
            .unwrap()
            .into_config()
            .unwrap();
        assert_eq!(
            config.notify_url().as_str(),
            "https://shop.example/cinetpay/notify"
        );
        assert_eq!(config.body_limit(), 16384);
        assert!(config.credentials().secret_key.is_none());
        assert!(config.stale_pending_after().is_none());
        assert!(!format!("{config:?}").contains("api-key-value"));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("CINETPAY_SITE_ID", "1")],
                "CINETPAY_API_KEY / api_key is missing",
            ),
            (
                &[("CINETPAY_API_KEY", "k")],
                "CINETPAY_SITE_ID / site_id is missing",
            ),
            (
                &[("CINETPAY_API_KEY", "k"), ("CINETPAY_SITE_ID", "1")],
                "CINETPAY_PUBLIC_URL / public_url is missing",
            ),
        ];
        for (vars, message) in cases {
            let err = CheckoutSettings::from_lookup(env(vars))
                .unwrap()
                .into_config()
                .unwrap_err();
            assert_eq!(&err.to_string(), message);
        }
        let with = |key: &'static str, value: &'static str| {
            let mut s = CheckoutSettings::from_lookup(env(BASE)).unwrap();
            match key {
                "public_url" => s.public_url = Some(value.to_owned()),
                "prefix" => s.prefix = value.to_owned(),
                "return_to" => s.return_to = value.to_owned(),
                "return_fallback" => s.return_fallback = value.to_owned(),
                "body_limit" => s.body_limit = value.parse().unwrap(),
                "fulfil_timeout_ms" => s.fulfil_timeout_ms = value.parse().unwrap(),
                "channels" => s.channels = value.to_owned(),
                "lang" => s.lang = Some(value.to_owned()),
                "api_url" => s.api_url = value.to_owned(),
                "secret_key" => s.secret_key = Some(value.to_owned()),
                _ => unreachable!(),
            }
            s.into_config().unwrap_err().to_string()
        };
        assert!(with("public_url", "ftp://shop").starts_with("CINETPAY_PUBLIC_URL / public_url"));
        assert!(with("public_url", "https://shop?x=1").starts_with("CINETPAY_PUBLIC_URL"));
        assert!(with("prefix", "cinetpay").starts_with("CINETPAY_PREFIX / prefix must start"));
        assert!(with("prefix", "/cinetpay/").contains("must not end with '/'"));
        assert!(with("prefix", "/").contains("must not end with '/'"));
        assert!(with("prefix", "/a b").starts_with("CINETPAY_PREFIX"));
        assert!(with("return_to", "/{nope}").starts_with("CINETPAY_RETURN_TO / return_to"));
        assert!(with("return_fallback", "//evil").starts_with("CINETPAY_RETURN_FALLBACK"));
        assert!(with("body_limit", "10").starts_with("CINETPAY_BODY_LIMIT / body_limit"));
        assert!(
            with("fulfil_timeout_ms", "300000")
                .contains("must be shorter than CINETPAY_CLAIM_LEASE_MS")
        );
        assert!(with("channels", "CASH").starts_with("CINETPAY_CHANNELS"));
        assert!(with("lang", "de").starts_with("CINETPAY_LANG"));
        assert!(with("api_url", "not a url").starts_with("CINETPAY_API_URL"));
        let secret = with("secret_key", "has space-SECRETVALUE");
        assert!(secret.starts_with("CINETPAY_SECRET_KEY"));
        assert!(!secret.contains("SECRETVALUE"));
        let err =
            CheckoutSettings::from_lookup(env(&[("CINETPAY_BODY_LIMIT", "lots")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "CINETPAY_BODY_LIMIT / body_limit is not a whole number: \"lots\""
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_site_id_may_be_a_number() {
        let err = serde_json::from_str::<CheckoutSettings>(r#"{"sit_id":"1"}"#).unwrap_err();
        assert!(err.to_string().contains("sit_id"), "{err}");
        let s: CheckoutSettings =
            serde_json::from_str(r#"{"site_id":42,"stale_pending_after_ms":600000}"#).unwrap();
        assert_eq!(s.site_id.as_deref(), Some("42"));
        assert_eq!(s.stale_pending_after_ms, Some(600_000));
        assert_eq!(s.prefix, "/cinetpay");
    }
}
