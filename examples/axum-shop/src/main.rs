//! `cargo run -p axum-shop`: the example shop on `SHOP_ADDR` (default
//! `127.0.0.1:3000`) with its orders and payments in `DATABASE_URL`. With no
//! settings at all it runs on SQLite and the embedded CinetPay sandbox (the
//! development defaults of `shop_common::dev`; `SHOP_SANDBOX_GENERATION` =
//! `v2`, `2026` or `mixed` chooses its API). `SHOP_METRICS=1` serves the
//! engine's metrics on `/metrics`. With `SHOP_ADMIN_TOKEN` set, CinetPay's
//! admin view is at `/admin/cinetpay`, behind that token (a stand-in for a
//! real login: see `shop_common::admin`). Stops gracefully on Ctrl-C or
//! SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;

use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_store::SeaOrmStore;
use shop_common::admin::{ADMIN_MOUNT, AdminToken};
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::OrderBook;
use shop_common::setup::Shop;
use shop_common::{dev, logging, signals};

#[tokio::main]
async fn main() -> ExitCode {
    logging::init();
    logging::exit_code("axum-shop", run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Configuration: every `CINETPAY_*` setting (cinetpay-core's table), and
    // the shop's own SHOP_ADDR and DATABASE_URL.
    let mut settings = CheckoutSettings::from_env()?;
    // SHOP_METRICS=1: the Prometheus recorder, before anything records.
    let metrics = axum_shop::metrics::from_env()?;
    let addr = dev::var_or("SHOP_ADDR", "127.0.0.1:3000");
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("SHOP_ADDR {addr:?}: {e}"))?;
    let addr = listener.local_addr()?;
    let database_url = dev::var_or("DATABASE_URL", dev::DATABASE_URL);
    // Development default: no CINETPAY_API_KEY nor CINETPAY_ACCOUNTS, the
    // embedded sandbox instead (SHOP_SANDBOX_GENERATION: v2, 2026 or mixed).
    let sandbox = dev::sandbox_unless_configured(&mut settings, addr).await?;
    let config = settings.into_config()?;

    // The store: payments, in the shop's database.
    let store = SeaOrmStore::connect(&database_url)
        .await
        .map_err(|e| format!("DATABASE_URL: {e}"))?;
    store.migrate().await?;

    // The fulfiller: the shop's order book, beside the payments; each delivery
    // row commits in the store's transaction, with the payment's delivery mark.
    let orders = OrderBook::open(store.connection().clone()).await?;
    let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));

    // The engine.
    let store = Arc::new(store);
    let checkout = Checkout::builder()
        .config(config)
        .store(store.clone())
        .fulfiller(Arc::new(fulfiller))
        .build()?;

    // The shop's router, with the three payment routes merged in, and the
    // admin view only with SHOP_ADMIN_TOKEN (behind the shop's stand-in login).
    let shop = Shop::new(checkout.clone(), orders, store).with_admin(AdminToken::from_env());
    let mut app = axum_shop::routes(shop.clone())
        .merge(cinetpay_tower::router(checkout.clone()))
        .merge(axum_shop::admin(&shop));
    if shop.admin.is_some() {
        tracing::info!("admin view on http://{addr}{ADMIN_MOUNT} (SHOP_ADMIN_TOKEN)");
    }
    if let Some(handle) = metrics {
        app = app.merge(axum_shop::metrics::router(handle));
    }

    // Background work: the reconciler (lost notifications, delivery retries).
    let background = checkout.start_background();
    let public_url = checkout.config().public_url().clone();
    tracing::info!("shop ready on http://{addr} (public URL {public_url})");
    axum::serve(listener, app)
        .with_graceful_shutdown(signals::shutdown_signal())
        .await?;

    // Stop the reconciler, then store the delivery log's last lines.
    background.shutdown().await;
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    tracing::info!("shop stopped, delivery log stored");
    Ok(())
}
