//! cinetpay-core's tests, one binary: the client against a wiremock CinetPay,
//! the protocol's properties, TLS, and the engine (`Checkout` over a
//! MemoryStore, a wiremock CinetPay and a scripted shop), route by route and
//! fault by fault, and the metrics it records.
#![allow(clippy::unwrap_used)]

mod common;

mod client_check;
mod client_init;
mod client_rest;
mod client_secrets;
mod config;
mod delivery_log;
mod engine_2026;
mod fulfil;
mod init;
mod logs;
mod metrics;
mod notify;
mod properties;
mod protocol_properties;
mod reconcile;
mod returns;
mod security_redirect;
mod security_secrets;
mod security_tls;
mod store_calls;
mod sync;
mod trust;
