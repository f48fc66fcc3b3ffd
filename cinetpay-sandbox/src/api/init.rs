//! `POST /v2/payment`: creates a payment and returns its token and page URL.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use cinetpay_core::protocol::InitData;
use rand::Rng;

use super::body::Fields;
use super::envelope::{ApiError, Reply};
use super::validate;
use crate::payment::{Payment, PaymentState};
use crate::state::Shared;

/// A random alphanumeric string.
fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(super) async fn init(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match create(&shared, &headers, &body) {
        Ok(data) => Reply::new(
            "201",
            Some("Transaction created with success".to_owned()),
            Some(data),
        )
        .into_response_with(StatusCode::OK),
        Err(e) => {
            tracing::info!(code = e.code, description = %e.description, "init refused");
            e.into_response()
        }
    }
}

fn create(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<InitData, ApiError> {
    let fields = Fields::parse(headers, body).map_err(ApiError::fields)?;
    validate::credentials(&shared.config, &fields)?;
    let request = validate::init(&fields)?;
    let transaction_id = request.transaction_id.clone();
    let token = random_token(64);
    let mut state = shared.lock();
    if state.payments.contains_key(&transaction_id) {
        return Err(ApiError::fields(format!(
            "transaction_id {:?} is already used",
            transaction_id.chars().take(100).collect::<String>()
        )));
    }
    let payment = Payment {
        request,
        token: token.clone(),
        signature: random_token(40),
        created_at: Utc::now(),
        state: PaymentState::Created,
        operator: None,
        phone: None,
        operator_id: None,
        paid_at: None,
        generation: 0,
        scenario: None,
        check_faults: None,
        rest: None,
    };
    tracing::info!(
        transaction_id = %transaction_id,
        amount = payment.request.amount,
        currency = %payment.request.currency,
        format = fields.format.as_str(),
        "payment initialised"
    );
    state.tokens.insert(token.clone(), transaction_id.clone());
    state.order.push(transaction_id.clone());
    state.payments.insert(transaction_id, payment);
    Ok(InitData {
        payment_url: shared.payment_url(&token),
        payment_token: token,
    })
}
