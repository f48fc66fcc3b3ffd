//! An example shop on axum. Its payment routes (`/cinetpay/init`,
//! `/cinetpay/notify`, `/cinetpay/return`) are merged into its router by one
//! line of `main`: `.merge(cinetpay_tower::router(checkout))`, which costs the
//! shop's other routes nothing. Everything else is the shop's own:
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the catalogue |
//! | `GET /api/products` | the catalogue as JSON |
//! | `POST /orders` | `product_id` (form or JSON) → 303 to the order page, or 201 JSON |
//! | `GET /orders/{order_ref}` | the order page, or the order as JSON (`Accept: application/json`) |
//! | `GET /metrics` | with `SHOP_METRICS=1` only: the engine's metrics, Prometheus text format ([`metrics`]) |
//! | `/admin/cinetpay/...` | CinetPay's admin view (`cinetpay_tower::admin_router`), only with `SHOP_ADMIN_TOKEN`, behind a stand-in login (see [`admin`]) |

mod admin;
mod handlers;
pub mod metrics;
mod negotiate;

use axum::Router;
use axum::routing::{get, post};
use shop_common::setup::Shop;

pub use admin::admin;

/// The shop's own routes, without the payment routes (`main` merges them).
pub fn routes(shop: Shop) -> Router {
    Router::new()
        .route("/", get(handlers::catalogue))
        .route("/api/products", get(handlers::products))
        .route("/orders", post(handlers::create_order))
        .route("/orders/{order_ref}", get(handlers::show_order))
        .with_state(shop)
}

/// What `main` serves: the shop's routes with the CinetPay routes merged in,
/// and the admin view when the shop has an admin token (for tests and
/// benchmarks, which build the [`Shop`] themselves).
pub fn app(shop: Shop) -> Router {
    let payments = cinetpay_tower::router(shop.checkout.clone());
    let admin = admin(&shop);
    routes(shop).merge(payments).merge(admin)
}
