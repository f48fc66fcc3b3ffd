//! The [`CinetPay`] fairing.

use std::sync::{Arc, Mutex, PoisonError};

use cinetpay_core::engine::{Background, Checkout};
use cinetpay_core::{OrderFulfiller, PaymentStore};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Orbit, Phase, Rocket};

use crate::{config, routes};

/// The checkout, as managed state (a private type: merchants reach it with
/// [`CinetPayCheckout`](crate::CinetPayCheckout) or [`CinetPay::checkout`],
/// and may still manage a `Checkout` of their own).
pub(crate) struct Managed(pub(crate) Checkout);

/// Where the checkout comes from.
enum Source {
    /// Built on ignite from `[cinetpay]` in Rocket's configuration.
    Config {
        store: Arc<dyn PaymentStore>,
        fulfiller: Arc<dyn OrderFulfiller>,
    },
    /// Built by the application.
    Checkout(Checkout),
}

/// The CinetPay fairing: mounts `init`, `notify` and `return` under the
/// checkout's prefix (`/cinetpay` by default), manages the [`Checkout`] for the
/// [`CinetPayCheckout`](crate::CinetPayCheckout) guard, starts the
/// reconciler on liftoff and, on shutdown, stops it and stores the
/// delivery-log lines still queued.
///
/// It is a [`Kind::Singleton`]: attached twice, only the last one is used.
/// See the [crate documentation](crate) for the configuration keys and a
/// complete example.
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_core::MemoryStore;
/// use cinetpay_rocket::CinetPay;
/// # use cinetpay_core::*;
/// # struct Shop;
/// # #[async_trait::async_trait]
/// # impl OrderFulfiller for Shop {
/// #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
/// #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
/// # }
///
/// let rocket = rocket::build()
///     .attach(CinetPay::fairing(Arc::new(MemoryStore::new()), Arc::new(Shop)));
/// ```
pub struct CinetPay {
    source: Source,
    reconcile: bool,
    reconciler: Mutex<Option<Background>>,
}

impl std::fmt::Debug for CinetPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("CinetPay");
        match &self.source {
            Source::Config { .. } => out.field("source", &"[cinetpay] configuration"),
            Source::Checkout(checkout) => out.field("checkout", checkout),
        };
        out.field("reconcile", &self.reconcile)
            .finish_non_exhaustive()
    }
}

impl CinetPay {
    /// A fairing that builds its [`Checkout`] on ignite from the `cinetpay`
    /// table of Rocket's configuration (`[default.cinetpay]` in `Rocket.toml`,
    /// `ROCKET_CINETPAY_*` variables), with `store` and the merchant's
    /// `fulfiller`. A missing or invalid setting aborts the launch with an
    /// error naming it.
    #[must_use]
    pub fn fairing(store: Arc<dyn PaymentStore>, fulfiller: Arc<dyn OrderFulfiller>) -> Self {
        CinetPay::new(Source::Config { store, fulfiller })
    }

    /// A fairing serving a [`Checkout`] the application built itself (its
    /// configuration from `CheckoutSettings::from_env`, a builder, a test
    /// double of CinetPay...). Rocket's `[cinetpay]` table is not read.
    ///
    /// ```
    /// # fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// let rocket = rocket::build().attach(cinetpay_rocket::CinetPay::from_checkout(checkout));
    /// # }
    /// ```
    #[must_use]
    pub fn from_checkout(checkout: Checkout) -> Self {
        CinetPay::new(Source::Checkout(checkout))
    }

    fn new(source: Source) -> Self {
        CinetPay {
            source,
            reconcile: true,
            reconciler: Mutex::new(None),
        }
    }

    /// Does not start the reconciler on liftoff, for an application that
    /// reconciles elsewhere (a worker process, a scheduled job calling
    /// `Checkout::reconcile_once`).
    ///
    /// ```
    /// # fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// let fairing = cinetpay_rocket::CinetPay::from_checkout(checkout).without_reconciler();
    /// # }
    /// ```
    #[must_use]
    pub fn without_reconciler(mut self) -> Self {
        self.reconcile = false;
        self
    }

    /// The checkout the attached fairing serves, once it has ignited: for
    /// tests, or for code that holds the `Rocket` rather than a request.
    ///
    /// ```
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) -> Result<(), rocket::Error> {
    /// use cinetpay_rocket::CinetPay;
    /// let rocket = rocket::build().attach(CinetPay::from_checkout(checkout)).ignite().await?;
    /// assert_eq!(CinetPay::checkout(&rocket).map(|c| c.config().prefix()), Some("/cinetpay"));
    /// # Ok(()) }
    /// ```
    pub fn checkout<P: Phase>(rocket: &Rocket<P>) -> Option<&Checkout> {
        rocket.state::<Managed>().map(|managed| &managed.0)
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Background>> {
        self.reconciler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[rocket::async_trait]
impl Fairing for CinetPay {
    fn info(&self) -> Info {
        Info {
            name: "CinetPay",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Shutdown | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let checkout = match &self.source {
            Source::Checkout(checkout) => checkout.clone(),
            Source::Config { store, fulfiller } => {
                let built = config::checkout_config(rocket.figment()).and_then(|config| {
                    Checkout::builder()
                        .config(config)
                        .store(store.clone())
                        .fulfiller(fulfiller.clone())
                        .build()
                        .map_err(|e| config::describe_config_error(&e))
                });
                match built {
                    Ok(checkout) => checkout,
                    Err(message) => {
                        tracing::error!("{message}");
                        return Err(rocket);
                    }
                }
            }
        };
        let prefix = checkout.config().prefix().to_owned();
        tracing::info!(
            "CinetPay: serving {prefix}/init, {prefix}/notify and {prefix}/return; \
             notify URL {}",
            checkout.config().notify_url()
        );
        let routes = routes::routes(&checkout);
        Ok(rocket.manage(Managed(checkout)).mount(prefix, routes))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        if !self.reconcile {
            return;
        }
        let Some(checkout) = CinetPay::checkout(rocket) else {
            return;
        };
        let handle = checkout.start_background();
        if let Some(previous) = self.slot().replace(handle) {
            previous.abort();
        }
    }

    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        let handle = self.slot().take();
        if let Some(handle) = handle {
            handle.shutdown().await;
        }
        if let Some(checkout) = CinetPay::checkout(rocket) {
            checkout.flush_delivery_log().await;
        }
    }
}
