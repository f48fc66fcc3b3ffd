//! What the engine's programmatic API reports.

use serde::Serialize;

use crate::model::{Payment, PaymentStatus, Timestamp};
use crate::values::TransactionId;

/// A payment page to send the customer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StartedPayment {
    /// Our id of the payment.
    pub transaction_id: TransactionId,
    /// CinetPay's hosted payment page.
    pub payment_url: String,
    /// `true` when the order's open payment was reused (a double click).
    pub reused: bool,
}

/// What [`Checkout::sync`](super::Checkout::sync) did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOutcome {
    /// The payment as it stands after the sync (as last read, with this sync's
    /// own changes applied); `None` when no payment has this id.
    pub payment: Option<Payment>,
    /// The status read before the sync.
    pub previous_status: Option<PaymentStatus>,
    /// What happened to the fulfilment (or the refund notice).
    pub fulfilment: FulfilmentOutcome,
    /// Whether this sync asked CinetPay (`false`: the payment needed no check,
    /// or a check made moments ago by another request was used).
    pub checked: bool,
    /// Whether the sync's delivery-log line was written with the completion.
    pub(crate) logged: bool,
}

impl SyncOutcome {
    pub(crate) fn unknown() -> Self {
        SyncOutcome {
            payment: None,
            previous_status: None,
            fulfilment: FulfilmentOutcome::NotAccepted,
            checked: false,
            logged: false,
        }
    }

    /// The payment's status after the sync; `None` for an unknown payment.
    pub fn status(&self) -> Option<PaymentStatus> {
        self.payment.as_ref().map(|p| p.status)
    }

    /// Whether this sync changed the status.
    pub fn changed(&self) -> bool {
        self.status() != self.previous_status
    }

    /// Whether a delivery of this payment still has to happen later
    /// (the fulfiller failed, or its next attempt is not due yet).
    pub fn delivery_pending(&self) -> bool {
        matches!(
            self.fulfilment,
            FulfilmentOutcome::Failed { .. } | FulfilmentOutcome::NotDue { .. }
        )
    }
}

/// What happened to the fulfilment of a payment during one sync: its
/// delivery, or, for a payment to refund, the merchant's refund notice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FulfilmentOutcome {
    /// Nothing is owed: the payment is not accepted (or its refund was
    /// notified already).
    NotAccepted,
    /// It was delivered before.
    AlreadyFulfilled,
    /// The fulfiller ran and returned `Ok` in this sync.
    Fulfilled {
        /// Attempt number (1 = first).
        attempt: u32,
    },
    /// `payment_needs_refund` ran and returned `Ok` in this sync.
    RefundNotified {
        /// Attempt number (1 = first).
        attempt: u32,
    },
    /// The merchant's code returned an error, panicked or timed out; the
    /// claim was released (kept until its lease ends after a timeout) and the
    /// next attempt is scheduled.
    Failed {
        /// Attempt number.
        attempt: u32,
        /// What went wrong.
        error: String,
        /// Earliest time of the next attempt.
        next_attempt_at: Timestamp,
    },
    /// Another caller (possibly another instance) holds a live claim and is
    /// delivering it now.
    ClaimedElsewhere,
    /// A failed attempt's backoff has not elapsed yet.
    NotDue {
        /// Earliest time of the next attempt.
        next_attempt_at: Timestamp,
    },
    /// The verified status is stored and what is owed runs in the
    /// background, under the claim protocol (a notification answered within
    /// CinetPay's 10 s: always on the 2026 API, with `fulfil_in_background`
    /// on Checkout v2). If it fails, the reconciler retries it.
    InBackground,
}

/// What one [`Checkout::reconcile_once`](super::Checkout::reconcile_once) pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReconcileReport {
    /// Payments whose delivery (or refund notice) was due.
    pub due: usize,
    /// Of those, delivered in this pass.
    pub fulfilled: usize,
    /// Of those, failed again (rescheduled).
    pub failed: usize,
    /// Of those, refunds notified to the merchant's code in this pass.
    pub refunds_notified: usize,
    /// Payments without a final status checked with CinetPay (polling).
    pub polled: usize,
    /// Of those, whose status changed.
    pub poll_changed: usize,
    /// Payments whose sync failed (store or CinetPay unavailable); retried next pass.
    pub errors: usize,
}
