//! What a `/v2/payment/check` answer means for one stored payment: the one
//! classification the engine acts on.

use super::{CheckData, CodeClass, Envelope};
use crate::values::Money;

/// What a `/v2/payment/check` answer means for a payment of `expected` money,
/// as the engine acts on it.
///
/// Built by [`Envelope::outcome`](Envelope#method.outcome) from the result
/// code's [class](CodeClass), `data.status`, and the reported amount and
/// currency:
///
/// | code class | `data.status` | outcome |
/// |---|---|---|
/// | success (`00`) | `ACCEPTED`, with exactly the expected amount and currency | [`Accepted`](Self::Accepted) |
/// | success (`00`) | `ACCEPTED`, with other (or missing, or unreadable) money | [`Mismatch`](Self::Mismatch) |
/// | success (`00`) | a waiting status (anything but the ones below) | [`Pending`](Self::Pending) |
/// | success (`00`) | absent (2021 shape), `REFUSED`, `CANCELED` | [`Unknown`](Self::Unknown): contradictory or unverifiable |
/// | pending (623, 662, 663, 664) | any | [`Pending`](Self::Pending) |
/// | payment failed (600, 602, 807...) | absent or `REFUSED` | [`Refused`](Self::Refused) |
/// | payment failed | `CANCELED`/`CANCELLED`, or code `627 TRANSACTION_CANCEL` | [`Cancelled`](Self::Cancelled) |
/// | payment failed | a waiting status | [`Pending`](Self::Pending) (push operators report failure first) |
/// | payment failed | `ACCEPTED` | [`Unknown`](Self::Unknown): contradictory |
/// | request error (608, 609, 624...) | any | [`RequestError`](Self::RequestError) |
/// | `201` or a code not in the table | any | [`Unknown`](Self::Unknown) |
///
/// `status` is compared trimmed and case-insensitively. Only `Accepted` may
/// lead to fulfilment. `Refused` and `Cancelled` are final for CinetPay but
/// not for the merchant: a later check may still say `Accepted`.
///
/// ```
/// use cinetpay_core::{Amount, Currency, Money};
/// use cinetpay_core::protocol::{CheckData, CheckOutcome, Envelope};
/// let price = Money::new(Amount::new(1000).unwrap(), Currency::Xof);
/// let body = r#"{"code":"00","message":"SUCCES","data":{"amount":"1000","currency":"XOF",
///     "status":"ACCEPTED","payment_date":"2022-09-15 22:57:15"}}"#;
/// let check: Envelope<CheckData> = serde_json::from_str(body).unwrap();
/// assert_eq!(check.outcome(price), CheckOutcome::Accepted);
///
/// let dearer = Money::new(Amount::new(1500).unwrap(), Currency::Xof);
/// assert!(matches!(check.outcome(dearer), CheckOutcome::Mismatch { .. }));
///
/// let refused: Envelope<CheckData> = serde_json::from_str(
///     r#"{"code":"627","message":"TRANSACTION_CANCEL","data":{"status":"REFUSED","payment_date":" "}}"#,
/// ).unwrap();
/// assert_eq!(refused.outcome(price), CheckOutcome::Cancelled);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// Code `00`, status `ACCEPTED`, and exactly the expected amount and
    /// currency: the one answer under which an order may be delivered.
    Accepted,
    /// Code `00` and status `ACCEPTED`, but for other money than expected (or
    /// none readable): never delivered, left for a human.
    Mismatch {
        /// What differs, for the log and the payment's `status_reason`
        /// (for example "amount mismatch: CinetPay reported 995 XOF, the
        /// payment is 1000 XOF").
        reason: String,
    },
    /// The payment failed. It may still be reported accepted later.
    Refused,
    /// The payment was cancelled (code `627 TRANSACTION_CANCEL`, or status
    /// `CANCELED`/`CANCELLED`). It may still be reported accepted later.
    Cancelled,
    /// Not finished: the customer or the operator has yet to act. Wait for the
    /// next notification, return or reconciliation.
    Pending,
    /// CinetPay refused the check request itself (bad api key, site id...):
    /// says nothing about the payment; a human must fix the configuration.
    RequestError,
    /// An undocumented code, or an answer that contradicts itself or cannot
    /// be verified (for example `00` without `status`). Says nothing about the
    /// payment: keep its status and log the answer.
    Unknown,
}

/// `data.status`, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Absent,
    Accepted,
    Refused,
    Cancelled,
    Waiting,
}

fn status(data: Option<&CheckData>) -> Status {
    let Some(raw) = data.and_then(|d| d.status.as_deref()).map(str::trim) else {
        return Status::Absent;
    };
    if raw.is_empty() {
        Status::Absent
    } else if raw.eq_ignore_ascii_case("ACCEPTED") {
        Status::Accepted
    } else if raw.eq_ignore_ascii_case("REFUSED") {
        Status::Refused
    } else if raw.eq_ignore_ascii_case("CANCELED") || raw.eq_ignore_ascii_case("CANCELLED") {
        Status::Cancelled
    } else {
        Status::Waiting
    }
}

impl Envelope<CheckData> {
    /// What this check answer means for a payment of `expected` money: see
    /// [`CheckOutcome`].
    pub fn outcome(&self, expected: Money) -> CheckOutcome {
        let code = self.result_code();
        let status = status(self.data.as_ref());
        match (code.class(), status) {
            (CodeClass::Success, Status::Accepted) => self.accepted(expected),
            (CodeClass::Success, Status::Waiting) => CheckOutcome::Pending,
            (CodeClass::Success, _) => CheckOutcome::Unknown,
            (CodeClass::Pending, _) => CheckOutcome::Pending,
            (CodeClass::PaymentFailed, Status::Waiting) => CheckOutcome::Pending,
            (CodeClass::PaymentFailed, Status::Accepted) => CheckOutcome::Unknown,
            (CodeClass::PaymentFailed, Status::Cancelled) => CheckOutcome::Cancelled,
            (CodeClass::PaymentFailed, Status::Absent | Status::Refused) if code == "627" => {
                CheckOutcome::Cancelled
            }
            (CodeClass::PaymentFailed, Status::Absent | Status::Refused) => CheckOutcome::Refused,
            (CodeClass::RequestError, _) => CheckOutcome::RequestError,
            (CodeClass::Created | CodeClass::Unknown, _) => CheckOutcome::Unknown,
        }
    }

    /// A success: `Accepted` only for exactly the expected money.
    fn accepted(&self, expected: Money) -> CheckOutcome {
        let data = self.data.as_ref();
        let amount_ok = data.and_then(CheckData::reported_amount) == Some(expected.amount.get());
        let currency_ok = data.and_then(CheckData::reported_currency) == Some(expected.currency);
        let what = match (amount_ok, currency_ok) {
            (true, true) => return CheckOutcome::Accepted,
            (false, true) => "amount",
            (true, false) => "currency",
            (false, false) => "amount and currency",
        };
        let raw = |v: Option<&String>| {
            v.map(|s| s.trim().chars().take(32).collect::<String>())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<none>".to_owned())
        };
        CheckOutcome::Mismatch {
            reason: format!(
                "{what} mismatch: CinetPay reported {} {}, the payment is {} {}",
                raw(data.and_then(|d| d.amount.as_ref())),
                raw(data.and_then(|d| d.currency.as_ref())),
                expected.amount,
                expected.currency
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::values::{Amount, Currency};

    fn price() -> Money {
        Money::new(Amount::new(1000).unwrap(), Currency::Xof)
    }

    fn check(code: &str, status: Option<&str>) -> Envelope<CheckData> {
        Envelope {
            code: code.to_owned(),
            message: String::new(),
            description: None,
            data: Some(CheckData {
                amount: Some("1000".into()),
                currency: Some("XOF".into()),
                status: status.map(str::to_owned),
                ..CheckData::default()
            }),
            api_response_id: None,
        }
    }

    #[test]
    fn success_needs_code_00_and_status_accepted() {
        let accepted = CheckOutcome::Accepted;
        assert_eq!(check("00", Some("ACCEPTED")).outcome(price()), accepted);
        assert_eq!(check(" 00 ", Some(" accepted ")).outcome(price()), accepted);
        assert_eq!(check("00", None).outcome(price()), CheckOutcome::Unknown);
        assert_eq!(
            check("00", Some("")).outcome(price()),
            CheckOutcome::Unknown
        );
        assert_eq!(
            check("00", Some("REFUSED")).outcome(price()),
            CheckOutcome::Unknown
        );
        assert_eq!(
            check("00", Some("CANCELED")).outcome(price()),
            CheckOutcome::Unknown
        );
        assert_eq!(
            check("00", Some("WAITING_FOR_CUSTOMER")).outcome(price()),
            CheckOutcome::Pending
        );
        // The 2021 success literal and other near misses are not success.
        for code in ["0", "000", "SUCCES", "SUCCESS", "201"] {
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(price()),
                CheckOutcome::Unknown
            );
        }
        let mut no_data = check("00", Some("ACCEPTED"));
        no_data.data = None;
        assert_eq!(no_data.outcome(price()), CheckOutcome::Unknown);
    }

    #[test]
    fn pending_codes_stay_pending_whatever_the_status() {
        for code in ["623", "662", "663", "664"] {
            for status in [None, Some("ACCEPTED"), Some("REFUSED"), Some("PENDING")] {
                assert_eq!(check(code, status).outcome(price()), CheckOutcome::Pending);
            }
        }
    }

    #[test]
    fn failures_are_final_unless_the_status_still_waits() {
        for code in [
            "600", "602", "604", "606", "625", "807", "808", "809", "810", "811", "812",
        ] {
            assert_eq!(
                check(code, Some("REFUSED")).outcome(price()),
                CheckOutcome::Refused,
                "{code}"
            );
            assert_eq!(check(code, None).outcome(price()), CheckOutcome::Refused);
            assert_eq!(
                check(code, Some("WAITING_FOR_CUSTOMER")).outcome(price()),
                CheckOutcome::Pending
            );
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(price()),
                CheckOutcome::Unknown
            );
        }
        assert_eq!(
            check("627", Some("REFUSED")).outcome(price()),
            CheckOutcome::Cancelled
        );
        assert_eq!(
            check("600", Some("CANCELLED")).outcome(price()),
            CheckOutcome::Cancelled
        );
    }

    #[test]
    fn request_errors_and_unknown_codes_say_nothing_about_the_payment() {
        for code in ["608", "609", "613", "624", "603", "804"] {
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(price()),
                CheckOutcome::RequestError
            );
        }
        for code in ["999", "", "201"] {
            assert_eq!(
                check(code, Some("REFUSED")).outcome(price()),
                CheckOutcome::Unknown
            );
        }
    }

    #[test]
    fn accepted_needs_the_exact_amount_and_currency() {
        let mismatch = |check: &Envelope<CheckData>, start: &str| match check.outcome(price()) {
            CheckOutcome::Mismatch { reason } => assert!(reason.starts_with(start), "{reason}"),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            check("00", Some("ACCEPTED")).outcome(price()),
            CheckOutcome::Accepted
        );
        assert_eq!(
            check("00", Some("accepted")).outcome(price()),
            CheckOutcome::Accepted
        );
        let mut other = check("00", Some("ACCEPTED"));
        other.data.as_mut().unwrap().currency = Some("XAF".into());
        mismatch(&other, "currency mismatch");
        other.data.as_mut().unwrap().currency = None;
        mismatch(&other, "currency mismatch: CinetPay reported 1000 <none>");
        let mut cheaper = check("00", Some("ACCEPTED"));
        cheaper.data.as_mut().unwrap().amount = Some("995".into());
        mismatch(
            &cheaper,
            "amount mismatch: CinetPay reported 995 XOF, the payment is 1000 XOF",
        );
        cheaper.data.as_mut().unwrap().amount = Some("1000.00".into());
        assert_eq!(cheaper.outcome(price()), CheckOutcome::Accepted);
        cheaper.data.as_mut().unwrap().amount = Some("1000.5".into());
        mismatch(&cheaper, "amount mismatch");
        cheaper.data.as_mut().unwrap().amount = None;
        mismatch(&cheaper, "amount mismatch: CinetPay reported <none>");
        cheaper.data.as_mut().unwrap().currency = Some("EUR".into());
        mismatch(&cheaper, "amount and currency");
    }
}
