//! The 2026 API's codes (docs/rest-api-2026.md §5), and the 2026 status of
//! a payment's state.
//!
//! Kept apart from the v2 table ([`crate::codes`]): the two generations share
//! a payment model, not a vocabulary.

use crate::codes::Kind;
use crate::payment::PaymentState;

const TABLE: &[(i64, &str, Kind)] = &[
    (200, "OK", Kind::Success),
    (100, "SUCCESS", Kind::Success),
    (-1, "OPERATION_ERROR", Kind::Failure),
    (404, "NOT_FOUND", Kind::Refusal),
    (1002, "INVALID_TOKEN", Kind::Refusal),
    (1003, "EXPIRED_TOKEN", Kind::Refusal),
    (1004, "INVALID_PARAMS", Kind::Refusal),
    (1005, "INVALID_CREDENTIALS", Kind::Refusal),
    (1200, "TRANSACTION_EXIST", Kind::Refusal),
    (2001, "INITIATED", Kind::Pending),
    (2002, "PENDING", Kind::Pending),
    // Contested (docs §5): the sandbox ends the payment with it; whether a
    // client waits on is the client's choice.
    (2003, "EXPIRED", Kind::Failure),
    (2004, "OTP_ERROR", Kind::Failure),
    (2005, "INSUFFICIENT_BALANCE", Kind::Failure),
    (2006, "USER_NOT_FOUND", Kind::Failure),
    (2007, "USER_IS_BLOCKED", Kind::Failure),
    (2008, "OTP_EXPIRED", Kind::Failure),
    (2010, "FAILED", Kind::Failure),
    (2011, "NOT_ALLOWED", Kind::Failure),
];

/// The documented status word of `code` (`UNKNOWN` when not in the table).
pub(crate) fn status(code: i64) -> &'static str {
    TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("UNKNOWN", |(_, s, _)| s)
}

/// What a 2026 code means, given as text (`"2010"`); `None` when unknown.
pub(crate) fn kind(code: &str) -> Option<Kind> {
    let code: i64 = code.trim().parse().ok()?;
    TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, k)| *k)
}

/// The v2 failure code a 2026 one stands for, and back: a refusal decided
/// with a v2 code (`602`) is reported in 2026 terms (`2005`).
fn from_v2_failure(code: &str) -> i64 {
    match code {
        "602" => 2005,
        "604" => 2004,
        "625" => 2003,
        _ => 2010,
    }
}

/// The 2026 code of a state, as `GET /v1/payment/{id}` answers it.
pub(crate) fn of_state(state: &PaymentState) -> i64 {
    match state {
        PaymentState::Created => 2001,
        PaymentState::Waiting { code } if code == "2001" => 2001,
        PaymentState::Waiting { .. } => 2002,
        PaymentState::Accepted => 100,
        PaymentState::Refused { code } => match kind(code) {
            Some(Kind::Failure) => code.trim().parse().unwrap_or(2010),
            _ => from_v2_failure(code),
        },
        PaymentState::Cancelled => 2010,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_to_the_documented_codes() {
        assert_eq!(of_state(&PaymentState::Created), 2001);
        assert_eq!(of_state(&PaymentState::Accepted), 100);
        let waiting = PaymentState::Waiting { code: "662".into() };
        assert_eq!(of_state(&waiting), 2002);
        let refused = |code: &str| PaymentState::Refused { code: code.into() };
        assert_eq!(of_state(&refused("2005")), 2005);
        assert_eq!(of_state(&refused("2003")), 2003);
        assert_eq!(of_state(&refused("600")), 2010);
        assert_eq!(of_state(&refused("602")), 2005);
        assert_eq!(of_state(&PaymentState::Cancelled), 2010);
        assert_eq!(status(2003), "EXPIRED");
        assert_eq!(status(1200), "TRANSACTION_EXIST");
        assert_eq!(kind("2002"), Some(Kind::Pending));
        assert_eq!(kind("100"), Some(Kind::Success));
        assert_eq!(kind("abc"), None);
    }
}
