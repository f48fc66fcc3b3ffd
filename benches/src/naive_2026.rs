//! The baseline on the 2026 REST API: the notification handler a merchant
//! writes from CinetPay's 2026 documentation, on the same database and the
//! same sandbox as ours:
//!
//! 1. read the JSON body (`notify_token`, `merchant_transaction_id`);
//! 2. read the payment; unknown: 200; a token other than the one the init
//!    returned: 401; already a success: do nothing;
//! 3. otherwise ask `GET /v1/payment/{id}` with the account's bearer token
//!    (one login, kept until CinetPay refuses it: what the official SDKs do);
//! 4. on code `100` (`SUCCESS`), update the row and deliver the order (one row
//!    in `shop_deliveries`).
//!
//! Check-then-act, no claim, like the v2 baseline (`naive.rs`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use cinetpay_sandbox::{DEFAULT_REST_API_KEY, DEFAULT_REST_API_PASSWORD};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};
use shop_common::orders::OrderBook;
use tokio::sync::RwLock;

use crate::naive::{connect_parts, placeholders};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The naive 2026 handler's state.
#[derive(Clone)]
pub(crate) struct Naive2026 {
    db: DatabaseConnection,
    orders: OrderBook,
    http: reqwest::Client,
    api_url: String,
    token: std::sync::Arc<RwLock<Option<String>>>,
}

impl Naive2026 {
    /// Connects to `database_url` and talks to the 2026 API at `api_url`.
    pub(crate) async fn connect(database_url: &str, api_url: &str) -> Result<Self, BoxError> {
        let (db, orders, http) = connect_parts(database_url).await?;
        Ok(Naive2026 {
            db,
            orders,
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            token: Default::default(),
        })
    }

    /// `POST /cinetpay/notify`.
    pub(crate) fn router(self) -> Router {
        Router::new()
            .route("/cinetpay/notify", post(notify))
            .with_state(self)
    }

    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        let backend = self.db.get_database_backend();
        Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
    }

    /// The bearer token, logging in when there is none.
    async fn bearer(&self) -> Result<String, BoxError> {
        if let Some(token) = self.token.read().await.clone() {
            return Ok(token);
        }
        let mut slot = self.token.write().await;
        if let Some(token) = slot.clone() {
            return Ok(token);
        }
        let answer: serde_json::Value = self
            .http
            .post(format!("{}/v1/oauth/login", self.api_url))
            .json(&serde_json::json!({
                "api_key": DEFAULT_REST_API_KEY,
                "api_password": DEFAULT_REST_API_PASSWORD,
            }))
            .send()
            .await?
            .json()
            .await?;
        let token = answer["access_token"]
            .as_str()
            .ok_or("the login answered no access_token")?
            .to_owned();
        *slot = Some(token.clone());
        Ok(token)
    }

    /// `GET /v1/payment/{id}`, logging in again once if the token is refused.
    async fn status(&self, id: &str) -> Result<serde_json::Value, BoxError> {
        for _ in 0..2 {
            let token = self.bearer().await?;
            let response = self
                .http
                .get(format!("{}/v1/payment/{id}", self.api_url))
                .bearer_auth(&token)
                .send()
                .await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                *self.token.write().await = None;
                continue;
            }
            return Ok(response.json().await?);
        }
        Err("the 2026 API kept refusing the token".into())
    }
}

async fn notify(State(app): State<Naive2026>, body: Bytes) -> StatusCode {
    match handle(&app, &body).await {
        Ok(status) => status,
        Err(e) => {
            eprintln!("naive 2026 handler: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn handle(app: &Naive2026, body: &[u8]) -> Result<StatusCode, BoxError> {
    // 1. What is it about?
    let notice: serde_json::Value = serde_json::from_slice(body)?;
    let id = notice["merchant_transaction_id"].as_str().unwrap_or("");
    let presented = notice["notify_token"].as_str().unwrap_or("");

    // 2. Is it ours, and not already a success?
    let row = app
        .db
        .query_one_raw(app.statement(
            "SELECT status, notify_token, order_ref FROM cinetpay_payments WHERE transaction_id = ?",
            vec![id.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(StatusCode::OK);
    };
    let stored: Option<String> = row.try_get("", "notify_token")?;
    if presented.is_empty() || stored.as_deref() != Some(presented) {
        return Ok(StatusCode::UNAUTHORIZED);
    }
    let status: String = row.try_get("", "status")?;
    if status == "accepted" {
        return Ok(StatusCode::OK);
    }
    let order_ref: String = row.try_get("", "order_ref")?;

    // 3. Ask CinetPay for the truth.
    let answer = app.status(id).await?;
    let code = match &answer["code"] {
        serde_json::Value::Number(n) => n.to_string(),
        other => other.as_str().unwrap_or("").to_owned(),
    };
    if code != "100" || answer["merchant_transaction_id"].as_str() != Some(id) {
        return Ok(StatusCode::OK);
    }

    // 4. Mark it paid and deliver.
    let now = Utc::now().timestamp_micros();
    app.db
        .execute_raw(app.statement(
            "UPDATE cinetpay_payments SET status = 'accepted', open_order_ref = NULL, \
             check_code = '100', check_status = 'SUCCESS', fulfilled_at = ?, updated_at = ? \
             WHERE transaction_id = ?",
            vec![now.into(), now.into(), id.into()],
        ))
        .await?;
    app.orders.record_delivery(&order_ref, id, 1).await?;
    Ok(StatusCode::OK)
}
