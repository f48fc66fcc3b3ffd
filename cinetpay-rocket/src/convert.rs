//! The one boundary between Rocket's types (http 0.2 underneath) and the
//! engine's (http 1): the request head, the body read up to the engine's
//! limit, and the engine's answer turned back into a Rocket response.

use std::io::Cursor;

use bytes::Bytes;
use rocket::data::{Data, ToByteUnit};
use rocket::http::{Header, Status};
use rocket::response::{self, Responder};
use rocket::{Request, Response};

/// Why a request could not be handed to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The body (declared or read) is longer than the limit: the engine's `413`.
    TooLarge,
    /// The body could not be read (the connection broke).
    Unreadable,
    /// The body did not arrive within the engine's read timeout: the engine's `408`.
    TooSlow,
    /// The method, URI or a header has no http 1 form.
    Malformed(String),
}

/// Reads the body, at most `limit` bytes, within `timeout`. A
/// `Content-Length` over the limit is refused before anything is read; a
/// body that runs past the limit is refused as soon as it does; one that
/// takes longer than `timeout` is refused with the engine's `408`. A body of
/// exactly `limit` bytes is accepted.
pub(crate) async fn read_body(
    request: &Request<'_>,
    data: Data<'_>,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Bytes, Refusal> {
    let declared = request
        .headers()
        .get_one("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Refusal::TooLarge);
    }
    let Ok(read) =
        rocket::tokio::time::timeout(timeout, data.open(limit.bytes()).into_bytes()).await
    else {
        tracing::warn!(
            timeout_ms = timeout.as_millis() as u64,
            "cinetpay: request body not received in time"
        );
        return Err(Refusal::TooSlow);
    };
    match read {
        Ok(capped) if capped.is_complete() => Ok(Bytes::from(capped.into_inner())),
        Ok(_) => Err(Refusal::TooLarge),
        Err(e) => {
            tracing::warn!(error = %e, "cinetpay: request body could not be read");
            Err(Refusal::Unreadable)
        }
    }
}

/// The request as the engine reads it: `method` (the one the client sent),
/// path with its query string exactly as sent, every header with every value
/// in order, and `body`.
pub(crate) fn to_engine_request(
    method: rocket::http::Method,
    request: &Request<'_>,
    body: Bytes,
) -> Result<http::Request<Bytes>, Refusal> {
    let method = http::Method::from_bytes(method.as_str().as_bytes())
        .map_err(|_| Refusal::Malformed("method".to_owned()))?;
    let uri: http::Uri = request
        .uri()
        .to_string()
        .parse()
        .map_err(|_| Refusal::Malformed("request URI".to_owned()))?;
    let mut out = http::Request::new(body);
    *out.method_mut() = method;
    *out.uri_mut() = uri;
    let headers = out.headers_mut();
    for header in request.headers().iter() {
        let name = http::HeaderName::from_bytes(header.name().as_str().as_bytes())
            .map_err(|_| Refusal::Malformed(format!("header name {:?}", header.name().as_str())))?;
        let value = http::HeaderValue::from_str(header.value())
            .map_err(|_| Refusal::Malformed(format!("value of header {name}")))?;
        headers.append(name, value);
    }
    Ok(out)
}

/// The engine's answer as a Rocket response: status, every header value
/// (repeated names kept), and the body with its length.
pub(crate) fn to_rocket_response(response: http::Response<Bytes>) -> Response<'static> {
    let (parts, body) = response.into_parts();
    let mut out = Response::new();
    out.set_status(Status::new(parts.status.as_u16()));
    for (name, value) in &parts.headers {
        match std::str::from_utf8(value.as_bytes()) {
            Ok(text) => {
                out.adjoin_header(Header::new(name.as_str().to_owned(), text.to_owned()));
            }
            Err(_) => {
                tracing::warn!(header = %name, "cinetpay: dropped a header that is not UTF-8")
            }
        }
    }
    out.set_sized_body(body.len(), Cursor::new(body));
    out
}

/// The answer when the request could not be handed to the engine, in the
/// engine's own words where it has them.
pub(crate) fn refusal_response(
    checkout: &cinetpay_core::engine::Checkout,
    refusal: &Refusal,
) -> http::Response<Bytes> {
    let text = match refusal {
        Refusal::TooLarge => return checkout.payload_too_large(),
        Refusal::TooSlow => return checkout.request_timeout(),
        Refusal::Unreadable => "the request body could not be read\n".to_owned(),
        Refusal::Malformed(what) => format!("the request's {what} is not valid HTTP\n"),
    };
    let mut response = http::Response::new(Bytes::from(text));
    *response.status_mut() = http::StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// An engine answer, as a Rocket [`Responder`].
pub(crate) struct EngineResponse(pub(crate) http::Response<Bytes>);

impl<'r> Responder<'r, 'static> for EngineResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_rocket_response(self.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rocket::http::ContentType;
    use rocket::local::asynchronous::Client;

    use super::*;

    async fn client() -> Client {
        Client::untracked(rocket::build()).await.unwrap()
    }

    #[rocket::async_test]
    async fn method_path_query_and_every_header_value_cross_over() {
        let client = client().await;
        let local = client
            .put("/cinetpay/return?transaction_id=T-1&token=a%20b&x=%C3%A9&x=2")
            .header(Header::new("X-Token", "abc"))
            .header(Header::new("Accept", "text/html"))
            .header(Header::new("Accept", "application/json;q=0.9"))
            .header(Header::new("Cookie", "a=1"))
            .header(ContentType::JSON);
        let request = to_engine_request(
            local.inner().method(),
            local.inner(),
            Bytes::from_static(b"{}"),
        )
        .unwrap();
        assert_eq!(request.method(), http::Method::PUT);
        assert_eq!(request.uri().path(), "/cinetpay/return");
        assert_eq!(
            request.uri().query(),
            Some("transaction_id=T-1&token=a%20b&x=%C3%A9&x=2")
        );
        let accept: Vec<_> = request
            .headers()
            .get_all("accept")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(accept, ["text/html", "application/json;q=0.9"]);
        assert_eq!(request.headers()["x-token"], "abc");
        assert_eq!(request.headers()["content-type"], "application/json");
        assert_eq!(request.body().as_ref(), b"{}");
    }

    #[rocket::async_test]
    async fn a_path_without_query_has_none() {
        let client = client().await;
        let local = client.get("/cinetpay/notify");
        let request =
            to_engine_request(local.inner().method(), local.inner(), Bytes::new()).unwrap();
        assert_eq!(request.method(), http::Method::GET);
        assert_eq!(request.uri().path(), "/cinetpay/notify");
        assert_eq!(request.uri().query(), None);
    }

    #[rocket::async_test]
    async fn response_keeps_status_headers_repeated_and_body() {
        let mut response = http::Response::new(Bytes::from_static(b"see other"));
        *response.status_mut() = http::StatusCode::SEE_OTHER;
        let headers = response.headers_mut();
        headers.insert("location", "/orders/A?payment=accepted".parse().unwrap());
        headers.append("set-cookie", "a=1".parse().unwrap());
        headers.append("set-cookie", "b=2".parse().unwrap());
        headers.insert(
            "x-opaque",
            http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let mut out = to_rocket_response(response);
        assert_eq!(out.status(), Status::SeeOther);
        assert_eq!(
            out.headers().get_one("Location"),
            Some("/orders/A?payment=accepted")
        );
        let cookies: Vec<_> = out.headers().get("Set-Cookie").collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert!(!out.headers().contains("x-opaque"));
        assert_eq!(out.body_mut().to_bytes().await.unwrap(), b"see other");
    }
}
