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
    /// Says once, at `warn`, that requests are served while the background
    /// work (the reconciler) is not running.
    fn warn_without_background(&self) {
        use std::sync::atomic::Ordering;
        if !self.inner.background_started.load(Ordering::Relaxed)
            && !self.inner.background_warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                "serving CinetPay routes without the engine's background work: failed deliveries \
                 and payments whose notifications were lost wait for the customer's return; \
                 call Checkout::start_background() when the server starts"
            );
        }
    }

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
        self.warn_without_background();
        if request.body().len() > self.body_limit() {
            tracing::warn!(
                path = request.uri().path(),
                length = request.body().len(),
                "request body over the limit"
            );
            return self.payload_too_large();
        }
        // The routes that call CinetPay or deliver hold large futures: each
        // is boxed where it starts, so that what every request moves (this
        // future, the layer's box) stays small, and CinetPay's repeated
        // notifications, the most frequent request, do not copy them.
        match route {
            Route::Init => Box::pin(init::handle(self, request)).await,
            Route::Notify => notify::handle(self, request).await,
            Route::Return => Box::pin(return_::handle(self, request)).await,
        }
    }
}
