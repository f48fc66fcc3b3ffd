//! [`Checkout::handle`]: the three routes in framework-neutral form.

mod body;
mod init;
mod notify;
mod return_;

use bytes::Bytes;
use http::{Request, Response};

use super::Checkout;
use super::response;

/// One of the engine's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `{prefix}/init`
    Init,
    /// `{prefix}/notify`
    Notify,
    /// `{prefix}/return`
    Return,
}

impl Checkout {
    /// Answers one request to `{prefix}/init`, `{prefix}/notify` or
    /// `{prefix}/return` (see the [module documentation](super) for every
    /// answer). Another path gets `404`: adapters call
    /// [`is_own_path`](Self::is_own_path) first. A body longer than
    /// [`body_limit`](Self::body_limit) gets `413`.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// let ping = http::Request::get("/cinetpay/notify").body(bytes::Bytes::new()).unwrap();
    /// assert_eq!(checkout.handle(ping).await.status(), 200);
    /// # }
    /// ```
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let Some(route) = self.inner.config.route_of(request.uri().path()) else {
            return response::not_found();
        };
        if request.body().len() > self.body_limit() {
            tracing::warn!(
                path = request.uri().path(),
                length = request.body().len(),
                "request body over the limit"
            );
            return self.payload_too_large();
        }
        match route {
            Route::Init => init::handle(self, request).await,
            Route::Notify => notify::handle(self, request).await,
            Route::Return => return_::handle(self, request).await,
        }
    }
}
