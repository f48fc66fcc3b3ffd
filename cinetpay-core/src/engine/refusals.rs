//! Counting refused, unauthenticated requests in the logs instead of the
//! store: a flood of forged notifications or returns for unknown ids costs
//! no write and at most one `warn` line a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Why a request was refused (or found nothing to do) before any check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// A notification whose `x-token` is missing, repeated or wrong.
    BadXToken,
    /// A notification for another site id.
    ForeignSite,
    /// A notification or return whose transaction id is not one of ours.
    InvalidTransactionId,
    /// A notification or return for a transaction id the store does not know.
    UnknownTransaction,
    /// A notification body that could not be read.
    MalformedBody,
    /// A 2026 API notification whose `notify_token` is missing or is not
    /// the payment's (or a notification of the other generation).
    BadNotifyToken,
    /// A Checkout v2 notification signed for one account about a payment
    /// of another.
    ForeignAccount,
}

impl Refusal {
    pub(super) const ALL: [Refusal; 7] = [
        Refusal::BadXToken,
        Refusal::ForeignSite,
        Refusal::InvalidTransactionId,
        Refusal::UnknownTransaction,
        Refusal::MalformedBody,
        Refusal::BadNotifyToken,
        Refusal::ForeignAccount,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Refusal::BadXToken => "bad_x_token",
            Refusal::ForeignSite => "foreign_site_id",
            Refusal::InvalidTransactionId => "invalid_transaction_id",
            Refusal::UnknownTransaction => "unknown_transaction",
            Refusal::MalformedBody => "malformed_body",
            Refusal::BadNotifyToken => "bad_notify_token",
            Refusal::ForeignAccount => "foreign_account",
        }
    }
}

/// How often a summary is logged at `warn`; the others go to `debug`.
const WARN_EVERY: Duration = Duration::from_secs(1);

/// The counters of one engine.
#[derive(Default)]
pub(super) struct Refusals {
    counts: [AtomicU64; 7],
    last_warn: Mutex<Option<Instant>>,
}

impl Refusals {
    /// Counts one refusal; logs it at `warn` with the totals when the last
    /// such line is older than a second, else at `debug`.
    pub(super) fn note(&self, refusal: Refusal, detail: &str) {
        let index = Refusal::ALL.iter().position(|r| *r == refusal).unwrap_or(0);
        let total = self.counts[index].fetch_add(1, Ordering::Relaxed) + 1;
        let due = {
            let mut last = self
                .last_warn
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let due = last.is_none_or(|at| now.duration_since(at) >= WARN_EVERY);
            if due {
                *last = Some(now);
            }
            due
        };
        if due {
            tracing::warn!(
                refusal = refusal.name(),
                total,
                all = self.total(),
                detail,
                "request refused before any check; nothing stored (totals since start)"
            );
        } else {
            tracing::debug!(refusal = refusal.name(), total, detail, "request refused");
        }
    }

    /// Refusals counted so far, of every kind.
    pub(super) fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}
