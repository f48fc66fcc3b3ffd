//! The admin view ([`cinetpay_core::admin`]) as an axum [`Router`] to
//! [`nest`](Router::nest) behind the application's own authentication.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cinetpay_core::PaymentQueries;
use cinetpay_core::admin::AdminView;
use cinetpay_core::engine::Checkout;
use http::StatusCode;

/// The admin view of `queries` (the payments, one payment with its delivery
/// log, and its "sync now" action through `checkout`) as an axum [`Router`],
/// to [`nest`](Router::nest) under a path of the application's choosing,
/// **behind its own authentication**: the view checks none (see
/// [`cinetpay_core::admin`] for the pages, the CSRF protection of the
/// action and what is never shown).
///
/// Links, redirects and the CSRF cookie's path follow the prefix it is
/// nested at (`/admin/cinetpay` below), read from axum's [`OriginalUri`].
/// The list is the prefix itself, `/admin/cinetpay`: axum does not route
/// `/admin/cinetpay/` (with a slash) to a nested router's `/`.
///
/// ```
/// use std::sync::Arc;
/// use axum::{Router, extract::Request, http::StatusCode, middleware::{self, Next}, response::Response};
/// use cinetpay_core::MemoryStore;
///
/// /// Your authentication: here, a fixed bearer token.
/// async fn operators_only(request: Request, next: Next) -> Result<Response, StatusCode> {
///     let authorised = request
///         .headers()
///         .get("authorization")
///         .is_some_and(|v| v == "Bearer let-me-in");
///     if authorised { Ok(next.run(request).await) } else { Err(StatusCode::UNAUTHORIZED) }
/// }
///
/// # fn demo(checkout: cinetpay_core::engine::Checkout, store: MemoryStore) {
/// let admin = cinetpay_tower::admin_router(checkout.clone(), Arc::new(store))
///     .layer(middleware::from_fn(operators_only));
/// let app: Router = Router::new()
///     .merge(cinetpay_tower::router(checkout))
///     .nest("/admin/cinetpay", admin);
/// # }
/// ```
pub fn admin_router<S>(checkout: Checkout, queries: Arc<dyn PaymentQueries>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let view = AdminView::new(checkout, queries);
    let handler = move |request: Request| {
        let view = view.clone();
        async move { serve(&view, request).await }
    };
    Router::new()
        .route("/", any(handler.clone()))
        .route("/payments/{id}", any(handler.clone()))
        .route("/payments/{id}/sync", any(handler))
}

/// Reads the (small) body and hands the request to the view, with the path
/// it is nested at.
async fn serve(view: &AdminView, request: Request) -> Response {
    let inner = request.uri().path().to_owned();
    let original = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| inner.clone(), |o| o.0.path().to_owned());
    let mount = mount_of(&original, &inner);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, AdminView::BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };
    let response = view
        .handle(mount, http::Request::from_parts(parts, body))
        .await;
    response.map(Body::from).into_response()
}

/// The prefix a nested router is mounted at: the original path less the
/// nested one (`/admin/cinetpay` for the list, whose nested path is `/`).
fn mount_of<'a>(original: &'a str, inner: &str) -> &'a str {
    match original.strip_suffix(inner) {
        Some(mount) => mount,
        None if inner == "/" => original,
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::mount_of;

    #[test]
    fn the_mount_is_what_nesting_stripped() {
        assert_eq!(mount_of("/admin/cinetpay", "/"), "/admin/cinetpay");
        assert_eq!(mount_of("/admin/cinetpay/", "/"), "/admin/cinetpay");
        assert_eq!(mount_of("/admin/payments/cp-1", "/payments/cp-1"), "/admin");
        assert_eq!(mount_of("/payments/cp-1", "/payments/cp-1"), "");
    }
}
