//! What the engine keeps of a check answer: a bounded snapshot stored with
//! the payment. (What the answer *means* is
//! [`CheckOutcome`](crate::protocol::CheckOutcome), the one classification.)

use crate::client::CheckResponse;
use crate::model::CheckSnapshot;

/// Longest string kept in a [`CheckSnapshot`] field.
const SNAPSHOT_FIELD_LEN: usize = 255;

fn bounded(s: &str) -> String {
    crate::model::storable(s, SNAPSHOT_FIELD_LEN)
}

fn bounded_opt(s: Option<&String>) -> Option<String> {
    s.map(|s| s.trim()).filter(|s| !s.is_empty()).map(bounded)
}

/// The facts of a check answer worth keeping, bounded.
pub(crate) fn snapshot(check: &CheckResponse) -> CheckSnapshot {
    let data = check.data.as_ref();
    CheckSnapshot {
        code: bounded(check.code.trim()),
        message: bounded(check.message.trim()),
        status: bounded_opt(data.and_then(|d| d.status.as_ref())),
        amount: bounded_opt(data.and_then(|d| d.amount.as_ref())),
        currency: bounded_opt(data.and_then(|d| d.currency.as_ref())),
        payment_method: bounded_opt(data.and_then(|d| d.payment_method.as_ref())),
        operator_id: bounded_opt(data.and_then(|d| d.operator_id.as_ref())),
        payment_date: bounded_opt(data.and_then(|d| d.payment_date.as_ref())),
    }
}

/// What is kept of a 2026 API status answer: its code, and its symbolic
/// status (`SUCCESS`, `FAILED`...) as both message and status. It carries
/// no amount, currency or operator; CinetPay's own id is kept with the
/// payment.
pub(crate) fn rest_snapshot(answer: &crate::rest::StatusAnswer) -> CheckSnapshot {
    CheckSnapshot {
        code: bounded(answer.code.as_str().trim()),
        message: bounded(answer.status.trim()),
        status: bounded_opt(Some(&answer.status)),
        ..CheckSnapshot::default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::protocol::{CheckData, Envelope};

    fn check(
        code: &str,
        status: Option<&str>,
        amount: Option<&str>,
        currency: Option<&str>,
    ) -> CheckResponse {
        Envelope {
            code: code.to_owned(),
            message: String::new(),
            description: None,
            data: Some(CheckData {
                status: status.map(str::to_owned),
                amount: amount.map(str::to_owned),
                currency: currency.map(str::to_owned),
                ..CheckData::default()
            }),
            api_response_id: None,
        }
    }

    #[test]
    fn snapshots_are_bounded_and_blank_dates_dropped() {
        let mut c = check("00", Some("ACCEPTED"), Some("1000"), Some("XOF"));
        if let Some(d) = c.data.as_mut() {
            d.payment_date = Some(" ".to_owned());
            d.operator_id = Some("x".repeat(1000));
        }
        let s = snapshot(&c);
        assert_eq!(s.payment_date, None);
        assert_eq!(s.operator_id.map(|o| o.len()), Some(255));
        assert_eq!(s.status.as_deref(), Some("ACCEPTED"));
    }
}
