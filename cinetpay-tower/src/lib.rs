//! # cinetpay-tower
//!
//! A [tower](https://docs.rs/tower) [`Layer`](tower_layer::Layer) that answers
//! the CinetPay Checkout v2 routes of a [`Checkout`](cinetpay_core::engine::Checkout)
//! — `{prefix}/init`, `{prefix}/notify` and `{prefix}/return` — and passes every
//! other request to the inner service untouched: its body is neither read nor
//! buffered. What the layer adds to such a request is one comparison of its
//! path, one call and one future around the inner ones, and a body wrapper:
//! about 170 instructions when it wraps a whole axum router (1.3 % of a bare
//! axum `GET` served over TCP, counted by callgrind; see `BENCHMARKS.md`).
//! Mounted with `Router::layer`, axum wraps every route with it, as it does
//! any layer: that costs about 11 % of a bare `GET`, of which 7 points are
//! axum's own per-route layering, which a layer that does nothing costs too.
//! Mounted path by path with [`endpoint`] (axum's `Router::route_service`),
//! the application's other routes never meet it and cost nothing more.
//!
//! It works with [`axum::Router::layer`](https://docs.rs/axum/latest/axum/struct.Router.html#method.layer),
//! with hyper, and with any tower stack whose response body carries [`bytes::Bytes`].
//! See [`CinetPayLayer`] for a complete example.

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

mod endpoint;
mod layer;
#[cfg(feature = "axum")]
mod router;

pub use endpoint::{CinetPayEndpoint, NotFound, endpoint};
pub use layer::{CinetPayLayer, CinetPayService, ResponseBody, ResponseFuture};
#[cfg(feature = "axum")]
pub use router::router;

/// The engine crate, re-exported so that an application keeps one version
/// of it in step with this one.
pub use cinetpay_core;
/// The `#[async_trait]` attribute of the engine's traits.
pub use cinetpay_core::async_trait;
