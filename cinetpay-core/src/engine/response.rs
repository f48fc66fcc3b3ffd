//! The engine's HTTP answers, built without any fallible step.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use serde::Serialize;

fn base(status: StatusCode, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A plain-text answer.
pub(crate) fn text(status: StatusCode, body: impl Into<String>) -> Response<Bytes> {
    let mut response = base(status, Bytes::from(body.into()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A JSON answer.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Bytes> {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut response = base(status, Bytes::from(body));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the answer: {e}"),
        ),
    }
}

/// `200 OK`.
pub(crate) fn ok() -> Response<Bytes> {
    text(StatusCode::OK, "OK")
}

/// `200` without a body, for `HEAD`.
pub(crate) fn empty_ok() -> Response<Bytes> {
    base(StatusCode::OK, Bytes::new())
}

/// `303 See Other` to `location`; a location that is not a valid header
/// value (which validation upstream should prevent) gives a 502.
pub(crate) fn see_other(location: &str) -> Response<Bytes> {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = base(StatusCode::SEE_OTHER, Bytes::new());
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => text(
            StatusCode::BAD_GATEWAY,
            "the redirect target is not a valid URL",
        ),
    }
}

/// `405` with the methods this route allows.
pub(crate) fn method_not_allowed(allow: &'static str) -> Response<Bytes> {
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed; use {allow}"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// `404` for a path that is not one of the engine's routes.
pub(crate) fn not_found() -> Response<Bytes> {
    text(StatusCode::NOT_FOUND, "not found")
}

/// `413` naming the limit.
/// `408 Request Timeout`: the body did not arrive in time.
pub(crate) fn request_timeout(limit: std::time::Duration) -> Response<Bytes> {
    let mut response = text(
        StatusCode::REQUEST_TIMEOUT,
        format!("request body not received within {} ms", limit.as_millis()),
    );
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

pub(crate) fn payload_too_large(limit: usize) -> Response<Bytes> {
    text(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is larger than {limit} bytes"),
    )
}
