//! Reconciliation: retrying due deliveries and refund notices, and polling
//! payments without a final status. Safe on every instance at once: each
//! payment goes through the same claim-protected [`Checkout::sync`].

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::Checkout;
use super::metrics;
use super::outcome::{FulfilmentOutcome, ReconcileReport};
use crate::clock::before;
use crate::model::{DeliverySource, Payment};
use crate::store::{PollQuery, StoreError};

/// Shortest reconciliation interval [`Checkout::start_background`] accepts.
const MIN_INTERVAL: Duration = Duration::from_millis(10);

impl Checkout {
    /// One reconciliation pass: runs the deliveries (and refund notices)
    /// whose attempt is due, at most `reconcile_batch`, then, unless polling
    /// is off, checks at most `reconcile_batch` payments without a final
    /// status with CinetPay: pending ones with a payment page, and refused or
    /// cancelled ones (push operators report a failure first and a success
    /// later), younger than `poll_window`, least recently looked at first
    /// (see [`PollQuery`]). Every check records when it was made, so each
    /// candidate is reached within `ceil(candidates / batch)` passes and a
    /// payment whose notifications were all lost is still delivered.
    ///
    /// A payment whose sync fails is counted in [`ReconcileReport::errors`]
    /// and retried next pass; only a failure to list the work is an `Err`.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) -> Result<(), Box<dyn std::error::Error>> {
    /// let report = checkout.reconcile_once().await?;
    /// tracing::info!(delivered = report.fulfilled, failed_again = report.failed, "reconciled");
    /// # Ok(()) }
    /// ```
    pub async fn reconcile_once(&self) -> Result<ReconcileReport, StoreError> {
        let config = &self.inner.config;
        let store = &self.inner.store;
        let mut report = ReconcileReport::default();
        let now = self.inner.clock.now();

        let due = store
            .due_fulfilments(now, config.reconcile_batch)
            .await
            .inspect_err(metrics::reconciler_pass_failed)?;
        report.due = due.len();
        for payment in due {
            self.reconcile_one(&payment, &mut report).await;
        }

        if let Some(polling) = config.polling {
            let query = PollQuery {
                now,
                since: before(now, polling.window),
                after: polling.after,
                limit: config.reconcile_batch,
            };
            let candidates = store.payments_to_poll(&query).await;
            for payment in candidates.inspect_err(metrics::reconciler_pass_failed)? {
                report.polled += 1;
                if self.reconcile_one(&payment, &mut report).await {
                    report.poll_changed += 1;
                }
            }
        }

        if report != ReconcileReport::default() {
            tracing::info!(
                due = report.due,
                fulfilled = report.fulfilled,
                refunds_notified = report.refunds_notified,
                failed = report.failed,
                polled = report.polled,
                poll_changed = report.poll_changed,
                errors = report.errors,
                "reconciliation pass"
            );
        }
        metrics::reconciler_pass(&report);
        Ok(report)
    }

    /// Syncs one payment and counts the outcome; returns whether its status changed.
    async fn reconcile_one(&self, payment: &Payment, report: &mut ReconcileReport) -> bool {
        match self
            .sync(&payment.transaction_id, DeliverySource::Reconcile)
            .await
        {
            Ok(outcome) => {
                match outcome.fulfilment {
                    FulfilmentOutcome::Fulfilled { .. } => report.fulfilled += 1,
                    FulfilmentOutcome::RefundNotified { .. } => report.refunds_notified += 1,
                    FulfilmentOutcome::Failed { .. } => report.failed += 1,
                    _ => {}
                }
                outcome.changed()
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(transaction_id = %payment.transaction_id, error = %e, "reconciliation of a payment failed; retried next pass");
                false
            }
        }
    }

    /// Starts the engine's background work on the tokio runtime: the
    /// reconciler, which runs [`reconcile_once`](Self::reconcile_once) now and
    /// then every `reconcile_interval` (at least 10 ms), so that a delivery
    /// that failed is retried, a refund notice that failed is sent again, and
    /// a payment whose notifications were lost is found. Without it a failed
    /// delivery waits until the customer happens to come back: start it with
    /// the server, on every instance (the claims keep deliveries exclusive),
    /// and [`shutdown`](Background::shutdown) it after the server stopped
    /// serving, which also stores the delivery log's queued lines. (The
    /// Rocket fairing does both itself.) An engine that serves requests
    /// without it says so once, at `warn` level.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) {
    /// let background = checkout.start_background();
    /// // ... serve until the shutdown signal ...
    /// background.shutdown().await;
    /// # }
    /// ```
    pub fn start_background(&self) -> Background {
        self.inner
            .background_started
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let checkout = self.clone();
        let interval = self.inner.config.reconcile_interval.max(MIN_INTERVAL);
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tracing::info!(
                interval_ms = interval.as_millis() as u64,
                "reconciler started"
            );
            loop {
                tokio::select! {
                    biased;
                    _ = &mut stopped => break,
                    _ = ticker.tick() => {}
                }
                // A pass cut short is safe: deliveries run in their own tasks,
                // and an unfinished claim expires with its lease.
                tokio::select! {
                    biased;
                    _ = &mut stopped => break,
                    result = checkout.reconcile_once() => {
                        if let Err(e) = result {
                            tracing::warn!(error = %e, "reconciliation pass failed; retrying next interval");
                        }
                    }
                }
            }
            tracing::info!("reconciler stopped");
        });
        Background {
            checkout: self.clone(),
            stop: Some(stop),
            task: Some(task),
        }
    }
}

/// The engine's background work, started by [`Checkout::start_background`].
///
/// Dropping it stops the reconciler at its next await point;
/// [`shutdown`](Self::shutdown) also waits until it has stopped and stores
/// the delivery log's queued lines.
#[derive(Debug)]
pub struct Background {
    checkout: Checkout,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Background {
    /// Stops the reconciler, waits for it to finish, then stores the
    /// delivery-log lines still queued ([`Checkout::flush_delivery_log`]):
    /// call it once the server has stopped serving.
    pub async fn shutdown(mut self) {
        drop(self.stop.take());
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
            && e.is_panic()
        {
            tracing::error!("the reconciler panicked");
        }
        self.checkout.flush_delivery_log().await;
    }

    /// Stops the reconciler at once, without waiting.
    pub fn abort(&self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }

    /// Whether the reconciler has stopped.
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }
}
