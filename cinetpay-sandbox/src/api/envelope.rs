//! CinetPay's response envelope, as the sandbox writes it:
//! `{code, message, description?, data?, api_response_id}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;

/// The envelope. `description` and `data` are left out when absent, as in
/// CinetPay's documented examples.
#[derive(Debug, Serialize)]
pub(crate) struct Reply<T> {
    pub(crate) code: String,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<T>,
    pub(crate) api_response_id: String,
}

/// A response id like CinetPay's: a Unix time with a fraction (`1663323067.7677`).
pub(crate) fn response_id() -> String {
    let now = Utc::now();
    format!(
        "{}.{:04}",
        now.timestamp(),
        now.timestamp_subsec_micros() / 100
    )
}

impl<T: Serialize> Reply<T> {
    pub(crate) fn new(code: &str, description: Option<String>, data: Option<T>) -> Self {
        Reply {
            code: code.to_owned(),
            message: crate::codes::message(code).to_owned(),
            description,
            data,
            api_response_id: response_id(),
        }
    }

    pub(crate) fn into_response_with(self, status: StatusCode) -> Response {
        (status, Json(self)).into_response()
    }
}

/// A refused request: the error envelope (no `data`) with HTTP 400.
///
/// CinetPay does not document the HTTP status of its errors; the sandbox
/// answers 400 so that clients read the envelope whatever the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: &'static str,
    pub(crate) description: String,
}

impl ApiError {
    pub(crate) fn new(code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            code,
            description: description.into(),
        }
    }

    /// `608 MINIMUM_REQUIRED_FIELDS`, naming the field.
    pub(crate) fn fields(description: impl Into<String>) -> Self {
        Self::new("608", description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Reply::<()>::new(self.code, Some(self.description), None)
            .into_response_with(StatusCode::BAD_REQUEST)
    }
}
