use std::fmt;

use serde::{Deserialize, Serialize};

use crate::values::TransactionId;

/// Why a payment needs a human: the reason of a `needs_attention` status.
///
/// ```
/// use cinetpay_core::{Attention, RefundReason, TransactionId};
/// let by: TransactionId = "cp-first".parse().unwrap();
/// let twice = Attention::Refund(RefundReason::OrderAlreadyPaid { by: by.clone() });
/// assert_eq!(twice.kind(), "order_already_paid");
/// assert_eq!(Attention::from_parts("order_already_paid", Some("cp-first")), Some(twice));
/// assert_eq!(Attention::from_parts("money_mismatch", None), Some(Attention::MoneyMismatch));
/// assert_eq!(Attention::from_parts("order_already_paid", None), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// CinetPay reported a success for other money than the payment's (or for
    /// none): never fulfilled; compare with CinetPay's back-office.
    MoneyMismatch,
    /// CinetPay accepted the payment, but it must be refunded, not delivered:
    /// the merchant's [`payment_needs_refund`](crate::OrderFulfiller::payment_needs_refund)
    /// hears of it.
    Refund(RefundReason),
}

/// Why an accepted payment is refunded instead of delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// Its order was already paid by another payment, which is (or is being)
    /// delivered: the customer paid twice.
    OrderAlreadyPaid {
        /// The payment that pays the order.
        by: TransactionId,
    },
    /// `init` had replaced it by a newer payment of the same order (the
    /// order's amount changed, or its init never finished), and the customer
    /// paid its old page anyway.
    Superseded,
}

impl Attention {
    /// The stable name stored with the payment: `money_mismatch`,
    /// `order_already_paid` or `superseded`.
    pub fn kind(&self) -> &'static str {
        match self {
            Attention::MoneyMismatch => "money_mismatch",
            Attention::Refund(RefundReason::OrderAlreadyPaid { .. }) => "order_already_paid",
            Attention::Refund(RefundReason::Superseded) => "superseded",
        }
    }

    /// The payment an attention refers to (the order's payer for
    /// `order_already_paid`), as stored beside [`kind`](Self::kind).
    pub fn reference(&self) -> Option<&TransactionId> {
        match self {
            Attention::Refund(RefundReason::OrderAlreadyPaid { by }) => Some(by),
            _ => None,
        }
    }

    /// Reads back what [`kind`](Self::kind) and [`reference`](Self::reference)
    /// stored; `None` for an unknown kind or a missing reference.
    pub fn from_parts(kind: &str, reference: Option<&str>) -> Option<Self> {
        match kind {
            "money_mismatch" => Some(Attention::MoneyMismatch),
            "superseded" => Some(Attention::Refund(RefundReason::Superseded)),
            "order_already_paid" => {
                let by = TransactionId::parse(reference?).ok()?;
                Some(Attention::Refund(RefundReason::OrderAlreadyPaid { by }))
            }
            _ => None,
        }
    }

    /// The refund this attention asks for, if any.
    pub fn refund(&self) -> Option<&RefundReason> {
        match self {
            Attention::Refund(reason) => Some(reason),
            Attention::MoneyMismatch => None,
        }
    }
}

impl fmt::Display for RefundReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefundReason::OrderAlreadyPaid { by } => write!(
                f,
                "duplicate payment of an order already paid by {by}: refund it"
            ),
            RefundReason::Superseded => f.write_str(
                "payment of a page that a newer payment of the same order had replaced: refund it",
            ),
        }
    }
}
