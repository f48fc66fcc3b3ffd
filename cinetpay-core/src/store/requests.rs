//! The arguments and answers of [`PaymentStore`](super::PaymentStore)'s
//! conditional steps.

use std::time::Duration;

use crate::model::{Attention, CheckSnapshot, Payment, PaymentStatus, Timestamp};
use crate::values::{NotifyToken, TransactionId};

/// What CinetPay answered at init, recorded by
/// [`PaymentStore::attach_payment_page`](super::PaymentStore::attach_payment_page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPage<'a> {
    /// CinetPay's `payment_token`.
    pub payment_token: &'a str,
    /// The hosted page the customer is sent to.
    pub payment_url: &'a str,
    /// The 2026 API's per-payment `notify_token` (`None` on Checkout v2).
    pub notify_token: Option<&'a NotifyToken>,
    /// CinetPay's own id of the payment (the 2026 API's `transaction_id`).
    pub cinetpay_id: Option<&'a str>,
    /// When; the payment's new `updated_at`.
    pub at: Timestamp,
}

/// The result of [`PaymentStore::insert_payment`](super::PaymentStore::insert_payment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    /// The payment was created and is now the order's open payment.
    Inserted(Payment),
    /// The order already has an open payment (a double click, or a concurrent
    /// `init`); nothing was written. The existing payment is returned.
    OrderHasOpenPayment(Payment),
}

/// A verified status change, applied by
/// [`PaymentStore::transition`](super::PaymentStore::transition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status the caller read (compare-and-set).
    pub from: PaymentStatus,
    /// The new status.
    pub to: PaymentStatus,
    /// The check that justifies it (`None` for `start_failed`, which has no check).
    pub check: Option<CheckSnapshot>,
    /// A human-readable reason (kept for `start_failed` and `needs_attention`).
    pub reason: Option<String>,
    /// Why a human must look, for a change to `needs_attention`.
    pub attention: Option<Attention>,
    /// When.
    pub at: Timestamp,
}

/// What [`PaymentStore::transition`](super::PaymentStore::transition) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// The change was applied.
    Applied,
    /// Nothing was written: the stored status is no longer `from`, the
    /// payment is unknown, or (for a change to `accepted`) it was superseded.
    NotApplied,
    /// Nothing was written: the change was to `accepted`, and another payment
    /// of the same order is accepted already.
    OrderAlreadyPaid(TransactionId),
}

/// A request to claim what the merchant's code owes a payment
/// ([`PaymentStore::claim_fulfilment`](super::PaymentStore::claim_fulfilment)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    /// The payment.
    pub transaction_id: &'a TransactionId,
    /// A fresh, unguessable owner token that fences the claim.
    pub owner: &'a str,
    /// The caller's "now": `next_attempt_at` must not be after it; also the
    /// payment's new `updated_at`.
    pub now: Timestamp,
    /// How long the claim lasts, measured on the store's clock.
    pub lease: Duration,
}

/// A request to mark a claim's work done
/// ([`PaymentStore::complete_fulfilment`](super::PaymentStore::complete_fulfilment)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion<'a> {
    /// The payment.
    pub transaction_id: &'a TransactionId,
    /// The owner token of the claim.
    pub owner: &'a str,
    /// When it was done.
    pub now: Timestamp,
}

/// A failed attempt, given back
/// ([`PaymentStore::release_fulfilment`](super::PaymentStore::release_fulfilment)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release<'a> {
    /// The payment.
    pub transaction_id: &'a TransactionId,
    /// The owner token of the claim.
    pub owner: &'a str,
    /// What went wrong (kept as `last_error`).
    pub error: &'a str,
    /// Not before this time.
    pub next_attempt_at: Timestamp,
    /// The payment's new `updated_at`.
    pub now: Timestamp,
    /// Keep the claim until its lease ends instead of giving it back (the
    /// attempt timed out; what it started may still be running).
    pub keep_lease: bool,
}

/// Which payments the reconciler checks with CinetPay
/// ([`PaymentStore::payments_to_poll`](super::PaymentStore::payments_to_poll)).
///
/// A payment is a candidate when all of these hold, with `last_seen` its
/// `checked_at`, or its `created_at` when it was never checked:
///
/// * its status is `pending` with a payment page, `refused` or `cancelled`
///   (push operators report a failure first and a success later);
/// * `created_at >= since` (younger than the polling window);
/// * `last_seen <= now - after`;
/// * `now - last_seen >= (last_seen - created_at) / 3`: checks thin out as a
///   payment ages (in integers: `4 * last_seen <= 3 * now + created_at`).
///
/// Candidates come least recently seen first (`last_seen`, then transaction
/// id). Every check the engine makes records `checked_at`, so with `N`
/// candidates and a batch of `B` each is checked within `ceil(N / B)` passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollQuery {
    /// The caller's "now".
    pub now: Timestamp,
    /// Oldest `created_at` still polled.
    pub since: Timestamp,
    /// Least time since a payment was last seen.
    pub after: Duration,
    /// Most payments returned.
    pub limit: usize,
}

impl PollQuery {
    /// Whether `payment` is a candidate (the rule above, for stores that
    /// filter in memory).
    ///
    /// ```
    /// use std::time::Duration;
    /// use chrono::TimeDelta;
    /// use cinetpay_core::store::PollQuery;
    /// use cinetpay_core::*;
    /// let created = chrono::Utc::now() - TimeDelta::minutes(30);
    /// let mut payment = Payment::from_new(&NewPayment {
    ///     transaction_id: TransactionId::generate(),
    ///     order_ref: OrderRef::new("ord-1")?,
    ///     amount: Amount::new(1000)?,
    ///     currency: Currency::Xof,
    ///     description: Description::new("Attiéké")?,
    ///     account: AccountName::default(),
    ///     generation: Generation::CheckoutV2,
    ///     created_at: created,
    /// });
    /// payment.payment_url = Some("https://checkout.cinetpay.com/p/1".into());
    /// let now = created + TimeDelta::minutes(30);
    /// let query = PollQuery { now, since: now - TimeDelta::days(3), after: Duration::from_secs(300), limit: 50 };
    /// assert!(query.matches(&payment), "never checked, 30 min old");
    /// payment.checked_at = Some(now - TimeDelta::minutes(6));
    /// assert!(!query.matches(&payment), "checked 6 min ago at 24 min of age: wait 8 min");
    /// payment.checked_at = Some(now - TimeDelta::minutes(9));
    /// assert!(query.matches(&payment));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, payment: &Payment) -> bool {
        let eligible = match payment.status {
            PaymentStatus::Pending => payment.payment_url.is_some(),
            PaymentStatus::Refused | PaymentStatus::Cancelled => true,
            _ => false,
        };
        let seen = payment.checked_at.unwrap_or(payment.created_at);
        let micros = |t: Timestamp| i128::from(t.timestamp_micros());
        let after = i128::try_from(self.after.as_micros()).unwrap_or(i128::MAX);
        eligible
            && payment.created_at >= self.since
            && micros(seen) <= micros(self.now) - after
            && 4 * micros(seen) <= 3 * micros(self.now) + micros(payment.created_at)
    }

    /// The order of candidates: least recently seen first.
    pub fn order_key(payment: &Payment) -> (Timestamp, &TransactionId) {
        (
            payment.checked_at.unwrap_or(payment.created_at),
            &payment.transaction_id,
        )
    }
}
