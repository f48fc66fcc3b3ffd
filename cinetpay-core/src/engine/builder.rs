//! [`CheckoutBuilder`]: puts config, store, fulfiller, client and clock together.

use std::sync::Arc;

use super::config::{CheckoutConfig, ConfigError};
use super::delivery_log::DeliveryLog;
use super::{Checkout, Inner};
use crate::client::Client;
use crate::clock::{Clock, SystemClock};
use crate::fulfiller::OrderFulfiller;
use crate::store::PaymentStore;

/// Builds a [`Checkout`]; [`build`](Self::build) names whatever is missing.
///
/// ```
/// use cinetpay_core::engine::Checkout;
/// let err = Checkout::builder().build().unwrap_err();
/// assert_eq!(err.to_string(), "Checkout builder: config is missing (call .config(...))");
/// ```
#[derive(Default)]
#[must_use]
pub struct CheckoutBuilder {
    config: Option<CheckoutConfig>,
    store: Option<Arc<dyn PaymentStore>>,
    fulfiller: Option<Arc<dyn OrderFulfiller>>,
    client: Option<Client>,
    clock: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for CheckoutBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutBuilder")
            .field("config", &self.config)
            .field("store", &self.store.is_some())
            .field("fulfiller", &self.fulfiller.is_some())
            .field("client", &self.client)
            .field("clock", &self.clock.is_some())
            .finish()
    }
}

impl CheckoutBuilder {
    /// The validated configuration (required).
    pub fn config(mut self, config: CheckoutConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Where payments live (required).
    pub fn store(mut self, store: Arc<dyn PaymentStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The merchant's code (required).
    pub fn fulfiller(mut self, fulfiller: Arc<dyn OrderFulfiller>) -> Self {
        self.fulfiller = Some(fulfiller);
        self
    }

    /// A ready Checkout v2 client for the first Checkout v2 account; by
    /// default one is built from the config's credentials, API URL and
    /// client settings. Its site id must be the account's.
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The clock (default [`SystemClock`]); tests pass a [`ManualClock`](super::ManualClock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Checks that every piece is there and builds the engine.
    pub fn build(self) -> Result<Checkout, ConfigError> {
        let missing = |piece: &str| {
            ConfigError::other(
                format!("Checkout builder: {piece}"),
                format!("is missing (call .{piece}(...))"),
            )
        };
        let config = self.config.ok_or_else(|| missing("config"))?;
        let store = self.store.ok_or_else(|| missing("store"))?;
        let fulfiller = self.fulfiller.ok_or_else(|| missing("fulfiller"))?;
        super::panics::install_hook();
        let accounts = super::accounts::Accounts::build(&config, self.client)?;
        for account in accounts.iter() {
            let account = &account.config;
            if account.accepts_unsigned_notifications() {
                tracing::error!(
                    account = %account.name(),
                    api_url = %account.client_config().base_url,
                    "no CinetPay secret key is set: notifications are accepted without an x-token, \
                     so anyone can make this shop check a payment; set CINETPAY_SECRET_KEY"
                );
            }
        }
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let log = Arc::new(DeliveryLog::new(Arc::clone(&store)));
        Ok(Checkout {
            inner: Arc::new(Inner {
                config,
                accounts,
                store,
                fulfiller,
                clock,
                log,
                flights: Default::default(),
                refusals: Default::default(),
                background_started: Default::default(),
                background_warned: Default::default(),
            }),
        })
    }
}
