//! cinetpay-rocket's tests, as one binary: the launch (configuration,
//! aborts, the guard, the background work), the mounted routes, customer
//! errors through catchers, the store built on ignite, shutdown, and the
//! admin view's routes.

#![allow(clippy::unwrap_used, unreachable_pub)]

mod admin;
mod catchers;
mod common;
mod launch;
mod routes;
mod shutdown;
mod store;
