//! The [`CinetPay`] fairing.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use cinetpay_core::engine::{Background, Checkout, CustomerError};
use cinetpay_core::{OrderFulfiller, PaymentStore};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Data, Orbit, Phase, Request, Rocket};

use crate::config::{self, ShutdownPeriods};
use crate::routes::{self, EngineHandler};
use crate::shutdown::InFlight;
#[cfg(feature = "store")]
use crate::store;

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
    /// Built on ignite from `[cinetpay]`, with a store connected to the
    /// database it names and the fulfiller made from that store.
    #[cfg(feature = "store")]
    Store(Mutex<Option<store::MakeFulfiller>>),
}

/// The CinetPay fairing: mounts `init`, `notify` and `return` under the
/// checkout's prefix (`/cinetpay` by default), manages the [`Checkout`] for the
/// [`CinetPayCheckout`](crate::CinetPayCheckout) guard, starts the
/// reconciler on liftoff and, on shutdown, stops it, waits for the payment
/// work that requests started (within Rocket's `shutdown.grace` +
/// `shutdown.mercy`) and stores the delivery-log lines still queued.
///
/// It is a [`Kind::Singleton`]: attached twice, only the last one is used.
/// See the [crate documentation](crate) for the configuration keys and a
/// complete example.
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_rocket::CinetPay;
/// use cinetpay_rocket::cinetpay_core::MemoryStore;
/// # use cinetpay_rocket::cinetpay_core::*;
/// # struct Shop;
/// # #[cinetpay_rocket::async_trait]
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
    to_catchers: bool,
    /// The checkout served, once ignited.
    serving: OnceLock<Checkout>,
    /// The engine calls that requests started.
    in_flight: InFlight,
    reconciler: Mutex<Option<Background>>,
}

impl std::fmt::Debug for CinetPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("CinetPay");
        match &self.source {
            Source::Config { .. } => out.field("source", &"[cinetpay] configuration"),
            Source::Checkout(checkout) => out.field("checkout", checkout),
            #[cfg(feature = "store")]
            Source::Store(_) => out.field("source", &"[cinetpay] configuration and its database"),
        };
        out.field("reconcile", &self.reconcile)
            .field("customer_errors_to_catchers", &self.to_catchers)
            .finish_non_exhaustive()
    }
}

/// What ignite builds.
struct Built {
    checkout: Checkout,
    #[cfg(feature = "store")]
    store: Option<cinetpay_store::SeaOrmStore>,
}

impl Built {
    fn checkout(checkout: Checkout) -> Self {
        Built {
            checkout,
            #[cfg(feature = "store")]
            store: None,
        }
    }
}

impl CinetPay {
    /// A fairing that builds its [`Checkout`] on ignite from the `cinetpay`
    /// table of Rocket's configuration (`[default.cinetpay]` in `Rocket.toml`,
    /// `ROCKET_CINETPAY_*` variables), with `store` and the merchant's
    /// `fulfiller`. A missing or invalid setting aborts the launch with an
    /// error naming it.
    ///
    /// With the `store` feature, `CinetPay::fairing_with_store`
    /// builds the store too, from the same table.
    #[must_use]
    pub fn fairing(store: Arc<dyn PaymentStore>, fulfiller: Arc<dyn OrderFulfiller>) -> Self {
        CinetPay::new(Source::Config { store, fulfiller })
    }

    /// A fairing that, on ignite, reads the `cinetpay` table, connects a
    /// [`SeaOrmStore`](cinetpay_store::SeaOrmStore) to the database it names
    /// (`database_url = "..."`, or `database = "<name>"` for the `url` of
    /// `[databases.<name>]`, the entry `rocket_db_pools` reads), creates or
    /// upgrades its tables ([`migrate`](cinetpay_store::SeaOrmStore::migrate)),
    /// makes the fulfiller from the store with `make_fulfiller`, and serves
    /// the checkout: the store exists only once Rocket ignites, as an app's
    /// pools do, and the app attaches one fairing.
    ///
    /// The store is also managed state: the app's own handlers and fairings
    /// (attached after this one) reach it as `&State<SeaOrmStore>`, its
    /// [`connection`](cinetpay_store::SeaOrmStore::connection) included.
    ///
    /// A missing key, a database that cannot be reached, a URL whose driver
    /// is not built in (enable this crate's `sqlite`, `postgres` or `mysql`
    /// feature) or a failed migration aborts the launch with an error saying
    /// which. Requires the `store` feature.
    ///
    /// ```no_run
    /// use cinetpay_rocket::CinetPay;
    /// use cinetpay_rocket::cinetpay_store::SeaOrmStore;
    /// # use cinetpay_rocket::cinetpay_core::*;
    /// # struct Shop(SeaOrmStore);
    /// # impl Shop { fn new(store: SeaOrmStore) -> Self { Shop(store) } }
    /// # #[cinetpay_rocket::async_trait]
    /// # impl OrderFulfiller for Shop {
    /// #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
    /// #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
    /// # }
    ///
    /// // Rocket.toml: [default.cinetpay] database_url = "sqlite://shop.db?mode=rwc", ...
    /// let rocket = rocket::build()
    ///     .attach(CinetPay::fairing_with_store(|store: &SeaOrmStore| Shop::new(store.clone())));
    /// ```
    #[cfg(feature = "store")]
    #[must_use]
    pub fn fairing_with_store<F, O>(make_fulfiller: F) -> Self
    where
        F: FnOnce(&cinetpay_store::SeaOrmStore) -> O + Send + 'static,
        O: OrderFulfiller,
    {
        CinetPay::try_fairing_with_store(move |store: cinetpay_store::SeaOrmStore| {
            let fulfiller = make_fulfiller(&store);
            std::future::ready(Ok::<_, std::convert::Infallible>(fulfiller))
        })
    }

    /// As [`fairing_with_store`](Self::fairing_with_store), for a fulfiller
    /// that is made asynchronously and may fail (it opens its own tables, say):
    /// `make_fulfiller`'s error aborts the launch, with its text. Requires the
    /// `store` feature.
    ///
    /// ```no_run
    /// use cinetpay_rocket::CinetPay;
    /// use cinetpay_rocket::cinetpay_store::SeaOrmStore;
    /// # use cinetpay_rocket::cinetpay_core::*;
    /// # struct Shop(SeaOrmStore);
    /// # impl Shop { async fn open(store: SeaOrmStore) -> Result<Self, std::io::Error> { Ok(Shop(store)) } }
    /// # #[cinetpay_rocket::async_trait]
    /// # impl OrderFulfiller for Shop {
    /// #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
    /// #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
    /// # }
    ///
    /// let rocket = rocket::build().attach(CinetPay::try_fairing_with_store(Shop::open));
    /// ```
    #[cfg(feature = "store")]
    #[must_use]
    pub fn try_fairing_with_store<F, Fut, O, E>(make_fulfiller: F) -> Self
    where
        F: FnOnce(cinetpay_store::SeaOrmStore) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<O, E>> + Send + 'static,
        O: OrderFulfiller,
        E: std::fmt::Display,
    {
        let make: store::MakeFulfiller = Box::new(move |store| {
            Box::pin(async move {
                match make_fulfiller(store).await {
                    Ok(fulfiller) => Ok(Arc::new(fulfiller) as Arc<dyn OrderFulfiller>),
                    Err(e) => Err(format!("CinetPay: the fulfiller cannot be made: {e}")),
                }
            })
        });
        CinetPay::new(Source::Store(Mutex::new(Some(make))))
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
            to_catchers: false,
            serving: OnceLock::new(),
            in_flight: InFlight::default(),
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

    /// Hands the errors the engine shows a customer to the app's catchers:
    /// an error page of `POST {prefix}/init` (an unknown order, an order
    /// already paid, CinetPay unreachable...: a
    /// [`CustomerError`]) is answered with its status only, so that Rocket
    /// calls the app's catcher for that status, which finds the error with
    /// [`CinetPay::customer_error`] (it is in the request's
    /// [`local_cache`](Request::local_cache) as an `Option<CustomerError>`).
    /// JSON answers and the other routes' answers are unchanged. Without it,
    /// the engine's own short text is the answer.
    ///
    /// ```
    /// use cinetpay_rocket::CinetPay;
    /// use rocket::http::Status;
    /// use rocket::response::content::RawHtml;
    /// use rocket::Request;
    ///
    /// #[rocket::catch(default)]
    /// fn error_page(status: Status, request: &Request<'_>) -> RawHtml<String> {
    ///     let text = match CinetPay::customer_error(request) {
    ///         Some(error) if error.retry_later() => format!("{} Please try again in a moment.", error.message()),
    ///         Some(error) => error.message().to_owned(),
    ///         None => status.reason_lossy().to_owned(),
    ///     };
    ///     RawHtml(format!("<main><h1>{}</h1><p>{text}</p></main>", status.code))
    /// }
    ///
    /// # fn demo(checkout: cinetpay_rocket::cinetpay_core::engine::Checkout) {
    /// let rocket = rocket::build()
    ///     .register("/", rocket::catchers![error_page])
    ///     .attach(CinetPay::from_checkout(checkout).customer_errors_to_catchers());
    /// # }
    /// ```
    #[must_use]
    pub fn customer_errors_to_catchers(mut self) -> Self {
        self.to_catchers = true;
        self
    }

    /// The customer error a CinetPay route answered `request` with, for the
    /// app's catcher, when the fairing hands them over
    /// ([`customer_errors_to_catchers`](Self::customer_errors_to_catchers)).
    /// `None` for any other error.
    pub fn customer_error<'r>(request: &'r Request<'_>) -> Option<&'r CustomerError> {
        routes::customer_error(request)
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

    /// The checkout (and the store it built), or why not.
    async fn build(&self, rocket: &Rocket<Build>) -> Result<Built, String> {
        let figment = rocket.figment();
        match &self.source {
            Source::Checkout(checkout) => Ok(Built::checkout(checkout.clone())),
            Source::Config { store, fulfiller } => {
                let table = config::read(figment)?;
                if let Some(database) = &table.database {
                    tracing::warn!(
                        "CinetPay: `{}` is set but not read: this fairing was given its store \
                         (CinetPay::fairing); CinetPay::fairing_with_store (feature `store`) \
                         connects to it",
                        database.key()
                    );
                }
                let config = table
                    .settings
                    .into_config()
                    .map_err(|e| config::describe_config_error(&e))?;
                let checkout = Checkout::builder()
                    .config(config)
                    .store(store.clone())
                    .fulfiller(fulfiller.clone())
                    .build()
                    .map_err(|e| config::describe_config_error(&e))?;
                Ok(Built::checkout(checkout))
            }
            #[cfg(feature = "store")]
            Source::Store(make) => {
                let table = config::read(figment)?;
                // The engine's settings first: a typo is reported before
                // any connection is tried.
                let config = table
                    .settings
                    .into_config()
                    .map_err(|e| config::describe_config_error(&e))?;
                let connected = store::connect(figment, table.database.as_ref()).await?;
                let make = make
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                    .ok_or_else(|| "CinetPay: this fairing has ignited already".to_owned())?;
                let fulfiller = make(connected.clone()).await?;
                let checkout = Checkout::builder()
                    .config(config)
                    .store(Arc::new(connected.clone()))
                    .fulfiller(fulfiller)
                    .build()
                    .map_err(|e| config::describe_config_error(&e))?;
                Ok(Built {
                    checkout,
                    store: Some(connected),
                })
            }
        }
    }
}

#[rocket::async_trait]
impl Fairing for CinetPay {
    fn info(&self) -> Info {
        Info {
            name: "CinetPay",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Request | Kind::Shutdown | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let built = match self.build(&rocket).await {
            Ok(built) => built,
            Err(message) => {
                tracing::error!("{message}");
                return Err(rocket);
            }
        };
        let checkout = built.checkout;
        let periods = ShutdownPeriods::of_figment(rocket.figment());
        if let Some(warning) = periods.too_short_for(checkout.config().fulfil_timeout()) {
            tracing::warn!("{warning}");
        }
        let prefix = checkout.config().prefix().to_owned();
        tracing::info!(
            "CinetPay: serving {prefix}/init, {prefix}/notify and {prefix}/return (every method); \
             notify URL {}",
            checkout.config().notify_url()
        );
        let handler = EngineHandler {
            checkout: checkout.clone(),
            in_flight: self.in_flight.clone(),
            to_catchers: self.to_catchers,
        };
        let routes = routes::routes(&handler);
        if self.serving.set(checkout.clone()).is_err() {
            tracing::error!("CinetPay: this fairing has ignited already");
            return Err(rocket);
        }
        #[allow(unused_mut)] // without the `store` feature
        let mut rocket = rocket.manage(Managed(checkout)).mount(prefix, routes);
        #[cfg(feature = "store")]
        if let Some(store) = built.store {
            if rocket.state::<cinetpay_store::SeaOrmStore>().is_some() {
                tracing::warn!(
                    "CinetPay: a SeaOrmStore is managed already; the fairing's own is not \
                     managed (the checkout uses it all the same)"
                );
            } else {
                rocket = rocket.manage(store);
            }
        }
        Ok(rocket)
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

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        if let Some(checkout) = self.serving.get() {
            routes::route_to_engine(checkout, request);
        }
    }

    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        let started = std::time::Instant::now();
        let handle = self.slot().take();
        if let Some(handle) = handle {
            // Stops the reconciler and stores the delivery log.
            handle.shutdown().await;
        }
        let running = self.in_flight.running();
        if running > 0 {
            // Rocket lets requests go on for `grace` and connections close
            // within `mercy`: the engine work they started gets as long.
            let periods = ShutdownPeriods::of(&rocket.config().shutdown);
            tracing::info!(
                running,
                "CinetPay: waiting up to shutdown.grace + shutdown.mercy ({}s) for the payment \
                 work requests started",
                periods.total().as_secs()
            );
            let left = periods.total().saturating_sub(started.elapsed());
            if !self.in_flight.idle_within(left).await {
                tracing::warn!(
                    running = self.in_flight.running(),
                    "CinetPay: payment work still running after shutdown.grace + shutdown.mercy \
                     ({}s): a delivery among it is cut off when the process exits; its claim is \
                     kept until the lease ends, then it is retried",
                    periods.total().as_secs()
                );
            }
        }
        if let Some(checkout) = CinetPay::checkout(rocket) {
            checkout.flush_delivery_log().await;
        }
    }
}
