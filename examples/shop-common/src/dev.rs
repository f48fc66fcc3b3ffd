//! Development defaults, so that `cargo run -p axum-shop` works with no
//! settings at all: SQLite in `./shop.db`, and the embedded CinetPay sandbox
//! while `CINETPAY_API_KEY` is unset. Production uses none of it: there,
//! `DATABASE_URL` names PostgreSQL or MySQL/MariaDB and the `CINETPAY_*`
//! settings name the real CinetPay account (see the README's "Add it to your
//! app").

use std::net::SocketAddr;

use cinetpay_core::engine::CheckoutSettings;
use cinetpay_sandbox::{Sandbox, SandboxError, SandboxHandle};

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

/// With `CINETPAY_API_KEY` set (`settings.api_key`), does nothing: the real
/// CinetPay (or `CINETPAY_API_URL`) it is. Without it, starts the embedded
/// sandbox and points `settings` at it: its credentials and URL, the public
/// URL `http://{addr}` unless `CINETPAY_PUBLIC_URL` says otherwise, and
/// delivery retries and polling within seconds where they were left at their
/// defaults (minutes). Every other `CINETPAY_*` setting stays as read.
///
/// Returns the sandbox, to be stopped once the shop has stopped.
pub async fn sandbox_unless_configured(
    settings: &mut CheckoutSettings,
    addr: SocketAddr,
) -> Result<Option<SandboxHandle>, SandboxError> {
    if settings.api_key.is_some() {
        let api_url = settings.api_url.as_deref().unwrap_or("CinetPay's own host");
        tracing::info!(api_url, "using CinetPay at {api_url}");
        return Ok(None);
    }
    let sandbox = Sandbox::builder().start().await?;
    tracing::info!(
        "CINETPAY_API_KEY is not set: using the embedded CinetPay sandbox at {} (site id {}); \
         payments are simulated, nothing is charged",
        sandbox.url(),
        sandbox.site_id()
    );
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let demo = sandbox_settings(&sandbox, &public_url);
    let defaults = CheckoutSettings::default();
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
    settings.site_id = demo.site_id;
    settings.secret_key = demo.secret_key;
    settings.api_url = demo.api_url;
    settings.public_url = demo.public_url;
    Ok(Some(sandbox))
}

/// Engine settings that talk to `sandbox`, for a shop at `public_url`; every
/// other setting at its default, except delivery retries and polling, which
/// take seconds instead of minutes (payments are simulated).
pub fn sandbox_settings(sandbox: &Sandbox, public_url: &str) -> CheckoutSettings {
    CheckoutSettings {
        api_key: Some(sandbox.api_key().to_owned()),
        site_id: Some(sandbox.site_id().to_owned()),
        secret_key: Some(sandbox.secret_key().to_owned()),
        api_url: Some(sandbox.url().as_str().trim_end_matches('/').to_owned()),
        public_url: Some(public_url.to_owned()),
        // Retry a failed delivery within seconds, not minutes, and poll a
        // payment whose notifications were lost after 30 s.
        fulfil_retry_base_ms: 1_000,
        fulfil_retry_max_ms: 30_000,
        reconcile_interval_ms: 2_000,
        poll_after_ms: 30_000,
        ..CheckoutSettings::default()
    }
}
