//! The JSON notification of a 2026 payment (docs/rest-api-2026.md §6):
//! `{notify_token, merchant_transaction_id, transaction_id, user}`, no
//! signature header.

use serde_json::{Map, Value, json};

use super::fields::{Notice, state_label};
use crate::payment::Payment;
use crate::rest::payment::RestPayment;
use crate::scenario::Scenario;

/// The notification of `payment` in its current state, with the scenario's
/// faults (a forged or missing `notify_token`).
pub(crate) fn notice(payment: &Payment, rest: &RestPayment, scenario: &Scenario) -> Notice {
    let mut body = Map::new();
    if !scenario.omit_notify_token {
        let token = if scenario.bad_notify_token {
            forged(&rest.notify_token)
        } else {
            rest.notify_token.clone()
        };
        body.insert("notify_token".to_owned(), json!(token));
    }
    body.insert(
        "merchant_transaction_id".to_owned(),
        json!(payment.request.transaction_id),
    );
    body.insert("transaction_id".to_owned(), json!(rest.transaction_id));
    body.insert("user".to_owned(), rest.user(payment.phone.as_deref()));
    let fields = body
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect();
    Notice {
        fields,
        x_token: None,
        json: Some(Value::Object(body)),
        state: state_label(&payment.state),
    }
}

/// A token of the same shape that is not `ours`.
fn forged(ours: &str) -> String {
    let other: String = ours
        .chars()
        .map(|c| if c == 'A' { 'B' } else { 'A' })
        .collect();
    if other.is_empty() {
        "A".to_owned()
    } else {
        other
    }
}
