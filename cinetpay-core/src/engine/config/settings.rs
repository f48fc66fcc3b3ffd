//! [`CheckoutSettings`]: the one input form of the configuration, read by
//! serde from the environment, a Rocket figment table, JSON or code.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

use super::account_settings::{AccountSettings, account_env};
use super::error::{ConfigError, env_name};
use crate::model::AccountName;

/// The engine's settings as plain values, each with a default: the one way to
/// configure a [`Checkout`](crate::engine::Checkout).
///
/// Serde reads it, so the environment ([`from_env`](Self::from_env)), a Rocket
/// figment `[default.cinetpay]` table, JSON and a struct literal in code all
/// give the same thing; [`into_config`](Self::into_config) validates it into
/// a [`CheckoutConfig`](super::CheckoutConfig), naming the first bad setting.
/// Unknown keys are refused, so that a typo fails at start-up. Numbers may be
/// written as text and text as numbers (a site id in TOML).
///
#[doc = include_str!("settings.md")]
///
/// `Debug` never shows the API key or the secret key.
///
/// ```
/// use cinetpay_core::engine::CheckoutSettings;
/// // In code:
/// let config = CheckoutSettings {
///     api_key: Some("my-api-key".into()),
///     site_id: Some("123456".into()),
///     secret_key: Some("my-secret-key".into()),
///     public_url: Some("https://shop.example".into()),
///     fulfil_timeout_ms: 30_000,
///     ..CheckoutSettings::default()
/// }
/// .into_config()?;
/// assert_eq!(config.notify_url().as_str(), "https://shop.example/cinetpay/notify");
///
/// // From a table (what Rocket's figment reads) or JSON:
/// let settings: CheckoutSettings = serde_json::from_str(r#"{
///     "api_key": "my-api-key", "site_id": 123456, "secret_key": "s",
///     "public_url": "https://shop.example", "prefix": "/pay"
/// }"#)?;
/// assert!(!format!("{settings:?}").contains("my-api-key"));
/// assert_eq!(settings.into_config()?.prefix(), "/pay");
///
/// // From the environment (here through a lookup function):
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
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(default, deny_unknown_fields)]
pub struct CheckoutSettings {
    /// The merchant's API key.
    #[serde(deserialize_with = "opt_text")]
    pub api_key: Option<String>,
    /// The 2026 API's password (with an `sk_…` API key).
    #[serde(deserialize_with = "opt_text")]
    pub api_password: Option<String>,
    /// The numeric site id.
    #[serde(deserialize_with = "opt_text")]
    pub site_id: Option<String>,
    /// The secret key that signs notifications.
    #[serde(deserialize_with = "opt_text")]
    pub secret_key: Option<String>,
    /// Accept unsigned notifications from CinetPay's own hosts.
    #[serde(deserialize_with = "flag")]
    pub insecure_unsigned_notifications: bool,
    /// CinetPay's API base URL; `None`: CinetPay's own.
    #[serde(deserialize_with = "opt_text")]
    pub api_url: Option<String>,
    /// The only currency the top-level account takes.
    #[serde(deserialize_with = "opt_text")]
    pub currency: Option<String>,
    /// The top-level account's country (2026 API: fixes currency and calling code).
    #[serde(deserialize_with = "opt_text")]
    pub country: Option<String>,
    /// Named accounts, instead of the top-level credentials: in the
    /// environment `CINETPAY_ACCOUNTS=ci,cm` with `CINETPAY_CI_API_KEY`...;
    /// in a table, one sub-table per account.
    pub accounts: Option<BTreeMap<String, AccountSettings>>,
    /// Longest call to CinetPay.
    #[serde(deserialize_with = "number")]
    pub http_timeout_ms: u64,
    /// Longest wait for a connection to CinetPay.
    #[serde(deserialize_with = "number")]
    pub http_connect_timeout_ms: u64,
    /// Retries of a status check.
    #[serde(deserialize_with = "number")]
    pub check_retries: u32,
    /// First delay between two tries of a status check.
    #[serde(deserialize_with = "number")]
    pub check_retry_base_ms: u64,
    /// Longest delay between two tries of a status check.
    #[serde(deserialize_with = "number")]
    pub check_retry_max_ms: u64,
    /// The shop's public base URL.
    #[serde(deserialize_with = "opt_text")]
    pub public_url: Option<String>,
    /// The routes' prefix.
    #[serde(deserialize_with = "text")]
    pub prefix: String,
    /// The return redirect template.
    #[serde(deserialize_with = "text")]
    pub return_to: String,
    /// Where a customer whose return names no known payment goes.
    #[serde(deserialize_with = "text")]
    pub return_fallback: String,
    /// Largest request body, in bytes.
    #[serde(deserialize_with = "number")]
    pub body_limit: usize,
    /// Longest time to read a request body.
    #[serde(deserialize_with = "number")]
    pub body_read_timeout_ms: u64,
    /// Payment means offered when the quote does not say.
    #[serde(deserialize_with = "text")]
    pub channels: String,
    /// Language of CinetPay's page.
    #[serde(deserialize_with = "opt_text")]
    pub lang: Option<String>,
    /// Age after which an unfinished init is replaced.
    #[serde(deserialize_with = "number")]
    pub init_abandoned_after_ms: u64,
    /// Minimum interval between checks of one payment triggered by returns
    /// and unsigned notifications.
    #[serde(deserialize_with = "number")]
    pub min_check_interval_ms: u64,
    /// Longest run of one `fulfil`.
    #[serde(deserialize_with = "number")]
    pub fulfil_timeout_ms: u64,
    /// Answer Checkout v2 notifications before the fulfiller runs.
    #[serde(deserialize_with = "flag")]
    pub fulfil_in_background: bool,
    /// How long a fulfilment claim lasts.
    #[serde(deserialize_with = "number")]
    pub claim_lease_ms: u64,
    /// Delay before the second try of a failed fulfilment.
    #[serde(deserialize_with = "number")]
    pub fulfil_retry_base_ms: u64,
    /// Longest delay between two tries of a failed fulfilment.
    #[serde(deserialize_with = "number")]
    pub fulfil_retry_max_ms: u64,
    /// Interval of the background reconciler.
    #[serde(deserialize_with = "number")]
    pub reconcile_interval_ms: u64,
    /// Most payments of each kind per reconciliation pass.
    #[serde(deserialize_with = "number")]
    pub reconcile_batch: usize,
    /// Time since a payment was last looked at after which the reconciler
    /// checks it (`0`: never).
    #[serde(deserialize_with = "number")]
    pub poll_after_ms: u64,
    /// Payments older than this are no longer polled.
    #[serde(deserialize_with = "number")]
    pub poll_window_ms: u64,
}

impl Default for CheckoutSettings {
    fn default() -> Self {
        CheckoutSettings {
            api_key: None,
            api_password: None,
            site_id: None,
            secret_key: None,
            insecure_unsigned_notifications: false,
            api_url: None,
            currency: None,
            country: None,
            accounts: None,
            http_timeout_ms: 20_000,
            http_connect_timeout_ms: 5_000,
            check_retries: 3,
            check_retry_base_ms: 200,
            check_retry_max_ms: 5_000,
            public_url: None,
            prefix: "/cinetpay".to_owned(),
            return_to: "/orders/{order_ref}?payment={status}&transaction_id={transaction_id}"
                .to_owned(),
            return_fallback: "/".to_owned(),
            body_limit: 16 * 1024,
            body_read_timeout_ms: 10_000,
            channels: "ALL".to_owned(),
            lang: None,
            init_abandoned_after_ms: 60_000,
            min_check_interval_ms: 5_000,
            fulfil_timeout_ms: 60_000,
            fulfil_in_background: false,
            claim_lease_ms: 300_000,
            fulfil_retry_base_ms: 30_000,
            fulfil_retry_max_ms: 3_600_000,
            reconcile_interval_ms: 60_000,
            reconcile_batch: 50,
            poll_after_ms: 300_000,
            poll_window_ms: 3 * 24 * 3_600_000,
        }
    }
}

impl fmt::Debug for CheckoutSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("CheckoutSettings")
            .field("api_key", &redacted(&self.api_key))
            .field("api_password", &redacted(&self.api_password))
            .field("site_id", &self.site_id)
            .field("secret_key", &redacted(&self.secret_key))
            .field(
                "insecure_unsigned_notifications",
                &self.insecure_unsigned_notifications,
            )
            .field("api_url", &self.api_url)
            .field("currency", &self.currency)
            .field("country", &self.country)
            .field("accounts", &self.accounts)
            .field("http_timeout_ms", &self.http_timeout_ms)
            .field("http_connect_timeout_ms", &self.http_connect_timeout_ms)
            .field("check_retries", &self.check_retries)
            .field("check_retry_base_ms", &self.check_retry_base_ms)
            .field("check_retry_max_ms", &self.check_retry_max_ms)
            .field("public_url", &self.public_url)
            .field("prefix", &self.prefix)
            .field("return_to", &self.return_to)
            .field("return_fallback", &self.return_fallback)
            .field("body_limit", &self.body_limit)
            .field("body_read_timeout_ms", &self.body_read_timeout_ms)
            .field("channels", &self.channels)
            .field("lang", &self.lang)
            .field("init_abandoned_after_ms", &self.init_abandoned_after_ms)
            .field("min_check_interval_ms", &self.min_check_interval_ms)
            .field("fulfil_timeout_ms", &self.fulfil_timeout_ms)
            .field("fulfil_in_background", &self.fulfil_in_background)
            .field("claim_lease_ms", &self.claim_lease_ms)
            .field("fulfil_retry_base_ms", &self.fulfil_retry_base_ms)
            .field("fulfil_retry_max_ms", &self.fulfil_retry_max_ms)
            .field("reconcile_interval_ms", &self.reconcile_interval_ms)
            .field("reconcile_batch", &self.reconcile_batch)
            .field("poll_after_ms", &self.poll_after_ms)
            .field("poll_window_ms", &self.poll_window_ms)
            .finish()
    }
}

impl CheckoutSettings {
    /// Every key, in the order of the table above. Each is read from the
    /// environment variable `CINETPAY_` and the key in upper case.
    pub const KEYS: [&'static str; 33] = [
        "api_key",
        "api_password",
        "site_id",
        "secret_key",
        "insecure_unsigned_notifications",
        "api_url",
        "currency",
        "country",
        "accounts",
        "http_timeout_ms",
        "http_connect_timeout_ms",
        "check_retries",
        "check_retry_base_ms",
        "check_retry_max_ms",
        "public_url",
        "prefix",
        "return_to",
        "return_fallback",
        "body_limit",
        "body_read_timeout_ms",
        "channels",
        "lang",
        "init_abandoned_after_ms",
        "min_check_interval_ms",
        "fulfil_timeout_ms",
        "fulfil_in_background",
        "claim_lease_ms",
        "fulfil_retry_base_ms",
        "fulfil_retry_max_ms",
        "reconcile_interval_ms",
        "reconcile_batch",
        "poll_after_ms",
        "poll_window_ms",
    ];

    /// Reads the `CINETPAY_*` environment variables (see the table above);
    /// unset or empty variables keep their default. Fails only on a value
    /// that does not parse (a number, a flag); [`into_config`](Self::into_config)
    /// checks the rest. A `CINETPAY_*` variable that names no setting is
    /// reported with a warning (a typo), not refused: other programs use the
    /// prefix too.
    pub fn from_env() -> Result<Self, ConfigError> {
        let accounts = std::env::var("CINETPAY_ACCOUNTS").unwrap_or_default();
        let account_vars: Vec<String> = account_names(&accounts)
            .unwrap_or_default()
            .iter()
            .flat_map(|name| AccountSettings::KEYS.map(|key| account_env(name, key)))
            .collect();
        for (name, _) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if let Some(key) = name.strip_prefix("CINETPAY_")
                && !Self::KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
                && !account_vars.iter().any(|v| v == name)
            {
                tracing::warn!(
                    variable = name,
                    "this CINETPAY_* variable is not a cinetpay-rs setting"
                );
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading each variable through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut table = serde_json::Map::new();
        let text = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        for key in Self::KEYS {
            if key == "accounts" {
                continue;
            }
            if let Some(value) = text(&env_name(key)) {
                table.insert(key.to_owned(), serde_json::Value::String(value));
            }
        }
        if let Some(list) = text(&env_name("accounts")) {
            let names = account_names(&list)
                .map_err(|problem| ConfigError::setting("accounts", problem))?;
            let mut accounts = serde_json::Map::new();
            for name in names {
                let mut account = serde_json::Map::new();
                for key in AccountSettings::KEYS {
                    if let Some(value) = text(&account_env(&name, key)) {
                        account.insert(key.to_owned(), serde_json::Value::String(value));
                    }
                }
                accounts.insert(name.to_string(), serde_json::Value::Object(account));
            }
            table.insert("accounts".to_owned(), serde_json::Value::Object(accounts));
        }
        Self::from_table(serde_json::Value::Object(table))
    }

    /// Reads the settings from any serde value, naming the key of a value that
    /// does not parse.
    fn from_table(table: serde_json::Value) -> Result<Self, ConfigError> {
        serde_path_to_error::deserialize(table).map_err(|e| {
            let key = e.path().to_string();
            let problem = e.into_inner().to_string();
            let key = if Self::KEYS.contains(&key.as_str()) {
                key
            } else {
                key.trim_start_matches('.').to_owned()
            };
            ConfigError::setting(&key, problem)
        })
    }
}

/// The names of `CINETPAY_ACCOUNTS`: comma-separated, each valid, none twice.
fn account_names(list: &str) -> Result<Vec<AccountName>, String> {
    let mut names: Vec<AccountName> = Vec::new();
    for part in list.split(',') {
        let name = AccountName::new(part).map_err(|e| e.to_string())?;
        if names.contains(&name) {
            return Err(format!("names the account {name} twice"));
        }
        names.push(name);
    }
    Ok(names)
}

/// Text, or a number written without quotes (a site id in TOML).
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Words(String),
    Signed(i64),
    Unsigned(u64),
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match t {
            Text::Words(s) => s,
            Text::Signed(i) => i.to_string(),
            Text::Unsigned(u) => u.to_string(),
        }
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(String::from)
}

pub(super) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(String::from))
}

/// A whole number, or text holding one (the environment's values are text).
fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64> + std::str::FromStr,
{
    use serde::de::Error;
    match Text::deserialize(d)? {
        Text::Unsigned(u) => T::try_from(u).map_err(|_| D::Error::custom("is too large")),
        Text::Signed(i) => match u64::try_from(i) {
            Ok(u) => T::try_from(u).map_err(|_| D::Error::custom("is too large")),
            Err(_) => Err(D::Error::custom("must not be negative")),
        },
        Text::Words(s) => s.trim().parse().map_err(|_| {
            D::Error::custom(format!(
                "is not a whole number: {:?}",
                s.chars().take(32).collect::<String>()
            ))
        }),
    }
}

/// `true`/`false`, or text: `true`, `false`, `1`, `0`, `yes`, `no`.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Bool(b) => Ok(b),
        Raw::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            other => Err(D::Error::custom(format!(
                "must be true or false, not {:?}",
                other.chars().take(16).collect::<String>()
            ))),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The documented table: (key, environment variable, default as written).
    fn documented() -> Vec<(String, String, String)> {
        include_str!("settings.md")
            .lines()
            .skip(2)
            .map(|line| {
                let cells: Vec<&str> = line.split(" | ").collect();
                let unquote = |s: &str| {
                    s.trim_matches(|c| c == '|' || c == ' ' || c == '`')
                        .to_owned()
                };
                (unquote(cells[0]), unquote(cells[1]), unquote(cells[2]))
            })
            .collect()
    }

    #[test]
    fn the_documented_table_is_the_settings_and_their_defaults() {
        let table = documented();
        let keys: Vec<&str> = table.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            CheckoutSettings::KEYS,
            "settings.md lists every key, in order"
        );
        let defaults = serde_json::to_value(CheckoutSettings::default()).unwrap();
        let serde_keys: Vec<&String> = defaults.as_object().unwrap().keys().collect();
        assert_eq!(serde_keys.len(), CheckoutSettings::KEYS.len());
        for key in CheckoutSettings::KEYS {
            assert!(defaults.get(key).is_some(), "KEYS names a field: {key}");
        }
        for (key, env, default) in &table {
            assert_eq!(env, &env_name(key), "the variable of {key}");
            let actual = &defaults[key.as_str()];
            match default.as_str() {
                "required" | "none" => assert!(actual.is_null(), "{key} has no default"),
                written => {
                    // Setting a key to its documented default changes nothing.
                    let from_env = CheckoutSettings::from_lookup(|name| {
                        (name == env).then(|| written.to_owned())
                    })
                    .unwrap();
                    assert_eq!(from_env, CheckoutSettings::default(), "default of {key}");
                    let shown = match actual {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert_eq!(&shown, written, "documented default of {key}");
                }
            }
        }
    }

    #[test]
    fn environment_and_tables_read_the_same_values() {
        let env = |name: &str| match name {
            "CINETPAY_SITE_ID" => Some("0012345".to_owned()),
            "CINETPAY_BODY_LIMIT" => Some(" 8192 ".to_owned()),
            "CINETPAY_INSECURE_UNSIGNED_NOTIFICATIONS" => Some("yes".to_owned()),
            "CINETPAY_LANG" => Some(String::new()),
            _ => None,
        };
        let from_env = CheckoutSettings::from_lookup(env).unwrap();
        let from_json: CheckoutSettings = serde_json::from_str(
            r#"{"site_id":"0012345","body_limit":8192,"insecure_unsigned_notifications":true}"#,
        )
        .unwrap();
        assert_eq!(from_env, from_json);
        assert_eq!(
            from_env.site_id.as_deref(),
            Some("0012345"),
            "exact text kept"
        );
        assert_eq!(from_env.lang, None, "an empty variable keeps the default");
        let number: CheckoutSettings = serde_json::from_str(r#"{"site_id":42}"#).unwrap();
        assert_eq!(number.site_id.as_deref(), Some("42"));
    }

    #[test]
    fn values_that_do_not_parse_name_their_setting() {
        let err = CheckoutSettings::from_lookup(|n| {
            (n == "CINETPAY_BODY_LIMIT").then(|| "lots".to_owned())
        })
        .unwrap_err();
        assert_eq!(err.key(), "body_limit");
        assert_eq!(err.env(), Some("CINETPAY_BODY_LIMIT"));
        assert_eq!(err.problem(), "is not a whole number: \"lots\"");
        let err = CheckoutSettings::from_lookup(|n| {
            (n == "CINETPAY_INSECURE_UNSIGNED_NOTIFICATIONS").then(|| "maybe".to_owned())
        })
        .unwrap_err();
        assert_eq!(err.key(), "insecure_unsigned_notifications");
        let err = serde_json::from_str::<CheckoutSettings>(r#"{"sit_id":"1"}"#).unwrap_err();
        assert!(err.to_string().contains("sit_id"), "{err}");
        let err = serde_json::from_str::<CheckoutSettings>(r#"{"claim_lease_ms":-1}"#).unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
    }
}
