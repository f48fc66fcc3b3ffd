//! An existing axum app (two routes of its own) taking payments through CinetPay: a fulfiller,
//! the payment store on SQLite, the `CINETPAY_*` settings from the environment, the three
//! payment routes merged in, and the background work started and stopped with the server.
use std::collections::HashMap;
use std::sync::Arc;

use axum::{Router, extract::Path, extract::Query, response::Html, routing::get};
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{Amount, Currency, Description, Money, OrderQuote, OrderRef, Payment};
use cinetpay_core::{FulfilError, OrderFulfiller, QuoteError, async_trait};
use cinetpay_store::SeaOrmStore;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    let config = CheckoutSettings::from_env()?.into_config()?;
    let database = std::env::var("DATABASE_URL").unwrap_or("sqlite://app.db?mode=rwc".into());
    let store = SeaOrmStore::connect(&database).await?;
    store.migrate().await?;
    let checkout = Checkout::builder()
        .config(config)
        .store(Arc::new(store))
        .fulfiller(Arc::new(Fulfiller))
        .build()?;
    let background = checkout.start_background();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
    axum::serve(listener, app(checkout))
        .with_graceful_shutdown(stop_signal())
        .await?;
    background.shutdown().await;
    Ok(())
}

/// The app's own routes, with the payment routes merged in.
pub fn app(checkout: Checkout) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAY_FORM) }))
        .route("/orders/{order_ref}", get(order_page))
        .merge(cinetpay_tower::router(checkout))
}

const PAY_FORM: &str = r#"<form method="post" action="/cinetpay/init">
<input type="hidden" name="order_ref" value="order-42"><button>Pay 1000 XOF</button></form>"#;

/// Where CinetPay's return sends the customer (`CINETPAY_RETURN_TO`).
async fn order_page(Path(order): Path<String>, Query(q): Query<HashMap<String, String>>) -> String {
    let status = q.get("payment").map_or("unknown", String::as_str);
    format!("Order {order}: payment {status}")
}

/// What an order costs, and how to deliver it once it is paid.
pub struct Fulfiller;

#[async_trait]
impl OrderFulfiller for Fulfiller {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        // Look the order up in your own tables; here every order costs 1000 XOF.
        let amount = Amount::new(1000).map_err(|e| QuoteError::Unavailable(e.to_string()))?;
        let money = Money::new(amount, Currency::Xof);
        let description = Description::sanitised(&format!("Order {order}"));
        Ok(OrderQuote::new(money, description))
    }

    async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        // Verified with CinetPay: deliver, keyed by the order (it may run again).
        tracing::info!(order = %payment.order_ref, "paid: delivering");
        Ok(())
    }
}

/// Ctrl-C, or SIGTERM on Unix (what containers and systemd send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = terminate.recv() => {} }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
