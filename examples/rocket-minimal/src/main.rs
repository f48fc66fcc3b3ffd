//! The smallest Rocket app taking CinetPay payments: an existing app (the
//! tea shop's menu), the CinetPay fairing, and a fulfiller. `Rocket.toml`
//! points it at the local sandbox (`cargo run -p cinetpay-sandbox`, port
//! 4010) and keeps the payments in a SQLite file; then
//! `cargo run -p rocket-minimal` and open <http://127.0.0.1:8000>.

use cinetpay_rocket::cinetpay_core::*;
use cinetpay_rocket::{CinetPay, async_trait};
use rocket::response::content::RawHtml;

/// The app's own prices: an amount never comes from the browser.
fn price(item: &str) -> Option<i64> {
    match item {
        "tea" => Some(500),
        "cake" => Some(1500),
        _ => None,
    }
}

/// Orders are named `<item>-<number>`: `tea-1`, `cake-42`.
struct TeaShop;

#[async_trait]
impl OrderFulfiller for TeaShop {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let item = order.as_str().split('-').next().unwrap_or_default();
        let price = price(item).ok_or(QuoteError::NotFound)?;
        let amount = Amount::new(price).map_err(|e| QuoteError::NotPayable(e.to_string()))?;
        let description = Description::sanitised(&format!("{item} ({order})"));
        Ok(OrderQuote::new(
            Money::new(amount, Currency::Xof),
            description,
        ))
    }

    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
        // Called once per paid order (again after a failure): serve it here.
        tracing::info!(order = %payment.order_ref, attempt, "paid: serve it");
        Ok(())
    }
}

/// The app as it was: its menu, whose buttons now post to the fairing's init.
#[rocket::get("/")]
fn menu() -> RawHtml<&'static str> {
    RawHtml(
        r#"<h1>Tea shop</h1>
<form method="post" action="/cinetpay/init">
  <button name="order_ref" value="tea-1">Tea, 500 XOF</button>
  <button name="order_ref" value="cake-1">Cake, 1500 XOF</button>
</form>"#,
    )
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", rocket::routes![menu])
        .attach(CinetPay::fairing_with_store(|_store| TeaShop))
}
