//! The engine's metrics, recorded through the [`metrics`] facade:
//! counters and histograms with a `cinetpay_` prefix and small, fixed label
//! sets (never a transaction id, an order reference or an account name).
//!
//! The engine only records. Which exporter (Prometheus, StatsD, OpenTelemetry…)
//! receives them is the application's choice: it installs a recorder
//! (`metrics::set_global_recorder`, or an exporter's `install_recorder`) before
//! it builds the [`Checkout`](super::Checkout); without one, recording costs
//! next to nothing and goes nowhere. Call [`describe`] once the recorder is
//! installed to give each metric its help text and unit.
//!
//! Every name is a constant here, and [`ALL`] lists them with their kind and
//! labels; the table in `docs/metrics.md` (in the repository) says the same,
//! and a test keeps the two in step.
//!
//! ```
//! use cinetpay_core::engine::metrics::{self, Kind};
//!
//! // With an exporter's recorder installed first (e.g. metrics-exporter-prometheus):
//! metrics::describe();
//!
//! let checks = metrics::ALL
//!     .iter()
//!     .find(|m| m.name == metrics::STATUS_CHECKS_TOTAL)
//!     .unwrap();
//! assert_eq!(checks.kind, Kind::Counter);
//! assert_eq!(checks.labels[0].key, "generation");
//! assert!(metrics::ALL.iter().all(|m| m.name.starts_with("cinetpay_")));
//! ```

use std::future::Future;
use std::time::Instant;

use ::metrics::{Unit, counter, describe_counter, describe_histogram, histogram};

use super::error::SyncError;
use super::fulfil::Failure;
use super::gateway::{Checked, Gateway};
use super::outcome::{FulfilmentOutcome, ReconcileReport, SyncOutcome};
use super::refusals::Refusal;
use crate::client::ClientError;
use crate::first_delivery::FirstDelivered;
use crate::model::{Attention, Owed, Payment, PaymentStatus};
use crate::protocol::CheckOutcome;
use crate::store::{StatusChange, StoreError};

/// Counter: `POST {prefix}/notify` requests, by `outcome` (what the engine
/// answered and why).
pub const NOTIFICATIONS_TOTAL: &str = "cinetpay_notifications_total";
/// Counter: status checks with CinetPay (`/v2/payment/check`, `GET
/// /v1/payment/{id}`), by `generation` and `result`.
pub const STATUS_CHECKS_TOTAL: &str = "cinetpay_status_checks_total";
/// Histogram: how long a status check took, in seconds (with the client's
/// retries), by `generation` and `result`.
pub const STATUS_CHECK_DURATION_SECONDS: &str = "cinetpay_status_check_duration_seconds";
/// Counter: 2026 API logins (`POST /v1/oauth/login`, the token's renewals),
/// by `result`.
pub const LOGINS_TOTAL: &str = "cinetpay_logins_total";
/// Counter: runs of the merchant's code, by `kind` (`fulfil`,
/// `payment_needs_refund`, `payment_failed`) and `result`.
pub const FULFILMENTS_TOTAL: &str = "cinetpay_fulfilments_total";
/// Counter: accepted payments flagged for a refund instead of a delivery,
/// by `reason`.
pub const DUPLICATE_PAYMENTS_TOTAL: &str = "cinetpay_duplicate_payments_total";
/// Counter: payments moved to `needs_attention`, by `reason`.
pub const NEEDS_ATTENTION_TOTAL: &str = "cinetpay_needs_attention_total";
/// Counter: reconciliation passes, by `result`.
pub const RECONCILER_PASSES_TOTAL: &str = "cinetpay_reconciler_passes_total";
/// Histogram: payments one reconciliation pass visited, by `kind`.
pub const RECONCILER_CANDIDATES: &str = "cinetpay_reconciler_candidates";

/// What kind of metric a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A monotonic count (`metrics::counter!`).
    Counter,
    /// A distribution of observed values (`metrics::histogram!`).
    Histogram,
}

impl Kind {
    /// `counter` or `histogram`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Histogram => "histogram",
        }
    }
}

/// A label of a metric, with every value the engine gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Label {
    /// The label's key.
    pub key: &'static str,
    /// Its values: a fixed set.
    pub values: &'static [&'static str],
}

/// One metric the engine records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metric {
    /// Its name, one of this module's constants.
    pub name: &'static str,
    /// Counter or histogram.
    pub kind: Kind,
    /// Its labels, in the order the engine sets them.
    pub labels: &'static [Label],
    /// What it counts or measures (the help text [`describe`] registers).
    pub help: &'static str,
}

const GENERATION: Label = Label {
    key: "generation",
    values: &["v2", "2026"],
};
const CHECK_RESULT: Label = Label {
    key: "result",
    values: &[
        "accepted",
        "refused",
        "cancelled",
        "pending",
        "mismatch",
        "unknown",
        "request_error",
        "transport_error",
    ],
};

/// Every metric the engine records.
pub const ALL: &[Metric] = &[
    Metric {
        name: NOTIFICATIONS_TOTAL,
        kind: Kind::Counter,
        labels: &[Label {
            key: "outcome",
            values: &[
                "processed",
                "duplicate",
                "ignored",
                "unknown_transaction",
                "malformed_body",
                "invalid_transaction_id",
                "bad_x_token",
                "bad_notify_token",
                "foreign_site_id",
                "foreign_account",
                "delivery_failed",
                "delivery_not_due",
                "error",
            ],
        }],
        help: "Notifications received (POST {prefix}/notify), by outcome.",
    },
    Metric {
        name: STATUS_CHECKS_TOTAL,
        kind: Kind::Counter,
        labels: &[GENERATION, CHECK_RESULT],
        help: "Status checks with CinetPay, by API generation and result.",
    },
    Metric {
        name: STATUS_CHECK_DURATION_SECONDS,
        kind: Kind::Histogram,
        labels: &[GENERATION, CHECK_RESULT],
        help: "Duration of a status check with CinetPay (client retries included), in seconds.",
    },
    Metric {
        name: LOGINS_TOTAL,
        kind: Kind::Counter,
        labels: &[Label {
            key: "result",
            values: &["ok", "refused", "error"],
        }],
        help: "Logins to CinetPay's 2026 API (token renewals), by result.",
    },
    Metric {
        name: FULFILMENTS_TOTAL,
        kind: Kind::Counter,
        labels: &[
            Label {
                key: "kind",
                values: &["delivery", "refund_notice", "failure_notice"],
            },
            Label {
                key: "result",
                values: &["ok", "failed", "timed_out", "deferred"],
            },
        ],
        help: "Runs of the merchant's code (fulfil, payment_needs_refund, payment_failed), by kind and result.",
    },
    Metric {
        name: DUPLICATE_PAYMENTS_TOTAL,
        kind: Kind::Counter,
        labels: &[Label {
            key: "reason",
            values: &["order_already_paid", "superseded"],
        }],
        help: "Accepted payments flagged for a refund instead of a delivery, by reason.",
    },
    Metric {
        name: NEEDS_ATTENTION_TOTAL,
        kind: Kind::Counter,
        labels: &[Label {
            key: "reason",
            values: &["money_mismatch", "order_already_paid", "superseded"],
        }],
        help: "Payments moved to needs_attention, by reason.",
    },
    Metric {
        name: RECONCILER_PASSES_TOTAL,
        kind: Kind::Counter,
        labels: &[Label {
            key: "result",
            values: &["ok", "error"],
        }],
        help: "Reconciliation passes, by result.",
    },
    Metric {
        name: RECONCILER_CANDIDATES,
        kind: Kind::Histogram,
        labels: &[Label {
            key: "kind",
            values: &["due", "poll"],
        }],
        help: "Payments one reconciliation pass visited: due deliveries and refund notices, polled payments.",
    },
];

/// Registers every metric's help text and unit with the installed recorder
/// (Prometheus' `# HELP` lines). Call it once, after installing the recorder;
/// without one it does nothing.
///
/// ```
/// cinetpay_core::engine::metrics::describe();
/// ```
pub fn describe() {
    for metric in ALL {
        let unit = if metric.name.ends_with("_seconds") {
            Unit::Seconds
        } else {
            Unit::Count
        };
        match metric.kind {
            Kind::Counter => describe_counter!(metric.name, unit, metric.help),
            Kind::Histogram => describe_histogram!(metric.name, unit, metric.help),
        }
    }
}

/// The outcome of one `POST {prefix}/notify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Notified {
    /// `200`: the sync ran (status stored, delivery done or started, or
    /// nothing owed).
    Processed,
    /// `200`: nothing left to do (already delivered, or being delivered by
    /// a concurrent request).
    Duplicate,
    /// `200`: no `cpm_trans_id` at all.
    Ignored,
    /// Refused before any check (`400`, `401`, `403`), or an unknown
    /// transaction (`200`).
    Refused(Refusal),
    /// `500`: the merchant's code failed (retried later).
    DeliveryFailed,
    /// `503`: the delivery waits for its next attempt.
    DeliveryNotDue,
    /// `5xx`: check API or store down, check refused, unknown account.
    Error,
}

impl Notified {
    /// How the sync of an authenticated notification ended.
    pub(super) fn of(result: &Result<SyncOutcome, SyncError>) -> Self {
        match result {
            Ok(outcome) => match outcome.fulfilment {
                FulfilmentOutcome::Failed { .. } => Notified::DeliveryFailed,
                FulfilmentOutcome::NotDue { .. } => Notified::DeliveryNotDue,
                FulfilmentOutcome::AlreadyFulfilled | FulfilmentOutcome::ClaimedElsewhere => {
                    Notified::Duplicate
                }
                _ => Notified::Processed,
            },
            Err(_) => Notified::Error,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Notified::Processed => "processed",
            Notified::Duplicate => "duplicate",
            Notified::Ignored => "ignored",
            Notified::Refused(refusal) => refusal.name(),
            Notified::DeliveryFailed => "delivery_failed",
            Notified::DeliveryNotDue => "delivery_not_due",
            Notified::Error => "error",
        }
    }
}

/// Counts one notification.
pub(super) fn notification(outcome: Notified) {
    counter!(NOTIFICATIONS_TOTAL, "outcome" => outcome.as_str()).increment(1);
}

/// The result class of a status check.
fn check_result(result: &Result<Checked, ClientError>) -> &'static str {
    match result {
        Ok(checked) => match checked.outcome {
            CheckOutcome::Accepted => "accepted",
            CheckOutcome::Refused => "refused",
            CheckOutcome::Cancelled => "cancelled",
            CheckOutcome::Pending => "pending",
            CheckOutcome::Mismatch { .. } => "mismatch",
            CheckOutcome::RequestError => "request_error",
            _ => "unknown",
        },
        // CinetPay refused the request itself, as the sync reads it.
        Err(ClientError::Api { .. }) => "request_error",
        Err(_) => "transport_error",
    }
}

/// Checks `payment` with its account's gateway, counting the check and its
/// duration.
pub(super) async fn checked(
    gateway: &dyn Gateway,
    payment: &Payment,
) -> Result<Checked, ClientError> {
    let generation = gateway.generation();
    let started = Instant::now();
    let result = gateway.check(payment).await;
    let seconds = started.elapsed().as_secs_f64();
    let labels = [
        ("generation", generation.as_str()),
        ("result", check_result(&result)),
    ];
    counter!(STATUS_CHECKS_TOTAL, &labels).increment(1);
    histogram!(STATUS_CHECK_DURATION_SECONDS, &labels).record(seconds);
    result
}

/// Runs one 2026 API login, counting its result.
pub(crate) async fn login<F, T>(login: F) -> Result<T, ClientError>
where
    F: Future<Output = Result<T, ClientError>>,
{
    let result = login.await;
    let class = match &result {
        Ok(_) => "ok",
        Err(ClientError::Api { .. }) => "refused",
        Err(ClientError::HttpStatus { status, .. })
            if (400..500).contains(status) && !matches!(status, 408 | 429) =>
        {
            "refused"
        }
        Err(_) => "error",
    };
    counter!(LOGINS_TOTAL, "result" => class).increment(1);
    result
}

/// Which of the merchant's hooks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Work {
    /// `fulfil` (or `accept_and_fulfil`).
    Delivery,
    /// `payment_needs_refund`.
    RefundNotice,
    /// `payment_failed`.
    FailureNotice,
}

impl From<Owed> for Work {
    fn from(owed: Owed) -> Self {
        match owed {
            Owed::Delivery => Work::Delivery,
            Owed::RefundNotice => Work::RefundNotice,
        }
    }
}

/// Counts one run of the merchant's code: `None` when it returned `Ok`.
pub(super) fn fulfilment(work: Work, failure: Option<&Failure>) {
    let result = match failure {
        None => "ok",
        Some(failure) if failure.timed_out => "timed_out",
        Some(_) => "failed",
    };
    count_run(work, result);
}

fn count_run(work: Work, result: &'static str) {
    let kind = match work {
        Work::Delivery => "delivery",
        Work::RefundNotice => "refund_notice",
        Work::FailureNotice => "failure_notice",
    };
    counter!(FULFILMENTS_TOTAL, "kind" => kind, "result" => result).increment(1);
}

/// Counts a one-commit first delivery, unless the fulfiller declined it
/// (then the usual run is counted). An interrupted task counts as timed
/// out, as the engine treats it (whatever it started may still run).
pub(super) fn first_delivery(
    ran: &Result<Result<FirstDelivered, Failure>, tokio::task::JoinError>,
) {
    match ran {
        Ok(Ok(FirstDelivered::Delivered(_))) => fulfilment(Work::Delivery, None),
        Ok(Ok(FirstDelivered::Declined)) => {}
        Ok(Err(failure)) => fulfilment(Work::Delivery, Some(failure)),
        Err(_) => count_run(Work::Delivery, "timed_out"),
    }
}

/// Counts a one-commit first delivery cancelled at the answer's deadline
/// (it runs again in the background).
pub(super) fn first_delivery_deferred() {
    count_run(Work::Delivery, "deferred");
}

/// Counts a `payment_failed` run (an interrupted one as failed).
pub(super) fn failure_notice(ran: &Result<Result<(), Failure>, tokio::task::JoinError>) {
    match ran {
        Ok(result) => fulfilment(Work::FailureNotice, result.as_ref().err()),
        Err(_) => count_run(Work::FailureNotice, "failed"),
    }
}

/// Counts an applied status change to `needs_attention` (and a refund's
/// duplicate payment).
pub(super) fn status_changed(change: &StatusChange) {
    if change.to != PaymentStatus::NeedsAttention {
        return;
    }
    let Some(attention) = &change.attention else {
        return;
    };
    counter!(NEEDS_ATTENTION_TOTAL, "reason" => attention.kind()).increment(1);
    if let Attention::Refund(_) = attention {
        counter!(DUPLICATE_PAYMENTS_TOTAL, "reason" => attention.kind()).increment(1);
    }
}

/// Counts a reconciliation pass that listed its work.
pub(super) fn reconciler_pass(report: &ReconcileReport) {
    counter!(RECONCILER_PASSES_TOTAL, "result" => "ok").increment(1);
    histogram!(RECONCILER_CANDIDATES, "kind" => "due").record(report.due as f64);
    histogram!(RECONCILER_CANDIDATES, "kind" => "poll").record(report.polled as f64);
}

/// Counts a reconciliation pass that could not list its work.
pub(super) fn reconciler_pass_failed(_: &StoreError) {
    counter!(RECONCILER_PASSES_TOTAL, "result" => "error").increment(1);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn values(name: &str, key: &str) -> &'static [&'static str] {
        ALL.iter()
            .find(|m| m.name == name)
            .and_then(|m| m.labels.iter().find(|l| l.key == key))
            .map(|l| l.values)
            .unwrap_or_default()
    }

    #[test]
    fn every_notification_outcome_is_listed() {
        let mut outcomes = vec![
            Notified::Processed,
            Notified::Duplicate,
            Notified::Ignored,
            Notified::DeliveryFailed,
            Notified::DeliveryNotDue,
            Notified::Error,
        ];
        outcomes.extend(Refusal::ALL.map(Notified::Refused));
        let listed = values(NOTIFICATIONS_TOTAL, "outcome");
        for outcome in &outcomes {
            assert!(listed.contains(&outcome.as_str()), "{outcome:?}");
        }
        assert_eq!(listed.len(), outcomes.len());
    }

    #[test]
    fn every_attention_reason_and_generation_is_listed() {
        let by: crate::TransactionId = "cp-first".parse().unwrap();
        let refunds = [
            Attention::Refund(crate::RefundReason::OrderAlreadyPaid { by }),
            Attention::Refund(crate::RefundReason::Superseded),
        ];
        for attention in refunds.iter().chain([&Attention::MoneyMismatch]) {
            assert!(values(NEEDS_ATTENTION_TOTAL, "reason").contains(&attention.kind()));
        }
        for attention in &refunds {
            assert!(values(DUPLICATE_PAYMENTS_TOTAL, "reason").contains(&attention.kind()));
        }
        for generation in [crate::Generation::CheckoutV2, crate::Generation::Rest2026] {
            assert!(values(STATUS_CHECKS_TOTAL, "generation").contains(&generation.as_str()));
        }
    }

    #[test]
    fn names_are_unique_prefixed_and_suffixed_as_prometheus_expects() {
        for (i, metric) in ALL.iter().enumerate() {
            assert!(metric.name.starts_with("cinetpay_"), "{}", metric.name);
            assert!(ALL[..i].iter().all(|m| m.name != metric.name));
            assert_eq!(
                metric.name.ends_with("_total"),
                metric.kind == Kind::Counter,
                "{}",
                metric.name
            );
        }
    }
}
