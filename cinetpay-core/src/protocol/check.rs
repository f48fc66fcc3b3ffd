use serde::{Deserialize, Serialize};

use super::envelope::lenient_opt_string;

/// The body of `POST /v2/payment/check`.
///
/// `Debug` hides the API key.
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
/// numbers as strings, `null`s, a blank `payment_date`, and the 2021 shape
/// (`phone_number`, `phone_prefix`) all parse; unknown fields are ignored.
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
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckData {
    /// Amount as reported (a string on the wire: `"100"`).
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub amount: Option<String>,
    /// Currency as reported.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub currency: Option<String>,
    /// `ACCEPTED`, `REFUSED`, or a pending status such as `WAITING_FOR_CUSTOMER`.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub status: Option<String>,
    /// Operator code (`OM`, `MOMO`, `FLOOZ`, `WAVECI`, `VISAM`...).
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub payment_method: Option<String>,
    /// Echo of the description.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub description: Option<String>,
    /// Echo of the metadata (`null` when not sent).
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub metadata: Option<String>,
    /// Operator reference (`null` on failure).
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub operator_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`, or a single blank when unpaid.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub payment_date: Option<String>,
    /// When the funds become available to the merchant.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub fund_availability_date: Option<String>,
    /// 2021 shape: the payer's number.
    #[serde(
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    /// 2021 shape: the payer's country prefix.
    #[serde(
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_prefix: Option<String>,
}
