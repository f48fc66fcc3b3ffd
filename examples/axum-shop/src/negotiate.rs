//! Small request/response helpers: JSON or HTML, form or JSON.

use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

/// The client asked for JSON.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// Reads a form or JSON body, by content type.
pub(crate) fn read_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
    } else {
        serde_urlencoded::from_bytes(body).map_err(|e| format!("invalid form body: {e}"))
    }
}
