#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-tower
//!
//! The CinetPay routes of a [`Checkout`](cinetpay_core::engine::Checkout) —
//! `{prefix}/init`, `{prefix}/notify` and `{prefix}/return` — for axum and any
//! tower stack.
//!
//! * **axum**: [`router`] gives the three routes as a `Router` to
//!   [`merge`](https://docs.rs/axum/latest/axum/struct.Router.html#method.merge)
//!   into the application's. Each route is mounted on its own path, so the
//!   application's other routes never meet the engine and cost nothing more.
//!   This is the mount the examples use.
//! * **any tower stack** (hyper, tonic's HTTP side...): [`CinetPayLayer`]
//!   answers the three paths and passes every other request to the inner
//!   service untouched (its body is neither read nor buffered); [`endpoint`]
//!   is the same engine as a `Service` for routers that mount path by path.
//!   With axum's `Router::layer`, axum wraps every route with the layer, as it
//!   does any layer: prefer [`router`] there.
//! * **the admin view** (axum): [`admin_router`] gives the payments, one
//!   payment with its delivery log, and a CSRF-protected "sync now" action
//!   ([`cinetpay_core::admin`]) as a `Router` to nest behind the
//!   application's own authentication, at any prefix:
//!   `.nest("/admin/cinetpay", cinetpay_tower::admin_router(checkout, store).layer(auth))`.
//!
//! What each mount costs the application's other routes is measured in
//! `BENCHMARKS.md` (callgrind instruction counts), not here, so that the
//! figures stay with the run that measured them.
//!
//! Whichever the mount, start the engine's background work
//! ([`Checkout::start_background`](cinetpay_core::engine::Checkout::start_background))
//! and shut it down after the server stops: see [`router`].

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

#[cfg(feature = "axum")]
mod admin;
mod endpoint;
mod layer;
#[cfg(feature = "axum")]
mod router;

#[cfg(feature = "axum")]
pub use admin::admin_router;
pub use endpoint::{CinetPayEndpoint, NotFound, endpoint};
pub use layer::{CinetPayLayer, CinetPayService, ResponseBody, ResponseFuture};
#[cfg(feature = "axum")]
pub use router::router;

/// The engine crate, re-exported so that an application keeps one version
/// of it in step with this one.
pub use cinetpay_core;
/// The `#[async_trait]` attribute of the engine's traits.
pub use cinetpay_core::async_trait;
