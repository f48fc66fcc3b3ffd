//! Assembles the routes and serves them until shutdown.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::state::Shared;
use crate::{admin, api, page, rest};

/// Every route: CinetPay's two APIs, the payment page, the admin API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(rest::routes())
        .merge(page::routes())
        .nest("/_sandbox", admin::routes())
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found").into_response() })
        .with_state(shared)
}

/// Serves on `listener` in a background task until the sandbox shuts down.
pub(crate) fn serve(shared: Arc<Shared>, listener: TcpListener) -> JoinHandle<()> {
    let app = router(Arc::clone(&shared));
    tokio::spawn(async move {
        let stop = Arc::clone(&shared);
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.stopped().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "sandbox server failed");
        }
    })
}
