//! Helpers shared by the sandbox's integration tests: a sandbox, a core
//! client pointing at it, and a tiny shop that receives notifications.
#![allow(dead_code, unreachable_pub)]

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
}

/// A tiny shop: answers `200 OK` on `/notify` (GET and POST) and keeps what it got.
#[derive(Clone)]
pub struct Shop {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Status the shop answers.
    pub status: Arc<Mutex<StatusCode>>,
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
            secret: SecretKey::new(secret_key).expect("secret"),
        };
        let app = Router::new()
            .route("/notify", any(receive))
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
    shop.received.lock().expect("lock").push(Received {
        method,
        notification,
        x_token,
        verified,
        content_type,
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
