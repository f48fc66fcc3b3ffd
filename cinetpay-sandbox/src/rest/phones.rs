//! CinetPay's documented test phone numbers (docs/rest-api-2026.md §8) and
//! what paying with one does: on the hosted page of a 2026 payment, and for a
//! direct payment at init.

use std::sync::Arc;

use crate::decision::Decision;
use crate::drive;
use crate::error::SandboxError;
use crate::operator::Operator;
use crate::payment::PaymentSnapshot;
use crate::state::Shared;

/// What a test number does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Success,
    PendingThenSuccess,
    Failure,
    PendingThenFailure,
    PendingForever,
}

/// The payment test numbers, their behaviour and a label for the page.
pub(crate) const TEST_NUMBERS: [(&str, Behaviour, &str, &str); 5] = [
    (
        "+2250707070700",
        Behaviour::Success,
        "succès immédiat",
        "immediate success",
    ),
    (
        "+2250707070701",
        Behaviour::PendingThenSuccess,
        "en attente puis succès",
        "pending then success",
    ),
    (
        "+2250707070703",
        Behaviour::Failure,
        "échec immédiat",
        "immediate failure",
    ),
    (
        "+2250707070704",
        Behaviour::PendingThenFailure,
        "en attente puis échec",
        "pending then failure",
    ),
    (
        "+2250707070706",
        Behaviour::PendingForever,
        "en attente sans fin",
        "pending forever",
    ),
];

/// The transfer test number: no special behaviour for payments.
pub(crate) const TRANSFER_TEST_NUMBER: &str = "+2250707000001";

/// A phone as typed (`07 07 07 07 00`, `00225…`, `+225 07…`) in E.164, with
/// `calling_code` for a national number.
pub(crate) fn normalize(phone: &str, calling_code: &str) -> String {
    let plus = phone.trim_start().starts_with('+');
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if plus {
        format!("+{digits}")
    } else if let Some(international) = digits.strip_prefix("00") {
        format!("+{international}")
    } else if digits.starts_with(calling_code) && digits.len() > 10 {
        format!("+{digits}")
    } else {
        format!("+{calling_code}{digits}")
    }
}

/// The behaviour of an E.164 number, when it is a test number.
pub(crate) fn behaviour(e164: &str) -> Option<Behaviour> {
    TEST_NUMBERS
        .iter()
        .find(|(n, ..)| *n == e164)
        .map(|(_, b, ..)| *b)
}

/// The page operator of a `payment_method` (`OM_CI` → Orange Money).
pub(crate) fn operator_of(method: Option<&str>) -> Operator {
    match method.and_then(|m| m.split('_').next()) {
        Some("MTN") => Operator::MtnMomo,
        Some("MOOV") => Operator::MoovFlooz,
        Some("WAVE") => Operator::Wave,
        _ => Operator::OrangeMoney,
    }
}

/// What a number that is not a test number does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Otherwise {
    /// The customer paid (the page's "pay").
    Pay,
    /// Pending, until a test decides (a direct payment's push to a real phone).
    Pending,
}

/// Pays `transaction_id` with `phone`: a test number's behaviour, else
/// `otherwise`. "Pending then …" stays `2002 PENDING` for the sandbox's
/// test-number delay; the notification follows the final state.
pub(crate) fn apply(
    shared: &Arc<Shared>,
    transaction_id: &str,
    phone: &str,
    operator: Operator,
    otherwise: Otherwise,
) -> Result<PaymentSnapshot, SandboxError> {
    let phone = normalize(phone, shared.config.rest.country.calling_code());
    let pay = Decision::Pay {
        operator,
        phone: Some(phone.clone()),
    };
    let fail = Decision::Refuse {
        operator,
        code: "2010".to_owned(),
    };
    let wait = Decision::Wait {
        operator,
        code: "2002".to_owned(),
    };
    let later = |decision: Decision| {
        let scenario = drive::scenario_in_force(shared, transaction_id)?
            .waiting_first(true)
            .interval(shared.config.rest.test_number_delay);
        drive::decide_as(
            shared,
            transaction_id,
            decision,
            Some(scenario),
            Some(phone.clone()),
        )
    };
    let now = |decision: Decision| {
        drive::decide_as(shared, transaction_id, decision, None, Some(phone.clone()))
    };
    tracing::info!(transaction_id, %phone, behaviour = ?behaviour(&phone), "payment with a phone number");
    match behaviour(&phone) {
        Some(Behaviour::Success) => now(pay),
        Some(Behaviour::PendingThenSuccess) => later(pay),
        Some(Behaviour::Failure) => now(fail),
        Some(Behaviour::PendingThenFailure) => later(fail),
        Some(Behaviour::PendingForever) => now(wait),
        None => match otherwise {
            Otherwise::Pay => now(pay),
            Otherwise::Pending => now(wait),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_are_read_as_e164() {
        for typed in [
            "+2250707070700",
            "+225 07 07 07 07 00",
            "002250707070700",
            "0707070700",
            "2250707070700",
        ] {
            assert_eq!(normalize(typed, "225"), "+2250707070700", "{typed}");
        }
        assert_eq!(
            behaviour("+2250707070704"),
            Some(Behaviour::PendingThenFailure)
        );
        assert_eq!(behaviour(TRANSFER_TEST_NUMBER), None);
        assert_eq!(operator_of(Some("WAVE_CI")), Operator::Wave);
        assert_eq!(operator_of(None), Operator::OrangeMoney);
    }
}
