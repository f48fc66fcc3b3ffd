//! `POST /v1/oauth/login`: `api_key` + `api_password` → a Bearer token with
//! its lifetime in `expires_in`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::reply::{self, RestError};
use crate::api::body::Fields;
use crate::state::Shared;

pub(super) async fn login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !shared.sleep(super::latency(&shared)).await {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if super::fails(&shared, |f| &mut f.fail_next_login) {
        return reply::http_500();
    }
    match check(&shared, &headers, &body) {
        Ok(()) => {
            let lifetime = shared.config.rest.token_lifetime;
            let token = {
                let mut state = shared.lock();
                state.counters.logins += 1;
                state
                    .rest_tokens
                    .issue(shared.config.rest.credentials.api_key(), lifetime)
            };
            tracing::info!(lifetime_s = lifetime.as_secs(), "2026 login");
            let expires_in = u64::try_from(lifetime.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
            reply::ok(json!({
                "code": 200,
                "status": "OK",
                "access_token": token,
                "token_type": "bearer",
                "expires_in": expires_in,
            }))
        }
        Err(e) => {
            shared.lock().counters.failed_logins += 1;
            tracing::info!(code = e.code, "2026 login refused");
            e.into_response()
        }
    }
}

/// Missing fields: `1004` (HTTP 422); wrong ones: `1005 INVALID_CREDENTIALS` (HTTP 401).
fn check(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<(), RestError> {
    let fields = Fields::parse(headers, body).map_err(RestError::params)?;
    let key = fields
        .text("api_key")
        .ok_or_else(|| RestError::params("api_key is required"))?;
    let password = fields
        .raw("api_password")
        .ok_or_else(|| RestError::params("api_password is required"))?;
    let ours = &shared.config.rest.credentials;
    if key != ours.api_key() || password != ours.api_password() {
        return Err(RestError::new(
            StatusCode::UNAUTHORIZED,
            1005,
            "api_key or api_password is wrong",
        ));
    }
    Ok(())
}
