use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use http::{HeaderMap, Response, StatusCode};
use http_body_util::{BodyExt, Limited};

/// Builds the answer when a body cannot be read.
pub(crate) type Refusal = fn(&Checkout) -> Response<Bytes>;

fn too_large(checkout: &Checkout) -> Response<Bytes> {
    checkout.payload_too_large()
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

/// Reads a body of at most `limit` bytes: a declared `Content-Length` over the
/// limit is refused before reading anything, and a body that grows past it is
/// refused as soon as it does.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, Refusal>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large);
    }
    match Limited::new(body, limit).collect().await {
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
