//! [`Shop`]: what the shop's routes share, put together by the shop's `main`
//! from the parts it builds (the engine, the order book, the store's read
//! side).

use std::sync::Arc;

use cinetpay_core::PaymentQueries;
use cinetpay_core::engine::Checkout;

use crate::admin::AdminToken;
use crate::orders::OrderBook;

/// The state of the shop's own routes (cheap to clone).
///
/// ```no_run
/// # async fn run(settings: cinetpay_core::engine::CheckoutSettings) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use cinetpay_core::engine::Checkout;
/// use shop_common::{fulfiller::ShopFulfiller, orders::OrderBook, setup::Shop};
///
/// let store = cinetpay_store::SeaOrmStore::connect("sqlite://shop.db?mode=rwc").await?;
/// store.migrate().await?;
/// let orders = OrderBook::open(store.connection().clone()).await?;
/// let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));
/// let store = Arc::new(store);
/// let checkout = Checkout::builder()
///     .config(settings.into_config()?)
///     .store(store.clone())
///     .fulfiller(Arc::new(fulfiller))
///     .build()?;
/// let shop = Shop::new(checkout, orders, store);
/// assert_eq!(shop.pay_action(), "/cinetpay/init");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Shop {
    /// The payment engine (the order page's Pay button posts to its `init` route).
    pub checkout: Checkout,
    /// The payments' read side (the order page lists an order's payments).
    pub payments: Arc<dyn PaymentQueries>,
    /// The shop's orders.
    pub orders: OrderBook,
    /// The operators' token: the CinetPay admin view is mounted (at
    /// [`ADMIN_MOUNT`](crate::admin::ADMIN_MOUNT)) only when it is set.
    pub admin: Option<AdminToken>,
}

impl std::fmt::Debug for Shop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shop")
            .field("checkout", &self.checkout)
            .field("orders", &self.orders)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

impl Shop {
    /// The routes' state: the engine, the shop's orders, and the read side of
    /// the engine's store (usually the same store).
    pub fn new(checkout: Checkout, orders: OrderBook, payments: Arc<dyn PaymentQueries>) -> Self {
        Shop {
            checkout,
            payments,
            orders,
            admin: None,
        }
    }

    /// With the admin view, behind `admin` (none: not mounted).
    #[must_use]
    pub fn with_admin(mut self, admin: Option<AdminToken>) -> Self {
        self.admin = admin;
        self
    }

    /// Where the order page's Pay button posts: `{prefix}/init`.
    pub fn pay_action(&self) -> String {
        format!("{}/init", self.checkout.config().prefix())
    }
}
