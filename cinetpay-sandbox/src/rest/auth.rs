//! Bearer authentication of `/v1/payment`: `1002 INVALID_TOKEN` for no,
//! malformed or unknown tokens, `1003 EXPIRED_TOKEN` for expired ones, in
//! the form the faults choose.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use super::reply::RestError;
use super::token::{Verdict, bearer};
use crate::state::Shared;

/// Passes a call with a valid token; refuses the others (and counts them).
pub(super) fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), RestError> {
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token = bearer(header);
    let mut state = shared.lock();
    let form = state.rest_faults.token_error;
    match state.rest_tokens.verdict(token) {
        Verdict::Valid => Ok(()),
        Verdict::Expired => {
            state.counters.expired_tokens += 1;
            tracing::info!("2026 call with an expired token");
            Err(RestError::token(1003, form))
        }
        Verdict::Invalid => {
            state.counters.invalid_tokens += 1;
            tracing::info!(present = token.is_some(), "2026 call with an invalid token");
            Err(RestError::token(1002, form))
        }
    }
}
