//! `SHOP_METRICS=1`: the engine's metrics (`docs/metrics.md`) in Prometheus'
//! text format on `GET /metrics`. Off by default: no recorder is installed
//! and the route does not exist (`404`).
//!
//! The exporter is `metrics-exporter-prometheus` without its own HTTP
//! listener: the shop's router serves [`PrometheusHandle::render`], so the
//! metrics share the shop's address (put `/metrics` behind the network's
//! access rules, not on the public internet).

use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use cinetpay_core::engine::metrics::{RECONCILER_CANDIDATES, STATUS_CHECK_DURATION_SECONDS};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// The setting that turns the metrics on.
pub const VARIABLE: &str = "SHOP_METRICS";

/// Buckets of `cinetpay_status_check_duration_seconds`, in seconds.
const CHECK_SECONDS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// Buckets of `cinetpay_reconciler_candidates`, in payments per pass.
const CANDIDATES: &[f64] = &[0.0, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0];
/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Reads a `SHOP_METRICS` value: `1`, `true`, `yes`, `on` turn the metrics
/// on; `0`, `false`, `no`, `off` and blank leave them off.
///
/// ```
/// use axum_shop::metrics::parse;
/// assert_eq!(parse("1"), Ok(true));
/// assert_eq!(parse(" On "), Ok(true));
/// assert_eq!(parse(""), Ok(false));
/// assert_eq!(parse("false"), Ok(false));
/// assert!(parse("sometimes").is_err());
/// ```
pub fn parse(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("{VARIABLE} {other:?}: expected 1 or 0")),
    }
}

/// With `SHOP_METRICS` on, installs the Prometheus recorder ([`install`]);
/// otherwise installs nothing and returns `None`.
pub fn from_env() -> Result<Option<PrometheusHandle>, Box<dyn std::error::Error>> {
    let on = parse(&shop_common::dev::var_or(VARIABLE, "0"))?;
    Ok(if on { Some(install()?) } else { None })
}

/// Installs the Prometheus recorder as the process's `metrics` recorder,
/// with buckets for the engine's two histograms, registers the engine's
/// help texts, and starts its upkeep on the tokio runtime (histogram samples
/// are folded into buckets every few seconds, scraped or not). Call it once,
/// inside the runtime.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(STATUS_CHECK_DURATION_SECONDS.to_owned()),
            CHECK_SECONDS,
        )?
        .set_buckets_for_metric(Matcher::Full(RECONCILER_CANDIDATES.to_owned()), CANDIDATES)?
        .install_recorder()?;
    cinetpay_core::engine::metrics::describe();
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// `GET /metrics`: the text exposition format, to merge into the shop's router.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let text = handle.render();
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    text,
                )
                    .into_response()
            }
        }),
    )
}
