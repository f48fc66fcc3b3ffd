use std::task::{Context, Poll};

use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use http::{Request, Response};
use tower_service::Service;

use super::body::ResponseBody;
use super::future::ResponseFuture;
use super::read_body::read_limited;

/// The service made by [`CinetPayLayer`](super::CinetPayLayer).
#[derive(Clone, Debug)]
pub struct CinetPayService<S> {
    inner: S,
    checkout: Checkout,
}

impl<S> CinetPayService<S> {
    /// Wraps `inner`, answering the routes of `checkout` itself.
    pub fn new(inner: S, checkout: Checkout) -> Self {
        CinetPayService { inner, checkout }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CinetPayService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        if !self.checkout.is_own_path(request.uri().path()) {
            return ResponseFuture::inner(self.inner.call(request));
        }
        let checkout = self.checkout.clone();
        ResponseFuture::engine(Box::pin(async move {
            let (parts, body) = request.into_parts();
            let bytes: Bytes = match read_limited(&parts.headers, body, &checkout).await {
                Ok(bytes) => bytes,
                Err(response) => return response(&checkout),
            };
            checkout.handle(Request::from_parts(parts, bytes)).await
        }))
    }
}
