//! An example shop on Rocket. Its payment routes (`/cinetpay/init`,
//! `/cinetpay/notify`, `/cinetpay/return`) are mounted by one fairing, which
//! also runs the reconciler from liftoff to shutdown. Everything else is the
//! shop's own, the same as the axum shop's (both share `shop-common`):
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the catalogue |
//! | `GET /api/products` | the catalogue as JSON |
//! | `POST /orders` | `product_id` (form or JSON) → 303 to the order page, or 201 JSON |
//! | `GET /orders/<order_ref>` | the order page, or the order as JSON (`Accept: application/json`) |
//! | `/admin/cinetpay/...` | CinetPay's admin view (`cinetpay_rocket::admin_routes`), only with `SHOP_ADMIN_TOKEN`, behind a stand-in login ([`admin::Operator`]) |
//!
//! [`from_config`] is the shop as its binary runs it: `Rocket.toml` (and
//! `ROCKET_*`) configure everything, and `CinetPay::try_fairing_with_store`
//! builds the payment store on ignite, on the database of
//! `[default.databases.shop]`, where the shop's orders live too:
//!
//! ```no_run
//! # async fn run() -> Result<(), rocket::Error> {
//! let rocket = rocket_shop::from_config(rocket::Config::figment());
//! rocket.launch().await?;
//! # Ok(()) }
//! ```
//!
//! [`rocket()`] serves a [`Shop`] built beforehand (`CinetPay::from_checkout`),
//! as the tests and the axum twin do.

pub mod admin;
mod handlers;
mod negotiate;

use std::sync::Arc;

use cinetpay_rocket::CinetPay;
use cinetpay_rocket::cinetpay_core::PaymentQueries;
use cinetpay_rocket::cinetpay_store::SeaOrmStore;
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket, routes};
use shop_common::admin::AdminToken;
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::{OrderBook, OrderError};
use shop_common::setup::Shop;

/// What the shop's own routes use: its orders and the payments' read side.
#[derive(Clone)]
pub struct ShopState {
    /// The shop's orders.
    pub orders: OrderBook,
    /// The payments (the order page lists an order's).
    pub payments: Arc<dyn PaymentQueries>,
}

impl From<&Shop> for ShopState {
    fn from(shop: &Shop) -> Self {
        ShopState {
            orders: shop.orders.clone(),
            payments: shop.payments.clone(),
        }
    }
}

/// The shop configured by `figment` (Rocket's: `Rocket.toml`, `ROCKET_*`):
/// the CinetPay fairing connects the payment store to the database named by
/// `cinetpay.database` (or `cinetpay.database_url`), opens the shop's order
/// tables there and delivers in the store's transaction; the shop's routes
/// get their state on ignite, from the store the fairing manages. With
/// `SHOP_ADMIN_TOKEN`, the admin view reads that store too.
pub fn from_config(figment: Figment) -> Rocket<Build> {
    let payments = CinetPay::try_fairing_with_store(|store: SeaOrmStore| async move {
        let orders = OrderBook::open(store.connection().clone()).await?;
        // The delivery row and the payment's delivery mark commit together.
        let fulfiller = ShopFulfiller::new(orders);
        Ok::<_, OrderError>(store.fulfil_in_transaction(fulfiller))
    });
    // Attached after the CinetPay fairing: its store exists by then.
    let state = AdHoc::try_on_ignite("shop orders", |rocket| async move {
        let Some(store) = rocket.state::<SeaOrmStore>().cloned() else {
            tracing::error!("the CinetPay fairing manages no SeaOrmStore");
            return Err(rocket);
        };
        // The tables exist already (the fulfiller opened them): this is a handle.
        match OrderBook::open(store.connection().clone()).await {
            Ok(orders) => Ok(rocket.manage(ShopState {
                orders,
                payments: Arc::new(store),
            })),
            Err(e) => {
                tracing::error!("the shop's orders cannot be opened: {e}");
                Err(rocket)
            }
        }
    });
    let rocket = admin::mount(rocket::custom(figment), AdminToken::from_env(), None);
    mount(rocket).attach(payments).attach(state)
}

/// The shop around a [`Shop`] built beforehand, with the CinetPay fairing
/// serving its checkout: the reconciler runs from liftoff to shutdown.
/// Configure the address with [`Rocket::configure`] (Rocket's own
/// `ROCKET_ADDRESS`/`ROCKET_PORT` and `Rocket.toml` work too).
pub fn rocket(shop: Shop) -> Rocket<Build> {
    let fairing = CinetPay::from_checkout(shop.checkout.clone());
    mount(with_admin(rocket::build(), &shop))
        .manage(ShopState::from(&shop))
        .attach(fairing)
}

/// The same shop without the background reconciler, for tests that run
/// reconciliation passes themselves (`shop.checkout.reconcile_once()`), as the
/// axum shop's router leaves it to its `main`.
pub fn rocket_without_reconciler(shop: Shop) -> Rocket<Build> {
    let fairing = CinetPay::from_checkout(shop.checkout.clone()).without_reconciler();
    mount(with_admin(rocket::build(), &shop))
        .manage(ShopState::from(&shop))
        .attach(fairing)
}

/// The admin view when `shop` has an admin token, on the shop's payments.
fn with_admin(rocket: Rocket<Build>, shop: &Shop) -> Rocket<Build> {
    admin::mount(rocket, shop.admin.clone(), Some(shop.payments.clone()))
}

fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket.mount(
        "/",
        routes![
            handlers::index,
            handlers::products,
            handlers::create_order_json,
            handlers::create_order_form,
            handlers::show_order,
        ],
    )
}
