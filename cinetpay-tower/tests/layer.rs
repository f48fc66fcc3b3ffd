//! The layer answers exactly the checkout's routes and leaves everything else
//! alone: not read, not buffered, not changed. The admin view's router is
//! tested in [`admin`], in this binary.

#[path = "layer/admin.rs"]
mod admin;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::*;
use cinetpay_tower::CinetPayLayer;
use http::{Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt};

/// Knows no orders and never delivers: these tests never reach CinetPay.
struct NoOrders;

#[async_trait]
impl OrderFulfiller for NoOrders {
    async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Err(QuoteError::NotFound)
    }
    async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> {
        Err(FulfilError::new("never called"))
    }
}

fn checkout(body_limit: usize) -> Checkout {
    checkout_with(body_limit, 10_000)
}

fn checkout_with(body_limit: usize, body_read_timeout_ms: u64) -> Checkout {
    let config = CheckoutSettings {
        api_key: Some("api-key".to_owned()),
        site_id: Some("123456".to_owned()),
        secret_key: Some("secret".to_owned()),
        // Nothing listens there: a test that called CinetPay would fail loudly.
        api_url: Some("http://127.0.0.1:9".to_owned()),
        public_url: Some("https://shop.example".to_owned()),
        body_limit,
        body_read_timeout_ms,
        ..CheckoutSettings::default()
    }
    .into_config()
    .unwrap();
    Checkout::builder()
        .config(config)
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(Arc::new(NoOrders))
        .build()
        .unwrap()
}

/// A request body that counts how often it is polled.
struct Watched {
    polls: Arc<AtomicUsize>,
    data: Option<Bytes>,
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(self.data.take().map(|d| Ok(Frame::data(d))))
    }
}

async fn text<B>(response: Response<B>) -> String
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn app(limit: usize) -> Router {
    Router::new()
        .route("/", get(|| async { "home" }))
        .route("/echo", post(|body: Bytes| async move { body }))
        .route(
            "/cinetpay/other",
            get(|| async { "the app's own route under the prefix" }),
        )
        .layer(CinetPayLayer::new(checkout(limit)))
}

#[tokio::test]
async fn other_requests_reach_the_app_unchanged() {
    let response = app(4096)
        .oneshot(
            Request::post("/echo")
                .body(Body::from("x".repeat(10_000)))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Bigger than the layer's limit: the limit applies to the payment routes only.
    assert_eq!(text(response).await.len(), 10_000);

    let response = app(4096)
        .oneshot(Request::get("/cinetpay/other").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(text(response).await, "the app's own route under the prefix");
}

#[tokio::test]
async fn the_layer_never_reads_a_passed_through_body() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let seen_in_app = seen.clone();
    let inner = tower::service_fn(move |_req: Request<Watched>| {
        seen_in_app.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(http_body_util::Empty::<Bytes>::new())) }
    });
    let service = ServiceBuilder::new()
        .layer(CinetPayLayer::new(checkout(4096)))
        .service(inner);
    let body = Watched {
        polls: polls.clone(),
        data: Some(Bytes::from_static(b"secret business")),
    };
    let response = service
        .oneshot(Request::post("/orders").body(body).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(
        polls.load(Ordering::SeqCst),
        0,
        "the layer polled a body that was not its own"
    );
}

#[tokio::test]
async fn payment_routes_are_answered_by_the_engine() {
    assert_payment_routes(app).await;
}

/// The engine's answers on its routes, whichever way `make` mounts it.
async fn assert_payment_routes(make: fn(usize) -> Router) {
    // CinetPay's ping.
    let response = make(4096)
        .oneshot(
            Request::get("/cinetpay/notify")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // An unknown order: the engine's 404, not the router's.
    let response = make(4096)
        .oneshot(
            Request::post("/cinetpay/init")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("order_ref=ord-unknown"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!text(response).await.is_empty());

    // A method the engine does not serve there.
    let response = make(4096)
        .oneshot(
            Request::delete("/cinetpay/notify")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers().contains_key(http::header::ALLOW));

    // The app's own route under the prefix is the app's.
    let response = make(4096)
        .oneshot(Request::get("/cinetpay/other").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(text(response).await, "the app's own route under the prefix");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_whether_declared_or_streamed() {
    let form = format!(
        "cpm_site_id=123456&cpm_trans_id=T1&cpm_custom={}",
        "x".repeat(4100)
    );
    // Declared: refused before reading.
    let response = app(4096)
        .oneshot(
            Request::post("/cinetpay/notify")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", form.len())
                .body(Body::from(form.clone()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Streamed without a length: refused once it grows past the limit.
    let chunks = vec![Ok::<_, Infallible>(Bytes::from(form.clone())); 2];
    let stream = Body::from_stream(futures_util::stream::iter(chunks));
    let response = app(4096)
        .oneshot(Request::post("/cinetpay/notify").body(stream).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // At the limit exactly: read, and judged by the engine (no x-token: 401).
    let exact = format!(
        "cpm_site_id=123456&cpm_trans_id=T1&cpm_custom={}",
        "x".repeat(4096 - 46)
    );
    assert_eq!(exact.len(), 4096);
    let response = app(4096)
        .oneshot(
            Request::post("/cinetpay/notify")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(exact))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// The endpoint mounted path by path: the engine answers its three routes,
/// the application's own routes (under the prefix too) never meet it.
fn routed_app(limit: usize) -> Router {
    let checkout = checkout(limit);
    let payments = cinetpay_tower::endpoint(checkout.clone());
    let mut app = Router::new().route("/", get(|| async { "home" })).route(
        "/cinetpay/other",
        get(|| async { "the app's own route under the prefix" }),
    );
    for path in checkout.paths() {
        app = app.route_service(&path, payments.clone());
    }
    app
}

#[tokio::test]
async fn the_endpoint_mounted_by_path_answers_the_payment_routes_only() {
    assert_payment_routes(routed_app).await;
    let too_big = routed_app(4096)
        .oneshot(
            Request::post("/cinetpay/notify")
                .header("content-length", "4097")
                .body(Body::from("x".repeat(4097)))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_endpoint_answers_404_for_a_path_that_is_not_its_own() {
    let response = cinetpay_tower::endpoint(checkout(4096))
        .oneshot(Request::get("/elsewhere").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(text(response).await.is_empty());
}

/// A body that sends its headers and then nothing: a slow (or hostile) client.
struct Stalled;

impl http_body::Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    let checkout = checkout_with(16 * 1024, 200);
    let app = Router::new()
        .route("/hello", get(|| async { "hi" }))
        .layer(CinetPayLayer::new(checkout.clone()));
    let started = std::time::Instant::now();
    let request = Request::post("/cinetpay/notify")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::new(Stalled))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(response.headers()["connection"], "close");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    // Routes of the app are not the engine's: their bodies are not timed.
    let hello = Request::get("/hello").body(Body::empty()).unwrap();
    assert_eq!(app.oneshot(hello).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_shop_renders_customer_errors_in_its_own_layout_through_the_router() {
    use axum::middleware::map_response;
    use axum::response::{Html, IntoResponse};
    use cinetpay_core::engine::{CustomerError, CustomerErrorKind};

    async fn in_layout(response: axum::response::Response) -> axum::response::Response {
        match response.extensions().get::<CustomerError>().cloned() {
            Some(e) if *e.kind() == CustomerErrorKind::UnknownOrder => (
                e.status(),
                Html(format!("<main class=shop>{}</main>", e.message())),
            )
                .into_response(),
            _ => response,
        }
    }
    let app = Router::new()
        .route("/", get(|| async { "home" }))
        .merge(cinetpay_tower::router(checkout(4096)))
        .layer(map_response(in_layout));
    let pay = Request::post("/cinetpay/init")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("order_ref=nope"))
        .unwrap();
    let r = app.clone().oneshot(pay).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(text(r).await, "<main class=shop>no such order</main>");
    // Other answers pass unchanged.
    let home = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(text(home).await, "home");
}
