#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-rocket
//!
//! A [Rocket](https://rocket.rs) fairing that takes payments through CinetPay
//! (Checkout v2 or the 2026 REST API) with the [`cinetpay_core`] engine: attach
//! [`CinetPay`], implement [`OrderFulfiller`](cinetpay_core::OrderFulfiller),
//! and the shop answers
//!
//! | route | methods | what |
//! |---|---|---|
//! | `{prefix}/init` | `POST` | form or JSON `order_ref` → `303` to CinetPay's payment page |
//! | `{prefix}/notify` | `GET`, `HEAD` (CinetPay's ping), `POST` | CinetPay's notification, checked with CinetPay, delivered once |
//! | `{prefix}/return` | `GET`, `POST` | the customer back from CinetPay → `303` to the order's page |
//!
//! Other methods get `405` with `Allow`, a body over `body_limit` gets `413`,
//! a body still incomplete after `body_read_timeout_ms` gets `408`: the
//! engine's answers, the same as with `cinetpay-tower` (Rocket 0.5 itself
//! refuses methods it does not know, such as `PROPFIND`, with `400` before
//! routing). One limit is Rocket's own: before any fairing or handler runs,
//! Rocket 0.5 reads the first 14 bytes of every body (to look for a `_method`
//! override), with no time limit, so a client that sends fewer than 14 bytes
//! and stalls holds its connection until it closes it; put a proxy with a
//! body timeout (nginx's `client_body_timeout`) in front of a public Rocket
//! app. The prefix is
//! `/cinetpay` unless configured: it is also what CinetPay is told
//! (`notify_url`, `return_url`), so the routes are always mounted there.
//!
//! ## Example: `Rocket.toml` and one fairing
//!
//! With a database feature (`sqlite`, `postgres` or `mysql`, each of which
//! turns on the `store` feature), the fairing builds everything on ignite
//! from `Rocket.toml`: it connects a
//! [`SeaOrmStore`](https://docs.rs/cinetpay-store) to `database_url`,
//! creates or upgrades its tables, makes your fulfiller from the store, and
//! serves the routes.
//!
//! ```toml
//! [dependencies]
//! cinetpay-rocket = { version = "0.1", features = ["sqlite"] }
//! rocket = "0.5"
//! ```
//!
//! ```no_run
//! use cinetpay_rocket::cinetpay_core::*;
//! use cinetpay_rocket::cinetpay_store::SeaOrmStore;
//! use cinetpay_rocket::{CinetPay, async_trait};
//!
//! /// The shop's orders live beside the payments, in the store's database.
//! struct Shop {
//!     db: SeaOrmStore,
//! }
//!
//! #[async_trait]
//! impl OrderFulfiller for Shop {
//!     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
//!         // Look the order up in *your* database: the amount never comes from the browser.
//!         let amount = Amount::new(2500).map_err(|e| QuoteError::NotPayable(e.to_string()))?;
//!         Ok(OrderQuote::new(
//!             Money::new(amount, Currency::Xof),
//!             Description::sanitised(order.as_str()),
//!         ))
//!     }
//!     async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
//!         tracing::info!(order = %payment.order_ref, "paid: ship it");
//!         Ok(())
//!     }
//! }
//!
//! #[rocket::get("/")]
//! fn index() -> &'static str {
//!     "my shop"
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .mount("/", rocket::routes![index])
//!         .attach(CinetPay::fairing_with_store(|store: &SeaOrmStore| Shop { db: store.clone() }))
//! }
//! ```
//!
//! with, in `Rocket.toml`:
//!
//! ```toml
//! [default.cinetpay]
//! api_key = "your-api-key"
//! site_id = 123456
//! secret_key = "your-secret-key"
//! public_url = "https://shop.example"
//! database_url = "sqlite://shop.db?mode=rwc"   # or: database = "shop", below
//! fulfil_timeout_ms = 20000
//!
//! # Let a delivery that is running when the app stops finish (see "Shutdown").
//! [default.shutdown]
//! grace = 20
//! ```
//!
//! The store is managed state too: your handlers reach it as
//! `&State<SeaOrmStore>` (its `connection()` is a sea-orm
//! `DatabaseConnection` for your own tables), and a fairing of yours attached
//! *after* this one finds it with `rocket.state::<SeaOrmStore>()` on ignite.
//! `CinetPay::try_fairing_with_store` takes an `async` maker that may fail
//! (one that opens your own tables first, say); its error aborts the launch.
//!
//! A store of your own (any [`PaymentStore`](cinetpay_core::PaymentStore),
//! built before the launch) goes to [`CinetPay::fairing`] instead, and a
//! [`Checkout`](cinetpay_core::engine::Checkout) built entirely by the
//! application to [`CinetPay::from_checkout`]; neither needs the `store`
//! feature:
//!
//! ```
//! # use std::sync::Arc;
//! # use cinetpay_rocket::cinetpay_core::*;
//! # struct Shop;
//! # #[cinetpay_rocket::async_trait]
//! # impl OrderFulfiller for Shop {
//! #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
//! #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
//! # }
//! use cinetpay_rocket::CinetPay;
//!
//! let rocket = rocket::build()
//!     .attach(CinetPay::fairing(Arc::new(MemoryStore::new()), Arc::new(Shop)));
//! ```
//!
//! ## Beside `rocket_db_pools`
//!
//! `rocket_db_pools` creates an app's pools on ignite from
//! `[default.databases.<name>]`. Point the store at the same entry with
//! `database = "<name>"`: it connects to that entry's `url` (with a pool of
//! its own; the entry's other keys are `rocket_db_pools`' own), so that the
//! database is configured once.
//!
//! ```toml
//! [default.databases.shop]
//! url = "postgres://shop@db.internal/shop"
//!
//! [default.cinetpay]
//! database = "shop"
//! # api_key, site_id, ...
//! ```
//!
//! **SQLite: not with `rocket_db_pools`' `sqlx_sqlite`.** `rocket_db_pools`
//! 0.2 is built on sqlx 0.7, whose SQLite driver links `libsqlite3-sys` 0.26
//! or 0.27 (0.27 with sqlx 0.7.4), while cinetpay-store is built on sea-orm 2
//! and sqlx 0.9, whose SQLite driver links `libsqlite3-sys` 0.30 to 0.37.
//! Both crates link the native `sqlite3` library, and Cargo allows one such
//! crate per build: it refuses to resolve the two with "package
//! `libsqlite3-sys` links to the native library `sqlite3`, but it conflicts
//! with a previous package which links to `sqlite3` as well". Choosing only
//! the store's `postgres` or `mysql` feature does **not** avoid it: Cargo's
//! lock file keeps sqlx 0.9's SQLite driver, and with it `libsqlite3-sys`,
//! even when no SQLite feature is on, and the check is made there. What does
//! work:
//!
//! * `rocket_db_pools` with `sqlx_postgres` or `sqlx_mysql` (sqlx 0.7) beside
//!   this crate with any database feature: they resolve and build together
//!   (two sqlx versions are compiled, 0.7 for the app's pools and 0.9 for the
//!   store);
//! * on SQLite, no `rocket_db_pools` pool: the store's own pool serves the
//!   app too, through the managed `SeaOrmStore` (sea-orm, and sqlx 0.9 as
//!   `sea_orm::sqlx` for raw queries), in the same database file;
//! * an sqlx pool of sqlx 0.9 (the store's own version), which
//!   cinetpay-store also accepts as an existing connection
//!   (`SqlxSqliteConnector::from_sqlx_sqlite_pool`), with
//!   [`CinetPay::fairing`];
//! * `rocket_db_pools`' `sqlx_sqlite` beside this crate *without* any
//!   database feature (cinetpay-store is then not in the build at all), with
//!   a [`PaymentStore`](cinetpay_core::PaymentStore) of the app's own given
//!   to [`CinetPay::fairing`].
//!
//! ## Configuration
//!
//! The fairing reads the `cinetpay` table of Rocket's figment:
//! `[default.cinetpay]` (or `[release.cinetpay]`...) in `Rocket.toml`, or one
//! variable per setting, `ROCKET_CINETPAY_API_KEY`, `ROCKET_CINETPAY_SITE_ID`...
//! (which win over the file, as Rocket's variables do), or
//! `ROCKET_CINETPAY={api_key="...",site_id=123456}`. The keys, their defaults
//! and their meaning are those of
//! [`CheckoutSettings`](cinetpay_core::engine::CheckoutSettings), whose
//! documentation has the table (the same keys as `CINETPAY_*` with
//! `from_env`). A variable keeps its exact text: `ROCKET_CINETPAY_SITE_ID=0012345`
//! is the site id `0012345`, not the number 12345.
//!
//! Two more keys are the fairing's own, read by `CinetPay::fairing_with_store`:
//!
//! | key | variable | what |
//! |---|---|---|
//! | `database_url` | `ROCKET_CINETPAY_DATABASE_URL` | the store's database: `sqlite://shop.db?mode=rwc`, `postgres://user:pass@host/db`, `mysql://user:pass@host/db` |
//! | `database` | `ROCKET_CINETPAY_DATABASE` | instead, the name of a `[databases.<name>]` entry whose `url` to use |
//!
//! A missing or invalid setting, an unknown key (a typo), a value of the
//! wrong type, a database that cannot be reached or whose driver is not
//! built in aborts the launch, with an error naming it:
//!
//! ```text
//! CinetPay configuration: `cinetpay.site_id` is missing (set `site_id` in
//! `[default.cinetpay]` of Rocket.toml or ROCKET_CINETPAY_SITE_ID)
//! CinetPay store: cannot connect to postgres://shop:***@db.internal/shop
//! (from `databases.shop.url`, named by `cinetpay.database`): ...
//! ```
//!
//! ## Shutdown: `grace`, `mercy` and `fulfil_timeout_ms`
//!
//! A delivery (your `fulfil`) may run for up to `fulfil_timeout_ms` (60 s by
//! default), often inside the request of CinetPay's notification. When the
//! app is asked to stop (SIGTERM, Ctrl-C, [`Shutdown::notify`](rocket::Shutdown::notify)),
//! Rocket lets requests go on for `shutdown.grace` seconds (2 by default),
//! then closes connections within `shutdown.mercy` more (3 by default); a
//! request handler still running after that makes the launch fail ("Rocket
//! failed to shutdown gracefully"), and that error, dropped unread as
//! `#[launch]` does, panics. So the fairing:
//!
//! * runs each request's engine call in a task of its own: a handler still
//!   waiting for it when `grace` has passed answers `503` (CinetPay sends the
//!   notification again, a customer clicks again) and returns, while the
//!   engine finishes the delivery and records it in that task;
//! * on shutdown, stops the reconciler, waits for those tasks until
//!   `grace + mercy` has passed, and stores the delivery log: the launch
//!   returns `Ok`;
//! * warns at ignite when `grace + mercy` is shorter than
//!   `fulfil_timeout_ms`, naming the values to set.
//!
//! A delivery still running after `grace + mercy` (or one the reconciler
//! started) is cut off when the process exits; its claim is kept until its
//! lease (`claim_lease_ms`) ends, then any instance retries it. A delivery
//! made in the store's transaction (`SeaOrmStore::fulfil_in_transaction`)
//! is then rolled back whole. To let every delivery finish, make
//! `grace + mercy` at least `fulfil_timeout_ms`, and give your process
//! manager more than that before it kills the app (Kubernetes'
//! `terminationGracePeriodSeconds`, systemd's `TimeoutStopSec`, Docker's
//! `stop_grace_period`):
//!
//! ```toml
//! [default.cinetpay]
//! fulfil_timeout_ms = 20000
//!
//! [default.shutdown]
//! grace = 20   # >= fulfil_timeout_ms: the notification's request itself finishes
//! mercy = 3
//! ```
//!
//! ## Routes and methods
//!
//! A Rocket 0.5 route has one method, and the engine answers every method
//! itself; one route per path and method listed 27 CinetPay routes in the
//! launch banner. The fairing mounts one route per path instead, for `POST`
//! (what CinetPay and the pay button send), named after the path
//! (`cinetpay_notify: every method`), and routes any other method of the
//! three paths to it (a request callback; the original method is what the
//! engine sees). The banner lists three routes; Rocket's request log shows
//! such a request (a `GET` ping of `{prefix}/notify`, say) as a `POST`, and
//! so do request fairings attached after this one. Other paths, under the
//! prefix or not, are not touched.
//!
//! ## Customer errors through your catchers
//!
//! The errors `{prefix}/init` shows a customer (an unknown order, an order
//! already paid, CinetPay unreachable...) are the engine's short texts. With
//! [`CinetPay::customer_errors_to_catchers`], such an answer is the status
//! only: Rocket calls your catcher for it, which reads the
//! [`CustomerError`](cinetpay_core::engine::CustomerError) with
//! [`CinetPay::customer_error`] and renders it in your layout.
//!
//! ## Background work
//!
//! On liftoff the fairing starts the engine's reconciler (every
//! `reconcile_interval_ms`: deliveries and refund notices still owed, and
//! payments without a final status, polled); on
//! shutdown it stops it and waits for it. Run it on every instance: the
//! store's claims keep each delivery exclusive.
//! [`CinetPay::without_reconciler`] leaves it to you.
//!
//! ## In your own handlers
//!
//! The [`CinetPayCheckout`] request guard gives a handler the checkout, to
//! start a payment from your own route or read a payment. It is a Rocket
//! `Sentinel`: a Rocket that uses it without the fairing does not launch.
//!
//! ## The admin view
//!
//! [`admin_routes`] mounts a read-only view of the payments (filters, one
//! payment with its delivery log) with a CSRF-protected "sync now" action
//! ([`cinetpay_core::admin`]), at any path, behind a request guard of yours
//! that authenticates operators:
//! `.mount("/admin/cinetpay", cinetpay_rocket::admin_routes::<Operator>())`.
//! It reads the store managed as [`AdminQueries`] (or the fairing's
//! `SeaOrmStore`).
//!
//! ## CSRF protection
//!
//! CinetPay's hosted page sends the customer back with a **cross-site `POST`**
//! to `{prefix}/return`, and CinetPay's servers `POST` to `{prefix}/notify`.
//! Neither can carry your CSRF token, so a CSRF fairing that checks every
//! `POST` must **exempt both paths**. This is safe: neither route takes any
//! authority from the request. The return and the notification only name a
//! transaction; the engine then asks CinetPay's `/v2/payment/check` for the
//! truth and compares it with the stored payment (the notification's
//! `x-token` is also verified when `secret_key` is set). A forged request can
//! at worst make the engine check a payment early, and the return route
//! answers only with a redirect to your `return_to` page.
//!
//! `{prefix}/init` is posted by your own page; it may stay behind your CSRF
//! check (the engine ignores form fields other than `order_ref`, so a
//! `csrf_token` field does no harm). Note that the check must run in a
//! fairing (`on_request`): the routes are the fairing's, so a request guard
//! in your handlers never sees them. A CSRF fairing attached after this one
//! sees every request to the three paths as a `POST` (see "Routes and
//! methods"); attach it first to see their own methods.
//!
//! Cookies: Rocket's cookies default to `SameSite=Strict`, which the browser
//! does not send on the navigation that follows a cross-site `POST`. After the
//! return's `303`, the order page may therefore load without the customer's
//! session; let that page work from its `order_ref` (as the example shop
//! does), or give the session cookie `SameSite=Lax`.
//!
//! ## Versions in step
//!
//! `cinetpay_rocket::cinetpay_core` (and `cinetpay_rocket::async_trait`, the
//! attribute of its traits), and with the `store` feature
//! `cinetpay_rocket::cinetpay_store`, are the crates this one is built
//! with: use them rather than depending on them separately, and an upgrade
//! of this crate keeps them in step.

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

mod admin;
mod config;
mod convert;
mod fairing;
mod guard;
mod routes;
mod shutdown;
#[cfg(feature = "store")]
mod store;

pub use admin::{AdminQueries, admin_routes};
pub use fairing::CinetPay;
pub use guard::CinetPayCheckout;

/// The engine crate, re-exported so that an application keeps one version
/// of it in step with this one.
pub use cinetpay_core;
/// The `#[async_trait]` attribute of the engine's traits.
pub use cinetpay_core::async_trait;
/// The sea-orm store the fairing connects (feature `store`), re-exported so
/// that an application keeps one version of it in step with this one.
#[cfg(feature = "store")]
pub use cinetpay_store;
