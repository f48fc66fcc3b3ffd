//! `cargo run -p rocket-shop`: the example shop on `SHOP_ADDR` (default
//! `127.0.0.1:8000`), SQLite by default, and the embedded CinetPay sandbox
//! unless `CINETPAY_API_KEY` is set. Stops gracefully on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_store::SeaOrmStore;
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::OrderBook;
use shop_common::setup::Shop;
use shop_common::{dev, logging};

#[rocket::main]
async fn main() -> ExitCode {
    // Rocket's own log lines come through tracing too.
    logging::init();
    logging::exit_code("rocket-shop", run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut settings = CheckoutSettings::from_env()?;
    let addr = dev::var_or("SHOP_ADDR", "127.0.0.1:8000");
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| format!("SHOP_ADDR {addr:?}: {e}"))?;
    let addr = resolve_port(addr)?;
    let sandbox = dev::sandbox_unless_configured(&mut settings, addr).await?;
    let store = SeaOrmStore::connect(&dev::var_or("DATABASE_URL", dev::DATABASE_URL)).await?;
    store.migrate().await?;
    let orders = OrderBook::open(store.connection().clone()).await?;
    let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));
    let store = Arc::new(store);
    let checkout = Checkout::builder()
        .config(settings.into_config()?)
        .store(store.clone())
        .fulfiller(Arc::new(fulfiller))
        .build()?;
    let shop = Shop::new(checkout, orders, store);
    tracing::info!("shop ready on http://{addr}");
    let figment = rocket::Config::figment()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()));
    let rocket = rocket_shop::rocket(shop).configure(figment);
    // Returns after Ctrl-C or SIGTERM (Rocket's default `shutdown.signals` on
    // Unix), once the fairing has stopped the reconciler and stored the
    // delivery log.
    drop(rocket.launch().await?);
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
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
