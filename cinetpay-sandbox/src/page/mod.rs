//! The hosted payment page (`GET`/`POST /payment/{token}`).

use std::sync::Arc;

use axum::Router;

use crate::state::Shared;

/// The page routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}
