//! An example shop on Rocket. Its payment routes (`/cinetpay/init`,
//! `/cinetpay/notify`, `/cinetpay/return`) are mounted by one fairing:
//! `.attach(CinetPay::from_checkout(checkout))`, which also runs the
//! reconciler from liftoff to shutdown. Everything else is the shop's own, the
//! same as the axum shop's (both share `shop-common`):
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the catalogue |
//! | `GET /api/products` | the catalogue as JSON |
//! | `POST /orders` | `product_id` (form or JSON) → 303 to the order page, or 201 JSON |
//! | `GET /orders/<order_ref>` | the order page, or the order as JSON (`Accept: application/json`) |
//!
//! ```no_run
//! # async fn run(shop: shop_common::setup::Shop) -> Result<(), Box<dyn std::error::Error>> {
//! // `shop`: the engine, the order book and the payments, as `main` builds them.
//! let figment = rocket::Config::figment()
//!     .merge(("address", "127.0.0.1"))
//!     .merge(("port", 8000));
//! rocket_shop::rocket(shop).configure(figment).launch().await?;
//! # Ok(()) }
//! ```

mod handlers;
mod negotiate;

use cinetpay_rocket::CinetPay;
use rocket::{Build, Rocket, routes};
use shop_common::setup::Shop;

/// The shop, with the CinetPay fairing attached: the reconciler runs from
/// liftoff to shutdown. Configure the address with
/// [`Rocket::configure`] (Rocket's own `ROCKET_ADDRESS`/`ROCKET_PORT` and
/// `Rocket.toml` work too).
pub fn rocket(shop: Shop) -> Rocket<Build> {
    let fairing = CinetPay::from_checkout(shop.checkout.clone());
    build(shop, fairing)
}

/// The same shop without the background reconciler, for tests that run
/// reconciliation passes themselves (`shop.checkout.reconcile_once()`), as the
/// axum shop's router leaves it to its `main`.
pub fn rocket_without_reconciler(shop: Shop) -> Rocket<Build> {
    let fairing = CinetPay::from_checkout(shop.checkout.clone()).without_reconciler();
    build(shop, fairing)
}

fn build(shop: Shop, fairing: CinetPay) -> Rocket<Build> {
    rocket::build()
        .mount(
            "/",
            routes![
                handlers::index,
                handlers::products,
                handlers::create_order_json,
                handlers::create_order_form,
                handlers::show_order,
            ],
        )
        .manage(shop)
        .attach(fairing)
}
