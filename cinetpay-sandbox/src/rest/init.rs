//! `POST /v1/payment`: creates a 2026 payment and answers its token, page
//! URL, notify token and CinetPay's transaction id.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rand::Rng;
use serde_json::{Value, json};

use super::payment::RestPayment;
use super::reply::{self, RestError};
use super::{auth, codes, phones, validate};
use crate::api::body::Fields;
use crate::payment::{Payment, PaymentState};
use crate::state::Shared;

/// A random string of `len` characters from `alphabet`.
pub(crate) fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A CinetPay `transaction_id` (`27ba…`-like: 32 lowercase hex digits).
pub(crate) fn cinetpay_transaction_id() -> String {
    random_from(HEX, 32)
}

pub(super) async fn init(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !shared.sleep(super::latency(&shared)).await {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if let Err(e) = auth::authorize(&shared, &headers) {
        return e.into_response();
    }
    shared.lock().counters.inits += 1;
    if super::fails(&shared, |f| &mut f.fail_next_init) {
        return reply::http_500();
    }
    let tx = match create(&shared, &headers, &body) {
        Ok(tx) => tx,
        Err(e) => {
            {
                let mut state = shared.lock();
                match e.code {
                    1200 => state.counters.duplicates += 1,
                    _ => state.counters.invalid_inits += 1,
                }
            }
            tracing::info!(code = e.code, body = %e.body, "2026 init refused");
            return e.into_response();
        }
    };
    direct_pay(&shared, &tx);
    let answer = answer(&shared, &tx);
    let hang = {
        let mut state = shared.lock();
        let faults = &mut state.rest_faults;
        let hang = super::take(&mut faults.init_timeout_next).then_some(faults.hang_for);
        if hang.is_some() {
            state.counters.init_timeouts += 1;
        }
        hang
    };
    if let Some(hang) = hang {
        tracing::info!(merchant_transaction_id = %tx, ?hang, "2026 init created the payment and holds the answer");
        if !shared.sleep(hang).await {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    match answer {
        Some(answer) => reply::ok(answer),
        // Reset while the answer was being made.
        None => RestError::not_found(&tx).into_response(),
    }
}

/// Validates and stores the payment; answers its merchant id.
fn create(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<String, RestError> {
    let fields = Fields::parse(headers, body).map_err(RestError::params)?;
    let valid = validate::init(&shared.config.rest, &fields)?;
    let tx = valid.request.transaction_id.clone();
    let token = random_from(ALNUM, 64);
    let mut state = shared.lock();
    if state.payments.contains_key(&tx) {
        return Err(RestError::exists());
    }
    let rest = RestPayment {
        transaction_id: cinetpay_transaction_id(),
        notify_token: random_from(ALNUM, 48),
        ..valid.rest
    };
    tracing::info!(
        merchant_transaction_id = %tx,
        transaction_id = %rest.transaction_id,
        amount = valid.request.amount,
        currency = %valid.request.currency,
        direct_pay = rest.direct_pay,
        "2026 payment initialised"
    );
    state
        .rest_ids
        .insert(rest.transaction_id.clone(), tx.clone());
    state.tokens.insert(token.clone(), tx.clone());
    state.order.push(tx.clone());
    state.counters.payments_created += 1;
    state.payments.insert(
        tx.clone(),
        Payment {
            request: valid.request,
            token,
            signature: random_from(ALNUM, 40),
            created_at: Utc::now(),
            state: PaymentState::Created,
            operator: None,
            phone: None,
            operator_id: None,
            paid_at: None,
            generation: 0,
            scenario: None,
            check_faults: None,
            rest: Some(rest),
        },
    );
    Ok(tx)
}

/// A direct payment is decided at once by its phone number (a test number's
/// behaviour, else pending until a test decides).
fn direct_pay(shared: &Arc<Shared>, tx: &str) {
    let phone = {
        let state = shared.lock();
        state
            .payments
            .get(tx)
            .and_then(|p| p.rest.as_ref())
            .filter(|r| r.direct_pay)
            .and_then(|r| Some((r.phone_number.clone()?, r.payment_method.clone())))
    };
    if let Some((phone, method)) = phone {
        let operator = phones::operator_of(method.as_deref());
        if let Err(e) = phones::apply(shared, tx, &phone, operator, phones::Otherwise::Pending) {
            tracing::warn!(error = %e, "direct payment not decided");
        }
    }
}

/// The init answer, from the payment as it stands.
fn answer(shared: &Shared, tx: &str) -> Option<Value> {
    let state = shared.lock();
    let p = state.payments.get(tx)?;
    let rest = p.rest.as_ref()?;
    let (code, redirect, message) = if rest.direct_pay {
        let code = codes::of_state(&p.state);
        (
            code,
            false,
            format!(
                "Direct payment {}",
                codes::status(code).to_ascii_lowercase()
            ),
        )
    } else {
        (
            2001,
            true,
            "Redirect the customer to payment_url".to_owned(),
        )
    };
    Some(json!({
        "code": 200,
        "status": "OK",
        "payment_token": p.token,
        "notify_token": rest.notify_token,
        "transaction_id": rest.transaction_id,
        "merchant_transaction_id": tx,
        "payment_url": shared.payment_url(&p.token),
        "details": {
            "code": code,
            "status": codes::status(code),
            "message": message,
            "must_be_redirected": redirect,
        },
    }))
}
