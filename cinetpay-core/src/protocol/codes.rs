use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// What a CinetPay result code means for the merchant.
///
/// ```
/// use cinetpay_core::protocol::{CodeClass, ResultCode};
/// assert_eq!(ResultCode::new("201").class(), CodeClass::Created);
/// assert_eq!(ResultCode::new("623").class(), CodeClass::Pending);
/// assert_eq!(serde_json::to_string(&CodeClass::PaymentFailed).unwrap(), r#""payment_failed""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeClass {
    /// `00`: the payment succeeded (still check `data.status == ACCEPTED`).
    Success,
    /// `201`: the payment was created (init).
    Created,
    /// The customer has not finished: wait for the next notification.
    Pending,
    /// The payment failed for good (refused, cancelled, limits, balance...).
    PaymentFailed,
    /// The request or the merchant's configuration is wrong (credentials,
    /// fields, site id...): a human must act; retrying will not help.
    RequestError,
    /// A code this library does not know. Treated as non-final.
    Unknown,
}

/// A CinetPay result code, with its documented message and class.
/// Unknown codes are kept as they came (trimmed), never rejected.
///
/// Every code of the table in `docs/checkout-v2.md` §2.4 is known, with its
/// documented message and a [`CodeClass`]. It deserializes from a JSON string
/// or number.
///
/// ```
/// use cinetpay_core::protocol::{CodeClass, ResultCode};
/// let ok = ResultCode::new("00");
/// assert_eq!(ok.class(), CodeClass::Success);
/// assert_eq!(ok.documented_message(), Some("SUCCES"));
/// assert_eq!(ResultCode::new("627").class(), CodeClass::PaymentFailed);
/// assert_eq!(ResultCode::new("662").class(), CodeClass::Pending);
/// assert_eq!(ResultCode::new("609").class(), CodeClass::RequestError);
/// assert_eq!(ResultCode::new("999").class(), CodeClass::Unknown);
/// assert_eq!(ResultCode::new("999").as_str(), "999");
/// let from_number: ResultCode = serde_json::from_str("627").unwrap();
/// assert_eq!(from_number, "627");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ResultCode(String);

impl<'de> Deserialize<'de> for ResultCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::envelope::lenient_string(d).map(ResultCode::new)
    }
}

/// Every documented code: (code, message, class). Source: docs/checkout-v2.md §2.4.
const TABLE: &[(&str, &str, CodeClass)] = &[
    ("00", "SUCCES", CodeClass::Success),
    ("201", "CREATED", CodeClass::Created),
    ("600", "PAYMENT_FAILED", CodeClass::PaymentFailed),
    ("602", "INSUFFICIENT_BALANCE", CodeClass::PaymentFailed),
    ("603", "SERVICE_UNAVAILABLE", CodeClass::RequestError),
    ("604", "OTP_CODE_ERROR", CodeClass::PaymentFailed),
    ("606", "INCORRECT_SETTINGS", CodeClass::PaymentFailed),
    ("608", "MINIMUM_REQUIRED_FIELDS", CodeClass::RequestError),
    ("609", "AUTH_NOT_FOUND", CodeClass::RequestError),
    ("610", "ERROR_PAYMETHOD_NOTFOUND", CodeClass::RequestError),
    ("611", "ERROR_AMOUNT_TYPE", CodeClass::RequestError),
    ("612", "ERROR_CURRENCY_NOTVALID", CodeClass::RequestError),
    ("613", "ERROR_SITE_ID_NOTVALID", CodeClass::RequestError),
    (
        "614",
        "ERROR_FORMAT_TRANSACTION_DATE",
        CodeClass::RequestError,
    ),
    ("615", "ERROR_LANGUAGE_NOTVALID", CodeClass::RequestError),
    ("616", "ERROR_PAGE_ACTION_NOTVALID", CodeClass::RequestError),
    (
        "617",
        "ERROR_PAYMENT_CONFIG_NOTVALID",
        CodeClass::RequestError,
    ),
    ("618", "ERROR_API_VERSION_NOTVALID", CodeClass::RequestError),
    (
        "619",
        "ERROR_SIGNATURE_DONT_MATCHED",
        CodeClass::RequestError,
    ),
    ("620", "ERROR_DOUBLE_PAYEMNT", CodeClass::RequestError),
    ("621", "ERROR_OMPAY_UNAVAILABLE", CodeClass::RequestError),
    ("622", "ERROR_MOMOPAY_UNAVAILABLE", CodeClass::RequestError),
    ("623", "WAITING_CUSTOMER_TO_VALIDATE", CodeClass::Pending),
    ("624", "UNKNOWN_ERROR", CodeClass::RequestError),
    (
        "625",
        "ABONNEMENT_OR_TRANSACTIONS_EXPIRED",
        CodeClass::PaymentFailed,
    ),
    ("626", "ERROR_FLOOZPAY_UNAVAILABLE", CodeClass::RequestError),
    ("627", "TRANSACTION_CANCEL", CodeClass::PaymentFailed),
    ("628", "ERROR_AMOUNT_FORMAT", CodeClass::RequestError),
    (
        "635",
        "ERROR_PHONE_NUMBER_NOT_FOUND",
        CodeClass::RequestError,
    ),
    (
        "636",
        "ERROR_PHONE_NUMBER_NOT_SUPPORTED",
        CodeClass::RequestError,
    ),
    (
        "637",
        "ERROR_PHONE_PREFIX_NOT_SUPPORTED",
        CodeClass::RequestError,
    ),
    ("641", "ERROR_AMOUNT_TOO_LOW", CodeClass::RequestError),
    ("642", "ERROR_AMOUNT_TOO_HIGH", CodeClass::RequestError),
    ("662", "WAITING_CUSTOMER_PAYMENT", CodeClass::Pending),
    ("663", "WAITING_CUSTOMER_OTP_CODE", CodeClass::Pending),
    (
        "664",
        "WAITING_CUSTOMER_PAYMENT_AT_OPERATOR_SIDE",
        CodeClass::Pending,
    ),
    ("804", "OPERATOR_UNAVAILABLE", CodeClass::RequestError),
    (
        "807",
        "DAILY_MAX_NUMBER_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
    (
        "808",
        "DAILY_MAX_AMOUNT_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
    (
        "809",
        "MONTHLY_MAX_AMOUNT_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
    (
        "810",
        "MONTHLY_MAX_NUMBER_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
    (
        "811",
        "WEEKLY_MAX_AMOUNT_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
    (
        "812",
        "WEEKLY_MAX_NUMBER_TRANSACTION_REACHED",
        CodeClass::PaymentFailed,
    ),
];

impl ResultCode {
    /// The success code `00`.
    pub const SUCCESS: &'static str = "00";
    /// The init success code `201`.
    pub const CREATED: &'static str = "201";

    /// Wraps a code as received (surrounding white space trimmed).
    pub fn new(code: impl Into<String>) -> Self {
        let code: String = code.into();
        ResultCode(code.trim().to_owned())
    }

    /// Every documented code.
    pub fn documented() -> impl Iterator<Item = ResultCode> {
        TABLE.iter().map(|(c, _, _)| ResultCode((*c).to_owned()))
    }

    /// The code as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn entry(&self) -> Option<&'static (&'static str, &'static str, CodeClass)> {
        TABLE.iter().find(|(c, _, _)| *c == self.0)
    }

    /// Its class; [`CodeClass::Unknown`] when undocumented.
    pub fn class(&self) -> CodeClass {
        self.entry()
            .map_or(CodeClass::Unknown, |(_, _, class)| *class)
    }

    /// The documented symbolic message (note `SUCCES`, with one S).
    pub fn documented_message(&self) -> Option<&'static str> {
        self.entry().map(|(_, m, _)| *m)
    }

    /// `00`. On a check answer, success also needs `data.status == "ACCEPTED"`:
    /// see [`CheckOutcome`](super::CheckOutcome).
    pub fn is_success(&self) -> bool {
        self.0 == Self::SUCCESS
    }

    /// `201`, the answer to a successful init.
    pub fn is_created(&self) -> bool {
        self.0 == Self::CREATED
    }

    /// Whether this code is in the documented table.
    pub fn is_documented(&self) -> bool {
        self.entry().is_some()
    }
}

impl From<&str> for ResultCode {
    fn from(code: &str) -> Self {
        ResultCode::new(code)
    }
}

impl From<String> for ResultCode {
    fn from(code: String) -> Self {
        ResultCode::new(code)
    }
}

impl std::str::FromStr for ResultCode {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ResultCode::new(s))
    }
}

impl PartialEq<str> for ResultCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ResultCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_a_class_and_message() {
        let codes: Vec<_> = ResultCode::documented().collect();
        assert_eq!(codes.len(), TABLE.len());
        for c in codes {
            assert_ne!(c.class(), CodeClass::Unknown, "{c}");
            assert!(c.documented_message().is_some());
        }
        for pending in ["623", "662", "663", "664"] {
            assert_eq!(ResultCode::new(pending).class(), CodeClass::Pending);
        }
        for failed in ["600", "602", "604", "606", "625", "627", "807", "812"] {
            assert_eq!(ResultCode::new(failed).class(), CodeClass::PaymentFailed);
        }
        for err in ["608", "609", "613", "624"] {
            assert_eq!(ResultCode::new(err).class(), CodeClass::RequestError);
        }
        assert_eq!(ResultCode::new(" 00 ").class(), CodeClass::Success);
        assert_eq!(ResultCode::new("00").documented_message(), Some("SUCCES"));
    }

    /// The table of docs/checkout-v2.md §2.4, row by row: code, message, class.
    #[test]
    fn the_table_matches_the_reference() {
        use CodeClass::*;
        let expected: &[(&str, &str, CodeClass)] = &[
            ("00", "SUCCES", Success),
            ("201", "CREATED", Created),
            ("600", "PAYMENT_FAILED", PaymentFailed),
            ("602", "INSUFFICIENT_BALANCE", PaymentFailed),
            ("603", "SERVICE_UNAVAILABLE", RequestError),
            ("604", "OTP_CODE_ERROR", PaymentFailed),
            ("606", "INCORRECT_SETTINGS", PaymentFailed),
            ("608", "MINIMUM_REQUIRED_FIELDS", RequestError),
            ("609", "AUTH_NOT_FOUND", RequestError),
            ("610", "ERROR_PAYMETHOD_NOTFOUND", RequestError),
            ("611", "ERROR_AMOUNT_TYPE", RequestError),
            ("612", "ERROR_CURRENCY_NOTVALID", RequestError),
            ("613", "ERROR_SITE_ID_NOTVALID", RequestError),
            ("614", "ERROR_FORMAT_TRANSACTION_DATE", RequestError),
            ("615", "ERROR_LANGUAGE_NOTVALID", RequestError),
            ("616", "ERROR_PAGE_ACTION_NOTVALID", RequestError),
            ("617", "ERROR_PAYMENT_CONFIG_NOTVALID", RequestError),
            ("618", "ERROR_API_VERSION_NOTVALID", RequestError),
            ("619", "ERROR_SIGNATURE_DONT_MATCHED", RequestError),
            ("620", "ERROR_DOUBLE_PAYEMNT", RequestError),
            ("621", "ERROR_OMPAY_UNAVAILABLE", RequestError),
            ("622", "ERROR_MOMOPAY_UNAVAILABLE", RequestError),
            ("623", "WAITING_CUSTOMER_TO_VALIDATE", Pending),
            ("624", "UNKNOWN_ERROR", RequestError),
            ("625", "ABONNEMENT_OR_TRANSACTIONS_EXPIRED", PaymentFailed),
            ("626", "ERROR_FLOOZPAY_UNAVAILABLE", RequestError),
            ("627", "TRANSACTION_CANCEL", PaymentFailed),
            ("628", "ERROR_AMOUNT_FORMAT", RequestError),
            ("635", "ERROR_PHONE_NUMBER_NOT_FOUND", RequestError),
            ("636", "ERROR_PHONE_NUMBER_NOT_SUPPORTED", RequestError),
            ("637", "ERROR_PHONE_PREFIX_NOT_SUPPORTED", RequestError),
            ("641", "ERROR_AMOUNT_TOO_LOW", RequestError),
            ("642", "ERROR_AMOUNT_TOO_HIGH", RequestError),
            ("662", "WAITING_CUSTOMER_PAYMENT", Pending),
            ("663", "WAITING_CUSTOMER_OTP_CODE", Pending),
            ("664", "WAITING_CUSTOMER_PAYMENT_AT_OPERATOR_SIDE", Pending),
            ("804", "OPERATOR_UNAVAILABLE", RequestError),
            ("807", "DAILY_MAX_NUMBER_TRANSACTION_REACHED", PaymentFailed),
            ("808", "DAILY_MAX_AMOUNT_TRANSACTION_REACHED", PaymentFailed),
            (
                "809",
                "MONTHLY_MAX_AMOUNT_TRANSACTION_REACHED",
                PaymentFailed,
            ),
            (
                "810",
                "MONTHLY_MAX_NUMBER_TRANSACTION_REACHED",
                PaymentFailed,
            ),
            (
                "811",
                "WEEKLY_MAX_AMOUNT_TRANSACTION_REACHED",
                PaymentFailed,
            ),
            (
                "812",
                "WEEKLY_MAX_NUMBER_TRANSACTION_REACHED",
                PaymentFailed,
            ),
        ];
        assert_eq!(expected.len(), 43);
        assert_eq!(ResultCode::documented().count(), expected.len());
        for (code, message, class) in expected {
            let c = ResultCode::new(*code);
            assert!(c.is_documented(), "{code}");
            assert_eq!(c.documented_message(), Some(*message), "{code}");
            assert_eq!(c.class(), *class, "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_kept_not_rejected() {
        for raw in ["999", "0", "SUCCESS", "", "6270"] {
            let c = ResultCode::new(raw);
            assert_eq!(c.as_str(), raw);
            assert_eq!(c.class(), CodeClass::Unknown);
            assert!(!c.is_documented());
            assert_eq!(c.documented_message(), None);
        }
    }

    #[test]
    fn deserializes_from_strings_and_numbers() {
        let c: ResultCode = serde_json::from_str("\" 627 \"").unwrap();
        assert_eq!(c, "627");
        let c: ResultCode = serde_json::from_str("201").unwrap();
        assert!(c.is_created());
        assert!(serde_json::from_str::<ResultCode>("null").is_err());
        assert!(serde_json::from_str::<ResultCode>("[]").is_err());
        assert_eq!(
            serde_json::to_string(&ResultCode::new("00")).unwrap(),
            "\"00\""
        );
    }
}
