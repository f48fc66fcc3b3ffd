//! The example shop as the cases run it: shop-common's parts (the order book,
//! the shop's fulfiller, the routes' [`Shop`]) assembled on the case's store,
//! as the shops' `main` assembles them, plus what only tests need: a
//! [`ScriptedFulfiller`] in front of the shop's fulfiller (planned delivery
//! failures), the [`MemoryStore`], and the engine's clock. The admin view is
//! mounted, behind [`ADMIN_TOKEN`].

use std::sync::Arc;

use cinetpay_core::clock::Clock;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{MemoryStore, OrderFulfiller, PaymentQueries, PaymentStore};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::{Act, ScriptedFulfiller};
use sea_orm::Database;
use shop_common::admin::AdminToken;
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::OrderBook;
use shop_common::setup::Shop;

/// Why a test shop could not be built.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The operators' token of the test shops' admin view (at
/// [`shop_common::admin::ADMIN_MOUNT`]).
pub const ADMIN_TOKEN: &str = "e2e-operator-token";

/// What a planned delivery failure says.
pub const PLANNED_FAILURE: &str = "the warehouse is closed (a planned fault)";

/// Which payment store the shop uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// [`MemoryStore`]: payments are lost at exit; the orders stay in the database.
    Memory,
    /// [`SeaOrmStore`] on the shop's database, with an optional table prefix,
    /// and the shop's deliveries in the store's transaction.
    Database {
        /// Table prefix (default `cinetpay_`).
        table_prefix: Option<String>,
    },
}

/// Everything [`TestShop::build`] needs.
pub struct ShopOptions {
    /// The shop's orders (and the payments with [`StoreChoice::Database`]).
    pub database_url: String,
    /// The payment store.
    pub store: StoreChoice,
    /// The engine's settings: credentials, `api_url` and `public_url` filled in.
    pub settings: CheckoutSettings,
    /// The engine's clock (the soak skews it); `None`: the system clock.
    pub clock: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for ShopOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopOptions")
            .field("store", &self.store)
            .field("settings", &self.settings)
            .field("clock", &self.clock.as_ref().map(|_| "given"))
            .finish_non_exhaustive()
    }
}

/// The example shop with its test hooks: dereferences to the [`Shop`] the
/// routes are served with.
#[derive(Debug, Clone)]
pub struct TestShop {
    /// What the shop's routes share.
    pub shop: Shop,
    /// The shop's fulfiller behind a scripted one, which counts every call
    /// and makes the deliveries a case plans fail.
    pub fulfiller: Arc<ScriptedFulfiller>,
}

impl std::ops::Deref for TestShop {
    type Target = Shop;

    fn deref(&self) -> &Shop {
        &self.shop
    }
}

impl TestShop {
    /// Builds the shop on `options`' store and clock.
    pub async fn build(options: ShopOptions) -> Result<TestShop, BoxError> {
        let config = options.settings.into_config()?;
        type Parts = (
            OrderBook,
            Arc<dyn PaymentStore>,
            Arc<dyn PaymentQueries>,
            Arc<dyn OrderFulfiller>,
        );
        let (orders, store, payments, fulfiller): Parts = match options.store {
            StoreChoice::Memory => {
                let orders =
                    OrderBook::open(Database::connect(&options.database_url).await?).await?;
                let store = MemoryStore::new();
                (
                    orders.clone(),
                    Arc::new(store.clone()),
                    Arc::new(store),
                    Arc::new(ShopFulfiller::new(orders)),
                )
            }
            StoreChoice::Database { table_prefix } => {
                let mut builder = SeaOrmStore::builder();
                if let Some(prefix) = table_prefix {
                    builder = builder.table_prefix(prefix);
                }
                let store = builder.connect(&options.database_url).await?;
                store.migrate().await?;
                let orders = OrderBook::open(store.connection().clone()).await?;
                // As in the shops' `main`: the delivery row commits with the mark.
                let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));
                let store = Arc::new(store);
                (orders, store.clone(), store, Arc::new(fulfiller))
            }
        };
        let fulfiller = ScriptedFulfiller::wrapping(fulfiller);
        let mut checkout = Checkout::builder()
            .config(config)
            .store(store)
            .fulfiller(fulfiller.clone());
        if let Some(clock) = options.clock {
            checkout = checkout.clock(clock);
        }
        Ok(TestShop {
            shop: Shop::new(checkout.build()?, orders, payments)
                .with_admin(AdminToken::new(ADMIN_TOKEN)),
            fulfiller,
        })
    }

    /// The next `n` deliveries of `order_ref` fail with [`PLANNED_FAILURE`]
    /// (the shop's own fulfiller is not called for them).
    pub fn fail_deliveries(&self, order_ref: &str, n: u32) {
        let failures = (0..n).map(|_| Act::Fail(PLANNED_FAILURE));
        self.fulfiller.script_order(order_ref, failures);
    }
}
