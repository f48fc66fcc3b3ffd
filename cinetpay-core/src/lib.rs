#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-core
//!
//! The framework-free heart of cinetpay-rs: everything needed to take payments
//! through CinetPay correctly, on its Checkout API v2 and on the REST API it
//! launched in 2026 ([`rest`]), with one account or several.
//!
//! * [`values`]: money, ids, channels, descriptions, customers and credentials,
//!   validated at construction;
//! * [`protocol`]: the wire format, result codes, notifications and the
//!   `x-token` signature;
//! * [`Client`]: `init_payment` and `check_payment`;
//! * [`model`]: the payment, its status machine and the delivery log;
//! * [`PaymentStore`] and [`OrderFulfiller`]: what storage and the merchant provide;
//! * the [`engine`] ([`Checkout`]) that serves the init, notify and return routes and
//!   delivers each paid order once;
//! * [`admin`]: a read-only view of the payments with a "sync now" action,
//!   for the merchant to mount behind their own authentication.
//!
//! ## Features
//!
//! `engine` (default): the client, the protocol and the engine, with their
//! HTTP, TLS and crypto dependencies. A crate that only implements
//! [`PaymentStore`] or [`OrderFulfiller`] depends on
//! `cinetpay-core = { version = "0.1", default-features = false }`: the values,
//! the model and the traits, on serde, chrono and a handful of small crates.
//!
//! ## Metrics
//!
//! The engine records counters and histograms (notifications by outcome,
//! status checks by result with their latency, 2026 API logins, fulfilments,
//! duplicate payments, `needs_attention`, reconciliation passes) through the
//! [`metrics`] facade; the application installs the exporter of
//! its choice. Names, labels and meanings: [`engine::metrics`] and the table
//! in [`docs/metrics.md`](https://github.com/cinetpay-rs/cinetpay-rs/blob/main/docs/metrics.md).
//!
//! ## What "once" means
//!
//! An order is fulfilled by at most one payment, and two runs of
//! [`OrderFulfiller::fulfil`] never overlap, across any number of instances
//! and whatever their clocks say (leases are measured on the store's clock). A
//! second accepted payment of a paid order, or a payment `init` had replaced,
//! is never fulfilled: it becomes `needs_attention` and
//! [`OrderFulfiller::payment_needs_refund`] hears of it. Effects made in the
//! store's own transaction with the delivery mark happen exactly once;
//! effects outside it happen exactly once except when the process dies (or
//! the store stays down past the lease) between `fulfil` returning `Ok` and
//! the mark, when they happen again: key them on the order and the payment
//! (see [`OrderFulfiller`]'s contract).

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

#[cfg(feature = "engine")]
pub mod admin;
#[cfg(feature = "engine")]
pub mod client;
pub mod clock;
#[cfg(feature = "engine")]
pub mod engine;
pub mod first_delivery;
pub mod fulfiller;
pub mod model;
#[cfg(feature = "engine")]
pub mod protocol;
#[cfg(feature = "engine")]
pub mod rest;
pub mod store;
pub mod values;

/// The `#[async_trait]` attribute the traits use, re-exported so that an
/// implementation needs no dependency of its own in step with this crate's.
pub use async_trait::async_trait;
#[cfg(feature = "engine")]
pub use client::{CheckResponse, Client, ClientConfig, ClientError};
#[cfg(feature = "engine")]
pub use engine::{Checkout, CheckoutConfig, CheckoutSettings, ConfigError};
pub use fulfiller::{FulfilError, OrderFulfiller, OrderQuote, QuoteError};
pub use model::{
    AccountName, AccountNameError, Attention, CheckSnapshot, DeliveryRecord, DeliverySource,
    Fulfilment, FulfilmentClaim, Generation, GenerationError, NewPayment, Owed, Payment,
    PaymentLookup, PaymentStatus, PaymentSummary, RefundReason, Timestamp,
};
pub use store::{
    Claim, Completion, InsertOutcome, MemoryStore, PaymentFilter, PaymentPage, PaymentQueries,
    PaymentStore, PollQuery, Release, StatusChange, StoreError, Transition,
};
pub use values::{
    Amount, ApiKey, ApiPassword, Channels, Country, Credentials, Currency, Customer, Description,
    Money, NotifyToken, OrderRef, SecretKey, SiteId, TransactionId,
};
