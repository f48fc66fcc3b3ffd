//! `cargo run -p axum-shop`: the example shop on `SHOP_ADDR` (default
//! `127.0.0.1:3000`), SQLite by default, and the embedded CinetPay sandbox
//! unless `CINETPAY_API_KEY` is set. Stops gracefully on Ctrl-C or SIGTERM.

use std::process::ExitCode;

use shop_common::setup::{self, ShopEnv};
use shop_common::{logging, signals};

#[tokio::main]
async fn main() -> ExitCode {
    logging::init();
    logging::exit_code("axum-shop", run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let env = ShopEnv::from_env("127.0.0.1:3000")?;
    let listener = tokio::net::TcpListener::bind(env.addr).await?;
    let shop = setup::start(env, listener.local_addr()?).await?;
    let background = shop.checkout.start_background();
    tracing::info!("shop ready on {}", shop.public_url);
    axum::serve(listener, axum_shop::app(shop.clone()))
        .with_graceful_shutdown(signals::shutdown_signal())
        .await?;
    background.shutdown().await;
    shop.shutdown().await;
    tracing::info!("shop stopped, delivery log stored");
    Ok(())
}
