//! What the pages and their JSON show of a payment: what an operator needs,
//! and nothing secret. [`Payment`]'s `payment_token`, `notify_token`,
//! `payment_url` (it carries the token) and claim owner are never copied
//! into these views, so no page or JSON can show them.

use serde::Serialize;

use crate::engine::{FulfilmentOutcome, SyncError, SyncOutcome};
use crate::model::{
    AccountName, CheckSnapshot, DeliveryRecord, Generation, Owed, Payment, PaymentStatus, Timestamp,
};
use crate::values::{Currency, OrderRef, TransactionId};

/// One payment in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PaymentRow {
    pub(crate) transaction_id: TransactionId,
    pub(crate) order_ref: OrderRef,
    pub(crate) amount: i64,
    pub(crate) currency: Currency,
    pub(crate) status: PaymentStatus,
    pub(crate) account: AccountName,
    pub(crate) generation: Generation,
    /// `money_mismatch`, `order_already_paid` or `superseded`.
    pub(crate) attention: Option<&'static str>,
    pub(crate) delivered: bool,
    pub(crate) attempts: u32,
    pub(crate) last_error: Option<String>,
    /// What the merchant's code still owes it.
    pub(crate) owed: Option<Owed>,
    pub(crate) created_at: Timestamp,
}

impl From<&Payment> for PaymentRow {
    fn from(p: &Payment) -> Self {
        PaymentRow {
            transaction_id: p.transaction_id.clone(),
            order_ref: p.order_ref.clone(),
            amount: p.amount.get(),
            currency: p.currency,
            status: p.status,
            account: p.account.clone(),
            generation: p.generation,
            attention: p.attention.as_ref().map(|a| a.kind()),
            delivered: p.is_fulfilled(),
            attempts: p.fulfilment.attempts,
            last_error: p.fulfilment.last_error.clone(),
            owed: p.owed(),
            created_at: p.created_at,
        }
    }
}

/// Where the delivery (or the refund notice) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FulfilmentView {
    pub(crate) fulfilled_at: Option<Timestamp>,
    pub(crate) attempts: u32,
    pub(crate) last_error: Option<String>,
    pub(crate) next_attempt_at: Option<Timestamp>,
    /// Until when a claim (a delivery running now, or cut off) holds it.
    pub(crate) claimed_until: Option<Timestamp>,
}

/// One payment with its delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PaymentDetail {
    pub(crate) transaction_id: TransactionId,
    pub(crate) order_ref: OrderRef,
    pub(crate) amount: i64,
    pub(crate) currency: Currency,
    pub(crate) description: String,
    pub(crate) status: PaymentStatus,
    pub(crate) status_reason: Option<String>,
    pub(crate) attention: Option<&'static str>,
    /// The payment that paid the order, for a duplicate.
    pub(crate) paid_by: Option<TransactionId>,
    /// Why it must be refunded, for humans.
    pub(crate) refund_reason: Option<String>,
    pub(crate) owed: Option<Owed>,
    pub(crate) open: bool,
    pub(crate) account: AccountName,
    pub(crate) generation: Generation,
    pub(crate) cinetpay_id: Option<String>,
    /// CinetPay's last verified answer.
    pub(crate) check: Option<CheckSnapshot>,
    pub(crate) checked_at: Option<Timestamp>,
    pub(crate) fulfilment: FulfilmentView,
    pub(crate) superseded_at: Option<Timestamp>,
    pub(crate) failure_notified_at: Option<Timestamp>,
    pub(crate) refund_notified_at: Option<Timestamp>,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    /// Oldest first.
    pub(crate) deliveries: Vec<DeliveryRecord>,
}

impl PaymentDetail {
    pub(crate) fn new(p: &Payment, deliveries: Vec<DeliveryRecord>) -> Self {
        PaymentDetail {
            transaction_id: p.transaction_id.clone(),
            order_ref: p.order_ref.clone(),
            amount: p.amount.get(),
            currency: p.currency,
            description: p.description.to_string(),
            status: p.status,
            status_reason: p.status_reason.clone(),
            attention: p.attention.as_ref().map(|a| a.kind()),
            paid_by: p.attention.as_ref().and_then(|a| a.reference()).cloned(),
            refund_reason: p.refund_reason().map(ToString::to_string),
            owed: p.owed(),
            open: p.open,
            account: p.account.clone(),
            generation: p.generation,
            cinetpay_id: p.cinetpay_id.clone(),
            check: p.check.clone(),
            checked_at: p.checked_at,
            fulfilment: FulfilmentView {
                fulfilled_at: p.fulfilment.fulfilled_at,
                attempts: p.fulfilment.attempts,
                last_error: p.fulfilment.last_error.clone(),
                next_attempt_at: p.fulfilment.next_attempt_at,
                // A finished delivery's lease is history, not a claim.
                claimed_until: p.fulfilment.claim_until.filter(|_| !p.is_fulfilled()),
            },
            superseded_at: p.superseded_at,
            failure_notified_at: p.failure_notified_at,
            refund_notified_at: p.refund_notified_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            deliveries,
        }
    }
}

/// What "sync now" did, carried by the redirect's query string back to the
/// payment page: only fixed names, read back strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub(crate) enum SyncNotice {
    /// The sync ran.
    Done {
        /// The status before.
        was: PaymentStatus,
        /// Whether CinetPay was asked.
        checked: bool,
        /// What happened to what is owed.
        fulfilment: FulfilmentCode,
    },
    /// The sync failed; nothing was lost.
    Failed {
        /// Why.
        error: ErrorCode,
    },
}

/// [`FulfilmentOutcome`] by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FulfilmentCode {
    Nothing,
    AlreadyDelivered,
    Delivered,
    RefundNotified,
    DeliveryFailed,
    ClaimedElsewhere,
    NotDue,
    InBackground,
}

/// [`SyncError`] by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorCode {
    Store,
    CheckUnreachable,
    CheckRefused,
    Contention,
    Interrupted,
    UnknownAccount,
}

macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $ty {
            const ALL: &'static [($ty, &'static str)] = &[$(($ty::$variant, $name)),*];
            pub(crate) fn as_str(self) -> &'static str {
                Self::ALL.iter().find(|(v, _)| *v == self).map_or("", |(_, n)| n)
            }
            fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
            }
        }
    };
}

names!(FulfilmentCode {
    Nothing = "nothing",
    AlreadyDelivered = "already_delivered",
    Delivered = "delivered",
    RefundNotified = "refund_notified",
    DeliveryFailed = "delivery_failed",
    ClaimedElsewhere = "claimed_elsewhere",
    NotDue = "not_due",
    InBackground = "in_background",
});

names!(ErrorCode {
    Store = "store",
    CheckUnreachable = "check_unreachable",
    CheckRefused = "check_refused",
    Contention = "contention",
    Interrupted = "interrupted",
    UnknownAccount = "unknown_account",
});

impl FulfilmentCode {
    fn of(outcome: &FulfilmentOutcome) -> Self {
        match outcome {
            FulfilmentOutcome::NotAccepted => FulfilmentCode::Nothing,
            FulfilmentOutcome::AlreadyFulfilled => FulfilmentCode::AlreadyDelivered,
            FulfilmentOutcome::Fulfilled { .. } => FulfilmentCode::Delivered,
            FulfilmentOutcome::RefundNotified { .. } => FulfilmentCode::RefundNotified,
            FulfilmentOutcome::Failed { .. } => FulfilmentCode::DeliveryFailed,
            FulfilmentOutcome::ClaimedElsewhere => FulfilmentCode::ClaimedElsewhere,
            FulfilmentOutcome::NotDue { .. } => FulfilmentCode::NotDue,
            FulfilmentOutcome::InBackground => FulfilmentCode::InBackground,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            FulfilmentCode::Nothing => "nothing was owed",
            FulfilmentCode::AlreadyDelivered => "it was delivered before",
            FulfilmentCode::Delivered => "it was delivered now",
            FulfilmentCode::RefundNotified => "the refund was notified to the shop",
            FulfilmentCode::DeliveryFailed => {
                "its delivery failed again (see the last error); it will be retried"
            }
            FulfilmentCode::ClaimedElsewhere => "another instance is delivering it right now",
            FulfilmentCode::NotDue => "its next delivery attempt is not due yet",
            FulfilmentCode::InBackground => "it is being delivered in the background",
        }
    }
}

impl ErrorCode {
    fn of(error: &SyncError) -> Self {
        match error {
            SyncError::Store(_) => ErrorCode::Store,
            SyncError::Check(_) => ErrorCode::CheckUnreachable,
            SyncError::CheckRefused { .. } => ErrorCode::CheckRefused,
            SyncError::Contention => ErrorCode::Contention,
            SyncError::Interrupted(_) => ErrorCode::Interrupted,
            SyncError::UnknownAccount(_) => ErrorCode::UnknownAccount,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ErrorCode::Store => "the payment store is unavailable",
            ErrorCode::CheckUnreachable => "CinetPay could not be reached",
            ErrorCode::CheckRefused => {
                "CinetPay refused the check (the account's credentials need a look)"
            }
            ErrorCode::Contention => "the payment kept changing under the sync",
            ErrorCode::Interrupted => "the delivery was interrupted",
            ErrorCode::UnknownAccount => "the payment's CinetPay account is not configured",
        }
    }
}

impl SyncNotice {
    /// What a sync of a known payment did.
    pub(crate) fn of(result: &Result<SyncOutcome, SyncError>) -> Self {
        match result {
            Ok(outcome) => SyncNotice::Done {
                was: outcome
                    .previous_status
                    .or(outcome.status())
                    .unwrap_or(PaymentStatus::Pending),
                checked: outcome.checked,
                fulfilment: FulfilmentCode::of(&outcome.fulfilment),
            },
            Err(error) => SyncNotice::Failed {
                error: ErrorCode::of(error),
            },
        }
    }

    /// The query string carrying it.
    pub(crate) fn to_query(self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        match self {
            SyncNotice::Done {
                was,
                checked,
                fulfilment,
            } => query
                .append_pair("synced", fulfilment.as_str())
                .append_pair("was", was.as_str())
                .append_pair("checked", if checked { "1" } else { "0" }),
            SyncNotice::Failed { error } => query.append_pair("sync_error", error.as_str()),
        };
        query.finish()
    }

    /// The notice a query string carries, if it carries a valid one.
    pub(crate) fn from_query(query: &str) -> Option<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(error) = get("sync_error") {
            return Some(SyncNotice::Failed {
                error: ErrorCode::from_name(error)?,
            });
        }
        Some(SyncNotice::Done {
            fulfilment: FulfilmentCode::from_name(get("synced")?)?,
            was: get("was")?.parse().ok()?,
            checked: get("checked") == Some("1"),
        })
    }

    /// One sentence for the operator; `now` is the payment's status after.
    pub(crate) fn describe(self, now: PaymentStatus) -> String {
        match self {
            SyncNotice::Done {
                was,
                checked,
                fulfilment,
            } => {
                let asked = if checked {
                    "checked with CinetPay"
                } else {
                    "no check needed"
                };
                let change = if was == now {
                    format!("status unchanged ({now})")
                } else {
                    format!("status {was} → {now}")
                };
                format!("Synced ({asked}): {change}; {}.", fulfilment.describe())
            }
            SyncNotice::Failed { error } => format!(
                "Sync failed: {}. Nothing was lost; try again later.",
                error.describe()
            ),
        }
    }

    /// Whether it reports a failure.
    pub(crate) fn is_error(self) -> bool {
        matches!(
            self,
            SyncNotice::Failed { .. }
                | SyncNotice::Done {
                    fulfilment: FulfilmentCode::DeliveryFailed,
                    ..
                }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_query_and_nothing_else_is_read() {
        let notices = [
            SyncNotice::Done {
                was: PaymentStatus::Pending,
                checked: true,
                fulfilment: FulfilmentCode::Delivered,
            },
            SyncNotice::Failed {
                error: ErrorCode::CheckUnreachable,
            },
        ];
        for notice in notices {
            assert_eq!(SyncNotice::from_query(&notice.to_query()), Some(notice));
        }
        assert_eq!(SyncNotice::from_query("synced=<script>&was=pending"), None);
        assert_eq!(SyncNotice::from_query("sync_error=boom"), None);
        assert_eq!(SyncNotice::from_query(""), None);
        assert_eq!(
            notices[0].describe(PaymentStatus::Accepted),
            "Synced (checked with CinetPay): status pending → accepted; it was delivered now."
        );
    }
}
