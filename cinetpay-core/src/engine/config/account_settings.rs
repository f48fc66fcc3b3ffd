//! [`AccountSettings`]: the settings of one CinetPay account, and how its
//! credentials decide its API generation.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::account::{AccountApi, AccountConfig};
use super::error::ConfigError;
use super::settings::{CheckoutSettings, opt_text};
use super::validate::{client_error, credential_error, http_url, is_cinetpay_host};
use crate::client::ClientConfig;
use crate::model::AccountName;
use crate::rest::{Environment, RestCredentials};
use crate::values::{ApiKey, ApiPassword, Country, Credentials, Currency, SecretKey, SiteId};

/// One named account of `accounts` (see
/// [`CheckoutSettings::accounts`](crate::engine::CheckoutSettings::accounts)): the
/// same credential keys as the top level, read from
/// `CINETPAY_{NAME}_{KEY}` in the environment (`CINETPAY_CM_API_KEY`) or
/// from a table (`[default.cinetpay.accounts.cm]`).
///
/// An `api_key` starting `sk_test_` or `sk_live_` with an `api_password` is
/// a 2026 API account; an `api_key` with a `site_id` (and a `secret_key`)
/// is a Checkout v2 account. A mixed or incomplete set is refused, naming
/// the setting. `Debug` never shows a key or password.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    /// The API key: Checkout v2's, or the 2026 API's `sk_test_…`/`sk_live_…`.
    #[serde(deserialize_with = "opt_text")]
    pub api_key: Option<String>,
    /// The 2026 API's `api_password`.
    #[serde(deserialize_with = "opt_text")]
    pub api_password: Option<String>,
    /// Checkout v2's numeric site id.
    #[serde(deserialize_with = "opt_text")]
    pub site_id: Option<String>,
    /// Checkout v2's secret key (signs notifications).
    #[serde(deserialize_with = "opt_text")]
    pub secret_key: Option<String>,
    /// The account's API base URL; unset: CinetPay's own for its generation.
    #[serde(deserialize_with = "opt_text")]
    pub api_url: Option<String>,
    /// The only currency the account takes (`XOF`, `XAF`...): quotes in it
    /// use this account unless they name one.
    #[serde(deserialize_with = "opt_text")]
    pub currency: Option<String>,
    /// The account's country (`CI`, `CM`...; the 2026 API has one account
    /// per country): its currency is the default `currency`, and customers'
    /// phones must have its calling code.
    #[serde(deserialize_with = "opt_text")]
    pub country: Option<String>,
}

impl fmt::Debug for AccountSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("AccountSettings")
            .field("api_key", &redacted(&self.api_key))
            .field("api_password", &redacted(&self.api_password))
            .field("site_id", &self.site_id)
            .field("secret_key", &redacted(&self.secret_key))
            .field("api_url", &self.api_url)
            .field("currency", &self.currency)
            .field("country", &self.country)
            .finish()
    }
}

impl AccountSettings {
    /// The keys of one account, each read from `CINETPAY_{NAME}_{KEY}`.
    pub const KEYS: [&'static str; 7] = [
        "api_key",
        "api_password",
        "site_id",
        "secret_key",
        "api_url",
        "currency",
        "country",
    ];
}

/// How the settings of one account are named in errors: the top level
/// (`api_key`, `CINETPAY_API_KEY`) or a named account
/// (`accounts.cm.api_key`, `CINETPAY_CM_API_KEY`).
#[derive(Clone, Copy)]
pub(crate) enum Naming<'a> {
    TopLevel,
    Named(&'a AccountName),
}

impl Naming<'_> {
    pub(crate) fn error(self, key: &str, problem: impl Into<String>) -> ConfigError {
        match self {
            Naming::TopLevel => ConfigError::setting(key, problem),
            Naming::Named(name) => ConfigError::named(
                format!("accounts.{name}.{key}"),
                account_env(name, key),
                problem,
            ),
        }
    }
}

/// `CINETPAY_{NAME}_{KEY}`.
pub(crate) fn account_env(name: &AccountName, key: &str) -> String {
    format!(
        "CINETPAY_{}_{}",
        name.as_str().to_ascii_uppercase(),
        key.to_ascii_uppercase()
    )
}

/// Validates one account's settings; `shared` gives the timeouts and
/// retries every account uses.
pub(crate) fn account_config(
    name: AccountName,
    account: &AccountSettings,
    shared: &CheckoutSettings,
    naming: Naming<'_>,
) -> Result<AccountConfig, ConfigError> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let api_key = match account.api_key.as_deref().map(str::trim) {
        Some(k) if !k.is_empty() => k,
        _ => return Err(naming.error("api_key", "is missing")),
    };
    let currency = match account.currency.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            c.to_ascii_uppercase()
                .parse::<Currency>()
                .map_err(|_| naming.error("currency", "must be one of XOF, XAF, CDF, GNF, USD"))?,
        ),
    };
    let country = match account.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(Country::of(code).ok_or_else(|| {
            naming.error(
                "country",
                "must be a country of CinetPay's 2026 API (CI, BF, ML, SN, TG, BJ, NE, GN, CM, \
                 TD, CG, CF, GA, GQ, CD)",
            )
        })?),
    };
    let currency = match (currency, country) {
        (Some(c), Some(k)) if c != k.currency() => {
            return Err(naming.error(
                "currency",
                format!(
                    "is {c}, but the account's country {k} takes {}",
                    k.currency()
                ),
            ));
        }
        (None, Some(k)) => Some(k.currency()),
        (c, _) => c,
    };
    let base_url = |default: &str| -> Result<Url, ConfigError> {
        match &account.api_url {
            Some(url) if !url.trim().is_empty() => http_url("api_url", url.clone())
                .map_err(|e| naming.error("api_url", e.problem().to_owned())),
            _ => Url::parse(default).map_err(|e| naming.error("api_url", e.to_string())),
        }
    };
    let (api, base_url) = match Environment::of_key(api_key) {
        Some(environment) => {
            for key in ["site_id", "secret_key"] {
                let value = if key == "site_id" {
                    &account.site_id
                } else {
                    &account.secret_key
                };
                if present(value) {
                    return Err(naming.error(
                        key,
                        "is a Checkout v2 setting, but api_key is a 2026 API key (sk_…): \
                         remove one of them",
                    ));
                }
            }
            let password = match account.api_password.as_deref().map(str::trim) {
                Some(p) if !p.is_empty() => p,
                _ => {
                    return Err(naming.error(
                        "api_password",
                        "is missing: an sk_test_/sk_live_ api_key is a 2026 API key, which \
                         logs in with its api_password",
                    ));
                }
            };
            let credentials = RestCredentials::new(
                ApiKey::new(api_key).map_err(|e| credential_error(naming, "api_key", &e))?,
                ApiPassword::new(password)
                    .map_err(|e| credential_error(naming, "api_password", &e))?,
            );
            (
                AccountApi::Rest2026(credentials),
                base_url(environment.api_url())?,
            )
        }
        None => {
            if present(&account.api_password) {
                return Err(naming.error(
                    "api_password",
                    "is a 2026 API setting, but api_key does not start with sk_test_ or \
                     sk_live_ (a Checkout v2 key goes with site_id and secret_key)",
                ));
            }
            let site_id = match account.site_id.as_deref().map(str::trim) {
                Some(s) if !s.is_empty() => s,
                _ => return Err(naming.error("site_id", "is missing")),
            };
            let api_key =
                ApiKey::new(api_key).map_err(|e| credential_error(naming, "api_key", &e))?;
            let site_id =
                SiteId::new(site_id).map_err(|e| credential_error(naming, "site_id", &e))?;
            let secret_key = account
                .secret_key
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(SecretKey::new)
                .transpose()
                .map_err(|e| credential_error(naming, "secret_key", &e))?;
            let base_url = base_url(ClientConfig::default().base_url.as_str())?;
            if secret_key.is_none()
                && is_cinetpay_host(&base_url)
                && !shared.insecure_unsigned_notifications
            {
                return Err(naming.error(
                    "secret_key",
                    format!(
                        "is missing: without it anyone can send notifications that {} would \
                         act on (set insecure_unsigned_notifications to run without it anyway)",
                        base_url.host_str().unwrap_or("CinetPay")
                    ),
                ));
            }
            (
                AccountApi::CheckoutV2(Credentials::new(site_id, api_key, secret_key)),
                base_url,
            )
        }
    };
    let ms = Duration::from_millis;
    let client = ClientConfig {
        base_url,
        connect_timeout: ms(shared.http_connect_timeout_ms),
        timeout: ms(shared.http_timeout_ms),
        check_retries: shared.check_retries,
        check_retry_base: ms(shared.check_retry_base_ms),
        check_retry_max: ms(shared.check_retry_max_ms),
    };
    client.validate().map_err(|e| {
        let e = client_error(e);
        if e.key() == "api_url" {
            naming.error("api_url", e.problem().to_owned())
        } else {
            e
        }
    })?;
    Ok(AccountConfig {
        name,
        currency,
        country,
        api,
        client,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::engine::{CheckoutSettings, ConfigError};
    use crate::model::Generation;

    fn from_env(vars: &[(&str, &str)]) -> Result<crate::engine::CheckoutConfig, ConfigError> {
        let mut all = vec![("CINETPAY_PUBLIC_URL", "https://shop.example")];
        all.extend_from_slice(vars);
        CheckoutSettings::from_lookup(|name| {
            all.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })?
        .into_config()
    }

    fn named(err: ConfigError) -> (String, Option<String>, String) {
        (
            err.key().to_owned(),
            err.env().map(str::to_owned),
            err.problem().to_owned(),
        )
    }

    #[test]
    fn the_generation_follows_from_the_credentials() {
        let rest = from_env(&[
            ("CINETPAY_API_KEY", "sk_test_abc"),
            ("CINETPAY_API_PASSWORD", "pw"),
        ])
        .unwrap();
        let account = rest.account();
        assert_eq!(account.generation(), Generation::Rest2026);
        assert_eq!(account.name().as_str(), "default");
        assert_eq!(
            account.client_config().base_url.as_str(),
            "https://api.cinetpay.net/"
        );
        let live = from_env(&[
            ("CINETPAY_API_KEY", "sk_live_abc"),
            ("CINETPAY_API_PASSWORD", "pw"),
        ])
        .unwrap();
        assert_eq!(
            live.account().client_config().base_url.as_str(),
            "https://api.cinetpay.co/"
        );
        let overridden = from_env(&[
            ("CINETPAY_API_KEY", "sk_live_abc"),
            ("CINETPAY_API_PASSWORD", "pw"),
            ("CINETPAY_API_URL", "http://127.0.0.1:9000"),
        ])
        .unwrap();
        assert_eq!(
            overridden.account().client_config().base_url.as_str(),
            "http://127.0.0.1:9000/"
        );
        let v2 = from_env(&[
            ("CINETPAY_API_KEY", "k"),
            ("CINETPAY_SITE_ID", "123456"),
            ("CINETPAY_SECRET_KEY", "s"),
        ])
        .unwrap();
        assert_eq!(v2.account().generation(), Generation::CheckoutV2);
        assert!(!format!("{rest:?}{v2:?}").contains("sk_test_abc"));
    }

    #[test]
    fn mixed_or_incomplete_credentials_name_the_setting() {
        let cases: [(&[(&str, &str)], &str); 5] = [
            (
                &[("CINETPAY_API_KEY", "sk_test_abc")],
                "CINETPAY_API_PASSWORD",
            ),
            (
                &[
                    ("CINETPAY_API_KEY", "sk_test_abc"),
                    ("CINETPAY_API_PASSWORD", "pw"),
                    ("CINETPAY_SITE_ID", "123456"),
                ],
                "CINETPAY_SITE_ID",
            ),
            (
                &[
                    ("CINETPAY_API_KEY", "sk_live_abc"),
                    ("CINETPAY_API_PASSWORD", "pw"),
                    ("CINETPAY_SECRET_KEY", "s"),
                ],
                "CINETPAY_SECRET_KEY",
            ),
            (
                &[
                    ("CINETPAY_API_KEY", "v2-key"),
                    ("CINETPAY_SITE_ID", "123456"),
                    ("CINETPAY_SECRET_KEY", "s"),
                    ("CINETPAY_API_PASSWORD", "pw"),
                ],
                "CINETPAY_API_PASSWORD",
            ),
            (&[("CINETPAY_API_KEY", "v2-key")], "CINETPAY_SITE_ID"),
        ];
        for (vars, env) in cases {
            let err = from_env(vars).unwrap_err();
            assert_eq!(err.env(), Some(env), "{vars:?}: {err}");
        }
    }

    #[test]
    fn several_accounts_come_from_the_environment_and_from_tables() {
        let env = [
            ("CINETPAY_ACCOUNTS", "ci, cm"),
            ("CINETPAY_CI_API_KEY", "v2-key"),
            ("CINETPAY_CI_SITE_ID", "111"),
            ("CINETPAY_CI_SECRET_KEY", "s"),
            ("CINETPAY_CI_CURRENCY", "XOF"),
            ("CINETPAY_CM_API_KEY", "sk_test_cm"),
            ("CINETPAY_CM_API_PASSWORD", "pw"),
            ("CINETPAY_CM_CURRENCY", "xaf"),
        ];
        let config = from_env(&env).unwrap();
        let names: Vec<&str> = config
            .accounts()
            .iter()
            .map(|a| a.name().as_str())
            .collect();
        assert_eq!(names, ["ci", "cm"]);
        let cm = config.account_named(&"cm".parse().unwrap()).unwrap();
        assert_eq!(cm.generation(), Generation::Rest2026);
        assert_eq!(cm.currency(), Some(crate::values::Currency::Xaf));
        assert!(config.has_rest_2026());

        let table: CheckoutSettings = serde_json::from_str(
            r#"{"public_url": "https://shop.example", "accounts": {
                "ci": {"api_key": "v2-key", "site_id": 111, "secret_key": "s", "currency": "XOF"},
                "cm": {"api_key": "sk_test_cm", "api_password": "pw", "currency": "XAF"}}}"#,
        )
        .unwrap();
        let from_table = table.into_config().unwrap();
        assert_eq!(format!("{from_table:?}"), format!("{config:?}"));

        let mut missing = env.to_vec();
        missing.retain(|(n, _)| *n != "CINETPAY_CM_API_PASSWORD");
        assert_eq!(
            named(from_env(&missing).unwrap_err()),
            (
                "accounts.cm.api_password".to_owned(),
                Some("CINETPAY_CM_API_PASSWORD".to_owned()),
                "is missing: an sk_test_/sk_live_ api_key is a 2026 API key, which logs in \
                 with its api_password"
                    .to_owned()
            )
        );
        let mut beside = env.to_vec();
        beside.push(("CINETPAY_API_KEY", "k"));
        assert_eq!(
            from_env(&beside).unwrap_err().env(),
            Some("CINETPAY_API_KEY")
        );
        let mut twice = env.to_vec();
        twice[0] = ("CINETPAY_ACCOUNTS", "ci,ci");
        assert_eq!(
            from_env(&twice).unwrap_err().env(),
            Some("CINETPAY_ACCOUNTS")
        );
        let bad_name = [("CINETPAY_ACCOUNTS", "c-i")];
        assert_eq!(
            from_env(&bad_name).unwrap_err().env(),
            Some("CINETPAY_ACCOUNTS")
        );
        let mut same_site = env.to_vec();
        same_site.extend([
            ("CINETPAY_ACCOUNTS", "ci,sn"),
            ("CINETPAY_SN_API_KEY", "v2-key-2"),
            ("CINETPAY_SN_SITE_ID", "111"),
            ("CINETPAY_SN_SECRET_KEY", "s2"),
        ]);
        same_site.remove(0);
        let err = from_env(&same_site).unwrap_err();
        assert_eq!(err.env(), Some("CINETPAY_SN_SITE_ID"), "{err}");
        let bad_currency = [
            ("CINETPAY_API_KEY", "sk_test_abc"),
            ("CINETPAY_API_PASSWORD", "pw"),
            ("CINETPAY_CURRENCY", "EUR"),
        ];
        assert_eq!(
            from_env(&bad_currency).unwrap_err().env(),
            Some("CINETPAY_CURRENCY")
        );
    }

    #[test]
    fn the_country_gives_the_currency_and_must_agree_with_it() {
        let base = [
            ("CINETPAY_API_KEY", "sk_test_abc"),
            ("CINETPAY_API_PASSWORD", "pw"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars = base.to_vec();
            vars.extend_from_slice(extra);
            from_env(&vars)
        };
        let cm = with(&[("CINETPAY_COUNTRY", "cm")]).unwrap();
        assert_eq!(cm.account().currency(), Some(crate::values::Currency::Xaf));
        assert_eq!(
            cm.account().country().map(|c| c.calling_code()),
            Some("237")
        );
        let err = with(&[("CINETPAY_COUNTRY", "CM"), ("CINETPAY_CURRENCY", "XOF")]).unwrap_err();
        assert_eq!(err.env(), Some("CINETPAY_CURRENCY"), "{err}");
        let err = with(&[("CINETPAY_COUNTRY", "FR")]).unwrap_err();
        assert_eq!(err.env(), Some("CINETPAY_COUNTRY"), "{err}");
    }

    #[test]
    fn the_2026_api_url_limit_is_checked_at_start_up() {
        let long = format!("https://{}.example", "s".repeat(70));
        let vars = |public: &'static str| {
            vec![
                ("CINETPAY_API_KEY", "sk_test_abc"),
                ("CINETPAY_API_PASSWORD", "pw"),
                ("CINETPAY_PUBLIC_URL", public),
            ]
        };
        let long: &'static str = Box::leak(long.into_boxed_str());
        let err = CheckoutSettings::from_lookup(|name| {
            vars(long)
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
        .into_config()
        .unwrap_err();
        assert_eq!(err.key(), "public_url");
        assert!(err.problem().contains("at most 120"), "{err}");
        // Checkout v2 has no such limit.
        let v2 = CheckoutSettings {
            api_key: Some("k".into()),
            site_id: Some("1".into()),
            secret_key: Some("s".into()),
            public_url: Some(long.to_owned()),
            ..CheckoutSettings::default()
        };
        assert!(v2.into_config().is_ok());
    }
}
