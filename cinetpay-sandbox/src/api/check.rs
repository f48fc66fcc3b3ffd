//! `POST /v2/payment/check`: the authoritative status of a payment, with the
//! injected check faults (HTTP 500, hang, latency, tampered amount/currency).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Days, Utc};
use cinetpay_core::protocol::CheckData;

use super::body::{Fields, Format};
use super::envelope::{ApiError, Reply};
use super::validate;
use crate::payment::Payment;
use crate::record::CheckRecord;
use crate::state::Shared;

/// What the faults in force do to one call.
#[derive(Debug, Default)]
struct Effects {
    latency: Duration,
    fail: bool,
    hang: Option<Duration>,
    amount: Option<i64>,
    currency: Option<String>,
}

pub(super) async fn check(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&headers, &body);
    let format = fields.as_ref().map_or(Format::Json, |f| f.format);
    let (transaction_id, token) = fields.as_ref().map_or((None, None), |f| {
        (
            f.text("transaction_id"),
            f.text("token").or_else(|| f.text("payment_token")),
        )
    });
    let seq = arrive(&shared, transaction_id.clone(), token.clone(), format);
    let request = fields
        .map_err(ApiError::fields)
        .and_then(|f| validate::credentials(&shared.config, &f));
    if let Err(e) = request {
        return refuse(&shared, seq, e);
    }
    if transaction_id.is_none() && token.is_none() {
        return refuse(
            &shared,
            seq,
            ApiError::fields("transaction_id or token is required"),
        );
    }
    let key = resolve(&shared, transaction_id.as_deref(), token.as_deref());
    let effects = consume_faults(&shared, key.as_deref());
    if !shared.sleep(effects.latency).await {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if effects.fail {
        finish(&shared, seq, 500, None, None, Some("http_500"));
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html("<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body></html>"),
        )
            .into_response();
    }
    if let Some(hang) = effects.hang {
        finish(&shared, seq, 0, None, None, Some("hang"));
        if !shared.sleep(hang).await {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let data = {
        let state = shared.lock();
        key.as_deref()
            .and_then(|k| state.payments.get(k))
            .map(|p| (p.state.check_code().to_owned(), data(p, &effects)))
    };
    let Some((code, data)) = data else {
        return refuse(&shared, seq, ApiError::new("624", "transaction not found"));
    };
    let tampered = (effects.amount.is_some() || effects.currency.is_some()).then_some("tampered");
    let fault = if effects.hang.is_some() {
        Some("hang")
    } else {
        tampered
    };
    finish(
        &shared,
        seq,
        200,
        Some(code.clone()),
        data.status.clone(),
        fault,
    );
    Reply::new(&code, None, Some(data)).into_response_with(StatusCode::OK)
}

/// The check `data` of a payment, as CinetPay shapes it.
fn data(p: &Payment, effects: &Effects) -> CheckData {
    const DATE: &str = "%Y-%m-%d %H:%M:%S";
    let r = &p.request;
    let settled = p.paid_at.unwrap_or(p.created_at).date_naive();
    let funds = settled
        .checked_add_days(Days::new(2))
        .unwrap_or(settled)
        .format("%Y-%m-%d 00:00:00");
    CheckData {
        amount: Some(effects.amount.unwrap_or(r.amount).to_string()),
        currency: Some(
            effects
                .currency
                .clone()
                .unwrap_or_else(|| r.currency.clone()),
        ),
        status: Some(p.state.check_status().to_owned()),
        payment_method: p.operator.map(|o| o.code().to_owned()),
        description: Some(r.description.clone()),
        metadata: r.metadata.clone(),
        operator_id: p.operator_id.clone(),
        payment_date: Some(
            p.paid_at
                .map_or_else(|| " ".to_owned(), |d| d.format(DATE).to_string()),
        ),
        fund_availability_date: Some(funds.to_string()),
        phone_number: None,
        phone_prefix: None,
    }
}

/// The transaction id of the payment asked for, by id first, then by token.
/// 2026 payments are not v2's to report.
fn resolve(shared: &Shared, transaction_id: Option<&str>, token: Option<&str>) -> Option<String> {
    let state = shared.lock();
    transaction_id
        .filter(|tx| state.payments.get(*tx).is_some_and(|p| p.rest.is_none()))
        .map(str::to_owned)
        .or_else(|| {
            token
                .and_then(|t| state.by_token(t))
                .filter(|p| p.rest.is_none())
                .map(|p| p.request.transaction_id.clone())
        })
}

/// Takes one call's share of the faults: the payment's own when set, else
/// the global ones.
fn consume_faults(shared: &Shared, key: Option<&str>) -> Effects {
    let mut state = shared.lock();
    let state = &mut *state;
    let faults = match key.and_then(|k| state.payments.get_mut(k)) {
        Some(p) if p.check_faults.is_some() => p.check_faults.as_mut(),
        _ => Some(&mut state.check_faults),
    };
    let Some(f) = faults else {
        return Effects::default();
    };
    let mut effects = Effects {
        latency: f.latency,
        amount: f.amount,
        currency: f.currency.clone(),
        ..Effects::default()
    };
    if f.fail_next > 0 {
        f.fail_next -= 1;
        effects.fail = true;
    } else if f.hang_next > 0 {
        f.hang_next -= 1;
        effects.hang = Some(f.hang_for);
    }
    effects
}

/// Records the call as it arrives (so that a call the client gives up on is
/// still on record); [`finish`] fills in the answer.
fn arrive(
    shared: &Shared,
    transaction_id: Option<String>,
    token: Option<String>,
    format: Format,
) -> u64 {
    let mut state = shared.lock();
    let seq = state.next_seq();
    state.record_check(CheckRecord {
        seq,
        received_at: Utc::now(),
        transaction_id,
        token,
        format: format.as_str(),
        http_status: 0,
        code: None,
        status: None,
        fault: None,
    });
    seq
}

fn finish(
    shared: &Shared,
    seq: u64,
    http_status: u16,
    code: Option<String>,
    status: Option<String>,
    fault: Option<&'static str>,
) {
    let mut state = shared.lock();
    if let Some(r) = state.checks.iter_mut().rev().find(|r| r.seq == seq) {
        r.http_status = http_status;
        r.code = code;
        r.status = status;
        r.fault = fault;
    }
}

fn refuse(shared: &Shared, seq: u64, e: ApiError) -> Response {
    tracing::info!(code = e.code, description = %e.description, "check refused");
    finish(shared, seq, 400, Some(e.code.to_owned()), None, None);
    e.into_response()
}
