//! The 2026 API's result codes (`docs/rest-api-2026.md` §5), read from the
//! `code` field (a number or a string of digits) and the `status` text.

use serde::Deserialize;

/// A result code as CinetPay sent it: a number (`100`) or a string (`"100"`),
/// kept as trimmed text so that an unknown code is kept, never rejected.
///
/// ```
/// use cinetpay_core::rest::{RestCode, RestCodeClass};
/// let code: RestCode = serde_json::from_str("100").unwrap();
/// assert_eq!(code.class(), RestCodeClass::Success);
/// let code: RestCode = serde_json::from_str(r#"" 2001 ""#).unwrap();
/// assert_eq!(code.as_str(), "2001");
/// assert_eq!(code.class(), RestCodeClass::Pending);
/// let code: RestCode = serde_json::from_str("4242").unwrap();
/// assert_eq!(code.class(), RestCodeClass::Unknown);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RestCode(String);

impl<'de> Deserialize<'de> for RestCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(RestCode(match value {
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }))
    }
}

impl std::fmt::Display for RestCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a result code means, by the table of `docs/rest-api-2026.md` §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestCodeClass {
    /// `200 OK`: a login, init or balance went through.
    Ok,
    /// `100 SUCCESS`: the payment succeeded.
    Success,
    /// `2001 INITIATED`, `2002 PENDING`: not finished.
    Pending,
    /// `2003 EXPIRED`: the sources contradict each other (pending for the
    /// Python, PHP and JS SDKs, terminal for Flutter, failed for shops).
    /// cinetpay-rs treats it as a failure that may still become a success
    /// (like `refused`): polling goes on within its window, and a later
    /// `100` is accepted.
    Expired,
    /// A payment failure: `2004 OTP_ERROR`, `2005 INSUFFICIENT_BALANCE`,
    /// `2006 USER_NOT_FOUND`, `2007 USER_IS_BLOCKED`, `2008 OTP_EXPIRED`,
    /// `2010 FAILED`, `2011 NOT_ALLOWED`.
    Failed,
    /// `1002 INVALID_TOKEN`, `1003 EXPIRED_TOKEN`: log in again.
    Token,
    /// A refused request: `1004 INVALID_PARAMS`, `1005 INVALID_CREDENTIALS`.
    RequestError,
    /// `1200 TRANSACTION_EXIST`: the merchant transaction id is taken.
    TransactionExists,
    /// `404 NOT_FOUND`: CinetPay knows no such transaction.
    NotFound,
    /// `-1 OPERATION_ERROR`, or a code not in the table: says nothing.
    Unknown,
}

impl RestCode {
    /// A code from text (trimmed).
    pub fn new(code: impl Into<String>) -> Self {
        RestCode(code.into().trim().to_owned())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code's class.
    pub fn class(&self) -> RestCodeClass {
        match self.0.as_str() {
            "200" => RestCodeClass::Ok,
            "100" => RestCodeClass::Success,
            "2001" | "2002" => RestCodeClass::Pending,
            "2003" => RestCodeClass::Expired,
            "2004" | "2005" | "2006" | "2007" | "2008" | "2010" | "2011" => RestCodeClass::Failed,
            "1002" | "1003" => RestCodeClass::Token,
            "1004" | "1005" => RestCodeClass::RequestError,
            "1200" => RestCodeClass::TransactionExists,
            "404" => RestCodeClass::NotFound,
            _ => RestCodeClass::Unknown,
        }
    }
}

/// Whether a code or status text says the bearer token is invalid or expired.
pub(crate) fn is_token_error(code: &str, status: &str) -> bool {
    matches!(code.trim(), "1002" | "1003")
        || ["INVALID_TOKEN", "EXPIRED_TOKEN"]
            .iter()
            .any(|s| status.trim().eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_table_has_its_class() {
        let table = [
            ("200", RestCodeClass::Ok),
            ("100", RestCodeClass::Success),
            ("-1", RestCodeClass::Unknown),
            ("404", RestCodeClass::NotFound),
            ("1002", RestCodeClass::Token),
            ("1003", RestCodeClass::Token),
            ("1004", RestCodeClass::RequestError),
            ("1005", RestCodeClass::RequestError),
            ("1200", RestCodeClass::TransactionExists),
            ("2001", RestCodeClass::Pending),
            ("2002", RestCodeClass::Pending),
            ("2003", RestCodeClass::Expired),
            ("2004", RestCodeClass::Failed),
            ("2005", RestCodeClass::Failed),
            ("2006", RestCodeClass::Failed),
            ("2007", RestCodeClass::Failed),
            ("2008", RestCodeClass::Failed),
            ("2010", RestCodeClass::Failed),
            ("2011", RestCodeClass::Failed),
            ("", RestCodeClass::Unknown),
            ("00", RestCodeClass::Unknown),
        ];
        for (code, class) in table {
            assert_eq!(RestCode::new(code).class(), class, "{code}");
        }
        assert!(is_token_error("", " expired_token "));
        assert!(is_token_error("1002", ""));
        assert!(!is_token_error("1004", "INVALID_PARAMS"));
    }
}
