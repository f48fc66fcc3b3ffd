//! What a notification is checked against first.

use std::borrow::Cow;

use super::{AccountName, Generation, Payment, PaymentStatus};
use crate::values::NotifyToken;

/// The few columns of a payment a notification needs before anything else:
/// which account and API generation it belongs to (the account a Checkout v2
/// notification was signed for must be the payment's; a 2026 API
/// notification must carry its `notify_token`), and whether it is already
/// delivered, which ends the notification there. A delivered payment is
/// read as its summary alone
/// ([`PaymentStore::find_for_notification`](crate::PaymentStore::find_for_notification)),
/// so that CinetPay's repeated notifications of it cost one narrow read.
///
/// ```
/// use cinetpay_core::{AccountName, Generation, PaymentStatus, PaymentSummary};
/// let summary = PaymentSummary {
///     status: PaymentStatus::Accepted,
///     account: AccountName::default(),
///     generation: Generation::CheckoutV2,
///     notify_token: None,
///     fulfilled: true,
/// };
/// assert!(summary.is_delivered());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSummary {
    /// Its status.
    pub status: PaymentStatus,
    /// The CinetPay account it was created on.
    pub account: AccountName,
    /// Its API generation.
    pub generation: Generation,
    /// The 2026 API's per-payment notify token (a secret, redacted by `Debug`).
    pub notify_token: Option<NotifyToken>,
    /// Whether its delivery is done ([`Payment::is_fulfilled`]).
    pub fulfilled: bool,
}

impl PaymentSummary {
    /// Accepted and delivered: nothing can change any more, and nothing is
    /// owed.
    pub fn is_delivered(&self) -> bool {
        self.status == PaymentStatus::Accepted && self.fulfilled
    }
}

impl Payment {
    /// This payment's [`PaymentSummary`].
    pub fn summary(&self) -> PaymentSummary {
        PaymentSummary {
            status: self.status,
            account: self.account.clone(),
            generation: self.generation,
            notify_token: self.notify_token.clone(),
            fulfilled: self.is_fulfilled(),
        }
    }
}

/// A payment as a notification reads it
/// ([`PaymentStore::find_for_notification`](crate::PaymentStore::find_for_notification)):
/// the summary of a delivered payment (nothing is left to do, and the rest of
/// the row is not read), or the whole payment otherwise (the sync needs it),
/// in one read either way.
///
/// ```
/// use cinetpay_core::{
///     AccountName, Amount, Currency, Description, Generation, NewPayment, OrderRef, Payment,
///     PaymentLookup, PaymentStatus, Timestamp, TransactionId,
/// };
/// let mut payment = Payment::from_new(&NewPayment {
///     transaction_id: TransactionId::generate(),
///     order_ref: OrderRef::new("order-1").unwrap(),
///     amount: Amount::new(1500).unwrap(),
///     currency: Currency::Xof,
///     description: Description::sanitised("Tea"),
///     account: AccountName::default(),
///     generation: Generation::CheckoutV2,
///     created_at: Timestamp::default(),
/// });
/// let lookup = PaymentLookup::of(payment.clone());
/// assert!(matches!(&lookup, PaymentLookup::Open(p) if **p == payment));
/// assert_eq!(*lookup.summary(), payment.summary());
///
/// payment.status = PaymentStatus::Accepted;
/// payment.fulfilment.fulfilled_at = Some(Timestamp::default());
/// assert_eq!(PaymentLookup::of(payment.clone()), PaymentLookup::Delivered(payment.summary()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentLookup {
    /// Accepted and delivered ([`PaymentSummary::is_delivered`]): its summary.
    Delivered(PaymentSummary),
    /// Anything else: the whole payment.
    Open(Box<Payment>),
}

impl PaymentLookup {
    /// What a store that reads whole rows answers for `payment`.
    pub fn of(payment: Payment) -> Self {
        let summary = payment.summary();
        if summary.is_delivered() {
            PaymentLookup::Delivered(summary)
        } else {
            PaymentLookup::Open(Box::new(payment))
        }
    }

    /// The payment's summary, either way (borrowed when it is all that was
    /// read).
    pub fn summary(&self) -> Cow<'_, PaymentSummary> {
        match self {
            PaymentLookup::Delivered(summary) => Cow::Borrowed(summary),
            PaymentLookup::Open(payment) => Cow::Owned(payment.summary()),
        }
    }
}
