//! An example shop on axum. Its payment routes (`/cinetpay/init`,
//! `/cinetpay/notify`, `/cinetpay/return`) are mounted by one line:
//! `.merge(cinetpay_tower::router(checkout))`, which costs the shop's other
//! routes nothing. Everything else is the shop's own:
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the catalogue |
//! | `GET /api/products` | the catalogue as JSON |
//! | `POST /orders` | `product_id` (form or JSON) → 303 to the order page, or 201 JSON |
//! | `GET /orders/{order_ref}` | the order page, or the order as JSON (`Accept: application/json`) |

mod handlers;
mod negotiate;

use axum::Router;
use axum::routing::{get, post};
use shop_common::setup::Shop;

/// The shop's router, with the CinetPay routes merged into it.
pub fn app(shop: Shop) -> Router {
    let payments = cinetpay_tower::router(shop.checkout.clone());
    Router::new()
        .route("/", get(handlers::catalogue))
        .route("/api/products", get(handlers::products))
        .route("/orders", post(handlers::create_order))
        .route("/orders/{order_ref}", get(handlers::show_order))
        .merge(payments)
        .with_state(shop)
}
