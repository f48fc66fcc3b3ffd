//! [`CheckoutSettings::into_config`]: every check, in one place, each naming
//! its setting.

use std::time::Duration;

use url::Url;

use super::account_settings::{AccountSettings, Naming, account_config};
use super::{AccountApi, AccountConfig, CheckoutConfig, CheckoutSettings, ConfigError, Polling};
use crate::client::ClientConfigError;
use crate::engine::return_to::ReturnTemplate;
use crate::model::{AccountName, Generation};
use crate::protocol::Lang;
use crate::values::{Channels, CredentialError, TransactionId};

/// Hosts of CinetPay's own APIs (a missing secret key is refused there).
const CINETPAY_DOMAINS: [&str; 3] = ["cinetpay.com", "cinetpay.co", "cinetpay.net"];

/// Margin between the longest init call and the age at which an unfinished
/// init is replaced.
const INIT_MARGIN: Duration = Duration::from_secs(1);

impl CheckoutSettings {
    /// Validates the settings into a [`CheckoutConfig`], or names the first
    /// bad one (see [`ConfigError`]).
    pub fn into_config(self) -> Result<CheckoutConfig, ConfigError> {
        let ms = Duration::from_millis;
        let accounts = self.account_configs()?;
        let public_url = http_url("public_url", required("public_url", &self.public_url)?)?;
        if public_url.query().is_some() || public_url.fragment().is_some() {
            return Err(ConfigError::setting(
                "public_url",
                "must not have a query or a fragment",
            ));
        }
        check_prefix(&self.prefix)?;
        let base = public_url.as_str().trim_end_matches('/');
        let route_url = |route: &str| {
            Url::parse(&format!("{base}{}/{route}", self.prefix)).map_err(|e| {
                ConfigError::setting("public_url", format!("gives a bad {route} URL: {e}"))
            })
        };
        let notify_url = route_url("notify")?;
        let return_url = route_url("return")?;
        let return_to = ReturnTemplate::parse(&self.return_to)
            .map_err(|p| ConfigError::setting("return_to", p))?;
        let return_fallback = ReturnTemplate::parse_fixed(&self.return_fallback)
            .map_err(|p| ConfigError::setting("return_fallback", p))?;
        if !(CheckoutConfig::MIN_BODY_LIMIT..=CheckoutConfig::MAX_BODY_LIMIT)
            .contains(&self.body_limit)
        {
            return Err(ConfigError::setting(
                "body_limit",
                format!(
                    "is {} bytes: it must be between {} and {}",
                    self.body_limit,
                    CheckoutConfig::MIN_BODY_LIMIT,
                    CheckoutConfig::MAX_BODY_LIMIT
                ),
            ));
        }
        let channels: Channels =
            self.channels
                .trim()
                .parse()
                .map_err(|e: crate::values::ChannelsError| {
                    ConfigError::setting("channels", e.to_string())
                })?;
        let lang = match self.lang.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            Some(_) => return Err(ConfigError::setting("lang", "must be fr or en")),
        };
        for (key, value) in [
            ("body_read_timeout_ms", self.body_read_timeout_ms),
            ("init_abandoned_after_ms", self.init_abandoned_after_ms),
            ("fulfil_timeout_ms", self.fulfil_timeout_ms),
            ("claim_lease_ms", self.claim_lease_ms),
            ("fulfil_retry_base_ms", self.fulfil_retry_base_ms),
            ("reconcile_interval_ms", self.reconcile_interval_ms),
        ] {
            if value == 0 {
                return Err(ConfigError::setting(key, "must be greater than zero"));
            }
        }
        let init_limit = ms(self.http_timeout_ms) + INIT_MARGIN;
        if ms(self.init_abandoned_after_ms) < init_limit {
            return Err(ConfigError::setting(
                "init_abandoned_after_ms",
                format!(
                    "({} ms) must be at least http_timeout_ms + 1 s ({} ms): an init still \
                     waiting for CinetPay must not be replaced",
                    self.init_abandoned_after_ms,
                    init_limit.as_millis()
                ),
            ));
        }
        if self.fulfil_timeout_ms >= self.claim_lease_ms {
            return Err(ConfigError::setting(
                "fulfil_timeout_ms",
                format!(
                    "({} ms) must be shorter than claim_lease_ms ({} ms), or a slow fulfilment \
                     could run twice at once",
                    self.fulfil_timeout_ms, self.claim_lease_ms
                ),
            ));
        }
        if self.fulfil_retry_max_ms < self.fulfil_retry_base_ms {
            return Err(ConfigError::setting(
                "fulfil_retry_max_ms",
                "must be at least fulfil_retry_base_ms",
            ));
        }
        if !(1..=CheckoutConfig::MAX_RECONCILE_BATCH).contains(&self.reconcile_batch) {
            return Err(ConfigError::setting(
                "reconcile_batch",
                format!(
                    "must be between 1 and {}",
                    CheckoutConfig::MAX_RECONCILE_BATCH
                ),
            ));
        }
        let polling = match self.poll_after_ms {
            0 => None,
            after if self.poll_window_ms <= after => {
                return Err(ConfigError::setting(
                    "poll_window_ms",
                    "must be longer than poll_after_ms",
                ));
            }
            after => Some(Polling {
                after: ms(after),
                window: ms(self.poll_window_ms),
            }),
        };
        if accounts
            .iter()
            .any(|a| a.generation() == Generation::Rest2026)
        {
            check_2026_url_lengths(&notify_url, &return_url)?;
        }
        Ok(CheckoutConfig {
            accounts,
            public_url,
            prefix: self.prefix,
            notify_url,
            return_url,
            return_to,
            return_fallback,
            body_limit: self.body_limit,
            body_read_timeout: ms(self.body_read_timeout_ms),
            channels,
            lang,
            init_abandoned_after: ms(self.init_abandoned_after_ms),
            min_check_interval: ms(self.min_check_interval_ms),
            fulfil_timeout: ms(self.fulfil_timeout_ms),
            fulfil_in_background: self.fulfil_in_background,
            claim_lease: ms(self.claim_lease_ms),
            fulfil_retry_base: ms(self.fulfil_retry_base_ms),
            fulfil_retry_max: ms(self.fulfil_retry_max_ms),
            reconcile_interval: ms(self.reconcile_interval_ms),
            reconcile_batch: self.reconcile_batch,
            polling,
        })
    }

    /// The accounts: the top-level one (`default`), or the named ones.
    fn account_configs(&self) -> Result<Vec<AccountConfig>, ConfigError> {
        let Some(named) = &self.accounts else {
            let top = AccountSettings {
                api_key: self.api_key.clone(),
                api_password: self.api_password.clone(),
                site_id: self.site_id.clone(),
                secret_key: self.secret_key.clone(),
                api_url: self.api_url.clone(),
                currency: self.currency.clone(),
                country: self.country.clone(),
            };
            return Ok(vec![account_config(
                AccountName::default(),
                &top,
                self,
                Naming::TopLevel,
            )?]);
        };
        if named.is_empty() {
            return Err(ConfigError::setting("accounts", "names no account"));
        }
        for (key, value) in [
            ("api_key", &self.api_key),
            ("api_password", &self.api_password),
            ("site_id", &self.site_id),
            ("secret_key", &self.secret_key),
            ("api_url", &self.api_url),
            ("currency", &self.currency),
            ("country", &self.country),
        ] {
            if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                return Err(ConfigError::setting(
                    key,
                    "is set beside accounts: with named accounts, each account has its own \
                     (CINETPAY_{NAME}_API_KEY...)",
                ));
            }
        }
        let mut accounts: Vec<AccountConfig> = Vec::with_capacity(named.len());
        for (raw, settings) in named {
            let name = AccountName::new(raw)
                .map_err(|e| ConfigError::setting("accounts", e.to_string()))?;
            if accounts.iter().any(|a| a.name == name) {
                return Err(ConfigError::setting(
                    "accounts",
                    format!("names the account {name} twice"),
                ));
            }
            let account = account_config(name.clone(), settings, self, Naming::Named(&name))?;
            if let AccountApi::CheckoutV2(c) = &account.api
                && let Some(other) = accounts
                    .iter()
                    .find(|a| a.v2_credentials().is_some_and(|o| o.site_id == c.site_id))
            {
                return Err(Naming::Named(&name).error(
                    "site_id",
                    format!(
                        "is also account {}'s: notifications name their account by site id",
                        other.name
                    ),
                ));
            }
            accounts.push(account);
        }
        Ok(accounts)
    }
}

/// Whether `url` is one of CinetPay's own hosts.
pub(crate) fn is_cinetpay_host(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        let host = host.to_ascii_lowercase();
        CINETPAY_DOMAINS
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    })
}

/// The 2026 API takes `notify_url`, `success_url` and `failed_url` of at
/// most 120 characters; the return URLs carry the payment's id
/// (`{prefix}/return?transaction_id=…`, docs/rest-api-2026.md §3.1).
fn check_2026_url_lengths(notify_url: &Url, return_url: &Url) -> Result<(), ConfigError> {
    let max = crate::rest::MAX_URL_LEN;
    let longest_return =
        super::super::gateway::return_url_for(return_url, &TransactionId::generate_upper());
    for (what, len) in [
        ("notify_url", notify_url.as_str().len()),
        ("success_url and failed_url", longest_return.as_str().len()),
    ] {
        if len > max {
            return Err(ConfigError::setting(
                "public_url",
                format!(
                    "with prefix gives a {what} of {len} characters; the 2026 API takes at \
                     most {max}: shorten public_url or prefix"
                ),
            ));
        }
    }
    Ok(())
}

/// The settings key of a [`ClientConfig`](crate::client::ClientConfig) field.
pub(super) fn client_error(e: ClientConfigError) -> ConfigError {
    let key = match e.field {
        "base_url" => "api_url",
        "timeout" => "http_timeout_ms",
        "connect_timeout" => "http_connect_timeout_ms",
        "check_retries" => "check_retries",
        "check_retry_base" => "check_retry_base_ms",
        _ => "check_retry_max_ms",
    };
    ConfigError::setting(key, e.problem)
}

fn required(key: &str, value: &Option<String>) -> Result<String, ConfigError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(ConfigError::setting(key, "is missing")),
    }
}

pub(super) fn credential_error(naming: Naming<'_>, key: &str, e: &CredentialError) -> ConfigError {
    let problem = match e {
        CredentialError::Empty(_) => "is missing",
        CredentialError::BadCharacter(_) => "contains white space or control characters",
        CredentialError::NotNumeric(_) => {
            "must be CinetPay's numeric site id, such as 123456 (back-office, \"Intégrations\")"
        }
        CredentialError::BadPrefix(_) => "must start with sk_test_ or sk_live_ (a 2026 API key)",
    };
    naming.error(key, problem)
}

pub(super) fn http_url(key: &str, raw: String) -> Result<Url, ConfigError> {
    if raw.trim().is_empty() {
        return Err(ConfigError::setting(key, "is missing"));
    }
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigError::setting(key, format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(ConfigError::setting(key, "must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::setting(
            key,
            "must not contain a user name or password",
        ));
    }
    Ok(url)
}

fn check_prefix(prefix: &str) -> Result<(), ConfigError> {
    let fail = |p: &str| Err(ConfigError::setting("prefix", p));
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn base() -> CheckoutSettings {
        CheckoutSettings {
            api_key: Some("api-key-value".into()),
            site_id: Some("123456".into()),
            secret_key: Some("secret".into()),
            public_url: Some("https://shop.example/".into()),
            ..CheckoutSettings::default()
        }
    }

    fn problem(change: impl FnOnce(&mut CheckoutSettings)) -> ConfigError {
        let mut s = base();
        change(&mut s);
        s.into_config().unwrap_err()
    }

    #[test]
    fn defaults_give_a_config() {
        let config = base().into_config().unwrap();
        assert_eq!(
            config.notify_url().as_str(),
            "https://shop.example/cinetpay/notify"
        );
        assert_eq!(config.body_limit(), 16384);
        assert_eq!(
            config.polling(),
            Some(Polling {
                after: Duration::from_secs(300),
                window: Duration::from_secs(3 * 24 * 3600)
            })
        );
        assert_eq!(
            config.account().client_config().base_url.as_str(),
            "https://api-checkout.cinetpay.com/"
        );
        assert!(!format!("{config:?}").contains("api-key-value"));
    }

    #[test]
    fn each_bad_setting_is_named_by_key_and_variable() {
        let cases: Vec<(ConfigError, &str, &str)> = vec![
            (problem(|s| s.api_key = None), "api_key", "is missing"),
            (
                problem(|s| s.site_id = Some("abc".into())),
                "site_id",
                "numeric",
            ),
            (problem(|s| s.public_url = None), "public_url", "is missing"),
            (
                problem(|s| s.public_url = Some("ftp://shop".into())),
                "public_url",
                "http",
            ),
            (
                problem(|s| s.public_url = Some("https://shop?x=1".into())),
                "public_url",
                "query",
            ),
            (
                problem(|s| s.prefix = "cinetpay".into()),
                "prefix",
                "must start",
            ),
            (
                problem(|s| s.prefix = "/cinetpay/".into()),
                "prefix",
                "must not end",
            ),
            (problem(|s| s.prefix = "/a b".into()), "prefix", "contains"),
            (problem(|s| s.return_to = "/{nope}".into()), "return_to", ""),
            (
                problem(|s| s.return_fallback = "//evil".into()),
                "return_fallback",
                "",
            ),
            (problem(|s| s.body_limit = 10), "body_limit", "between"),
            (
                problem(|s| s.fulfil_timeout_ms = 300_000),
                "fulfil_timeout_ms",
                "shorter than claim_lease_ms",
            ),
            (problem(|s| s.channels = "CASH".into()), "channels", ""),
            (problem(|s| s.lang = Some("de".into())), "lang", "fr or en"),
            (
                problem(|s| s.api_url = Some("not a url".into())),
                "api_url",
                "not a URL",
            ),
            (problem(|s| s.check_retries = 11), "check_retries", ""),
            (problem(|s| s.http_timeout_ms = 0), "http_timeout_ms", ""),
            (
                problem(|s| s.check_retry_max_ms = 1),
                "check_retry_max_ms",
                "",
            ),
            (
                problem(|s| s.init_abandoned_after_ms = 20_500),
                "init_abandoned_after_ms",
                "http_timeout_ms + 1 s",
            ),
            (
                problem(|s| s.poll_window_ms = 1_000),
                "poll_window_ms",
                "longer",
            ),
            (
                problem(|s| s.body_read_timeout_ms = 0),
                "body_read_timeout_ms",
                "greater than zero",
            ),
            (
                problem(|s| s.fulfil_retry_max_ms = 1),
                "fulfil_retry_max_ms",
                "",
            ),
            (
                problem(|s| s.reconcile_batch = 0),
                "reconcile_batch",
                "between",
            ),
        ];
        for (err, key, problem) in cases {
            assert_eq!(err.key(), key, "{err}");
            assert_eq!(
                err.env(),
                Some(format!("CINETPAY_{}", key.to_uppercase()).as_str())
            );
            assert!(err.problem().contains(problem), "{err}");
        }
        let secret = problem(|s| s.secret_key = Some("has space-SECRETVALUE".into()));
        assert_eq!(secret.key(), "secret_key");
        assert!(!secret.to_string().contains("SECRETVALUE"));
    }

    #[test]
    fn no_secret_key_is_refused_against_cinetpay_unless_insecure_is_chosen() {
        let refused = problem(|s| s.secret_key = None);
        assert_eq!(refused.key(), "secret_key");
        assert!(
            refused
                .problem()
                .contains("insecure_unsigned_notifications"),
            "{refused}"
        );
        for url in [
            "https://api-checkout.cinetpay.com",
            "https://API.cinetpay.net/",
            "https://api.cinetpay.co",
        ] {
            assert_eq!(
                problem(|s| {
                    s.secret_key = None;
                    s.api_url = Some(url.into())
                })
                .key(),
                "secret_key"
            );
        }
        let mut insecure = base();
        insecure.secret_key = None;
        insecure.insecure_unsigned_notifications = true;
        assert!(
            insecure
                .into_config()
                .unwrap()
                .account()
                .accepts_unsigned_notifications()
        );
        let mut sandbox = base();
        sandbox.secret_key = None;
        sandbox.api_url = Some("http://127.0.0.1:4000".into());
        assert!(sandbox.into_config().is_ok(), "a sandbox may run unsigned");
        let mut lookalike = base();
        lookalike.secret_key = None;
        lookalike.api_url = Some("https://notcinetpay.com".into());
        assert!(lookalike.into_config().is_ok());
    }

    #[test]
    fn polling_can_be_turned_off() {
        let mut s = base();
        s.poll_after_ms = 0;
        assert_eq!(s.into_config().unwrap().polling(), None);
    }
}
