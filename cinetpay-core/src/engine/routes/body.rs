//! Reading fields from a form or JSON body, or a query string.

use bytes::Bytes;
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};

/// The request's `Content-Type`, when readable.
pub(super) fn content_type(request: &Request<Bytes>) -> Option<&str> {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// Whether the client asks for JSON (`Accept` names `application/json`).
pub(super) fn wants_json(request: &Request<Bytes>) -> bool {
    request
        .headers()
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            item.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        })
}

/// Why a field could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum BodyError {
    /// Neither form nor JSON.
    UnsupportedType(String),
    /// A JSON body that is not an object, or with a non-text field.
    BadJson(String),
    /// A form body that is not UTF-8 (its fields would be read lossily).
    NotUtf8,
}

/// The field `name` of a form (`application/x-www-form-urlencoded`, also
/// assumed without a content type) or JSON object body. Numbers in JSON are
/// read as text.
pub(super) fn field(request: &Request<Bytes>, name: &str) -> Result<Option<String>, BodyError> {
    let mime = content_type(request)
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let body = request.body();
    match mime.as_str() {
        "" | "application/x-www-form-urlencoded" => {
            std::str::from_utf8(body).map_err(|_| BodyError::NotUtf8)?;
            Ok(form_field(body, name))
        }
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| BodyError::BadJson(format!("body is not valid JSON: {e}")))?;
            let serde_json::Value::Object(map) = value else {
                return Err(BodyError::BadJson("body is not a JSON object".to_owned()));
            };
            match map.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(BodyError::BadJson(format!("{name} must be a string"))),
            }
        }
        other => Err(BodyError::UnsupportedType(other.chars().take(64).collect())),
    }
}

/// The first `name` field of a form-encoded body or query string.
pub(super) fn form_field(encoded: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(encoded)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
