//! What a `/v2/payment/check` answer means for the payment.

use super::{CheckData, CodeClass, Envelope};
use crate::values::{Currency, Money};

/// The meaning of a `/v2/payment/check` answer, as the engine must act on it.
///
/// Built by [`Envelope::outcome`](Envelope#method.outcome) from the result
/// code's [class](CodeClass) and `data.status`:
///
/// | code class | `data.status` | outcome |
/// |---|---|---|
/// | success (`00`) | `ACCEPTED` | [`Accepted`](Self::Accepted) |
/// | success (`00`) | a waiting status (anything but the ones below) | [`Pending`](Self::Pending) |
/// | success (`00`) | absent (2021 shape), `REFUSED`, `CANCELED` | [`Unknown`](Self::Unknown): contradictory or unverifiable |
/// | pending (623, 662, 663, 664) | any | [`Pending`](Self::Pending) |
/// | payment failed (600, 602, 627, 807...) | absent, `REFUSED`, `CANCELED`/`CANCELLED` | [`Failed`](Self::Failed) |
/// | payment failed | a waiting status | [`Pending`](Self::Pending) (push operators report failure first) |
/// | payment failed | `ACCEPTED` | [`Unknown`](Self::Unknown): contradictory |
/// | request error (608, 609, 624...) | any | [`RequestError`](Self::RequestError) |
/// | `201` or a code not in the table | any | [`Unknown`](Self::Unknown) |
///
/// `status` is compared trimmed and case-insensitively. Only `Accepted` may
/// lead to fulfilment, and only after [`CheckOutcome::confirms`] says the
/// amount and currency are the stored ones. `Failed` is final for CinetPay but
/// not for the merchant: a later check may still say `Accepted`.
///
/// ```
/// use cinetpay_core::{Amount, Currency, Money};
/// use cinetpay_core::protocol::{CheckData, CheckOutcome, Envelope};
/// let body = r#"{"code":"00","message":"SUCCES","data":{"amount":"1000","currency":"XOF",
///     "status":"ACCEPTED","payment_date":"2022-09-15 22:57:15"}}"#;
/// let check: Envelope<CheckData> = serde_json::from_str(body).unwrap();
/// let outcome = check.outcome();
/// assert_eq!(outcome, CheckOutcome::Accepted { amount: Some(1000), currency: Some(Currency::Xof) });
/// assert!(outcome.confirms(Money::new(Amount::new(1000).unwrap(), Currency::Xof)));
/// assert!(!outcome.confirms(Money::new(Amount::new(1500).unwrap(), Currency::Xof)));
///
/// let refused: Envelope<CheckData> = serde_json::from_str(
///     r#"{"code":"627","message":"TRANSACTION_CANCEL","data":{"status":"REFUSED","payment_date":" "}}"#,
/// ).unwrap();
/// assert_eq!(refused.outcome(), CheckOutcome::Failed { cancelled: true });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// Code `00` and status `ACCEPTED`: CinetPay says the customer paid.
    /// The amount and currency are what CinetPay reports (`None` when absent
    /// or unreadable); compare them with the stored payment
    /// ([`CheckOutcome::confirms`]) before delivering anything.
    Accepted {
        /// `data.amount` as a whole number ([`CheckData::reported_amount`]).
        amount: Option<i64>,
        /// `data.currency` ([`CheckData::reported_currency`]).
        currency: Option<Currency>,
    },
    /// Not finished: the customer or the operator has yet to act. Wait for the
    /// next notification, return or reconciliation.
    Pending,
    /// The payment failed or was cancelled (`cancelled` for code `627`
    /// `TRANSACTION_CANCEL` or status `CANCELED`/`CANCELLED`). It may still be
    /// reported accepted later.
    Failed {
        /// Cancelled rather than refused.
        cancelled: bool,
    },
    /// CinetPay refused the check request itself (bad api key, site id...):
    /// says nothing about the payment; a human must fix the configuration.
    RequestError,
    /// An undocumented code, or an answer that contradicts itself or cannot
    /// be verified (for example `00` without `status`). Says nothing about the
    /// payment: keep its status and log the answer.
    Unknown,
}

impl CheckOutcome {
    /// True only for [`Accepted`](Self::Accepted) with exactly this amount and
    /// currency: the one condition under which an order may be delivered.
    pub fn confirms(&self, expected: Money) -> bool {
        matches!(
            self,
            CheckOutcome::Accepted { amount: Some(a), currency: Some(c) }
                if *a == expected.amount.get() && *c == expected.currency
        )
    }

    /// `Accepted`, whatever the amount.
    pub fn is_accepted(&self) -> bool {
        matches!(self, CheckOutcome::Accepted { .. })
    }
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
    /// What this check answer means for the payment: see [`CheckOutcome`].
    pub fn outcome(&self) -> CheckOutcome {
        let code = self.result_code();
        let status = status(self.data.as_ref());
        match (code.class(), status) {
            (CodeClass::Success, Status::Accepted) => CheckOutcome::Accepted {
                amount: self.data.as_ref().and_then(CheckData::reported_amount),
                currency: self.data.as_ref().and_then(CheckData::reported_currency),
            },
            (CodeClass::Success, Status::Waiting) => CheckOutcome::Pending,
            (CodeClass::Success, _) => CheckOutcome::Unknown,
            (CodeClass::Pending, _) => CheckOutcome::Pending,
            (CodeClass::PaymentFailed, Status::Waiting) => CheckOutcome::Pending,
            (CodeClass::PaymentFailed, Status::Accepted) => CheckOutcome::Unknown,
            (CodeClass::PaymentFailed, Status::Cancelled) => {
                CheckOutcome::Failed { cancelled: true }
            }
            (CodeClass::PaymentFailed, Status::Absent | Status::Refused) => CheckOutcome::Failed {
                cancelled: code == "627",
            },
            (CodeClass::RequestError, _) => CheckOutcome::RequestError,
            (CodeClass::Created | CodeClass::Unknown, _) => CheckOutcome::Unknown,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::values::Amount;

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
        let accepted = CheckOutcome::Accepted {
            amount: Some(1000),
            currency: Some(Currency::Xof),
        };
        assert_eq!(check("00", Some("ACCEPTED")).outcome(), accepted);
        assert_eq!(check(" 00 ", Some(" accepted ")).outcome(), accepted);
        assert_eq!(check("00", None).outcome(), CheckOutcome::Unknown);
        assert_eq!(check("00", Some("")).outcome(), CheckOutcome::Unknown);
        assert_eq!(
            check("00", Some("REFUSED")).outcome(),
            CheckOutcome::Unknown
        );
        assert_eq!(
            check("00", Some("CANCELED")).outcome(),
            CheckOutcome::Unknown
        );
        assert_eq!(
            check("00", Some("WAITING_FOR_CUSTOMER")).outcome(),
            CheckOutcome::Pending
        );
        // The 2021 success literal and other near misses are not success.
        for code in ["0", "000", "SUCCES", "SUCCESS", "201"] {
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(),
                CheckOutcome::Unknown
            );
        }
        let mut no_data = check("00", Some("ACCEPTED"));
        no_data.data = None;
        assert_eq!(no_data.outcome(), CheckOutcome::Unknown);
    }

    #[test]
    fn pending_codes_stay_pending_whatever_the_status() {
        for code in ["623", "662", "663", "664"] {
            for status in [None, Some("ACCEPTED"), Some("REFUSED"), Some("PENDING")] {
                assert_eq!(check(code, status).outcome(), CheckOutcome::Pending);
            }
        }
    }

    #[test]
    fn failures_are_final_unless_the_status_still_waits() {
        for code in [
            "600", "602", "604", "606", "625", "807", "808", "809", "810", "811", "812",
        ] {
            assert_eq!(
                check(code, Some("REFUSED")).outcome(),
                CheckOutcome::Failed { cancelled: false },
                "{code}"
            );
            assert_eq!(
                check(code, None).outcome(),
                CheckOutcome::Failed { cancelled: false }
            );
            assert_eq!(
                check(code, Some("WAITING_FOR_CUSTOMER")).outcome(),
                CheckOutcome::Pending
            );
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(),
                CheckOutcome::Unknown
            );
        }
        assert_eq!(
            check("627", Some("REFUSED")).outcome(),
            CheckOutcome::Failed { cancelled: true }
        );
        assert_eq!(
            check("600", Some("CANCELLED")).outcome(),
            CheckOutcome::Failed { cancelled: true }
        );
    }

    #[test]
    fn request_errors_and_unknown_codes_say_nothing_about_the_payment() {
        for code in ["608", "609", "613", "624", "603", "804"] {
            assert_eq!(
                check(code, Some("ACCEPTED")).outcome(),
                CheckOutcome::RequestError
            );
        }
        for code in ["999", "", "201"] {
            assert_eq!(
                check(code, Some("REFUSED")).outcome(),
                CheckOutcome::Unknown
            );
        }
    }

    #[test]
    fn confirms_needs_the_exact_amount_and_currency() {
        let price = Money::new(Amount::new(1000).unwrap(), Currency::Xof);
        assert!(check("00", Some("ACCEPTED")).outcome().confirms(price));
        let mut other = check("00", Some("ACCEPTED"));
        other.data.as_mut().unwrap().currency = Some("XAF".into());
        assert!(!other.outcome().confirms(price));
        assert!(other.outcome().is_accepted());
        other.data.as_mut().unwrap().currency = None;
        assert!(!other.outcome().confirms(price));
        let mut cheaper = check("00", Some("ACCEPTED"));
        cheaper.data.as_mut().unwrap().amount = Some("995".into());
        assert!(!cheaper.outcome().confirms(price));
        cheaper.data.as_mut().unwrap().amount = Some("1000.5".into());
        assert!(!cheaper.outcome().confirms(price));
        assert!(!CheckOutcome::Pending.confirms(price));
        assert!(!CheckOutcome::Failed { cancelled: false }.confirms(price));
    }
}
