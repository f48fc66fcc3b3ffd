//! The result codes the sandbox answers, with their documented messages
//! (docs/checkout-v2.md §2.4).
//!
//! The sandbox keeps its own table rather than `cinetpay_core`'s: the core's
//! classification of codes is part of what the sandbox tests, so a mistake
//! there must not be echoed back here.

/// What a code means when the sandbox answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `00`, `201`.
    Success,
    /// The customer has not finished.
    Pending,
    /// The payment failed for good.
    Failure,
    /// The request was refused.
    Refusal,
}

const TABLE: &[(&str, &str, Kind)] = &[
    ("00", "SUCCES", Kind::Success),
    ("201", "CREATED", Kind::Success),
    ("600", "PAYMENT_FAILED", Kind::Failure),
    ("602", "INSUFFICIENT_BALANCE", Kind::Failure),
    ("604", "OTP_CODE_ERROR", Kind::Failure),
    ("606", "INCORRECT_SETTINGS", Kind::Failure),
    ("608", "MINIMUM_REQUIRED_FIELDS", Kind::Refusal),
    ("609", "AUTH_NOT_FOUND", Kind::Refusal),
    ("611", "ERROR_AMOUNT_TYPE", Kind::Refusal),
    ("612", "ERROR_CURRENCY_NOTVALID", Kind::Refusal),
    ("613", "ERROR_SITE_ID_NOTVALID", Kind::Refusal),
    ("615", "ERROR_LANGUAGE_NOTVALID", Kind::Refusal),
    ("623", "WAITING_CUSTOMER_TO_VALIDATE", Kind::Pending),
    ("624", "UNKNOWN_ERROR", Kind::Refusal),
    ("625", "ABONNEMENT_OR_TRANSACTIONS_EXPIRED", Kind::Failure),
    ("627", "TRANSACTION_CANCEL", Kind::Failure),
    ("641", "ERROR_AMOUNT_TOO_LOW", Kind::Refusal),
    ("662", "WAITING_CUSTOMER_PAYMENT", Kind::Pending),
    ("663", "WAITING_CUSTOMER_OTP_CODE", Kind::Pending),
    (
        "664",
        "WAITING_CUSTOMER_PAYMENT_AT_OPERATOR_SIDE",
        Kind::Pending,
    ),
    ("807", "DAILY_MAX_NUMBER_TRANSACTION_REACHED", Kind::Failure),
    ("808", "DAILY_MAX_AMOUNT_TRANSACTION_REACHED", Kind::Failure),
    (
        "809",
        "MONTHLY_MAX_AMOUNT_TRANSACTION_REACHED",
        Kind::Failure,
    ),
    (
        "810",
        "MONTHLY_MAX_NUMBER_TRANSACTION_REACHED",
        Kind::Failure,
    ),
    (
        "811",
        "WEEKLY_MAX_AMOUNT_TRANSACTION_REACHED",
        Kind::Failure,
    ),
    (
        "812",
        "WEEKLY_MAX_NUMBER_TRANSACTION_REACHED",
        Kind::Failure,
    ),
];

/// The documented message of `code` (the code itself if the sandbox does not know it).
pub(crate) fn message(code: &str) -> &str {
    TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(code, |(_, m, _)| m)
}

/// What `code` means; `None` when the sandbox does not answer it.
pub(crate) fn kind(code: &str) -> Option<Kind> {
    TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_documented_spellings() {
        assert_eq!(message("00"), "SUCCES");
        assert_eq!(message("627"), "TRANSACTION_CANCEL");
        assert_eq!(message("999"), "999");
        assert_eq!(kind("663"), Some(Kind::Pending));
        assert_eq!(kind("602"), Some(Kind::Failure));
        assert_eq!(kind(" 602"), None);
    }
}
