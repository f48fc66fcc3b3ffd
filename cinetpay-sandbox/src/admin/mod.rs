//! The admin API under `/_sandbox`: drive payments, set scenarios and check
//! faults, read the records. JSON in, JSON out. The list of routes is in the
//! crate documentation.

mod drive;
mod records;
mod rest;
mod settings;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::SandboxError;
use crate::sandbox::Sandbox;
use crate::state::Shared;

/// The admin routes (nested under `/_sandbox`).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(info))
        .route("/reset", post(reset))
        .route("/payments", get(records::payments))
        .route("/payments/{tx}", get(records::payment))
        .route("/payments/{tx}/pay", post(drive::pay))
        .route("/payments/{tx}/refuse", post(drive::refuse))
        .route("/payments/{tx}/cancel", post(drive::cancel))
        .route("/payments/{tx}/expire", post(drive::expire))
        .route("/payments/{tx}/wait", post(drive::wait))
        .route("/payments/{tx}/ping", post(drive::ping))
        .route("/payments/{tx}/notify", post(drive::notify_again))
        .route(
            "/payments/{tx}/notifications",
            get(records::payment_notifications),
        )
        .route(
            "/payments/{tx}/notifications/wait",
            get(records::wait_payment),
        )
        .route("/payments/{tx}/checks", get(records::payment_checks))
        .route(
            "/payments/{tx}/scenario",
            put(settings::put_payment_scenario).delete(settings::delete_payment_scenario),
        )
        .route(
            "/payments/{tx}/check-faults",
            put(settings::put_payment_faults).delete(settings::delete_payment_faults),
        )
        .route(
            "/scenario",
            get(settings::get_scenario).put(settings::put_scenario),
        )
        .route(
            "/check-faults",
            get(settings::get_faults).put(settings::put_faults),
        )
        .route("/notifications", get(records::notifications))
        .route("/checks", get(records::checks))
        .route("/wait", get(records::wait_all))
        .route("/rest", get(rest::info))
        .route("/rest/faults", get(rest::get_faults).put(rest::put_faults))
        .route("/rest/counters", get(rest::counters))
        .route("/rest/tokens/expire", post(rest::expire_tokens))
}

/// An admin error: a status and `{"error": "..."}`.
#[derive(Debug)]
pub(crate) struct AdminError(StatusCode, String);

impl From<SandboxError> for AdminError {
    fn from(e: SandboxError) -> Self {
        let status = match &e {
            SandboxError::UnknownTransaction(_) => StatusCode::NOT_FOUND,
            SandboxError::AlreadyAccepted(_) | SandboxError::OperatorNotOffered { .. } => {
                StatusCode::CONFLICT
            }
            SandboxError::InvalidCode { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            SandboxError::Timeout { .. } => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        AdminError(status, e.to_string())
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Reads a JSON body; an empty body is `T::default()`.
pub(crate) fn json_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, AdminError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| AdminError(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
}

/// The controller for a request.
pub(crate) fn sandbox(shared: &Arc<Shared>) -> Sandbox {
    Sandbox {
        shared: Arc::clone(shared),
    }
}

/// `GET /_sandbox`: where the API is, the credentials of both generations,
/// the settings in force.
async fn info(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let s = sandbox(&shared);
    let rest = s.credentials_2026();
    Json(json!({
        "api_url": s.url().as_str().trim_end_matches('/'),
        "generation": s.generation(),
        "site_id": s.site_id(),
        "api_key": s.api_key(),
        "secret_key": s.secret_key(),
        "rest": {
            "api_key": rest.api_key(),
            "api_password": rest.api_password(),
            "token_lifetime_s": s.token_lifetime().as_secs(),
        },
        "payments": s.payments().len(),
        "scenario": s.scenario(),
        "check_faults": s.check_faults(),
        "rest_faults": s.rest_faults(),
    }))
}

/// `POST /_sandbox/reset`: forgets payments and records, restores settings.
async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    sandbox(&shared).reset();
    StatusCode::NO_CONTENT
}
