//! Helpers shared by the sandbox's integration tests: a sandbox, a core
//! client pointing at it, and a tiny shop that receives notifications.
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use cinetpay_core::protocol::{Notification, PaymentRequest, XTokenMatch, verify_x_token};
use cinetpay_core::{Amount, Client, Currency, Description, Money, SecretKey, TransactionId};
use cinetpay_sandbox::{Sandbox, SandboxHandle};

/// A sandbox on an ephemeral port.
pub async fn sandbox() -> SandboxHandle {
    Sandbox::builder().start().await.expect("sandbox starts")
}

/// A core client for `sandbox`.
pub fn client(sandbox: &Sandbox) -> Client {
    Client::new(sandbox.credentials(), sandbox.client_config()).expect("client")
}

/// One request the shop received on its notify URL.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub notification: Option<Notification>,
    pub x_token: Option<String>,
    /// What `verify_x_token` said, with the sandbox's secret key.
    pub verified: Option<Result<XTokenMatch, cinetpay_core::protocol::XTokenError>>,
    pub content_type: Option<String>,
    /// The check code the shop got when it asked `/v2/payment/check` on
    /// receipt (when the shop checks).
    pub check_code: Option<String>,
    /// The raw body.
    pub body: String,
}

/// A form body as name/value pairs.
pub type FormPairs = Vec<(String, String)>;

/// A tiny shop: answers `200 OK` on `/notify` (GET and POST) and keeps what it got.
#[derive(Clone)]
pub struct Shop {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Status the shop answers.
    pub status: Arc<Mutex<StatusCode>>,
    /// How long the shop takes to answer.
    pub delay: Arc<Mutex<Duration>>,
    /// Requests being handled now, and the most at once.
    in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
    /// When set, the shop checks the payment on every notification, as a real shop does.
    pub checker: Arc<Mutex<Option<Client>>>,
    /// Form bodies posted to `/return` (the customer's browser coming back).
    pub returns: Arc<Mutex<Vec<FormPairs>>>,
    secret: SecretKey,
}

impl Shop {
    pub async fn start(secret_key: &str) -> Shop {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shop = Shop {
            base: format!("http://{addr}"),
            received: Arc::default(),
            status: Arc::new(Mutex::new(StatusCode::OK)),
            delay: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
            checker: Arc::default(),
            returns: Arc::default(),
            secret: SecretKey::new(secret_key).expect("secret"),
        };
        let app = Router::new()
            .route("/notify", any(receive))
            .route("/return", axum::routing::post(come_back))
            .with_state(shop.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        shop
    }

    pub fn notify_url(&self) -> String {
        format!("{}/notify", self.base)
    }

    pub fn return_url(&self) -> String {
        format!("{}/return", self.base)
    }

    /// A shop that checks each notification with `client`.
    pub fn checking_with(self, client: Client) -> Self {
        *self.checker.lock().expect("lock") = Some(client);
        self
    }

    /// Answers every request after `delay`.
    pub fn answering_after(self, delay: Duration) -> Self {
        *self.delay.lock().expect("lock") = delay;
        self
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn posts(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.method == Method::POST)
            .collect()
    }
}

async fn come_back(State(shop): State<Shop>, body: Bytes) -> &'static str {
    let pairs = url::form_urlencoded::parse(&body).into_owned().collect();
    shop.returns.lock().expect("lock").push(pairs);
    "Merci !"
}

async fn receive(
    State(shop): State<Shop>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let x_token = headers
        .get("x-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let notification = (method == Method::POST)
        .then(|| Notification::parse(content_type.as_deref(), &body).ok())
        .flatten();
    let verified = notification
        .as_ref()
        .map(|n| verify_x_token(&shop.secret, n, x_token.as_deref()));
    let now = shop.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shop.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let checker = shop.checker.lock().expect("lock").clone();
    let mut check_code = None;
    if let (Some(client), Some(n)) = (checker, &notification) {
        let id: TransactionId = n.cpm_trans_id.parse().expect("transaction id");
        check_code = client.check_payment(&id).await.ok().map(|r| r.code);
    }
    let delay = *shop.delay.lock().expect("lock");
    tokio::time::sleep(delay).await;
    shop.in_flight.fetch_sub(1, Ordering::SeqCst);
    shop.received.lock().expect("lock").push(Received {
        method,
        notification,
        x_token,
        verified,
        content_type,
        check_code,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    (*shop.status.lock().expect("lock"), "OK")
}

/// A valid payment request to `shop`.
pub fn request(shop: &Shop, amount: i64) -> PaymentRequest {
    PaymentRequest::new(
        TransactionId::generate(),
        Money::new(Amount::new(amount).expect("amount"), Currency::Xof),
        Description::new("Commande 42").expect("description"),
        shop.notify_url().parse().expect("url"),
        shop.return_url().parse().expect("url"),
    )
}

pub const WAIT: Duration = Duration::from_secs(10);

thread_local! {
    /// One client per test (each test runs on its own thread and runtime).
    static HTTP: reqwest::Client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
}

/// A plain HTTP client, as a shop or a browser would use.
pub fn http() -> reqwest::Client {
    HTTP.with(Clone::clone)
}

/// POSTs a JSON body; answers the HTTP status and the JSON body.
pub async fn post_json(
    url: impl reqwest::IntoUrl,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = http().post(url).json(body).send().await.expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json answer"))
}

/// POSTs a form body; answers the HTTP status and the JSON body.
pub async fn post_form(
    url: impl reqwest::IntoUrl,
    pairs: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let r = http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json answer"))
}

/// A complete, valid JSON init body for `sandbox`, sending notifications to `notify_url`.
pub fn init_body(sandbox: &Sandbox, tx: &str, notify_url: &str) -> serde_json::Value {
    serde_json::json!({
        "apikey": sandbox.api_key(),
        "site_id": sandbox.site_id(),
        "transaction_id": tx,
        "amount": 1000,
        "currency": "XOF",
        "description": "Commande 42",
        "notify_url": notify_url,
        "return_url": "http://127.0.0.1:9/return",
        "channels": "ALL",
    })
}

/// Initialises `tx` over HTTP; answers the payment token.
pub async fn init(sandbox: &Sandbox, tx: &str, notify_url: &str) -> String {
    let (status, body) = post_json(
        sandbox.url().join("v2/payment").expect("url"),
        &init_body(sandbox, tx, notify_url),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (200, Some("201")),
        "{body}"
    );
    body["data"]["payment_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Checks `tx` over HTTP; answers the HTTP status and the JSON body.
pub async fn check(sandbox: &Sandbox, tx: &str) -> (u16, serde_json::Value) {
    post_json(
        sandbox.url().join("v2/payment/check").expect("url"),
        &serde_json::json!({
            "apikey": sandbox.api_key(),
            "site_id": sandbox.site_id(),
            "transaction_id": tx,
        }),
    )
    .await
}
