//! The axum mount the docs recommend: the engine's three routes as an axum
//! [`Router`] to [`merge`](Router::merge) into the application's.

use axum::Router;
use cinetpay_core::engine::Checkout;

use crate::endpoint;

/// The checkout's three routes (`{prefix}/init`, `{prefix}/notify`,
/// `{prefix}/return`) as an axum [`Router`], each mounted on its own path with
/// [`Router::route_service`]: merged into the application's router, the
/// application's other routes never meet the engine and cost nothing more
/// (measured in `BENCHMARKS.md`).
///
/// ```
/// use axum::{routing::get, Router};
/// # async fn demo(checkout: cinetpay_core::engine::Checkout) -> Result<(), Box<dyn std::error::Error>> {
/// let app = Router::new()
///     .route("/", get(|| async { "my shop" }))
///     .merge(cinetpay_tower::router(checkout.clone()));
/// let background = checkout.start_background();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app)
///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
///     .await?;
/// background.shutdown().await;
/// # Ok(()) }
/// ```
pub fn router<S>(checkout: Checkout) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let service = endpoint(checkout.clone());
    checkout.paths().iter().fold(Router::new(), |router, path| {
        router.route_service(path, service.clone())
    })
}
