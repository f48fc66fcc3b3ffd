//! The layer, its service, its response future and its response body.

mod body;
mod future;
mod read_body;
mod service;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use service::CinetPayService;

use cinetpay_core::engine::Checkout;
use tower_layer::Layer;

/// Mounts the CinetPay routes of a [`Checkout`] in front of an inner service.
///
/// Requests whose path is one of the checkout's routes are answered by the
/// engine (their body read up to [`Checkout::body_limit`], `413` beyond);
/// all other requests go to the inner service as they are.
///
/// # Example: adding payments to an existing axum app
///
/// ```no_run
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use axum::{routing::get, Router};
/// use cinetpay_core::engine::{Checkout, CheckoutSettings};
/// use cinetpay_core::*;
/// use cinetpay_tower::CinetPayLayer;
///
/// struct Shop;
///
/// #[async_trait]
/// impl OrderFulfiller for Shop {
///     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
///         Ok(OrderQuote::new(
///             Money::new(Amount::new(2500).map_err(|e| QuoteError::NotPayable(e.to_string()))?, Currency::Xof),
///             Description::sanitised(order.as_str()),
///         ))
///     }
///     async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
///         tracing::info!(order = %payment.order_ref, "paid: ship it");
///         Ok(())
///     }
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // CINETPAY_API_KEY, CINETPAY_SITE_ID, CINETPAY_SECRET_KEY, CINETPAY_PUBLIC_URL...
/// let config = CheckoutSettings::from_env()?.into_config()?;
/// let checkout = Checkout::builder()
///     .config(config)
///     .store(Arc::new(MemoryStore::new()))
///     .fulfiller(Arc::new(Shop))
///     .build()?;
///
/// let app = Router::new()
///     .route("/", get(|| async { "my shop" }))
///     // POST /cinetpay/init, GET|POST /cinetpay/notify, GET|POST /cinetpay/return
///     .layer(CinetPayLayer::new(checkout.clone()));
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// // After a graceful shutdown: lines of duplicate notifications are logged
/// // after their answer, so store those still queued.
/// checkout.flush_delivery_log().await;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CinetPayLayer {
    checkout: Checkout,
}

impl CinetPayLayer {
    /// A layer answering the routes of `checkout`.
    pub fn new(checkout: Checkout) -> Self {
        CinetPayLayer { checkout }
    }

    /// The checkout whose routes this layer answers.
    pub fn checkout(&self) -> &Checkout {
        &self.checkout
    }
}

impl<S> Layer<S> for CinetPayLayer {
    type Service = CinetPayService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CinetPayService::new(inner, self.checkout.clone())
    }
}
