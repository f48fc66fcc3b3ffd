//! Development defaults, so that `cargo run -p axum-shop` works with no
//! settings at all: SQLite in `./shop.db`, and the embedded CinetPay sandbox
//! while neither `CINETPAY_API_KEY` nor `CINETPAY_ACCOUNTS` is set, on the API
//! generation of `SHOP_SANDBOX_GENERATION` ([`SandboxMode`]). Production uses none of it: there,
//! `DATABASE_URL` names PostgreSQL or MySQL/MariaDB and the `CINETPAY_*`
//! settings name the real CinetPay account (see the README's "Add it to your
//! app").

use std::net::SocketAddr;

use cinetpay_core::engine::CheckoutSettings;
use cinetpay_sandbox::{Sandbox, SandboxError, SandboxHandle, ShopSettings};

/// The database when `DATABASE_URL` is unset: a SQLite file in the working
/// directory, created if missing.
pub const DATABASE_URL: &str = "sqlite://shop.db?mode=rwc";

/// The environment variable `name` when it is set and not blank, else `default`.
///
/// ```
/// assert_eq!(shop_common::dev::var_or("SHOP_COMMON_UNSET_VARIABLE", "x"), "x");
/// ```
pub fn var_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The variable that chooses the embedded sandbox's API generation.
pub const GENERATION_VARIABLE: &str = "SHOP_SANDBOX_GENERATION";

/// Which of CinetPay's APIs the embedded sandbox plays, from
/// `SHOP_SANDBOX_GENERATION`: `v2` (the default), `2026` or `mixed`.
///
/// ```
/// use shop_common::dev::SandboxMode;
/// assert_eq!("2026".parse::<SandboxMode>(), Ok(SandboxMode::Rest2026));
/// assert_eq!("".parse::<SandboxMode>(), Ok(SandboxMode::V2));
/// assert_eq!(SandboxMode::Mixed.to_string(), "mixed");
/// assert!("v3".parse::<SandboxMode>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SandboxMode {
    /// One Checkout v2 account, for every currency (what the shop always did).
    #[default]
    V2,
    /// Two 2026 API accounts: `ci` (XOF) and `cm` (XAF), each on its own
    /// sandbox (a 2026 account takes its country's currency only).
    Rest2026,
    /// `ci` on Checkout v2 (XOF) and `cm` on the 2026 API (XAF), both on one
    /// sandbox (a Cameroon 2026 account).
    Mixed,
}

impl SandboxMode {
    /// `SHOP_SANDBOX_GENERATION`, or `v2` when unset.
    pub fn from_env() -> Result<Self, String> {
        var_or(GENERATION_VARIABLE, "v2").parse()
    }

    /// `v2`, `2026` or `mixed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SandboxMode::V2 => "v2",
            SandboxMode::Rest2026 => "2026",
            SandboxMode::Mixed => "mixed",
        }
    }
}

impl std::fmt::Display for SandboxMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SandboxMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "v2" => Ok(SandboxMode::V2),
            "2026" => Ok(SandboxMode::Rest2026),
            "mixed" => Ok(SandboxMode::Mixed),
            other => Err(format!(
                "{GENERATION_VARIABLE} {other:?}: expected v2, 2026 or mixed"
            )),
        }
    }
}

/// The embedded sandboxes of one [`SandboxMode`], and the credential
/// settings that point a shop at them, as (key, value) pairs in
/// cinetpay-core's names: `api_key`, `site_id`... at the top level (v2), or
/// `accounts.ci.api_key`, `accounts.cm.currency`... (the other modes).
#[derive(Debug)]
pub struct Sandboxes {
    /// The mode they play.
    pub mode: SandboxMode,
    handles: Vec<SandboxHandle>,
    /// The credential settings.
    pub credentials: Vec<(String, String)>,
}

impl Sandboxes {
    /// Starts the sandboxes `mode` needs.
    pub async fn start(mode: SandboxMode) -> Result<Self, SandboxError> {
        let (handles, credentials) = match mode {
            SandboxMode::V2 => {
                let sandbox = Sandbox::builder().start().await?;
                let credentials = credentials_of(&sandbox, mode);
                (vec![sandbox], credentials)
            }
            SandboxMode::Rest2026 => {
                let ci = Sandbox::builder().rest_country("CI").start().await?;
                let cm = Sandbox::builder().rest_country("CM").start().await?;
                let mut credentials = account("ci", &ci.shop_settings_2026(""), "XOF");
                credentials.extend(account("cm", &cm.shop_settings_2026(""), "XAF"));
                (vec![ci, cm], credentials)
            }
            SandboxMode::Mixed => {
                let sandbox = Sandbox::builder().rest_country("CM").start().await?;
                let credentials = credentials_of(&sandbox, mode);
                (vec![sandbox], credentials)
            }
        };
        Ok(Sandboxes {
            mode,
            handles,
            credentials,
        })
    }

    /// The sandboxes, `ci`'s first.
    pub fn sandboxes(&self) -> Vec<Sandbox> {
        self.handles.iter().map(SandboxHandle::sandbox).collect()
    }

    /// The credentials as cinetpay-core's settings (every other setting at
    /// its default).
    pub fn settings(&self) -> CheckoutSettings {
        credential_settings(&self.credentials)
    }

    /// Logs which mode runs, and where.
    pub fn log(&self) {
        let urls: Vec<String> = self.handles.iter().map(|h| h.url().to_string()).collect();
        let what = match self.mode {
            SandboxMode::V2 => "one Checkout v2 account for every currency",
            SandboxMode::Rest2026 => {
                "2026 API accounts ci (XOF, first sandbox) and cm (XAF, second sandbox)"
            }
            SandboxMode::Mixed => "account ci on Checkout v2 (XOF), cm on the 2026 API (XAF)",
        };
        tracing::info!(
            mode = %self.mode,
            "no CinetPay credentials set: using the embedded CinetPay sandbox at {} \
             ({GENERATION_VARIABLE}={}: {what}); payments are simulated, nothing is charged",
            urls.join(" and "),
            self.mode
        );
    }

    /// Stops the sandboxes.
    pub async fn shutdown(self) {
        for handle in self.handles {
            handle.shutdown().await;
        }
    }
}

/// The credential settings that point a shop at `sandbox` in `mode`
/// ([`SandboxMode::Rest2026`] needs a second sandbox: this gives the `ci`
/// account alone, on `sandbox`). The test suite uses it for its worlds.
pub fn credentials_of(sandbox: &Sandbox, mode: SandboxMode) -> Vec<(String, String)> {
    let pairs = |settings: &ShopSettings| -> Vec<(String, String)> {
        settings
            .settings()
            .iter()
            .filter(|(key, _)| *key != "public_url")
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    };
    match mode {
        SandboxMode::V2 => pairs(&sandbox.shop_settings_v2("")),
        SandboxMode::Rest2026 => account("ci", &sandbox.shop_settings_2026(""), "XOF"),
        SandboxMode::Mixed => {
            let mut all = account("ci", &sandbox.shop_settings_v2(""), "XOF");
            all.extend(account("cm", &sandbox.shop_settings_2026(""), "XAF"));
            all
        }
    }
}

/// One named account's settings: `accounts.{name}.{key}`.
fn account(name: &str, settings: &ShopSettings, currency: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = settings
        .settings()
        .iter()
        .filter(|(key, _)| *key != "public_url")
        .map(|(key, value)| (format!("accounts.{name}.{key}"), value.clone()))
        .collect();
    pairs.push((format!("accounts.{name}.currency"), currency.to_owned()));
    pairs
}

/// Credential pairs as [`CheckoutSettings`]: the dotted keys nest.
///
/// ```
/// let settings = shop_common::dev::credential_settings(&[
///     ("accounts.cm.api_key".into(), "sk_test_x".into()),
///     ("accounts.cm.api_password".into(), "pw".into()),
/// ]);
/// assert_eq!(settings.accounts.unwrap()["cm"].api_password.as_deref(), Some("pw"));
/// ```
pub fn credential_settings(credentials: &[(String, String)]) -> CheckoutSettings {
    let mut table = serde_json::Map::new();
    for (key, value) in credentials {
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        let mut node = &mut table;
        for part in parts {
            node = node
                .entry(part)
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()))
                .as_object_mut()
                .expect("a table");
        }
        node.insert(last.to_owned(), serde_json::Value::String(value.clone()));
    }
    serde_json::from_value(serde_json::Value::Object(table))
        .expect("the sandbox's credentials are cinetpay-core settings")
}

/// Whether real CinetPay credentials are set: `CINETPAY_API_KEY` (either
/// generation) or `CINETPAY_ACCOUNTS` (several accounts).
pub fn is_configured(settings: &CheckoutSettings) -> bool {
    settings.api_key.is_some() || settings.accounts.is_some()
}

/// With `CINETPAY_API_KEY` or `CINETPAY_ACCOUNTS` set, does nothing: the real
/// CinetPay (or `CINETPAY_API_URL`) it is, on whichever API the credentials
/// select. Without them, starts the embedded sandbox(es) of
/// `SHOP_SANDBOX_GENERATION` ([`SandboxMode`]) and points `settings` at
/// them: their credentials and URLs, the public URL `http://{addr}` unless
/// `CINETPAY_PUBLIC_URL` says otherwise, and delivery retries and polling
/// within seconds where they were left at their defaults (minutes). Every
/// other `CINETPAY_*` setting stays as read.
///
/// Returns the sandboxes, to be stopped once the shop has stopped.
pub async fn sandbox_unless_configured(
    settings: &mut CheckoutSettings,
    addr: SocketAddr,
) -> Result<Option<Sandboxes>, Box<dyn std::error::Error>> {
    if is_configured(settings) {
        log_configured(settings);
        return Ok(None);
    }
    let sandboxes = Sandboxes::start(SandboxMode::from_env()?).await?;
    sandboxes.log();
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let defaults = CheckoutSettings::default();
    let demo = CheckoutSettings {
        public_url: Some(public_url),
        ..demo_timings(sandboxes.settings())
    };
    for (value, default, short) in [
        (
            &mut settings.fulfil_retry_base_ms,
            defaults.fulfil_retry_base_ms,
            demo.fulfil_retry_base_ms,
        ),
        (
            &mut settings.fulfil_retry_max_ms,
            defaults.fulfil_retry_max_ms,
            demo.fulfil_retry_max_ms,
        ),
        (
            &mut settings.reconcile_interval_ms,
            defaults.reconcile_interval_ms,
            demo.reconcile_interval_ms,
        ),
        (
            &mut settings.poll_after_ms,
            defaults.poll_after_ms,
            demo.poll_after_ms,
        ),
    ] {
        if *value == default {
            *value = short;
        }
    }
    settings.api_key = demo.api_key;
    settings.api_password = demo.api_password;
    settings.site_id = demo.site_id;
    settings.secret_key = demo.secret_key;
    settings.api_url = demo.api_url;
    settings.accounts = demo.accounts;
    settings.public_url = demo.public_url;
    Ok(Some(sandboxes))
}

/// Logs which real CinetPay account(s) the shop uses.
pub fn log_configured(settings: &CheckoutSettings) {
    let generation = |key: Option<&str>| match key {
        Some(k) if k.starts_with("sk_test_") || k.starts_with("sk_live_") => "the 2026 API",
        _ => "Checkout v2",
    };
    match &settings.accounts {
        Some(accounts) => {
            for (name, account) in accounts {
                let api_url = account.api_url.as_deref().unwrap_or("CinetPay's own host");
                tracing::info!(
                    account = %name,
                    "CinetPay account {name} on {} at {api_url}",
                    generation(account.api_key.as_deref())
                );
            }
        }
        None => {
            let api_url = settings.api_url.as_deref().unwrap_or("CinetPay's own host");
            tracing::info!(
                api_url,
                "using CinetPay ({}) at {api_url}",
                generation(settings.api_key.as_deref())
            );
        }
    }
}

/// `settings` with delivery retries and polling within seconds instead of
/// minutes (payments are simulated).
pub fn demo_timings(settings: CheckoutSettings) -> CheckoutSettings {
    CheckoutSettings {
        // Retry a failed delivery within seconds, not minutes, and poll a
        // payment whose notifications were lost after 30 s.
        fulfil_retry_base_ms: 1_000,
        fulfil_retry_max_ms: 30_000,
        reconcile_interval_ms: 2_000,
        poll_after_ms: 30_000,
        ..settings
    }
}

/// Engine settings that talk to `sandbox`, for a shop at `public_url`; every
/// other setting at its default, except delivery retries and polling, which
/// take seconds instead of minutes (payments are simulated).
pub fn sandbox_settings(sandbox: &Sandbox, public_url: &str) -> CheckoutSettings {
    sandbox_settings_for(sandbox, SandboxMode::V2, public_url)
}

/// Engine settings that talk to `sandbox` in `mode` (see [`credentials_of`]),
/// for a shop at `public_url`, with the demo's short delays.
pub fn sandbox_settings_for(
    sandbox: &Sandbox,
    mode: SandboxMode,
    public_url: &str,
) -> CheckoutSettings {
    CheckoutSettings {
        public_url: Some(public_url.to_owned()),
        ..demo_timings(credential_settings(&credentials_of(sandbox, mode)))
    }
}
