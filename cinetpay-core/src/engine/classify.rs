//! Reading CinetPay's check answer: what it means for one stored payment.

use crate::client::CheckResponse;
use crate::model::{CheckSnapshot, Payment};
use crate::protocol::{CheckData, CheckOutcome};
use crate::values::Money;

/// What a check answer means for a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// `00`, `ACCEPTED`, amount and currency equal to the stored payment.
    Accepted,
    /// `00`, `ACCEPTED`, but the amount or currency differ (or are missing).
    Mismatch(String),
    /// A final failure.
    Refused,
    /// A final failure that is a cancellation (`627 TRANSACTION_CANCEL`, or a
    /// `CANCELLED` status).
    Cancelled,
    /// Not final yet (waiting codes and statuses).
    Pending,
    /// An undocumented code or a contradictory answer: says nothing.
    Unknown,
    /// A request or configuration error (bad key, bad site id...).
    RequestError,
}

/// Classifies `check` for `payment`, on top of the protocol's
/// [`CheckOutcome`]: only `Accepted` with exactly the stored amount and
/// currency is accepted; `Accepted` with other (or missing) money is a
/// mismatch; an answer that is contradictory or undocumented
/// ([`CheckOutcome::Unknown`]) changes nothing, like a pending one.
pub(crate) fn classify(payment: &Payment, check: &CheckResponse) -> Verdict {
    match check.outcome() {
        outcome @ CheckOutcome::Accepted { .. } => {
            if outcome.confirms(Money::new(payment.amount, payment.currency)) {
                Verdict::Accepted
            } else {
                Verdict::Mismatch(mismatch_reason(payment, check))
            }
        }
        CheckOutcome::Failed { cancelled: true } => Verdict::Cancelled,
        CheckOutcome::Failed { cancelled: false } => Verdict::Refused,
        CheckOutcome::RequestError => Verdict::RequestError,
        CheckOutcome::Pending => Verdict::Pending,
        _ => Verdict::Unknown,
    }
}

/// Why a success does not confirm the payment, for the log and `status_reason`.
fn mismatch_reason(payment: &Payment, check: &CheckResponse) -> String {
    let data = check.data.as_ref();
    let amount_ok = data.and_then(CheckData::reported_amount) == Some(payment.amount.get());
    let currency_ok = data.and_then(CheckData::reported_currency) == Some(payment.currency);
    let raw = |v: Option<&String>| {
        v.map(|s| s.trim().chars().take(32).collect::<String>())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "<none>".to_owned())
    };
    let what = match (amount_ok, currency_ok) {
        (false, true) => "amount",
        (true, false) => "currency",
        _ => "amount and currency",
    };
    format!(
        "{what} mismatch: CinetPay reported {} {}, the payment is {} {}",
        raw(data.and_then(|d| d.amount.as_ref())),
        raw(data.and_then(|d| d.currency.as_ref())),
        payment.amount,
        payment.currency
    )
}

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::NewPayment;
    use crate::protocol::{CheckData, Envelope};
    use crate::values::{Amount, Currency, Description, OrderRef, TransactionId};

    fn payment() -> Payment {
        Payment::from_new(&NewPayment {
            transaction_id: TransactionId::generate(),
            order_ref: OrderRef::new("o-1").unwrap(),
            amount: Amount::new(1000).unwrap(),
            currency: Currency::Xof,
            description: Description::new("d").unwrap(),
            created_at: chrono::Utc::now(),
        })
    }

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
    fn verdicts() {
        let p = payment();
        let v =
            |code, status, amount, currency| classify(&p, &check(code, status, amount, currency));
        let ok = (Some("1000"), Some("XOF"));
        assert_eq!(v("00", Some("ACCEPTED"), ok.0, ok.1), Verdict::Accepted);
        assert_eq!(
            v("00", Some("accepted"), Some("1000.00"), Some("XOF")),
            Verdict::Accepted
        );
        let mismatch = |verdict: Verdict, start: &str| {
            assert!(
                matches!(&verdict, Verdict::Mismatch(m) if m.starts_with(start)),
                "{verdict:?}"
            );
        };
        mismatch(
            v("00", Some("ACCEPTED"), Some("995"), Some("XOF")),
            "amount mismatch: CinetPay reported 995 XOF, the payment is 1000 XOF",
        );
        mismatch(
            v("00", Some("ACCEPTED"), Some("1000"), Some("XAF")),
            "currency mismatch",
        );
        mismatch(
            v("00", Some("ACCEPTED"), None, Some("XOF")),
            "amount mismatch: CinetPay reported <none>",
        );
        mismatch(
            v("00", Some("ACCEPTED"), Some("1000.5"), Some("XOF")),
            "amount mismatch",
        );
        mismatch(
            v("00", Some("ACCEPTED"), Some("5"), Some("EUR")),
            "amount and currency",
        );
        assert_eq!(v("662", Some("ACCEPTED"), ok.0, ok.1), Verdict::Pending);
        assert_eq!(v("627", Some("REFUSED"), None, None), Verdict::Cancelled);
        assert_eq!(v("600", Some("REFUSED"), None, None), Verdict::Refused);
        assert_eq!(v("602", None, None, None), Verdict::Refused);
        assert_eq!(v("00", Some("REFUSED"), None, None), Verdict::Unknown);
        assert_eq!(v("600", Some("ACCEPTED"), ok.0, ok.1), Verdict::Unknown);
        assert_eq!(
            v("662", Some("WAITING_FOR_CUSTOMER"), None, None),
            Verdict::Pending
        );
        assert_eq!(v("999", None, None, None), Verdict::Unknown);
        assert_eq!(
            v("609", Some("ACCEPTED"), ok.0, ok.1),
            Verdict::RequestError
        );
        assert_eq!(v("624", None, None, None), Verdict::RequestError);
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
