//! Builders for payments, checks and times, shared by the conformance cases
//! and usable in a store's or an engine's own tests.

use chrono::TimeDelta;

use cinetpay_core::{
    AccountName, Amount, Attention, CheckSnapshot, Currency, Description, Generation, NewPayment,
    OrderRef, PaymentPage, PaymentStatus, RefundReason, StatusChange, Timestamp, TransactionId,
};

/// The suite's fixed starting instant, 2026-03-14T09:26:53.589Z: a whole
/// millisecond, far from the wall clock, so a store that reads its own clock
/// instead of the time it is given fails the suite. (Only leases are measured
/// on the store's clock; see the [crate documentation](crate).)
pub fn base_time() -> Timestamp {
    Timestamp::from_timestamp_millis(1_773_480_413_589).unwrap_or_default()
}

/// [`base_time`] plus `ms` milliseconds (negative goes back).
pub fn at(ms: i64) -> Timestamp {
    base_time() + TimeDelta::milliseconds(ms)
}

/// A fresh order reference `"{tag}-{random}"`, unique across runs, so that
/// cases never see each other's orders even in a shared database.
pub fn order_ref(tag: &str) -> OrderRef {
    let random = TransactionId::generate();
    let text = format!("{tag}-{}", random.as_str().trim_start_matches("cp-"));
    OrderRef::new(text.chars().take(OrderRef::MAX_LEN).collect::<String>())
        .unwrap_or_else(|e| panic!("fixture order reference from tag {tag:?}: {e}"))
}

/// A new payment in XOF with a fresh generated transaction id, on the
/// default account (Checkout v2).
///
/// # Panics
/// When `amount` is not a valid [`Amount`] (positive, a multiple of 5).
pub fn new_payment(order_ref: &OrderRef, amount: i64, created_at: Timestamp) -> NewPayment {
    new_payment_in(order_ref, amount, Currency::Xof, created_at)
}

/// A new payment in `currency` with a fresh generated transaction id, on the
/// default account (Checkout v2).
///
/// # Panics
/// When `amount` is not a valid [`Amount`] (positive, a multiple of 5).
pub fn new_payment_in(
    order_ref: &OrderRef,
    amount: i64,
    currency: Currency,
    created_at: Timestamp,
) -> NewPayment {
    let amount = Amount::new(amount).unwrap_or_else(|e| panic!("fixture amount {amount}: {e}"));
    NewPayment {
        transaction_id: TransactionId::generate(),
        order_ref: order_ref.clone(),
        amount,
        currency,
        description: Description::sanitised(&format!("Commande {order_ref}")),
        account: AccountName::default(),
        generation: Generation::CheckoutV2,
        created_at,
    }
}

/// A full successful check for `payment`: code `00`, `ACCEPTED`, its amount and
/// currency, an operator and a payment date.
pub fn accepted_check(payment: &NewPayment) -> CheckSnapshot {
    CheckSnapshot {
        code: "00".to_owned(),
        message: "SUCCES".to_owned(),
        status: Some("ACCEPTED".to_owned()),
        amount: Some(payment.amount.get().to_string()),
        currency: Some(payment.currency.as_str().to_owned()),
        payment_method: Some("OM".to_owned()),
        operator_id: Some("MP240314.0926.A12345".to_owned()),
        payment_date: Some("2026-03-14 09:27:41".to_owned()),
    }
}

/// A refused check for `payment` (`627`, `REFUSED`), without operator data.
pub fn refused_check(payment: &NewPayment) -> CheckSnapshot {
    CheckSnapshot {
        code: "627".to_owned(),
        message: "TRANSACTION_CANCEL".to_owned(),
        status: Some("REFUSED".to_owned()),
        amount: Some(payment.amount.get().to_string()),
        currency: Some(payment.currency.as_str().to_owned()),
        payment_method: Some("MOMO".to_owned()),
        operator_id: None,
        payment_date: None,
    }
}

/// A check that only carries a code and a message (every optional field `None`).
pub fn bare_check(code: &str, message: &str) -> CheckSnapshot {
    CheckSnapshot {
        code: code.to_owned(),
        message: message.to_owned(),
        ..CheckSnapshot::default()
    }
}

/// A check of a payment still waiting for the customer (`662`,
/// `WAITING_FOR_CUSTOMER`): what the reconciler records with
/// [`record_check`](cinetpay_core::PaymentStore::record_check).
pub fn waiting_check() -> CheckSnapshot {
    CheckSnapshot {
        status: Some("WAITING_FOR_CUSTOMER".to_owned()),
        ..bare_check("662", "WAITING_CUSTOMER_PAYMENT")
    }
}

/// What Checkout v2 answers at init: a token and a page, no notify token
/// and no CinetPay id; to pass to
/// [`attach_payment_page`](cinetpay_core::PaymentStore::attach_payment_page).
pub fn page<'a>(payment_token: &'a str, payment_url: &'a str, at: Timestamp) -> PaymentPage<'a> {
    PaymentPage {
        payment_token,
        payment_url,
        notify_token: None,
        cinetpay_id: None,
        at,
    }
}

/// A CinetPay payment page URL for `id`.
pub fn payment_url(id: &TransactionId) -> String {
    format!("https://checkout.cinetpay.com/payment/{}", id.as_str())
}

/// The change the engine makes when CinetPay accepted `payment` but it must be
/// refunded instead of delivered: `from -> needs_attention` with the accepted
/// check and [`Attention::Refund`]`(reason)`, at `at`. The payment is then owed
/// a refund notice ([`Owed::RefundNotice`](cinetpay_core::Owed::RefundNotice)).
pub fn needs_refund(
    payment: &NewPayment,
    from: PaymentStatus,
    reason: RefundReason,
    at: Timestamp,
) -> StatusChange {
    StatusChange {
        from,
        to: PaymentStatus::NeedsAttention,
        check: Some(accepted_check(payment)),
        reason: Some(reason.to_string()),
        attention: Some(Attention::Refund(reason)),
        at,
    }
}

/// The change the engine makes for a verified success: `from -> accepted`
/// with [`accepted_check`] of `payment`, at `at`.
///
/// ```
/// use cinetpay_core::PaymentStatus;
/// use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref};
/// let new = new_payment(&order_ref("doc"), 1500, at(0));
/// let change = accepted_change(&new, PaymentStatus::Pending, at(10));
/// assert_eq!(change.to, PaymentStatus::Accepted);
/// ```
pub fn accepted_change(payment: &NewPayment, from: PaymentStatus, at: Timestamp) -> StatusChange {
    StatusChange {
        from,
        to: PaymentStatus::Accepted,
        check: Some(accepted_check(payment)),
        reason: None,
        attention: None,
        at,
    }
}

/// The change the engine makes when CinetPay's check disagrees with the
/// stored money: `from -> needs_attention` with [`Attention::MoneyMismatch`]
/// and a check reporting a tenth of the amount. Never owed anything.
pub fn money_mismatch(payment: &NewPayment, from: PaymentStatus, at: Timestamp) -> StatusChange {
    let reported = payment.amount.get() / 10;
    StatusChange {
        from,
        to: PaymentStatus::NeedsAttention,
        check: Some(CheckSnapshot {
            amount: Some(reported.to_string()),
            ..accepted_check(payment)
        }),
        reason: Some(format!(
            "amount mismatch: stored {} {}, CinetPay reports {reported}",
            payment.amount.get(),
            payment.currency.as_str()
        )),
        attention: Some(Attention::MoneyMismatch),
        at,
    }
}
