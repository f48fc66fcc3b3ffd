//! Admin of the 2026 API: `GET /_sandbox/rest`, its faults, its counters,
//! and expiring its tokens.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use super::{AdminError, json_body, sandbox};
use crate::counters::RestCounters;
use crate::rest_faults::RestFaults;
use crate::state::Shared;

/// `GET /_sandbox/rest`: the credentials, the token lifetime, the faults and counters.
pub(super) async fn info(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let s = sandbox(&shared);
    let credentials = s.credentials_2026();
    Json(json!({
        "api_url": s.url().as_str().trim_end_matches('/'),
        "api_key": credentials.api_key(),
        "api_password": credentials.api_password(),
        "country": shared.config.rest.country.code(),
        "currency": shared.config.rest.country.currency().as_str(),
        "token_lifetime_s": s.token_lifetime().as_secs(),
        "faults": s.rest_faults(),
        "counters": s.rest_counters(),
    }))
}

pub(super) async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<RestFaults> {
    Json(sandbox(&shared).rest_faults())
}

pub(super) async fn put_faults(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<RestFaults>, AdminError> {
    let faults: RestFaults = json_body(&body)?;
    sandbox(&shared).set_rest_faults(faults.clone());
    Ok(Json(faults))
}

pub(super) async fn counters(State(shared): State<Arc<Shared>>) -> Json<RestCounters> {
    Json(sandbox(&shared).rest_counters())
}

/// `POST /_sandbox/rest/tokens/expire`: `{"expired": n}`.
pub(super) async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "expired": sandbox(&shared).expire_tokens() }))
}
