//! The 2026 API's JSON bodies, read leniently: numbers or strings for codes
//! and lifetimes, fields at the root or nested (`data`, `details`), unknown
//! fields ignored (`docs/rest-api-2026.md` §3, §4, §9).

use serde::Deserialize;

use super::codes::RestCode;
use crate::values::NotifyToken;

/// A number sent as a number or as a string of digits.
fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `details` of an answer (init, or an error nested there).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Details {
    #[serde(default)]
    pub(crate) code: RestCode,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) must_be_redirected: Option<bool>,
}

/// Any answer's code, status and texts, for errors and token checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Head {
    #[serde(default)]
    pub(crate) code: RestCode,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) details: Option<Details>,
}

impl Head {
    /// Whether this answer says the token is invalid or expired, at the root
    /// or in `details`.
    pub(crate) fn is_token_error(&self) -> bool {
        let root = super::codes::is_token_error(
            self.code.as_str(),
            self.status.as_deref().unwrap_or_default(),
        );
        let nested = self.details.as_ref().is_some_and(|d| {
            super::codes::is_token_error(d.code.as_str(), d.status.as_deref().unwrap_or_default())
        });
        root || nested
    }

    /// The code, status and text that say most: `details`' when the root is
    /// a bare envelope.
    pub(crate) fn summary(&self) -> (String, String, Option<String>) {
        let text = self.description.clone().or_else(|| self.message.clone());
        match &self.details {
            Some(d) if !d.code.as_str().is_empty() && self.code.as_str() == "200" => (
                d.code.as_str().to_owned(),
                d.status.clone().unwrap_or_default(),
                d.message.clone().or(text),
            ),
            _ => (
                self.code.as_str().to_owned(),
                self.status.clone().unwrap_or_default(),
                text,
            ),
        }
    }
}

/// `POST /v1/oauth/login`'s answer: the token at the root (`access_token`)
/// or nested (`data.token`, `data.access_token`), as the SDKs read it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LoginAnswer {
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) data: Option<LoginData>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LoginData {
    #[serde(default)]
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) expires_in: Option<u64>,
}

impl LoginAnswer {
    /// The token and its lifetime in seconds, if the answer has a token.
    pub(crate) fn token(&self) -> Option<(String, Option<u64>)> {
        let nested = self.data.as_ref();
        let token = self
            .access_token
            .clone()
            .or_else(|| nested.and_then(|d| d.access_token.clone()))
            .or_else(|| nested.and_then(|d| d.token.clone()))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())?;
        let lifetime = self
            .expires_in
            .or_else(|| nested.and_then(|d| d.expires_in));
        Some((token, lifetime))
    }
}

/// What `POST /v1/payment` answered for a created payment.
///
/// `notify_token` is a secret: `Debug` does not show it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitAnswer {
    /// The id the merchant sent (`merchant_transaction_id`).
    pub merchant_transaction_id: String,
    /// CinetPay's own id of the payment (`transaction_id`), when sent.
    pub transaction_id: Option<String>,
    /// `payment_token`.
    pub payment_token: String,
    /// The hosted page to send the customer to, exactly as returned.
    pub payment_url: String,
    /// The token a notification about this payment must carry.
    pub notify_token: NotifyToken,
    /// `details.code` (`2001 INITIATED` for a web payment; a direct payment
    /// may end at once, for example `2010 FAILED`).
    pub details_code: String,
    /// `details.must_be_redirected` (absent: `true`).
    pub must_be_redirected: bool,
}

/// The raw init answer, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RawInit {
    #[serde(flatten)]
    pub(crate) head: Head,
    #[serde(default)]
    pub(crate) merchant_transaction_id: Option<String>,
    #[serde(default)]
    pub(crate) transaction_id: Option<String>,
    #[serde(default)]
    pub(crate) payment_token: Option<String>,
    #[serde(default)]
    pub(crate) payment_url: Option<String>,
    #[serde(default)]
    pub(crate) notify_token: Option<String>,
}

/// A notification the 2026 API POSTs to `notify_url`: the payment's ids and
/// its `notify_token`. Anything else in the body (a `status`, the `user`) is
/// ignored: only the status call says what happened.
///
/// ```
/// use cinetpay_core::rest::RestNotification;
/// let n = RestNotification::parse(br#"{"notify_token":"nt-1","merchant_transaction_id":"CP-42",
///     "transaction_id":"27ba","status":"SUCCESS"}"#).unwrap();
/// assert_eq!(n.merchant_transaction_id, "CP-42");
/// let form = RestNotification::parse(b"notify_token=nt-1&merchant_transaction_id=CP-42&transaction_id=27ba").unwrap();
/// assert_eq!(form.transaction_id.as_deref(), Some("27ba"));
/// assert!(RestNotification::parse(br#"{"merchant_transaction_id":"CP-42"}"#).unwrap().notify_token.is_empty());
/// assert!(RestNotification::parse(b"<html>").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct RestNotification {
    /// The token the notification presents (empty when absent: refused).
    #[serde(default)]
    pub notify_token: String,
    /// The merchant's id of the payment.
    pub merchant_transaction_id: String,
    /// CinetPay's id of the payment, when sent.
    #[serde(default)]
    pub transaction_id: Option<String>,
}

impl std::fmt::Debug for RestNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestNotification")
            .field("notify_token", &"<redacted>")
            .field("merchant_transaction_id", &self.merchant_transaction_id)
            .field("transaction_id", &self.transaction_id)
            .finish()
    }
}

impl RestNotification {
    /// Reads a JSON object, or form fields, whatever the content type said
    /// (`docs/rest-api-2026.md` §6: the content type is not documented).
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let trimmed = body.trim_ascii_start();
        if trimmed.starts_with(b"{") {
            serde_json::from_slice(trimmed).map_err(|e| format!("not a notification: {e}"))
        } else {
            serde_urlencoded::from_bytes(body).map_err(|e| format!("not a notification: {e}"))
        }
    }
}
