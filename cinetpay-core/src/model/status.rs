use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a payment stands, as far as the merchant knows from CinetPay's check.
///
/// ```text
///             ┌──────────────► StartFailed   (CinetPay refused init)
///  Pending ───┼──────────────► Accepted      (final: never changes again)
///     ▲  │    ├──► Refused ───► Accepted      (push operators report failure first)
///     │  │    ├──► Cancelled ─► Accepted
///     └──┘    └──────────────► NeedsAttention (amount or currency mismatch)
/// ```
///
/// ```
/// use cinetpay_core::PaymentStatus;
/// assert!(PaymentStatus::Accepted.is_final());
/// assert!(PaymentStatus::Refused.can_become(PaymentStatus::Accepted));
/// assert!(!PaymentStatus::Accepted.can_become(PaymentStatus::Refused));
/// assert_eq!("needs_attention".parse::<PaymentStatus>().unwrap(), PaymentStatus::NeedsAttention);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created; CinetPay has not reported a final outcome yet.
    Pending,
    /// CinetPay refused to create the payment (bad credentials, bad field...).
    StartFailed,
    /// Verified success: code `00`, status `ACCEPTED`, amount and currency equal.
    Accepted,
    /// CinetPay reported a failure. May still become accepted.
    Refused,
    /// The customer cancelled. May still become accepted.
    Cancelled,
    /// CinetPay's check disagreed with the stored amount or currency: never
    /// fulfilled automatically; a human must look.
    NeedsAttention,
}

impl PaymentStatus {
    /// Every status.
    pub const ALL: [PaymentStatus; 6] = [
        PaymentStatus::Pending,
        PaymentStatus::StartFailed,
        PaymentStatus::Accepted,
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        PaymentStatus::NeedsAttention,
    ];

    /// The stable lower-case name used in storage, URLs and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::StartFailed => "start_failed",
            PaymentStatus::Accepted => "accepted",
            PaymentStatus::Refused => "refused",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::NeedsAttention => "needs_attention",
        }
    }

    /// No further change is expected without a human (accepted, start failed, needs attention).
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Accepted | PaymentStatus::StartFailed | PaymentStatus::NeedsAttention
        )
    }

    /// Whether the state machine allows `self -> next` (the same status is not a change).
    pub const fn can_become(self, next: PaymentStatus) -> bool {
        use PaymentStatus::*;
        matches!(
            (self, next),
            (
                Pending,
                StartFailed | Accepted | Refused | Cancelled | NeedsAttention
            ) | (Refused, Accepted | Cancelled | NeedsAttention)
                | (Cancelled, Accepted | Refused | NeedsAttention)
        )
    }

    /// A failure the merchant's `payment_failed` hook hears about.
    pub const fn is_failure(self) -> bool {
        matches!(self, PaymentStatus::Refused | PaymentStatus::Cancelled)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown status name (for example read back from a database).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment status {0:?}")]
pub struct PaymentStatusError(pub String);

impl FromStr for PaymentStatus {
    type Err = PaymentStatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| PaymentStatusError(s.chars().take(32).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_never_changes_and_names_round_trip() {
        for s in PaymentStatus::ALL {
            assert!(!PaymentStatus::Accepted.can_become(s));
            assert!(!s.can_become(s));
            assert_eq!(s.as_str().parse::<PaymentStatus>(), Ok(s));
        }
        assert!(PaymentStatus::Refused.can_become(PaymentStatus::Accepted));
        assert!(!PaymentStatus::NeedsAttention.can_become(PaymentStatus::Accepted));
    }
}
