//! Helpers of the 2026 tests: a sandbox, logging in, a valid init body, and
//! a tiny shop that keeps the JSON notifications and the browser's visits.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::{any, get};
use cinetpay_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};

use crate::common::http;

/// Short enough for tests, long enough to be seen pending.
pub(crate) const TEST_NUMBER_DELAY: Duration = Duration::from_millis(400);

/// A sandbox whose "pending then …" test numbers settle after [`TEST_NUMBER_DELAY`].
pub(crate) async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .test_number_delay(TEST_NUMBER_DELAY)
        .start()
        .await
        .expect("sandbox starts")
}

pub(crate) fn url(sandbox: &Sandbox, path: &str) -> String {
    sandbox.url().join(path).expect("url").to_string()
}

/// `POST /v1/oauth/login` with `body`.
pub(crate) async fn login_with(sandbox: &Sandbox, body: &Value) -> (u16, Value) {
    let r = http()
        .post(url(sandbox, "v1/oauth/login"))
        .json(body)
        .send()
        .await
        .expect("send");
    (r.status().as_u16(), r.json().await.expect("json"))
}

/// Logs in with the sandbox's 2026 credentials; answers the token.
pub(crate) async fn login(sandbox: &Sandbox) -> String {
    let c = sandbox.credentials_2026();
    let (status, body) = login_with(
        sandbox,
        &json!({"api_key": c.api_key(), "api_password": c.api_password()}),
    )
    .await;
    assert_eq!((status, &body["code"]), (200, &json!(200)), "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}

/// `POST /v1/payment` with `token` (none: no Authorization header).
pub(crate) async fn init_with(
    sandbox: &Sandbox,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut r = http().post(url(sandbox, "v1/payment")).json(body);
    if let Some(token) = token {
        r = r.bearer_auth(token);
    }
    let r = r.send().await.expect("send");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `GET /v1/payment/{id}` with `token`.
pub(crate) async fn status_of(sandbox: &Sandbox, token: &str, id: &str) -> (u16, Value) {
    let r = http()
        .get(url(sandbox, &format!("v1/payment/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The reference's example init (docs/rest-api-2026.md §9), to `shop`.
pub(crate) fn body(tx: &str, shop: &str) -> Value {
    json!({
        "currency": "XOF",
        "merchant_transaction_id": tx,
        "amount": 1000,
        "lang": "fr",
        "designation": "Test payment",
        "client_email": "test@example.com",
        "client_first_name": "Jane",
        "client_last_name": "Doe",
        "success_url": format!("{shop}/success"),
        "failed_url": format!("{shop}/failed"),
        "notify_url": format!("{shop}/notify"),
    })
}

/// Initialises `tx` (logging in first); answers the token and the init answer.
pub(crate) async fn init(sandbox: &Sandbox, tx: &str, shop: &str) -> (String, Value) {
    let token = login(sandbox).await;
    let (status, answer) = init_with(sandbox, Some(&token), &body(tx, shop)).await;
    assert_eq!((status, &answer["code"]), (200, &json!(200)), "{answer}");
    (token, answer)
}

/// What the shop received.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) content_type: Option<String>,
    pub(crate) body: String,
}

impl Hit {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A shop: `/notify` (any method, answers 200), `/success` and `/failed` (GET).
#[derive(Clone)]
pub(crate) struct RestShop {
    pub(crate) base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl RestShop {
    pub(crate) async fn start() -> RestShop {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let shop = RestShop {
            base: format!("http://{}", listener.local_addr().expect("addr")),
            hits: Arc::default(),
        };
        let app = Router::new()
            .route("/notify", any(keep))
            .route("/success", get(keep))
            .route("/failed", get(keep))
            .with_state(shop.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        shop
    }

    pub(crate) fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .expect("lock")
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
}

async fn keep(
    State(shop): State<RestShop>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    shop.hits.lock().expect("lock").push(Hit {
        method,
        path: uri.path().to_owned(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    "OK"
}
