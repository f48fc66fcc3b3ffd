//! `cinetpay doctor`: every problem of the configuration, one line each,
//! then one harmless call per account that proves its credentials.
//!
//! The settings are checked in parts, so that one mistake does not hide the
//! next ([`CheckoutSettings::into_config`] stops at the first): each account
//! alone (with the shared settings at their defaults), then the shared
//! settings with a stand-in account, then everything together; each with the
//! core's own errors, and beside them what the core does not refuse but
//! what breaks in production (swapped keys, a test key on the live host,
//! notify and return URLs CinetPay cannot reach, no secret key). Then, for
//! each account that is valid: Checkout v2 checks a transaction id that
//! does not exist (an unknown transaction means CinetPay took the
//! credentials); the 2026 API logs in and asks for an unknown payment.

mod probe;
mod urls;

use probe::probe;
use urls::{check_urls, host_kind};

use std::collections::BTreeMap;
use std::process::ExitCode;

use cinetpay_core::engine::{AccountConfig, AccountSettings, CheckoutSettings, ConfigError};
use cinetpay_core::rest::Environment;
use clap::Args;

use crate::config::{self, Loaded};
use crate::payments::generation_name;
use crate::{Global, Outcome};

/// `doctor`'s options.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Check the configuration only: no call to CinetPay.
    #[arg(long)]
    offline: bool,
}

/// A public URL that passes every check, for checking the rest alone.
const STAND_IN_PUBLIC_URL: &str = "https://shop.example.com";

/// CinetPay's hosts of each API (docs/checkout-v2.md, docs/rest-api-2026.md §2).
const V2_HOST: &str = "api-checkout.cinetpay.com";
const REST_TEST_HOST: &str = "api.cinetpay.net";
const REST_LIVE_HOST: &str = "api.cinetpay.co";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Note,
    Problem,
}

/// What was found, in order, each line once.
#[derive(Debug, Default)]
struct Report {
    lines: Vec<(Level, String)>,
}

impl Report {
    fn add(&mut self, level: Level, text: String) {
        if !self.lines.iter().any(|(_, t)| *t == text) {
            self.lines.push((level, text));
        }
    }

    fn problem(&mut self, text: String) {
        self.add(Level::Problem, text);
    }

    fn problems(&self) -> usize {
        self.lines
            .iter()
            .filter(|(l, _)| *l == Level::Problem)
            .count()
    }

    fn print(&self) {
        for (level, text) in &self.lines {
            let tag = match level {
                Level::Ok => "ok:     ",
                Level::Note => "note:   ",
                Level::Problem => "problem:",
            };
            println!("{tag} {text}");
        }
    }
}

/// One account as configured, before validation.
struct Raw {
    /// `None`: the top-level account (`default`).
    name: Option<String>,
    settings: AccountSettings,
}

impl Raw {
    fn label(&self) -> String {
        format!("account {}", self.name.as_deref().unwrap_or("default"))
    }

    /// The error about `key` of this account, named as the core names it.
    fn error(&self, key: &str, problem: impl Into<String>) -> ConfigError {
        match &self.name {
            None => ConfigError::setting(key, problem),
            Some(name) => ConfigError::named(
                format!("accounts.{name}.{key}"),
                format!(
                    "CINETPAY_{}_{}",
                    name.to_ascii_uppercase(),
                    key.to_ascii_uppercase()
                ),
                problem,
            ),
        }
    }

    fn is_2026(&self) -> bool {
        text(&self.settings.api_key).is_some_and(|k| Environment::of_key(k).is_some())
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) async fn run(global: &Global, args: &DoctorArgs) -> Outcome {
    let mut report = Report::default();
    let loaded = match config::load(global) {
        Ok(loaded) => loaded,
        Err(e) => {
            report.problem(e);
            report.print();
            println!("1 problem found");
            return Ok(ExitCode::FAILURE);
        }
    };
    println!(
        "cinetpay doctor: settings from {}",
        loaded.source.describe()
    );
    let raws = raw_accounts(&loaded.settings);
    let mut valid = Vec::new();
    for raw in &raws {
        if let Some(account) = check_account(&loaded, raw, &mut report) {
            valid.push(account);
        }
    }
    check_shared(&loaded, raws.iter().any(Raw::is_2026), &mut report);
    if let Err(e) = loaded.settings.clone().into_config() {
        report.problem(loaded.source.name_error(&e));
    }
    check_urls(&loaded.settings, &loaded.source, &mut report);
    if args.offline {
        report.add(
            Level::Note,
            "--offline: the credentials were not tried".to_owned(),
        );
    } else {
        for account in &valid {
            probe(account, &mut report).await;
        }
    }
    report.print();
    let problems = report.problems();
    match problems {
        0 => {
            println!("no problem found");
            Ok(ExitCode::SUCCESS)
        }
        1 => {
            println!("1 problem found");
            Ok(ExitCode::FAILURE)
        }
        n => {
            println!("{n} problems found");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The accounts as written: the named ones, or the top-level one.
fn raw_accounts(settings: &CheckoutSettings) -> Vec<Raw> {
    match &settings.accounts {
        Some(named) => named
            .iter()
            .map(|(name, s)| Raw {
                name: Some(name.clone()),
                settings: s.clone(),
            })
            .collect(),
        None => vec![Raw {
            name: None,
            settings: AccountSettings {
                api_key: settings.api_key.clone(),
                api_password: settings.api_password.clone(),
                site_id: settings.site_id.clone(),
                secret_key: settings.secret_key.clone(),
                api_url: settings.api_url.clone(),
                currency: settings.currency.clone(),
                country: settings.country.clone(),
            },
        }],
    }
}

/// The settings that every account's client reads, kept; the rest at
/// their defaults, with a public URL that passes.
fn client_settings_only(settings: &CheckoutSettings) -> CheckoutSettings {
    CheckoutSettings {
        insecure_unsigned_notifications: settings.insecure_unsigned_notifications,
        http_timeout_ms: settings.http_timeout_ms,
        http_connect_timeout_ms: settings.http_connect_timeout_ms,
        check_retries: settings.check_retries,
        check_retry_base_ms: settings.check_retry_base_ms,
        check_retry_max_ms: settings.check_retry_max_ms,
        public_url: Some(STAND_IN_PUBLIC_URL.to_owned()),
        init_abandoned_after_ms: CheckoutSettings::default()
            .init_abandoned_after_ms
            .max(settings.http_timeout_ms.saturating_add(1_000)),
        ..CheckoutSettings::default()
    }
}

/// One account alone: the core's errors, then the doctor's own checks.
/// Returns the account when the core takes it.
fn check_account(loaded: &Loaded, raw: &Raw, report: &mut Report) -> Option<AccountConfig> {
    let problems_before = report.problems();
    let mut alone = client_settings_only(&loaded.settings);
    match &raw.name {
        None => {
            let s = &raw.settings;
            alone.api_key = s.api_key.clone();
            alone.api_password = s.api_password.clone();
            alone.site_id = s.site_id.clone();
            alone.secret_key = s.secret_key.clone();
            alone.api_url = s.api_url.clone();
            alone.currency = s.currency.clone();
            alone.country = s.country.clone();
        }
        Some(name) => {
            alone.accounts = Some(BTreeMap::from([(name.clone(), raw.settings.clone())]));
        }
    }
    let (account, named) = match alone.into_config() {
        Ok(config) => (Some(config.account().clone()), None),
        Err(e) => {
            report.problem(loaded.source.name_error(&e));
            (
                None,
                Some(e.key().rsplit('.').next().unwrap_or("").to_owned()),
            )
        }
    };
    let already = |key: &str| named.as_deref() == Some(key);
    for (key, problem) in own_checks(raw) {
        if !already(key) {
            report.problem(loaded.source.name_error(&raw.error(key, problem)));
        }
    }
    let s = &raw.settings;
    if !raw.is_2026()
        && text(&s.api_key).is_some()
        && text(&s.secret_key).is_none()
        && !already("secret_key")
    {
        report.problem(loaded.source.name_error(&raw.error(
            "secret_key",
            "is missing: notifications are then accepted without an x-token, and anyone can make \
             the shop check a payment",
        )));
    }
    if let Some(account) = account
        .as_ref()
        .filter(|_| report.problems() == problems_before)
    {
        let url = &account.client_config().base_url;
        report.add(
            Level::Ok,
            format!(
                "{}: {} at {url}",
                raw.label(),
                generation_name(account.generation())
            ),
        );
        if host_kind(url.host()).is_some() {
            report.add(
                Level::Note,
                format!(
                    "{}: api_url {url} is not CinetPay's (a sandbox?)",
                    raw.label()
                ),
            );
        }
    }
    account
}

/// What the core accepts but production does not: (key, problem).
fn own_checks(raw: &Raw) -> Vec<(&'static str, String)> {
    let s = &raw.settings;
    let mut found = Vec::new();
    let key = text(&s.api_key).unwrap_or("");
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let url_host = text(&s.api_url).and_then(|u| url::Url::parse(u).ok());
    let host = url_host
        .as_ref()
        .and_then(|u| u.host_str())
        .map(str::to_ascii_lowercase);
    if text(&s.api_password).is_some_and(|p| Environment::of_key(p).is_some())
        && Environment::of_key(key).is_none()
    {
        found.push((
            "api_password",
            "looks like a 2026 API key (sk_…): are api_key and api_password swapped?".to_owned(),
        ));
    }
    match Environment::of_key(key) {
        None => {
            if let Some(site) = text(&s.site_id)
                && digits(key)
                && !digits(site)
            {
                found.push((
                    "api_key",
                    "looks like a site id (only digits) and site_id like an API key: are they \
                     swapped?"
                        .to_owned(),
                ));
            }
            if let Some(host) = host.as_deref()
                && (host == REST_TEST_HOST || host == REST_LIVE_HOST)
            {
                found.push((
                    "api_url",
                    format!(
                        "is the 2026 API's host {host}, but api_key is a Checkout v2 key (its \
                         host is {V2_HOST})"
                    ),
                ));
            }
        }
        Some(environment) => {
            let local = url_host.as_ref().and_then(|u| host_kind(u.host()));
            match (environment, host.as_deref()) {
                (Environment::Test, Some(REST_LIVE_HOST)) => found.push((
                    "api_key",
                    format!(
                        "is a test key (sk_test_…) but api_url is the live host {REST_LIVE_HOST} \
                         (test keys go to {REST_TEST_HOST})"
                    ),
                )),
                (Environment::Live, Some(REST_TEST_HOST)) => found.push((
                    "api_key",
                    format!(
                        "is a live key (sk_live_…) but api_url is the test host {REST_TEST_HOST} \
                         (live keys go to {REST_LIVE_HOST})"
                    ),
                )),
                (Environment::Live, Some(h)) if local.is_some() => found.push((
                    "api_key",
                    format!(
                        "is a live key (sk_live_…) but api_url is {h}, a test host (a sandbox?)"
                    ),
                )),
                (_, Some(V2_HOST)) => found.push((
                    "api_url",
                    format!(
                        "is Checkout v2's host {V2_HOST}, but api_key is a 2026 API key (sk_…)"
                    ),
                )),
                _ => {}
            }
        }
    }
    found
}

/// The shared settings, with a stand-in account of the generation in use
/// (so that the 2026 API's URL lengths are checked when an account needs them).
fn check_shared(loaded: &Loaded, any_2026: bool, report: &mut Report) {
    let mut shared = loaded.settings.clone();
    shared.accounts = None;
    shared.api_url = None;
    shared.currency = None;
    shared.country = None;
    if any_2026 {
        shared.api_key = Some("sk_test_doctor".to_owned());
        shared.api_password = Some("doctor".to_owned());
        shared.site_id = None;
        shared.secret_key = None;
    } else {
        shared.api_key = Some("doctor".to_owned());
        shared.api_password = None;
        shared.site_id = Some("1".to_owned());
        shared.secret_key = Some("doctor".to_owned());
    }
    if let Err(e) = shared.into_config() {
        report.problem(loaded.source.name_error(&e));
    }
}

#[cfg(test)]
mod tests {
    use cinetpay_core::ClientError;
    use cinetpay_core::client::BodyKind;

    use super::probe::*;
    use super::*;

    #[test]
    fn hosts_that_are_not_public_are_named() {
        let kind = |u: &str| host_kind(url::Url::parse(u).ok().as_ref().and_then(|u| u.host()));
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1",
            "http://10.1.2.3",
            "http://192.168.1.10",
            "http://172.20.0.5",
            "http://169.254.0.1",
            "http://[::1]",
            "http://[fd00::1]",
            "http://shop.local",
            "http://shop",
            "https://shop.example",
            "http://100.64.0.1",
        ] {
            assert!(kind(local).is_some(), "{local}");
        }
        for public in [
            "https://shop.example.com",
            "https://8.8.8.8",
            "https://[2001:4860::1]",
        ] {
            assert_eq!(kind(public), None, "{public}");
        }
    }

    #[test]
    fn a_v2_refusal_tells_credentials_from_the_unknown_id() {
        assert_eq!(
            v2_refusal("624", "UNKNOWN_ERROR", Some("transaction not found")).0,
            Level::Ok
        );
        assert_eq!(v2_refusal("624", "UNKNOWN_ERROR", None).0, Level::Problem);
        assert_eq!(v2_refusal("609", "AUTH_NOT_FOUND", None).0, Level::Problem);
        assert_eq!(v2_refusal("627", "TRANSACTION_CANCEL", None).0, Level::Ok);
        let (level, text) = v2_refusal("613", "ERROR_SITE_ID_NOTVALID", None);
        assert_eq!(level, Level::Problem);
        assert!(text.contains("site_id"), "{text}");
    }

    #[test]
    fn pages_and_proxies_are_said_as_such() {
        let page = ClientError::NotJson {
            status: 200,
            body: BodyKind::Html,
            excerpt: "<html>".into(),
        };
        assert_eq!(
            transport_verdict(&page),
            "the API URL answered an HTML page (status 200), not CinetPay's JSON: wrong host or a proxy"
        );
        let missing = ClientError::HttpStatus {
            status: 404,
            excerpt: String::new(),
        };
        assert!(transport_verdict(&missing).starts_with("the API URL answered 404 Not Found:"));
        let firewall = ClientError::HttpStatus {
            status: 403,
            excerpt: "<html>Access denied</html>".into(),
        };
        assert!(transport_verdict(&firewall).contains("a firewall or a proxy"));
    }

    #[test]
    fn swapped_and_misplaced_keys_are_found() {
        let raw = |api_key: &str, site_id: Option<&str>, api_url: Option<&str>| Raw {
            name: None,
            settings: AccountSettings {
                api_key: Some(api_key.to_owned()),
                site_id: site_id.map(str::to_owned),
                api_url: api_url.map(str::to_owned),
                ..AccountSettings::default()
            },
        };
        let keys = |r: Raw| {
            own_checks(&r)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(raw("123456", Some("a1b2c3d4e5"), None)), ["api_key"]);
        assert!(keys(raw("a1b2c3d4e5", Some("123456"), None)).is_empty());
        assert_eq!(
            keys(raw("sk_test_x", None, Some("https://api.cinetpay.co"))),
            ["api_key"]
        );
        assert_eq!(
            keys(raw("sk_live_x", None, Some("https://api.cinetpay.net"))),
            ["api_key"]
        );
        assert_eq!(
            keys(raw("sk_live_x", None, Some("http://127.0.0.1:4010"))),
            ["api_key"]
        );
        assert!(keys(raw("sk_test_x", None, Some("http://127.0.0.1:4010"))).is_empty());
        assert_eq!(
            keys(raw("k", Some("1"), Some("https://api.cinetpay.net"))),
            ["api_url"]
        );
    }
}
