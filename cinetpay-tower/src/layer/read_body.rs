use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use http::{HeaderMap, Response, StatusCode};
use http_body_util::{BodyExt, Limited};

/// Builds the answer when a body cannot be read.
pub(crate) type Refusal = fn(&Checkout) -> Response<Bytes>;

fn too_large(checkout: &Checkout) -> Response<Bytes> {
    checkout.payload_too_large()
}

fn too_slow(checkout: &Checkout) -> Response<Bytes> {
    checkout.request_timeout()
}

fn unreadable(_: &Checkout) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(b"the request body could not be read\n"));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Reads a body of at most the engine's limit, within its read timeout: a
/// declared `Content-Length` over the limit is refused before reading
/// anything, a body that grows past it is refused as soon as it does, and one
/// that takes longer than `body_read_timeout` gets `408`.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    checkout: &Checkout,
) -> Result<Bytes, Refusal>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = checkout.body_limit();
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large);
    }
    let read = tokio::time::timeout(
        checkout.body_read_timeout(),
        Limited::new(body, limit).collect(),
    );
    let Ok(read) = read.await else {
        tracing::warn!(
            timeout_ms = checkout.body_read_timeout().as_millis() as u64,
            "cinetpay: request body not received in time"
        );
        return Err(too_slow);
    };
    match read {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cinetpay: request body could not be read");
            Err(unreadable)
        }
    }
}
