//! CinetPay's `/v2/payment/check` answer: any bytes parse or fail without
//! panicking, and an answer is "accepted" only with code `00` and status
//! `ACCEPTED`, and only for that exact amount and currency.
#![no_main]

use cinetpay_core::protocol::{CheckData, CheckOutcome, Envelope};
use cinetpay_core::{Amount, Currency, Money};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Ok(envelope) = serde_json::from_slice::<Envelope<CheckData>>(body) else {
        return;
    };
    let _ = envelope.class();
    let _ = envelope.result_code().documented_message();
    let status = envelope.data.as_ref().and_then(|d| d.status.clone());
    let data = envelope.data.as_ref();
    let amount = data.and_then(|d| d.reported_amount());
    let currency = data.and_then(|d| d.reported_currency());
    for c in Currency::ALL {
        for a in [5, 100, 1000, 1_000_000] {
            let money = Money::new(Amount::new(a).expect("amount"), c);
            let outcome = envelope.outcome(money);
            if matches!(outcome, CheckOutcome::Accepted | CheckOutcome::Mismatch { .. }) {
                assert_eq!(envelope.code.trim(), "00", "{envelope:?}");
                let status = status.as_deref().expect("accepted without a status");
                assert!(status.trim().eq_ignore_ascii_case("ACCEPTED"), "{status:?}");
            }
            if outcome == CheckOutcome::Accepted {
                assert_eq!((amount, currency), (Some(a), Some(c)), "{envelope:?}");
            }
        }
    }
    if let (Some(a), Some(c)) = (amount, currency)
        && let Ok(a) = Amount::new(a)
        && matches!(envelope.outcome(Money::new(a, c)), CheckOutcome::Mismatch { .. })
    {
        panic!("the reported money itself is a mismatch: {envelope:?}");
    }
});
