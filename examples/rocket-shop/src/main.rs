//! `cargo run -p rocket-shop`: the example shop, configured by its
//! `Rocket.toml` (beside this crate, unless `ROCKET_CONFIG` or the working
//! directory has one) and `ROCKET_*` variables: the address, the database
//! (`[default.databases.shop]`, a SQLite file by default) and CinetPay
//! (`[default.cinetpay]`), whose fairing builds the payment store on ignite.
//! Without CinetPay credentials (an API key, or `accounts`), the embedded
//! CinetPay sandbox plays CinetPay, on the API of `SHOP_SANDBOX_GENERATION`
//! (`v2` by default, `2026` or `mixed`).
//! The axum shop's variables override the file: `SHOP_ADDR` (port 0: any
//! free port), `DATABASE_URL`, `CINETPAY_PUBLIC_URL`. With `SHOP_ADMIN_TOKEN`
//! set, CinetPay's admin view is at `/admin/cinetpay`, behind that token (a
//! stand-in for a real login: see `shop_common::admin`). Stops gracefully on
//! Ctrl-C or SIGTERM.

use std::error::Error;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use cinetpay_rocket::cinetpay_core::engine::CheckoutSettings;
use rocket::fairing::AdHoc;
use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::value::Dict;
use rocket::figment::{Figment, Profile};
use shop_common::dev::{self, SandboxMode, Sandboxes};
use shop_common::logging;

#[rocket::main]
async fn main() -> ExitCode {
    // Rocket's own log lines come through tracing too.
    logging::init();
    logging::exit_code("rocket-shop", run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let figment = with_shop_variables(rocket_figment())?;
    let (figment, sandbox) = with_sandbox(figment).await?;
    let ready = AdHoc::on_liftoff("shop ready", |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            let addr = SocketAddr::new(config.address, config.port);
            tracing::info!("shop ready on http://{addr}");
        })
    });
    // Returns after Ctrl-C or SIGTERM (Rocket's default `shutdown.signals` on
    // Unix), once the fairing has stopped the reconciler, let running
    // deliveries finish (within `shutdown.grace` + `shutdown.mercy`) and
    // stored the delivery log.
    drop(
        rocket_shop::from_config(figment)
            .attach(ready)
            .launch()
            .await?,
    );
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    tracing::info!("shop stopped, delivery log stored");
    Ok(())
}

/// Without CinetPay credentials (`cinetpay.api_key` or `cinetpay.accounts`,
/// in the file or as `ROCKET_CINETPAY_*`), starts the embedded sandbox(es) of
/// `SHOP_SANDBOX_GENERATION` (`v2`, `2026` or `mixed`) and points the
/// `cinetpay` table at them.
async fn with_sandbox(
    mut figment: Figment,
) -> Result<(Figment, Option<Sandboxes>), Box<dyn Error>> {
    if is_set(&figment, "api_key") || is_set(&figment, "accounts") {
        // What the fairing will read, for the log line (its own keys aside).
        let mut table: Dict = figment.extract_inner("cinetpay").unwrap_or_default();
        table.retain(|key, _| key != "database" && key != "database_url");
        match Figment::from(Serialized::defaults(table)).extract::<CheckoutSettings>() {
            Ok(settings) => dev::log_configured(&settings),
            Err(_) => tracing::info!("using the CinetPay credentials of the `cinetpay` table"),
        }
        return Ok((figment, None));
    }
    let sandboxes = Sandboxes::start(SandboxMode::from_env()?).await?;
    sandboxes.log();
    for (key, value) in &sandboxes.credentials {
        figment = figment.merge(Serialized::global(&format!("cinetpay.{key}"), value));
    }
    Ok((figment, Some(sandboxes)))
}

/// Rocket's own figment (`rocket::Config::figment()`), with this crate's
/// `Rocket.toml` when neither `ROCKET_CONFIG` nor the working directory (or
/// a parent) has one: `cargo run -p rocket-shop` runs from the workspace.
fn rocket_figment() -> Figment {
    let here = std::env::current_dir().unwrap_or_default();
    let found = here
        .ancestors()
        .any(|dir| dir.join("Rocket.toml").is_file());
    if found || std::env::var_os("ROCKET_CONFIG").is_some() {
        return rocket::Config::figment();
    }
    Figment::from(rocket::Config::default())
        .merge(Toml::file(concat!(env!("CARGO_MANIFEST_DIR"), "/Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ))
}

/// `SHOP_ADDR`, `DATABASE_URL` and `CINETPAY_PUBLIC_URL` over the file; a free
/// port for port 0 (CinetPay is told the shop's URL before Rocket binds);
/// the public URL from the address unless set.
fn with_shop_variables(mut figment: Figment) -> Result<Figment, Box<dyn Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(text) = var("SHOP_ADDR") {
        let addr: SocketAddr = text
            .parse()
            .map_err(|_| format!("SHOP_ADDR {text:?} is not an address like 127.0.0.1:8000"))?;
        figment = figment
            .merge(Serialized::global("address", addr.ip()))
            .merge(Serialized::global("port", addr.port()));
    }
    if let Some(url) = var("DATABASE_URL") {
        figment = figment.merge(Serialized::global("databases.shop.url", url));
    }
    let address: IpAddr = figment.extract_inner("address")?;
    let mut port: u16 = figment.extract_inner("port")?;
    if port == 0 {
        port = std::net::TcpListener::bind((address, 0))?
            .local_addr()?
            .port();
        figment = figment.merge(Serialized::global("port", port));
    }
    let public_url = match var("CINETPAY_PUBLIC_URL") {
        Some(url) => Some(url),
        None if is_set(&figment, "public_url") => None,
        None => Some(format!("http://{}", SocketAddr::new(address, port))),
    };
    if let Some(url) = public_url {
        figment = figment.merge(Serialized::global("cinetpay.public_url", url));
    }
    Ok(figment)
}

/// Whether `cinetpay.<key>` is set, in the table or as `ROCKET_CINETPAY_<KEY>`.
fn is_set(figment: &Figment, key: &str) -> bool {
    figment.find_value(&format!("cinetpay.{key}")).is_ok()
        || figment.find_value(&format!("cinetpay_{key}")).is_ok()
}
