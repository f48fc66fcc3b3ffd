//! `GET /v1/payment/{id}`'s answer, and what it means for one stored payment.

use serde::Deserialize;

use super::codes::{RestCode, RestCodeClass};
use crate::protocol::CheckOutcome;

/// What the status call answered (HTTP 2xx, any code).
///
/// ```
/// use cinetpay_core::protocol::CheckOutcome;
/// use cinetpay_core::rest::StatusAnswer;
/// let answer: StatusAnswer = serde_json::from_str(r#"{"code":100,"status":"SUCCESS",
///     "merchant_transaction_id":"CP-42","transaction_id":"27ba","user":{"name":"Awa"}}"#).unwrap();
/// assert_eq!(answer.outcome("CP-42", Some("27ba")), CheckOutcome::Accepted);
/// // Another payment's answer changes nothing.
/// assert_eq!(answer.outcome("CP-43", Some("27ba")), CheckOutcome::Unknown);
/// assert_eq!(answer.outcome("CP-42", Some("ffff")), CheckOutcome::Unknown);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct StatusAnswer {
    /// The result code (`100`, `2001`, …; unknown codes are kept).
    #[serde(default)]
    pub code: RestCode,
    /// The status text (`SUCCESS`, `PENDING`, …).
    #[serde(default)]
    pub status: String,
    /// The merchant's id of the payment, as CinetPay knows it.
    #[serde(default)]
    pub merchant_transaction_id: Option<String>,
    /// CinetPay's id of the payment.
    #[serde(default)]
    pub transaction_id: Option<String>,
    /// A message, when given.
    #[serde(default)]
    pub message: Option<String>,
}

impl StatusAnswer {
    /// What this answer means for the payment whose merchant id is
    /// `merchant_id` and whose CinetPay id is `transaction_id` (when known
    /// from the init): the engine's one classification.
    ///
    /// * `100 SUCCESS` with the payment's ids: [`Accepted`](CheckOutcome::Accepted).
    ///   The answer carries no amount or currency: the money is what the
    ///   authenticated init sent.
    /// * an answer whose `merchant_transaction_id` (or `transaction_id`, when
    ///   both sides have one) is another payment's: [`Unknown`](CheckOutcome::Unknown),
    ///   whatever its code; a success without `merchant_transaction_id` too.
    /// * `2001`, `2002`: [`Pending`](CheckOutcome::Pending);
    /// * `2003 EXPIRED` and the failures (`2004`–`2011`): [`Refused`](CheckOutcome::Refused)
    ///   (a later `100` is still accepted);
    /// * `1004`, `1005`: [`RequestError`](CheckOutcome::RequestError);
    /// * `404`, `-1`, codes not in the table: [`Unknown`](CheckOutcome::Unknown).
    pub fn outcome(&self, merchant_id: &str, transaction_id: Option<&str>) -> CheckOutcome {
        let same = |ours: &str, theirs: &Option<String>| {
            theirs.as_deref().map(str::trim).is_none_or(|t| t == ours)
        };
        let merchant_matches = same(merchant_id, &self.merchant_transaction_id);
        let cinetpay_matches = match transaction_id {
            Some(ours) => same(ours, &self.transaction_id),
            None => true,
        };
        if !merchant_matches || !cinetpay_matches {
            return CheckOutcome::Unknown;
        }
        match self.code.class() {
            RestCodeClass::Success if self.merchant_transaction_id.is_some() => {
                CheckOutcome::Accepted
            }
            RestCodeClass::Pending => CheckOutcome::Pending,
            RestCodeClass::Expired | RestCodeClass::Failed => CheckOutcome::Refused,
            RestCodeClass::RequestError => CheckOutcome::RequestError,
            _ => CheckOutcome::Unknown,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn answer(code: &str, merchant: Option<&str>, cinetpay: Option<&str>) -> StatusAnswer {
        StatusAnswer {
            code: RestCode::new(code),
            status: String::new(),
            merchant_transaction_id: merchant.map(str::to_owned),
            transaction_id: cinetpay.map(str::to_owned),
            message: None,
        }
    }

    #[test]
    fn every_code_is_classified_and_foreign_answers_change_nothing() {
        let ours = |code| answer(code, Some("CP-1"), Some("t-1")).outcome("CP-1", Some("t-1"));
        assert_eq!(ours("100"), CheckOutcome::Accepted);
        assert_eq!(ours("2001"), CheckOutcome::Pending);
        assert_eq!(ours("2002"), CheckOutcome::Pending);
        for failed in [
            "2003", "2004", "2005", "2006", "2007", "2008", "2010", "2011",
        ] {
            assert_eq!(ours(failed), CheckOutcome::Refused, "{failed}");
        }
        assert_eq!(ours("1004"), CheckOutcome::RequestError);
        assert_eq!(ours("1005"), CheckOutcome::RequestError);
        for unknown in ["404", "-1", "200", "9999", ""] {
            assert_eq!(ours(unknown), CheckOutcome::Unknown, "{unknown}");
        }
        // Ids: another payment's answer, in either id, changes nothing.
        let foreign = answer("100", Some("CP-2"), Some("t-1"));
        assert_eq!(foreign.outcome("CP-1", Some("t-1")), CheckOutcome::Unknown);
        let other_cinetpay_id = answer("100", Some("CP-1"), Some("t-2"));
        assert_eq!(
            other_cinetpay_id.outcome("CP-1", Some("t-1")),
            CheckOutcome::Unknown
        );
        // A success must name the payment.
        assert_eq!(
            answer("100", None, Some("t-1")).outcome("CP-1", Some("t-1")),
            CheckOutcome::Unknown
        );
        // Before the init answered, CinetPay's id is not known: the merchant id decides.
        assert_eq!(
            answer("100", Some("CP-1"), Some("t-9")).outcome("CP-1", None),
            CheckOutcome::Accepted
        );
        let parsed: StatusAnswer = serde_json::from_str(
            r#"{"code":"2003","status":"EXPIRED","merchant_transaction_id":"CP-1"}"#,
        )
        .unwrap();
        assert_eq!(parsed.outcome("CP-1", None), CheckOutcome::Refused);
    }
}
