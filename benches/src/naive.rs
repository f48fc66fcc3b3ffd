//! The baseline: the notification handler a merchant writes from CinetPay's
//! documentation ("Conseils d'usage" of the notification chapter), in axum, on
//! the same database, the same payments table and the same check API as ours:
//!
//! 1. verify the `x-token` (HMAC-SHA256 of the 16 fields) and the site id;
//! 2. read the payment; if it is already a success, do nothing;
//! 3. otherwise ask `/v2/payment/check`;
//! 4. on `00`/`ACCEPTED` with the right amount and currency, update the row
//!    and deliver the order (the shop's own delivery: one row in `shop_deliveries`).
//!
//! Check-then-act, no claim: two copies of one notification that arrive
//! together both read "pending", both check, both update and both deliver.
//! It uses the store's connection pool settings (WAL and `synchronous = FULL`
//! on SQLite, 10 connections on PostgreSQL), so that both sides pay the same
//! durability.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use cinetpay_sandbox::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY, DEFAULT_SITE_ID};
use cinetpay_store::SeaOrmStore;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use sha2::Sha256;
use shop_common::orders::OrderBook;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The 16 notification fields, in the order the `x-token` concatenates them
/// (the published list; the naive handler only re-implements the HMAC).
use cinetpay_core::protocol::NOTIFICATION_FIELDS as SIGNED_FIELDS;

/// The naive handler's state.
#[derive(Clone)]
pub(crate) struct Naive {
    db: DatabaseConnection,
    orders: OrderBook,
    http: reqwest::Client,
    check_url: String,
}

impl Naive {
    /// Connects to `database_url` and talks to the check API at `api_url`.
    pub(crate) async fn connect(database_url: &str, api_url: &str) -> Result<Naive, BoxError> {
        let (db, orders, http) = connect_parts(database_url).await?;
        Ok(Naive {
            db,
            orders,
            http,
            check_url: format!("{}/v2/payment/check", api_url.trim_end_matches('/')),
        })
    }

    /// `POST /cinetpay/notify`, and `POST /bench/commit` (one durable
    /// single-row insert per request: the database's write ceiling).
    pub(crate) fn router(self) -> Router {
        Router::new()
            .route("/cinetpay/notify", post(notify))
            .route("/bench/commit", post(commit))
            .with_state(self)
    }

    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        let backend = self.db.get_database_backend();
        Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
    }
}

/// What a naive handler holds: the store's pool (migrated), the shop's
/// order book on it, and an HTTP client for CinetPay.
pub(crate) async fn connect_parts(
    database_url: &str,
) -> Result<(DatabaseConnection, OrderBook, reqwest::Client), BoxError> {
    let store = SeaOrmStore::builder().connect(database_url).await?;
    store.migrate().await?;
    let db = store.connection().clone();
    let orders = OrderBook::open(db.clone()).await?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()?;
    Ok((db, orders, http))
}

/// `?` placeholders as the backend wants them (`$1`, `$2`... on PostgreSQL).
pub(crate) fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

async fn commit(State(app): State<Naive>) -> StatusCode {
    let insert = app.statement(
        "INSERT INTO bench_commits (at) VALUES (?)",
        vec![Utc::now().timestamp_micros().into()],
    );
    match app.db.execute_raw(insert).await {
        Ok(_) => StatusCode::OK,
        Err(e) => {
            eprintln!("commit: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn notify(State(app): State<Naive>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match handle(&app, &headers, &body).await {
        Ok(status) => status,
        Err(e) => {
            eprintln!("naive handler: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn handle(app: &Naive, headers: &HeaderMap, body: &[u8]) -> Result<StatusCode, BoxError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };

    // 1. Is it CinetPay, for us?
    let mut mac = Hmac::<Sha256>::new_from_slice(DEFAULT_SECRET_KEY.as_bytes())?;
    for name in SIGNED_FIELDS {
        mac.update(field(name).as_bytes());
    }
    let token = headers
        .get("x-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = hex::decode(token).unwrap_or_default();
    if mac.verify_slice(&token).is_err() {
        return Ok(StatusCode::UNAUTHORIZED);
    }
    if field("cpm_site_id") != DEFAULT_SITE_ID {
        return Ok(StatusCode::FORBIDDEN);
    }
    let transaction_id = field("cpm_trans_id");

    // 2. Already a success in our database? Then do nothing.
    let row = app
        .db
        .query_one_raw(app.statement(
            "SELECT status, amount, currency, order_ref FROM cinetpay_payments WHERE transaction_id = ?",
            vec![transaction_id.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(StatusCode::OK);
    };
    let status: String = row.try_get("", "status")?;
    if status == "accepted" {
        return Ok(StatusCode::OK);
    }
    let amount: i64 = row.try_get("", "amount")?;
    let currency: String = row.try_get("", "currency")?;
    let order_ref: String = row.try_get("", "order_ref")?;

    // 3. Ask CinetPay for the truth.
    let check: serde_json::Value = app
        .http
        .post(&app.check_url)
        .json(&serde_json::json!({
            "apikey": DEFAULT_API_KEY,
            "site_id": DEFAULT_SITE_ID,
            "transaction_id": transaction_id,
        }))
        .send()
        .await?
        .json()
        .await?;
    let data = &check["data"];
    let accepted = check["code"] == "00"
        && data["status"] == "ACCEPTED"
        && data["amount"].as_str() == Some(amount.to_string().as_str())
        && data["currency"].as_str() == Some(currency.as_str());
    if !accepted {
        return Ok(StatusCode::OK);
    }

    // 4. Mark it paid and deliver.
    let now = Utc::now().timestamp_micros();
    app.db
        .execute_raw(app.statement(
            "UPDATE cinetpay_payments SET status = 'accepted', open_order_ref = NULL, \
             check_code = '00', check_message = ?, check_status = 'ACCEPTED', \
             check_amount = ?, check_currency = ?, fulfilled_at = ?, updated_at = ? \
             WHERE transaction_id = ?",
            vec![
                check["message"].as_str().unwrap_or("").into(),
                amount.to_string().into(),
                currency.into(),
                now.into(),
                now.into(),
                transaction_id.into(),
            ],
        ))
        .await?;
    app.orders
        .record_delivery(&order_ref, transaction_id, 1)
        .await?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_only() {
        let sql = "UPDATE t SET a = ? WHERE b = ?";
        assert_eq!(
            placeholders(DbBackend::Postgres, sql),
            "UPDATE t SET a = $1 WHERE b = $2"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, sql), sql);
    }
}
