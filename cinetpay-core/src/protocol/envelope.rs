use serde::{Deserialize, Deserializer, Serialize};

use super::{CodeClass, ResultCode};

/// CinetPay's response envelope: `{code, message, description, data, api_response_id}`.
///
/// Parsing is tolerant of what the real API sends:
///
/// * `code` may be a JSON string or a number (`624` as well as `"624"`);
/// * `message`, `description` and `api_response_id` may be absent, `null`
///   or numbers;
/// * `data` is absent on errors; `null`, `[]`, `""`, and a `data` whose shape
///   does not fit `T` all read as `None` (the code is what tells what
///   happened, so a malformed payload never hides it);
/// * unknown fields are ignored.
///
/// The raw `code` is kept as received; [`Envelope::result_code`] gives the
/// typed code and its [class](CodeClass). For check answers,
/// [`Envelope::outcome`](Envelope#method.outcome) classifies the payment.
///
/// ```
/// use cinetpay_core::protocol::{CodeClass, Envelope, InitData};
/// let e: Envelope<InitData> = serde_json::from_str(
///     r#"{"code":624,"message":"UNKNOWN_ERROR","description":"bad key","api_response_id":"1.2"}"#,
/// ).unwrap();
/// assert_eq!(e.code, "624");
/// assert_eq!(e.result_code().class(), CodeClass::RequestError);
/// assert!(e.data.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct Envelope<T> {
    /// Result code (`"00"`, `"201"`, `"627"`...).
    #[serde(deserialize_with = "lenient_string")]
    pub code: String,
    /// Symbolic message (`SUCCES`, `CREATED`, `TRANSACTION_CANCEL`...).
    #[serde(default, deserialize_with = "lenient_opt_string_default")]
    pub message: String,
    /// Human-readable description, when sent.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub description: Option<String>,
    /// The payload, absent (or `null`, or `[]`) on errors.
    #[serde(default = "none", deserialize_with = "lenient_data")]
    pub data: Option<T>,
    /// CinetPay's response id.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub api_response_id: Option<String>,
}

impl<T> Envelope<T> {
    /// The typed result code (white space trimmed; unknown codes kept).
    pub fn result_code(&self) -> ResultCode {
        ResultCode::new(self.code.as_str())
    }

    /// The class of the result code.
    pub fn class(&self) -> CodeClass {
        self.result_code().class()
    }
}

fn none<T>() -> Option<T> {
    None
}

/// A string that CinetPay may send as a JSON string, number or boolean.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, found {}",
            kind(&other)
        ))),
    }
}

/// Like [`lenient_opt_string`], with blank strings (`""`, `" "`) as `None` too:
/// CinetPay sends `payment_date: " "` for an unpaid payment.
pub(crate) fn lenient_opt_nonblank<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(lenient_opt_string(d)?.filter(|s| !s.trim().is_empty()))
}

/// Like [`lenient_string`], with `null` (and absence, via `default`) as `None`.
pub(crate) fn lenient_opt_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        serde_json::Value::Bool(b) => Ok(Some(b.to_string())),
        // Objects and arrays (metadata sent as JSON) are kept as their JSON text.
        other => Ok(Some(other.to_string())),
    }
}

fn lenient_opt_string_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_opt_string(d)?.unwrap_or_default())
}

fn lenient_data<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(a) if a.is_empty() => Ok(None),
        serde_json::Value::String(s) if s.is_empty() => Ok(None),
        serde_json::Value::Object(o) if o.is_empty() => Ok(None),
        v => match T::deserialize(v) {
            Ok(data) => Ok(Some(data)),
            Err(e) => {
                // The code still says what happened; do not lose it because the
                // payload has an unexpected shape.
                tracing::warn!(error = %e, "CinetPay answer has a `data` of unexpected shape; ignored");
                Ok(None)
            }
        },
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
