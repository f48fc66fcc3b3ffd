//! `cargo run -p rocket-shop`: the example shop on `SHOP_ADDR` (default
//! `127.0.0.1:8000`), SQLite by default, and the embedded CinetPay sandbox
//! unless `CINETPAY_API_KEY` is set. Stops gracefully on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use shop_common::logging;
use shop_common::setup::{self, ShopEnv};

#[rocket::main]
async fn main() -> ExitCode {
    // Rocket's own log lines come through tracing too.
    logging::init();
    logging::exit_code("rocket-shop", run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let env = ShopEnv::from_env("127.0.0.1:8000")?;
    let addr = resolve_port(env.addr)?;
    let shop = setup::start(env, addr).await?;
    tracing::info!("shop ready on {}", shop.public_url);
    let figment = rocket::Config::figment()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()));
    let rocket = rocket_shop::rocket(shop.clone()).configure(figment);
    // Returns after Ctrl-C or SIGTERM (Rocket's default `shutdown.signals` on
    // Unix), once the fairing has stopped the reconciler and stored the
    // delivery log.
    drop(rocket.launch().await?);
    shop.shutdown().await;
    tracing::info!("shop stopped, delivery log stored");
    Ok(())
}

/// Rocket binds its own socket once the shop is built, but the shop's public
/// URL (which CinetPay calls back) needs the port: with `SHOP_ADDR` port 0,
/// pick a free port first.
fn resolve_port(addr: SocketAddr) -> std::io::Result<SocketAddr> {
    if addr.port() != 0 {
        return Ok(addr);
    }
    std::net::TcpListener::bind(addr)?.local_addr()
}
