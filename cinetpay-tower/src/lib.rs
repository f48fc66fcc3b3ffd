//! # cinetpay-tower
//!
//! A [tower](https://docs.rs/tower) [`Layer`](tower_layer::Layer) that answers
//! the CinetPay Checkout v2 routes of a [`Checkout`](cinetpay_core::engine::Checkout)
//! — `{prefix}/init`, `{prefix}/notify` and `{prefix}/return` — and passes every
//! other request to the inner service untouched: its body is neither read nor
//! buffered, and the only cost is one comparison of the request path.
//!
//! It works with [`axum::Router::layer`](https://docs.rs/axum/latest/axum/struct.Router.html#method.layer),
//! with hyper, and with any tower stack whose response body carries [`bytes::Bytes`].
//! See [`CinetPayLayer`] for a complete example.

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

mod layer;

pub use layer::{CinetPayLayer, CinetPayService, ResponseBody, ResponseFuture};
