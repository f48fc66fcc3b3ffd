//! Start-up: the database, the payment store, CinetPay (real or the embedded
//! sandbox) and the engine, from the environment or from explicit options.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SHOP_ADDR` | the shop's own (`127.0.0.1:3000` for axum, `127.0.0.1:8000` for Rocket) | where to listen |
//! | `DATABASE_URL` | `sqlite://shop.db?mode=rwc` | orders and payments (SQLite, PostgreSQL or MySQL) |
//! | `SHOP_PUBLIC_URL` | `http://{SHOP_ADDR}` | the URL CinetPay and browsers reach the shop at |
//! | `CINETPAY_API_KEY` | unset: the embedded sandbox | set: the real CinetPay, with `CINETPAY_SITE_ID`, `CINETPAY_SECRET_KEY` and the other `CINETPAY_*` settings of [`CheckoutSettings`] |

use std::net::SocketAddr;
use std::sync::Arc;

use cinetpay_core::engine::{Background, Checkout, CheckoutSettings, Clock, ConfigError};
use cinetpay_core::{MemoryStore, OrderFulfiller, PaymentQueries, PaymentStore};
use cinetpay_sandbox::{Sandbox, SandboxError, SandboxHandle};
use cinetpay_store::SeaOrmStore;
use sea_orm::{Database, DatabaseConnection};

use crate::fulfiller::{Faults, ShopFulfiller};
use crate::orders::{OrderBook, OrderError};

/// Why the shop cannot start. Each message names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `SHOP_ADDR` is not a socket address.
    #[error("SHOP_ADDR {0:?} is not an address like 127.0.0.1:3000")]
    BadAddr(String),
    /// A CinetPay setting is missing or invalid.
    #[error("CinetPay configuration: {0}")]
    Config(#[from] ConfigError),
    /// The database cannot be opened.
    #[error("DATABASE_URL: {0}")]
    Database(String),
    /// The order tables cannot be created.
    #[error(transparent)]
    Orders(#[from] OrderError),
    /// The embedded sandbox cannot start.
    #[error("embedded CinetPay sandbox: {0}")]
    Sandbox(#[from] SandboxError),
}

/// The shop's settings, read from the environment.
#[derive(Debug, Clone)]
pub struct ShopEnv {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Orders and payments.
    pub database_url: String,
    /// The shop's public URL, when not `http://{addr}`.
    pub public_url: Option<String>,
    /// The real CinetPay's settings; `None` runs the embedded sandbox.
    pub cinetpay: Option<CheckoutSettings>,
}

impl ShopEnv {
    /// Reads `SHOP_ADDR` (else `default_addr`), `DATABASE_URL`,
    /// `SHOP_PUBLIC_URL` and, when `CINETPAY_API_KEY` is set, every `CINETPAY_*` setting.
    pub fn from_env(default_addr: &str) -> Result<Self, SetupError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr_text = var("SHOP_ADDR").unwrap_or_else(|| default_addr.to_owned());
        let addr = addr_text
            .parse()
            .map_err(|_| SetupError::BadAddr(addr_text.clone()))?;
        let cinetpay = match var("CINETPAY_API_KEY") {
            Some(_) => Some(CheckoutSettings::from_env()?),
            None => None,
        };
        Ok(ShopEnv {
            addr,
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://shop.db?mode=rwc".to_owned()),
            public_url: var("SHOP_PUBLIC_URL"),
            cinetpay,
        })
    }
}

/// Which payment store the shop uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// [`MemoryStore`]: payments are lost at exit (tests).
    Memory,
    /// [`SeaOrmStore`] on the shop's database, with an optional table prefix.
    Database {
        /// Table prefix (default `cinetpay_`).
        table_prefix: Option<String>,
    },
}

/// Everything [`build`] needs, for tests and embedders.
pub struct ShopOptions {
    /// Orders (and payments with [`StoreChoice::Database`]).
    pub database_url: String,
    /// The payment store.
    pub store: StoreChoice,
    /// The engine's settings: credentials, `api_url` and `public_url` filled in.
    pub settings: CheckoutSettings,
    /// A sandbox the shop owns and stops with itself (the embedded one).
    pub sandbox: Option<SandboxHandle>,
    /// The engine's clock (tests skew it); `None`: the system clock.
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

/// A running shop's parts, shared by its routes (cheap to clone).
#[derive(Clone)]
pub struct Shop {
    /// The payment engine.
    pub checkout: Checkout,
    /// The payments' read side (the order page lists an order's payments).
    pub payments: Arc<dyn PaymentQueries>,
    /// The shop's orders.
    pub orders: OrderBook,
    /// Planned delivery failures (tests, demos).
    pub faults: Faults,
    /// The shop's public URL.
    pub public_url: String,
    sandbox: Option<Arc<SandboxHandle>>,
}

impl std::fmt::Debug for Shop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shop")
            .field("public_url", &self.public_url)
            .field("checkout", &self.checkout)
            .finish_non_exhaustive()
    }
}

impl Shop {
    /// Where the order page's Pay button posts: `{prefix}/init`.
    pub fn pay_action(&self) -> String {
        format!("{}/init", self.checkout.config().prefix())
    }

    /// The embedded sandbox, when the shop runs one.
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_deref().map(|h| &**h)
    }

    /// Starts the reconciler at the configured interval.
    pub fn spawn_reconciler(&self) -> Background {
        self.checkout.start_background()
    }

    /// Stores the delivery-log lines still queued, then stops the embedded
    /// sandbox if this is the last clone holding it.
    pub async fn shutdown(self) {
        self.checkout.flush_delivery_log().await;
        if let Some(handle) = self.sandbox.and_then(|s| Arc::try_unwrap(s).ok()) {
            handle.shutdown().await;
        }
    }
}

async fn open_database(url: &str) -> Result<DatabaseConnection, SetupError> {
    Database::connect(url)
        .await
        .map_err(|e| SetupError::Database(format!("cannot open {}: {e}", redact_url(url))))
}

/// The URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The orders, the engine's store, its read side and the fulfiller.
type Parts = (
    OrderBook,
    Arc<dyn PaymentStore>,
    Arc<dyn PaymentQueries>,
    Arc<dyn OrderFulfiller>,
);

/// Builds a shop from explicit options.
pub async fn build(options: ShopOptions) -> Result<Shop, SetupError> {
    let config = options.settings.into_config()?;
    let faults = Faults::default();
    let (orders, store, payments, fulfiller): Parts = match options.store {
        StoreChoice::Memory => {
            let orders = OrderBook::open(open_database(&options.database_url).await?).await?;
            let fulfiller = ShopFulfiller::new(orders.clone(), faults.clone());
            let store = MemoryStore::new();
            (
                orders,
                Arc::new(store.clone()),
                Arc::new(store),
                Arc::new(fulfiller),
            )
        }
        StoreChoice::Database { table_prefix } => {
            let mut builder = SeaOrmStore::builder();
            if let Some(prefix) = table_prefix {
                builder = builder.table_prefix(prefix);
            }
            let store = builder.connect(&options.database_url).await.map_err(|e| {
                SetupError::Database(format!("{}: {e}", redact_url(&options.database_url)))
            })?;
            store
                .migrate()
                .await
                .map_err(|e| SetupError::Database(format!("migrating the payment tables: {e}")))?;
            let orders = OrderBook::open(store.connection().clone()).await?;
            // The delivery row and the payment's delivery mark commit together.
            let fulfiller =
                store.fulfil_in_transaction(ShopFulfiller::new(orders.clone(), faults.clone()));
            let store = Arc::new(store);
            (orders, store.clone(), store, Arc::new(fulfiller))
        }
    };
    let public_url = config
        .public_url()
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let mut checkout = Checkout::builder()
        .config(config)
        .store(store)
        .fulfiller(fulfiller);
    if let Some(clock) = options.clock {
        checkout = checkout.clock(clock);
    }
    let checkout = checkout.build()?;
    Ok(Shop {
        checkout,
        payments,
        orders,
        faults,
        public_url,
        sandbox: options.sandbox.map(Arc::new),
    })
}

/// Starts the shop described by `env`, listening on `bound` (the address
/// actually bound, which may differ from `env.addr` when its port is 0).
pub async fn start(env: ShopEnv, bound: SocketAddr) -> Result<Shop, SetupError> {
    let public_url = env
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"));
    let (settings, sandbox) = match env.cinetpay {
        Some(mut settings) => {
            if settings.public_url.is_none() {
                settings.public_url = Some(public_url.clone());
            }
            let api_url = settings.api_url.as_deref().unwrap_or("CinetPay's own host");
            tracing::info!(api_url, "using CinetPay at {api_url}");
            (settings, None)
        }
        None => {
            let sandbox = Sandbox::builder().start().await?;
            tracing::info!(
                "CINETPAY_API_KEY is not set: using the embedded CinetPay sandbox at {} (site id {}); \
                 payments are simulated, nothing is charged",
                sandbox.url(),
                sandbox.site_id()
            );
            (sandbox_settings(&sandbox, &public_url), Some(sandbox))
        }
    };
    build(ShopOptions {
        database_url: env.database_url,
        store: StoreChoice::Database { table_prefix: None },
        settings,
        sandbox,
        clock: None,
    })
    .await
}

/// Engine settings that talk to `sandbox`, for a shop at `public_url`.
pub fn sandbox_settings(sandbox: &Sandbox, public_url: &str) -> CheckoutSettings {
    CheckoutSettings {
        api_key: Some(sandbox.api_key().to_owned()),
        site_id: Some(sandbox.site_id().to_owned()),
        secret_key: Some(sandbox.secret_key().to_owned()),
        api_url: Some(sandbox.url().as_str().trim_end_matches('/').to_owned()),
        public_url: Some(public_url.to_owned()),
        // Simulated payments: retry a failed delivery within seconds, not minutes,
        // and poll a payment whose notifications were lost after 30 s.
        fulfil_retry_base_ms: 1_000,
        fulfil_retry_max_ms: 30_000,
        reconcile_interval_ms: 2_000,
        poll_after_ms: 30_000,
        ..CheckoutSettings::default()
    }
}
