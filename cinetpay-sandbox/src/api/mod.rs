//! CinetPay's own endpoints: `POST /v2/payment` and `POST /v2/payment/check`.

pub(crate) mod body;
mod check;
mod envelope;
mod init;
mod validate;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

use crate::state::Shared;

/// The API routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v2/payment", post(init::init))
        .route("/v2/payment/check", post(check::check))
}
