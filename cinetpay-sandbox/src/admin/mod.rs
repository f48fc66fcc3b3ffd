//! The admin API under `/_sandbox`.

use std::sync::Arc;

use axum::Router;

use crate::state::Shared;

/// The admin routes (nested under `/_sandbox`).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
}
