//! The first delivery of a payment in one commit: the change to `accepted`,
//! the claim of its delivery, the merchant's own writes, the delivery mark
//! and the delivery-log line, for a fulfiller that writes in the store's
//! database transaction ([`OrderFulfiller::accept_and_fulfil`]).
//!
//! [`OrderFulfiller::accept_and_fulfil`]: crate::OrderFulfiller::accept_and_fulfil

use crate::model::{DeliveryRecord, FulfilmentClaim};
use crate::store::{Claim, StatusChange};
use crate::values::TransactionId;

/// What the engine asks of [`OrderFulfiller::accept_and_fulfil`]: a verified
/// change to `accepted` and the claim of the delivery it makes owed, to be
/// committed with the merchant's writes, the delivery mark and `line`, all
/// at once or not at all.
///
/// [`OrderFulfiller::accept_and_fulfil`]: crate::OrderFulfiller::accept_and_fulfil
///
/// ```
/// use std::time::Duration;
/// use cinetpay_core::*;
/// use cinetpay_core::first_delivery::FirstDelivery;
/// let id: TransactionId = "cp-first".parse().unwrap();
/// let now = chrono::Utc::now();
/// let change = StatusChange {
///     from: PaymentStatus::Pending,
///     to: PaymentStatus::Accepted,
///     check: None,
///     reason: None,
///     attention: None,
///     at: now,
/// };
/// let claim = Claim { transaction_id: &id, owner: "token", now, lease: Duration::from_secs(60) };
/// let line = |attempt: u32| {
///     DeliveryRecord::new("cp-first", DeliverySource::Notify, &format!("fulfilled ({attempt})"), now)
/// };
/// let first = FirstDelivery { transaction_id: &id, change: &change, claim: &claim, line: &line };
/// assert_eq!((first.line)(1).outcome, "fulfilled (1)");
/// ```
pub struct FirstDelivery<'a> {
    /// The payment.
    pub transaction_id: &'a TransactionId,
    /// The change to `accepted`, as [`PaymentStore::transition`](crate::PaymentStore::transition) takes it.
    pub change: &'a StatusChange,
    /// The claim of its delivery, as [`PaymentStore::accept_and_claim`](crate::PaymentStore::accept_and_claim) takes it.
    pub claim: &'a Claim<'a>,
    /// The sync's delivery-log line, given the attempt that delivered.
    pub line: &'a (dyn Fn(u32) -> DeliveryRecord + Send + Sync),
}

impl std::fmt::Debug for FirstDelivery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstDelivery")
            .field("transaction_id", &self.transaction_id)
            .field("change", &self.change)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// What [`OrderFulfiller::accept_and_fulfil`] did.
///
/// [`OrderFulfiller::accept_and_fulfil`]: crate::OrderFulfiller::accept_and_fulfil
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one per delivery, moved once: a Box would change the API for nothing
pub enum FirstDelivered {
    /// Nothing was written: the engine takes its usual steps (the change
    /// with its claim, then the delivery). The answer of a fulfiller that
    /// cannot do it in one commit, and of one that finds the change not
    /// applicable or the delivery not claimable.
    Declined,
    /// Everything committed together: the payment is accepted, delivered by
    /// the claim's attempt, and the line is in the delivery log. The claim
    /// holds the payment as it was claimed (before the delivery mark).
    Delivered(FulfilmentClaim),
}
