//! CinetPay's admin view at `/admin/cinetpay`, behind the shop's stand-in
//! operator login ([`shop_common::admin`]): mounted only when the shop has
//! an admin token (`SHOP_ADMIN_TOKEN`).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use shop_common::admin::{ADMIN_MOUNT, AdminToken, CHALLENGE};
use shop_common::setup::Shop;

/// The admin view nested at [`ADMIN_MOUNT`] behind the token, or no route
/// at all without one.
pub fn admin(shop: &Shop) -> Router {
    let Some(token) = shop.admin.clone() else {
        return Router::new();
    };
    let view = cinetpay_tower::admin_router(shop.checkout.clone(), shop.payments.clone())
        .layer(middleware::from_fn_with_state(token, operators_only));
    Router::new().nest(ADMIN_MOUNT, view)
}

/// The placeholder for the shop's real authentication: the token as a
/// bearer token or as Basic authentication's password, else `401`.
async fn operators_only(State(token): State<AdminToken>, request: Request, next: Next) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if token.allows(authorization) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, CHALLENGE)],
            "operators only\n",
        )
            .into_response()
    }
}
