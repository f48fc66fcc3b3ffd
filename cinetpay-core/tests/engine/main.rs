//! The engine's tests, one binary: `Checkout` over a MemoryStore (and the
//! other stores where a test says so), a wiremock CinetPay and a scripted
//! shop, route by route and fault by fault.
#![allow(clippy::unwrap_used)]

mod common;

mod config;
mod delivery_log;
mod fulfil;
mod init;
mod logs;
mod notify;
mod properties;
mod reconcile;
mod returns;
mod security_redirect;
mod security_secrets;
mod sync;
mod trust;
