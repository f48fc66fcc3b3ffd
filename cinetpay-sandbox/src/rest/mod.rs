//! CinetPay's 2026 REST API, beside Checkout v2 on the same server:
//! `POST /v1/oauth/login`, `POST /v1/payment`, `GET /v1/payment/{id}`
//! (docs/rest-api-2026.md §3). The table of rules and assumptions is in the
//! crate documentation ("The 2026 REST API").

pub(crate) mod account;
mod auth;
pub(crate) mod codes;
mod init;
mod login;
pub(crate) mod payment;
pub(crate) mod phones;
mod reply;
mod status;
pub(crate) mod token;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::rest_faults::RestFaults;
use crate::state::Shared;
use account::{Country, RestCredentials};

/// The 2026 account, fixed at start-up.
#[derive(Debug)]
pub(crate) struct RestConfig {
    pub(crate) credentials: RestCredentials,
    pub(crate) country: Country,
    pub(crate) token_lifetime: Duration,
    /// How long the test numbers "pending then …" stay pending.
    pub(crate) test_number_delay: Duration,
}

/// The 2026 routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/oauth/login", post(login::login))
        .route("/v1/payment", post(init::init))
        .route("/v1/payment/{id}", get(status::status))
}

/// Takes one from a fault counter; `true` when the call is affected.
fn take(counter: &mut u32) -> bool {
    if *counter > 0 {
        *counter -= 1;
        true
    } else {
        false
    }
}

/// The latency added to every 2026 call.
fn latency(shared: &Shared) -> Duration {
    shared.lock().rest_faults.latency
}

/// Whether this call is one of the next `n` that answer HTTP 500 (`counter`
/// picks which `n`); counted.
fn fails(shared: &Shared, counter: impl FnOnce(&mut RestFaults) -> &mut u32) -> bool {
    let mut state = shared.lock();
    let hit = take(counter(&mut state.rest_faults));
    if hit {
        state.counters.http_500 += 1;
    }
    hit
}
