//! The engine's routes as a service of their own, for routers that route by
//! path: the application's other routes then never meet the engine at all.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use http::{Request, Response, StatusCode};
use http_body_util::Empty;
use tower_service::Service;

use crate::CinetPayService;

/// [`CinetPayService`] over [`NotFound`]: answers the checkout's three routes
/// and `404` for any other path. Built by [`endpoint`].
pub type CinetPayEndpoint = CinetPayService<NotFound>;

/// The engine's routes as one service, to mount on each of
/// [`Checkout::paths`] with a router that routes by path, such as axum's
/// `Router::route_service`. Requests to the application's other routes then
/// never pass through it: they cost exactly what they cost without payments.
///
/// Mount it on the full paths, not under a nested prefix: the engine
/// recognises its routes by the whole request path (axum's `nest_service`
/// strips the prefix, which would leave every request a `404`).
///
/// ```
/// use axum::{routing::get, Router};
/// # fn demo(checkout: cinetpay_core::engine::Checkout) -> Router {
/// let payments = cinetpay_tower::endpoint(checkout.clone());
/// let mut app = Router::new().route("/", get(|| async { "my shop" }));
/// for path in checkout.paths() {
///     app = app.route_service(&path, payments.clone());
/// }
/// app
/// # }
/// ```
pub fn endpoint(checkout: Checkout) -> CinetPayEndpoint {
    CinetPayService::new(NotFound, checkout)
}

/// A service answering `404 Not Found` with an empty body to every request:
/// what [`CinetPayEndpoint`] answers for a path that is not one of its routes.
#[derive(Clone, Copy, Debug, Default)]
pub struct NotFound;

impl<B> Service<Request<B>> for NotFound {
    type Response = Response<Empty<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<B>) -> Self::Future {
        let mut response = Response::new(Empty::new());
        *response.status_mut() = StatusCode::NOT_FOUND;
        ready(Ok(response))
    }
}
