use serde::{Deserialize, Serialize};

use super::envelope::lenient_opt_nonblank;
use crate::values::Currency;

/// The body of `POST /v2/payment/check`.
///
/// `Debug` hides the API key.
///
/// ```
/// use cinetpay_core::protocol::CheckRequest;
/// let req = CheckRequest {
///     apikey: "my-api-key".into(),
///     site_id: "123456".into(),
///     transaction_id: Some("cp-abc".into()),
///     token: None,
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"apikey":"my-api-key","site_id":"123456","transaction_id":"cp-abc"}"#
/// );
/// assert!(!format!("{req:?}").contains("my-api-key"));
/// // The 2021 name of the token is read too.
/// let old: CheckRequest = serde_json::from_str(
///     r#"{"apikey":"k","site_id":"1","payment_token":"tok"}"#,
/// ).unwrap();
/// assert_eq!(old.token.as_deref(), Some("tok"));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequest {
    /// The merchant's API key.
    pub apikey: String,
    /// The merchant's site id.
    pub site_id: String,
    /// Our transaction id (the consistently documented lookup key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The payment token (current docs call it `token`; 2021 docs `payment_token`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "payment_token"
    )]
    pub token: Option<String>,
}

impl std::fmt::Debug for CheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckRequest")
            .field("apikey", &"<redacted>")
            .field("site_id", &self.site_id)
            .field("transaction_id", &self.transaction_id)
            .field("token", &self.token)
            .finish()
    }
}

/// `data` of a check response. Every field is optional and read leniently:
/// numbers are kept as their text (`100` and `"100"` both give `"100"`),
/// `null`, absent and blank values (`payment_date: " "` on a failed payment)
/// are `None`, the 2021 shape (`phone_number`, `phone_prefix`, no `status`)
/// parses, and unknown fields are ignored.
///
/// Do not decide anything from `status` alone: use
/// [`Envelope::outcome`](super::Envelope#method.outcome).
///
/// ```
/// use cinetpay_core::protocol::{CheckData, Envelope};
/// let body = r#"{"code":"00","message":"SUCCES","data":{"amount":"100","currency":"XOF",
///   "status":"ACCEPTED","payment_method":"OM","description":"x","metadata":null,
///   "operator_id":"MP220915.2257.A76307","payment_date":"2022-09-15 22:57:15",
///   "fund_availability_date":"2022-09-17 00:00:00"},"api_response_id":"1663323067.7677"}"#;
/// let e: Envelope<CheckData> = serde_json::from_str(body).unwrap();
/// let data = e.data.unwrap();
/// assert_eq!(data.amount.as_deref(), Some("100"));
/// assert_eq!(data.status.as_deref(), Some("ACCEPTED"));
/// assert!(data.metadata.is_none());
/// assert_eq!(data.reported_amount(), Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckData {
    /// Amount as reported (a string on the wire: `"100"`).
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub amount: Option<String>,
    /// Currency as reported.
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub currency: Option<String>,
    /// `ACCEPTED`, `REFUSED`, or a pending status such as `WAITING_FOR_CUSTOMER`.
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub status: Option<String>,
    /// Operator code (`OM`, `MOMO`, `FLOOZ`, `WAVECI`, `VISAM`...).
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub payment_method: Option<String>,
    /// Echo of the description.
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub description: Option<String>,
    /// Echo of the metadata (`null` when not sent).
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub metadata: Option<String>,
    /// Operator reference (`None` on failure: CinetPay sends `null`).
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub operator_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`; `None` when absent or blank (unpaid).
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub payment_date: Option<String>,
    /// When the funds become available to the merchant.
    #[serde(default, deserialize_with = "lenient_opt_nonblank")]
    pub fund_availability_date: Option<String>,
    /// 2021 shape: the payer's number.
    #[serde(
        default,
        deserialize_with = "lenient_opt_nonblank",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    /// 2021 shape: the payer's country prefix.
    #[serde(
        default,
        deserialize_with = "lenient_opt_nonblank",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_prefix: Option<String>,
}

impl CheckData {
    /// `amount` as an integer: `"100"`, `" 100 "`, `100`, `"100.0"` and
    /// `"100.00"` all give `Some(100)`. `None` when absent, fractional or not a
    /// number: such an answer can never confirm a payment.
    ///
    /// ```
    /// use cinetpay_core::protocol::CheckData;
    /// let mut d = CheckData { amount: Some("2500.00".into()), ..CheckData::default() };
    /// assert_eq!(d.reported_amount(), Some(2500));
    /// d.amount = Some("2500.5".into());
    /// assert_eq!(d.reported_amount(), None);
    /// ```
    pub fn reported_amount(&self) -> Option<i64> {
        parse_whole_amount(self.amount.as_deref()?)
    }

    /// `currency` as a [`Currency`] (trimmed, case-insensitive); `None` when
    /// absent or not one CinetPay Checkout v2 accepts.
    ///
    /// ```
    /// use cinetpay_core::{Currency, protocol::CheckData};
    /// let d = CheckData { currency: Some("xof".into()), ..CheckData::default() };
    /// assert_eq!(d.reported_currency(), Some(Currency::Xof));
    /// ```
    pub fn reported_currency(&self) -> Option<Currency> {
        self.currency
            .as_deref()?
            .trim()
            .to_ascii_uppercase()
            .parse()
            .ok()
    }
}

/// `"100"`, `"100.0"`, `"100.00"` → 100; anything else (sign, exponent,
/// fraction, overflow, empty) → `None`.
fn parse_whole_amount(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (whole, fraction) = match raw.split_once('.') {
        Some((w, f)) => (w, f),
        None => (raw, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b == b'0')
    {
        return None;
    }
    whole.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::protocol::Envelope;

    #[test]
    fn whole_amounts_only() {
        for (raw, want) in [
            ("100", Some(100)),
            (" 100 ", Some(100)),
            ("100.", Some(100)),
            ("100.000", Some(100)),
            ("0", Some(0)),
            ("100.5", None),
            ("-100", None),
            ("+100", None),
            ("1e2", None),
            ("", None),
            (".0", None),
            ("99999999999999999999", None),
            ("١٠٠", None),
        ] {
            assert_eq!(parse_whole_amount(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn blank_and_null_values_are_none() {
        let e: Envelope<CheckData> = serde_json::from_str(
            r#"{"code":"627","message":"TRANSACTION_CANCEL","data":{"amount":100,
            "currency":"XOF","status":"REFUSED","payment_method":"","metadata":null,
            "operator_id":null,"payment_date":" ","fund_availability_date":"2022-09-17 00:00:00",
            "extra":{"nested":[1,2]}}}"#,
        )
        .unwrap();
        let d = e.data.unwrap();
        assert_eq!(d.amount.as_deref(), Some("100"));
        assert_eq!(d.payment_date, None);
        assert_eq!(d.operator_id, None);
        assert_eq!(d.payment_method, None);
        assert_eq!(d.metadata, None);
        assert_eq!(
            d.fund_availability_date.as_deref(),
            Some("2022-09-17 00:00:00")
        );
    }

    #[test]
    fn the_2021_shape_parses() {
        let e: Envelope<CheckData> = serde_json::from_str(
            r#"{"code":"00","message":"SUCCES","data":{"operator_id":"MP1","payment_method":"OM",
            "payment_date":"2021-08-05 10:00:00","phone_number":"0700000000","phone_prefix":225}}"#,
        )
        .unwrap();
        let d = e.data.unwrap();
        assert_eq!(d.phone_number.as_deref(), Some("0700000000"));
        assert_eq!(d.phone_prefix.as_deref(), Some("225"));
        assert_eq!(d.status, None);
        assert_eq!(d.reported_amount(), None);
    }
}
