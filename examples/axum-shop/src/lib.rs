//! An example shop on axum. Its payment routes (`/cinetpay/init`,
//! `/cinetpay/notify`, `/cinetpay/return`) are mounted by one line:
//! `.layer(CinetPayLayer::new(checkout))`. Everything else is the shop's own:
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
use cinetpay_tower::CinetPayLayer;
use shop_common::setup::Shop;

/// The shop's router, with the CinetPay routes mounted in front of it.
pub fn app(shop: Shop) -> Router {
    let layer = CinetPayLayer::new(shop.checkout.clone());
    Router::new()
        .route("/", get(handlers::catalogue))
        .route("/api/products", get(handlers::products))
        .route("/orders", post(handlers::create_order))
        .route("/orders/{order_ref}", get(handlers::show_order))
        .with_state(shop)
        .layer(layer)
}
