//! `GET /v1/payment/{id}`: the authoritative status of a 2026 payment, by
//! `merchant_transaction_id`, CinetPay's `transaction_id` or `payment_token`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::reply::{self, RestError};
use super::{auth, codes};
use crate::state::Shared;

pub(super) async fn status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !shared.sleep(super::latency(&shared)).await {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if let Err(e) = auth::authorize(&shared, &headers) {
        return e.into_response();
    }
    shared.lock().counters.status_calls += 1;
    if super::fails(&shared, |f| &mut f.fail_next_status) {
        return reply::http_500();
    }
    match answer(&shared, &id) {
        Some(body) => reply::ok(body),
        None => RestError::not_found(&id).into_response(),
    }
}

/// `{code, status, merchant_transaction_id, transaction_id, user}`, with the
/// foreign ids the faults ask for. No `description`: the Python SDK raises on
/// any answer carrying one with a code other than 200, 100, 2001 and 2002.
fn answer(shared: &Shared, id: &str) -> Option<Value> {
    let state = shared.lock();
    let key = state.rest_key(id)?;
    let p = state.payments.get(&key)?;
    let rest = p.rest.as_ref()?;
    let faults = &state.rest_faults;
    let code = codes::of_state(&p.state);
    let merchant_transaction_id = if faults.foreign_merchant_transaction_id {
        foreign_merchant_id(&key)
    } else {
        key.clone()
    };
    let transaction_id = if faults.foreign_transaction_id {
        super::init::cinetpay_transaction_id()
    } else {
        rest.transaction_id.clone()
    };
    tracing::info!(merchant_transaction_id = %key, code, "2026 status");
    Some(json!({
        "code": code,
        "status": codes::status(code),
        "merchant_transaction_id": merchant_transaction_id,
        "transaction_id": transaction_id,
        "user": rest.user(p.phone.as_deref()),
    }))
}

/// A merchant id that is not `ours`.
fn foreign_merchant_id(ours: &str) -> String {
    if ours == "FOREIGN-0001" {
        "FOREIGN-0002"
    } else {
        "FOREIGN-0001"
    }
    .to_owned()
}
