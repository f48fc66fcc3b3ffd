//! The 2026 API's answers: JSON at the root, `{code, status, ...}`, and its
//! refusals `{code, status, message, description}` (docs/rest-api-2026.md §4).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

use super::codes;
use crate::rest_faults::TokenErrorForm;

/// A refused call: the HTTP status and the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RestError {
    pub(crate) http: StatusCode,
    pub(crate) code: i64,
    pub(crate) body: Value,
}

impl RestError {
    /// `{code, status, message, description}` with `http`. Both `message`
    /// and `description` carry the text: the SDKs read one or the other.
    pub(crate) fn new(http: StatusCode, code: i64, text: impl Into<String>) -> Self {
        let text = text.into();
        RestError {
            http,
            code,
            body: json!({
                "code": code,
                "status": codes::status(code),
                "message": text,
                "description": text,
            }),
        }
    }

    /// `1004 INVALID_PARAMS`, HTTP 422, naming the field.
    pub(crate) fn params(text: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, 1004, text)
    }

    /// `1200 TRANSACTION_EXIST`, HTTP 200, with the French description of
    /// docs/rest-api-2026.md §9 (its `description` makes the Python SDK raise
    /// even with HTTP 200).
    pub(crate) fn exists() -> Self {
        let mut e = Self::new(StatusCode::OK, 1200, "La transaction existe déjà");
        e.body["message"] = json!("Transaction already exists");
        e
    }

    /// `404 NOT_FOUND`, HTTP 404.
    pub(crate) fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            404,
            format!(
                "transaction {:?} not found",
                id.chars().take(64).collect::<String>()
            ),
        )
    }

    /// `1002 INVALID_TOKEN` or `1003 EXPIRED_TOKEN` in `form`.
    pub(crate) fn token(code: i64, form: TokenErrorForm) -> Self {
        let http = StatusCode::from_u16(form.http_status)
            .ok()
            .filter(|s| !s.is_informational())
            .unwrap_or(StatusCode::UNAUTHORIZED);
        let text = if code == 1003 {
            "The access token has expired"
        } else {
            "The access token is invalid"
        };
        let body = if form.in_details {
            json!({
                "code": 1004,
                "status": codes::status(1004),
                "message": "Request refused",
                "details": {"code": code, "status": codes::status(code), "message": text},
            })
        } else if http == StatusCode::OK {
            // The fixtures' form (docs §9): `message` only.
            json!({"code": code, "status": codes::status(code), "message": text})
        } else {
            return RestError::new(http, code, text);
        };
        RestError { http, code, body }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        (self.http, Json(self.body)).into_response()
    }
}

/// An injected HTTP 500, as a proxy in front of the API would answer it.
pub(crate) fn http_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body></html>"),
    )
        .into_response()
}

/// A successful answer (HTTP 200).
pub(crate) fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}
