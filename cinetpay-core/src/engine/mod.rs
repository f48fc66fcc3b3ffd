//! The framework-free engine: [`Checkout`] serves `{prefix}/init`,
//! `{prefix}/notify` and `{prefix}/return`, and delivers each paid order once
//! (see [`OrderFulfiller`] for what "once" promises).
//!
//! Every route that learns something (notify, return, reconciliation) goes
//! through one function, [`Checkout::sync`]:
//!
//! ```text
//! load payment            unknown id: nothing changes, nothing stored (counted in the logs)
//! if fulfilled: done      fast path: one read, no call to CinetPay
//! if owed: run it         accepted, not delivered: fulfil; to refund, not told: payment_needs_refund
//! single flight           one check per payment at a time here; a return (or an unsigned
//!                         notification) within min_check_interval of the last check: none
//! check with CinetPay     the payment's account's gateway; retried by the client on
//!                         network errors and 5xx; checked_at recorded
//! classify                CheckOutcome, for the payment's money: 00 + ACCEPTED + same
//!                         amount and currency = accepted; other money = needs_attention
//! transition (CAS)        on a lost race: re-read once, continue from the new state;
//!                         accepted only if no other payment of the order is and it was not
//!                         superseded, else needs_attention for a refund; the change to
//!                         accepted claims the delivery in the same step (accept_and_claim)
//! owed: fulfil_once       claim (owner token, lease on the store's clock) -> run under a
//!                         timeout, panics caught -> complete with the log line in one
//!                         commit (complete_and_record), or release with backoff
//!                         (a timed-out run keeps its claim until the lease ends);
//!                         a fulfiller that writes in the store's transaction makes the
//!                         change, claim, delivery, mark and line one commit
//!                         (OrderFulfiller::accept_and_fulfil)
//! refused/cancelled       payment_failed, at most once per payment
//! ```
//!
//! How check answers are read: [`CheckOutcome`](crate::protocol::CheckOutcome), the
//! one classification, is acted on as follows:
//!
//! * `00` + `ACCEPTED` with exactly the stored amount and currency: `accepted`;
//!   with other (or missing) money: `needs_attention`, logged at `error`, never
//!   fulfilled, left for a human;
//! * `627 TRANSACTION_CANCEL` or a `CANCELLED` status: `cancelled`; any other
//!   payment failure: `refused`. Both may still become `accepted` later (push
//!   operators report a failure first); `payment_failed` is called at most once
//!   per payment, and not again if it returns an error;
//! * waiting codes and statuses: no change; undocumented or contradictory
//!   answers: no change, logged at `warn`;
//! * request errors (`608`, `609`, `624`...): no change, logged at `error`, and
//!   the notification gets `503` so that CinetPay may try again.
//!
//! Where each step lives (`impl Checkout` blocks: here, the accessors adapters
//! use; then one per step, in `routes/`, `start_payment.rs`, `sync.rs`,
//! `fulfil.rs` and `reconcile.rs`):
//!
//! | file | step |
//! |---|---|
//! | `routes/` | the three routes: method, body, parsing, answers (`handle`) |
//! | `routes/init.rs` | init: the request read, the answer (`303` or JSON) |
//! | `start_payment.rs` | init: the order's quote, the payment row, CinetPay's page |
//! | `routes/notify.rs` | notify: the notification's account and authenticity, then `sync` |
//! | `gateway/` | the seam: one implementation per API generation (init, check, notification) |
//! | `accounts.rs` | the accounts: by name, by v2 site id, for a quote |
//! | `routes/return_.rs`, `return_to.rs` | return: `sync` (untrusted), then the order's page |
//! | `sync.rs`, `single_flight.rs` | the one path for truth: check, classify, transition |
//! | `fulfil.rs` | owed work under a claim: `fulfil`, `payment_needs_refund`, `payment_failed` |
//! | `reconcile.rs` | the background work: reconciliation passes, their loop, its shutdown |
//! | `check_snapshot.rs` | what is stored of a check answer |
//! | `delivery_log.rs` | the delivery log, written behind the answer when it can be |
//! | `refusals.rs`, `untrusted.rs` | refused requests counted, request values escaped in logs |
//! | [`metrics`] | the metrics each step records: names, labels (`docs/metrics.md`) |
//! | `response.rs`, `customer_error.rs`, `error.rs` | fixed answers, errors a shop renders |
//! | `config/` | the one configuration: settings in, validated config out |
//!
//! Adapters (tower, Rocket) call [`Checkout::is_own_path`], read the body up
//! to [`Checkout::body_limit`] (answering [`Checkout::payload_too_large`]
//! beyond it) and hand the request to [`Checkout::handle`].
//!
//! # Answers
//!
//! | route | case | status |
//! |---|---|---|
//! | `POST {prefix}/init` | payment page created or reused | `303` to the page (`200` JSON `{transaction_id, payment_url, reused}` with `Accept: application/json`) |
//! | | `order_ref` missing or invalid | `400` |
//! | | body neither form nor JSON | `415` |
//! | | unknown order | `404` |
//! | | order not payable, or its payment is being created right now | `409` |
//! | | the merchant's order lookup is down | `503` |
//! | | CinetPay refused (payment `start_failed`) | `502` |
//! | | CinetPay unreachable / timed out (payment `start_failed`) | `503` (`502` for an unusable answer) |
//! | | store down | `503` (`500` if not transient) |
//! | `GET`/`HEAD {prefix}/notify` | CinetPay's ping | `200` |
//! | `POST {prefix}/notify` | processed, duplicate, pending, refused, unknown transaction, claimed by another instance, no `cpm_trans_id` at all | `200` |
//! | | malformed body (form, multipart or JSON), invalid transaction id | `400`, nothing changed, no check |
//! | | `x-token` missing or wrong (with a secret key) | `401`, nothing changed, no check |
//! | | 2026 API: `notify_token` missing, empty, or not the payment's | `401`, nothing changed, no check |
//! | | foreign `cpm_site_id`, or a v2 notification signed for one account about another's payment | `403`, nothing changed, no check |
//! | | 2026 API (and v2 with `fulfil_in_background`): the verified status is stored, the delivery runs in the background | `200` |
//! | | the fulfiller failed, panicked or timed out (retried later) | `500` |
//! | | check API down, store down, check refused (`609`, `624`...), retry not due yet | `503` |
//! | `GET`/`POST {prefix}/return` | known payment (even when the sync failed) | `303` to `return_to` with its status |
//! | | missing, malformed or unknown transaction id | `303` to `return_fallback` |
//! | any route | other method | `405` with `Allow` |
//! | | body over the limit | `413` |
//! | | body not received within `body_read_timeout_ms` (adapters) | `408` |
//!
//! What the customer and CinetPay read is a short, fixed text per case
//! ([`InitError::public_message`], [`SyncError::public_message`]): never the
//! merchant's quote error, CinetPay's own texts, a store error or anything
//! else internal; the detail goes to the log. A refused request (bad
//! `x-token`, foreign site id, malformed body, unknown or invalid id) stores
//! nothing and calls CinetPay for nothing; it is counted in the logs (one
//! `warn` line a second at most, with totals).
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use bytes::Bytes;
//! use cinetpay_core::*;
//! use cinetpay_core::engine::{Checkout, CheckoutSettings};
//!
//! struct Shop;
//!
//! #[async_trait]
//! impl OrderFulfiller for Shop {
//!     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
//!         match order.as_str() {
//!             "ord-1" => Ok(OrderQuote::new(
//!                 Money::new(Amount::new(5000).unwrap(), Currency::Xof),
//!                 Description::new("Sac de riz 25 kg").unwrap(),
//!             )),
//!             _ => Err(QuoteError::NotFound),
//!         }
//!     }
//!     async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
//!         tracing::info!(%payment.transaction_id, attempt, "shipping {}", payment.order_ref);
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In production: CheckoutSettings::from_env()?.into_config()?
//! let config = CheckoutSettings {
//!     api_key: Some("my-api-key".into()),
//!     site_id: Some("123456".into()),
//!     secret_key: Some("my-secret-key".into()),
//!     public_url: Some("https://shop.example".into()),
//!     ..CheckoutSettings::default()
//! }
//! .into_config()?;
//! let checkout = Checkout::builder()
//!     .config(config)
//!     .store(Arc::new(MemoryStore::new()))
//!     .fulfiller(Arc::new(Shop))
//!     .build()?;
//!
//! // An adapter: the engine's paths go to `handle`, everything else to the app.
//! let ping = http::Request::get("/cinetpay/notify").body(Bytes::new())?;
//! assert!(checkout.is_own_path(ping.uri().path()));
//! assert_eq!(checkout.handle(ping).await.status(), http::StatusCode::OK);
//! assert!(!checkout.is_own_path("/orders/ord-1"));
//!
//! let background = checkout.start_background();
//! background.shutdown().await;
//! # Ok(()) }
//! ```

mod accounts;
mod builder;
mod check_snapshot;
mod config;
mod customer_error;
mod delivery_log;
mod error;
mod first_delivery;
mod fulfil;
mod gateway;
pub mod metrics;
mod outcome;
mod panics;
mod reconcile;
mod refusals;
mod response;
mod return_to;
mod routes;
mod single_flight;
mod start_payment;
mod sync;
mod untrusted;

use std::sync::Arc;

use bytes::Bytes;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use builder::CheckoutBuilder;
pub use config::{
    AccountApi, AccountConfig, AccountSettings, CheckoutConfig, CheckoutSettings, ConfigError,
    Polling,
};
pub use customer_error::{CustomerError, CustomerErrorKind};
pub use error::{InitError, SyncError};
pub use outcome::{FulfilmentOutcome, ReconcileReport, StartedPayment, SyncOutcome};
pub use reconcile::Background;
pub use return_to::ReturnTemplate;

use crate::client::Client;
use crate::fulfiller::OrderFulfiller;
use crate::model::{DeliveryRecord, DeliverySource, Payment};
use crate::store::{PaymentStore, StoreError};
use crate::values::TransactionId;
use delivery_log::{DeliveryLog, Durability};

/// The payment engine: configuration, CinetPay client, store and the
/// merchant's fulfiller. Cheap to clone (one `Arc`); share it between
/// requests, adapters and the reconciler.
///
/// See the [module documentation](self) for the routes, their answers and an example.
#[derive(Clone)]
pub struct Checkout {
    inner: Arc<Inner>,
}

struct Inner {
    config: CheckoutConfig,
    /// Each account with its generation's gateway.
    accounts: accounts::Accounts,
    store: Arc<dyn PaymentStore>,
    fulfiller: Arc<dyn OrderFulfiller>,
    clock: Arc<dyn Clock>,
    log: Arc<DeliveryLog>,
    /// One check at a time per payment.
    flights: single_flight::Flights,
    /// Refused requests, counted in the logs.
    refusals: refusals::Refusals,
    /// Whether `start_background` was called (else the first request warns).
    background_started: std::sync::atomic::AtomicBool,
    /// Whether the missing background work was reported.
    background_warned: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Checkout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkout")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Checkout {
    /// A builder: `.config(..)`, `.store(..)` and `.fulfiller(..)` are required.
    pub fn builder() -> CheckoutBuilder {
        CheckoutBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &CheckoutConfig {
        &self.inner.config
    }

    /// The payment store, for the shop's own pages (an order's payments...).
    pub fn store(&self) -> &Arc<dyn PaymentStore> {
        &self.inner.store
    }

    /// The Checkout v2 client of the first Checkout v2 account, if any.
    pub fn client(&self) -> Option<&Client> {
        self.inner.accounts.first_v2_client()
    }

    /// The 2026 API client of the first 2026 API account, if any (its
    /// [`logins`](crate::rest::RestClient::logins) count the token's renewals).
    pub fn rest_client(&self) -> Option<&crate::rest::RestClient> {
        self.inner.accounts.first_rest_client()
    }

    /// Whether `path` is one of the three routes: an exact match of
    /// `{prefix}/init`, `{prefix}/notify` or `{prefix}/return`. Allocates nothing.
    pub fn is_own_path(&self, path: &str) -> bool {
        self.inner.config.route_of(path).is_some()
    }

    /// The three paths the engine answers, `{prefix}/init`, `{prefix}/notify`
    /// and `{prefix}/return`, for routers that mount it path by path.
    ///
    /// ```
    /// # fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// for path in checkout.paths() {
    ///     assert!(checkout.is_own_path(&path));
    /// }
    /// # }
    /// ```
    pub fn paths(&self) -> [String; 3] {
        let prefix = self.inner.config.prefix();
        ["init", "notify", "return"].map(|route| format!("{prefix}/{route}"))
    }

    /// The largest request body the engine accepts, in bytes. Adapters stop
    /// reading beyond it and answer [`payload_too_large`](Self::payload_too_large).
    pub fn body_limit(&self) -> usize {
        self.inner.config.body_limit
    }

    /// The longest time an adapter spends reading one request body
    /// (`body_read_timeout_ms`); past it, it answers
    /// [`request_timeout`](Self::request_timeout), so that a slow client
    /// cannot hold a connection.
    pub fn body_read_timeout(&self) -> std::time::Duration {
        self.inner.config.body_read_timeout
    }

    /// The engine's `408 Request Timeout` (with `Connection: close`), so that
    /// every adapter answers alike.
    pub fn request_timeout(&self) -> http::Response<Bytes> {
        response::request_timeout(self.body_read_timeout())
    }

    /// The engine's `413 Payload Too Large`, so that every adapter answers alike.
    pub fn payload_too_large(&self) -> http::Response<Bytes> {
        response::payload_too_large(self.body_limit())
    }

    /// The stored payment with this id.
    pub async fn payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        self.inner.store.find_payment(id).await
    }

    /// Waits until every delivery-log line queued so far is stored. Lines of
    /// duplicate notifications of fulfilled payments are written after their
    /// answer (see [`Checkout::sync`]); call this before the process exits
    /// (adapters' shutdown hooks do) and in tests that read the log.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// // after the server stopped serving:
    /// checkout.flush_delivery_log().await;
    /// # }
    /// ```
    pub async fn flush_delivery_log(&self) {
        self.inner.log.flush().await;
    }

    /// Appends to the delivery log, waiting for the line or not.
    async fn record_with(
        &self,
        transaction_id: &str,
        source: DeliverySource,
        outcome: &str,
        durability: Durability,
    ) {
        let record = DeliveryRecord::new(transaction_id, source, outcome, self.inner.clock.now());
        self.inner.log.append(record, durability).await;
    }
}
