//! What a notification is checked against first.

use super::{AccountName, Generation, Payment, PaymentStatus};
use crate::values::NotifyToken;

/// The few columns of a payment a notification needs before anything else:
/// which account and API generation it belongs to (the account a Checkout v2
/// notification was signed for must be the payment's; a 2026 API
/// notification must carry its `notify_token`), and whether it is already
/// delivered, which ends the notification there. Read with
/// [`PaymentStore::find_summary`](crate::PaymentStore::find_summary), so
/// that CinetPay's repeated notifications of a delivered payment cost one
/// narrow read.
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
