use serde::{Deserialize, Serialize};

use super::{AccountName, Attention, Generation, PaymentStatus, RefundReason};
use crate::values::{Amount, Currency, Description, NotifyToken, OrderRef, TransactionId};

/// A point in time, UTC. Every store compares these, never wall-clock strings.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// What the engine asks a store to create at `init`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Our id, unique.
    pub transaction_id: TransactionId,
    /// The merchant's order this pays for.
    pub order_ref: OrderRef,
    /// The amount, from the merchant's own code.
    pub amount: Amount,
    /// The currency, from the merchant's own code.
    pub currency: Currency,
    /// The description sent to CinetPay.
    pub description: Description,
    /// The CinetPay account the payment is created on.
    pub account: AccountName,
    /// That account's API generation.
    pub generation: Generation,
    /// Creation time.
    pub created_at: Timestamp,
}

/// The facts of CinetPay's last `/v2/payment/check` answer that the engine
/// verified and keeps. Strings are stored as CinetPay sent them (bounded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSnapshot {
    /// Result code, such as `00`, `627` or `662`.
    pub code: String,
    /// Symbolic message, such as `SUCCES` or `TRANSACTION_CANCEL`.
    pub message: String,
    /// `data.status` (`ACCEPTED`, `REFUSED`, `WAITING_FOR_CUSTOMER`...), when present.
    pub status: Option<String>,
    /// `data.amount` as reported, when present.
    pub amount: Option<String>,
    /// `data.currency` as reported, when present.
    pub currency: Option<String>,
    /// Operator code (`OM`, `MOMO`, `FLOOZ`, `WAVECI`, `VISAM`...).
    pub payment_method: Option<String>,
    /// The operator's own reference.
    pub operator_id: Option<String>,
    /// `data.payment_date` as reported (`YYYY-MM-DD HH:MM:SS`), blank mapped to `None`.
    pub payment_date: Option<String>,
}

/// Where the fulfilment of a payment stands (the claim protocol's columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fulfilment {
    /// Set once the merchant's `fulfil` returned `Ok` and the owner completed its claim.
    pub fulfilled_at: Option<Timestamp>,
    /// The owner token of the current (or last expired) claim.
    pub claim_owner: Option<String>,
    /// The claim's lease end; a claim whose lease has passed can be taken over.
    pub claim_until: Option<Timestamp>,
    /// How many claims were taken (= how many times `fulfil` was started).
    pub attempts: u32,
    /// After a failed attempt: not before this time.
    pub next_attempt_at: Option<Timestamp>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
}

/// One payment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Our id.
    pub transaction_id: TransactionId,
    /// The merchant's order.
    pub order_ref: OrderRef,
    /// The amount initialised (what the check must report).
    pub amount: Amount,
    /// The currency initialised (what the check must report).
    pub currency: Currency,
    /// The description sent to CinetPay.
    pub description: Description,
    /// Current status.
    pub status: PaymentStatus,
    /// Whether this payment is the order's open payment (reused by a second `init`).
    pub open: bool,
    /// `payment_token` returned by CinetPay at init.
    pub payment_token: Option<String>,
    /// `payment_url` of the hosted page.
    pub payment_url: Option<String>,
    /// The CinetPay account the payment was created on (rows written before
    /// accounts were recorded: [`AccountName::DEFAULT`]).
    pub account: AccountName,
    /// The API generation of that account (older rows: Checkout v2).
    pub generation: Generation,
    /// The 2026 API's per-payment `notify_token` (a secret: redacted by
    /// `Debug`, never serialized); `None` on Checkout v2.
    #[serde(skip)]
    pub notify_token: Option<NotifyToken>,
    /// CinetPay's own id of the payment (the 2026 API's `transaction_id`),
    /// when it gave one.
    pub cinetpay_id: Option<String>,
    /// The last verified check.
    pub check: Option<CheckSnapshot>,
    /// Why the status is `start_failed` or `needs_attention`, for humans.
    pub status_reason: Option<String>,
    /// Why the status is `needs_attention`, for code (`None` for rows written
    /// before it was recorded).
    pub attention: Option<Attention>,
    /// When `init` replaced this payment by a newer one of the same order:
    /// from then on it is never fulfilled, whatever CinetPay reports.
    pub superseded_at: Option<Timestamp>,
    /// When CinetPay was last asked about this payment (whatever it answered).
    pub checked_at: Option<Timestamp>,
    /// The claim protocol's state: the delivery of an accepted payment, or the
    /// refund notice of one that must be refunded.
    pub fulfilment: Fulfilment,
    /// When the `payment_failed` hook was claimed (at most once per payment).
    pub failure_notified_at: Option<Timestamp>,
    /// When `payment_needs_refund` returned `Ok` for this payment.
    pub refund_notified_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Payment {
    /// The row a store creates for a [`NewPayment`]: pending, open, nothing else set.
    pub fn from_new(new: &NewPayment) -> Self {
        Payment {
            transaction_id: new.transaction_id.clone(),
            order_ref: new.order_ref.clone(),
            amount: new.amount,
            currency: new.currency,
            description: new.description.clone(),
            status: PaymentStatus::Pending,
            open: true,
            payment_token: None,
            payment_url: None,
            account: new.account.clone(),
            generation: new.generation,
            notify_token: None,
            cinetpay_id: None,
            check: None,
            status_reason: None,
            attention: None,
            superseded_at: None,
            checked_at: None,
            fulfilment: Fulfilment::default(),
            failure_notified_at: None,
            refund_notified_at: None,
            created_at: new.created_at,
            updated_at: new.created_at,
        }
    }

    /// Accepted and already delivered: the fast path has nothing to do.
    pub fn is_fulfilled(&self) -> bool {
        self.fulfilment.fulfilled_at.is_some()
    }

    /// Why this payment must be refunded rather than delivered, when it must.
    pub fn refund_reason(&self) -> Option<&RefundReason> {
        match (&self.status, &self.attention) {
            (PaymentStatus::NeedsAttention, Some(attention)) => attention.refund(),
            _ => None,
        }
    }

    /// The amount and currency the payment was created for (what CinetPay's
    /// answers are compared with).
    ///
    /// ```
    /// # use cinetpay_core::*;
    /// # fn demo(payment: &Payment) {
    /// let money: Money = payment.money();
    /// assert_eq!(money.currency, payment.currency);
    /// # }
    /// ```
    pub fn money(&self) -> crate::values::Money {
        crate::values::Money::new(self.amount, self.currency)
    }

    /// What the merchant's code still owes this payment, run under the claim
    /// protocol: the delivery of an accepted payment not yet fulfilled, or the
    /// refund notice of one that must be refunded and was not notified yet.
    pub fn owed(&self) -> Option<Owed> {
        if self.status == PaymentStatus::Accepted && !self.is_fulfilled() {
            Some(Owed::Delivery)
        } else if self.refund_reason().is_some() && self.refund_notified_at.is_none() {
            Some(Owed::RefundNotice)
        } else {
            None
        }
    }
}

/// What the merchant's code owes a payment (see [`Payment::owed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owed {
    /// [`fulfil`](crate::OrderFulfiller::fulfil): deliver the order.
    Delivery,
    /// [`payment_needs_refund`](crate::OrderFulfiller::payment_needs_refund):
    /// tell the merchant to refund it.
    RefundNotice,
}

/// A claim on what the merchant's code owes one payment (its delivery, or
/// its refund notice), won by one caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilmentClaim {
    /// The payment, as it stood when the claim was taken (attempts already counted).
    pub payment: Payment,
    /// The owner token that fences `complete` and `release`.
    pub owner: String,
    /// The lease end, on the store's clock.
    pub lease_until: Timestamp,
    /// Attempt number, starting at 1.
    pub attempt: u32,
}
