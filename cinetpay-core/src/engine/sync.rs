//! The one path for truth: [`Checkout::sync`].

use tracing::Instrument;

use super::Checkout;
use super::classify::{Verdict, classify, snapshot};
use super::delivery_log::Durability;
use super::error::SyncError;
use super::outcome::{FulfilmentOutcome, SyncOutcome};
use crate::model::{CheckSnapshot, DeliverySource, Payment, PaymentStatus};
use crate::store::StatusChange;
use crate::values::TransactionId;

impl Checkout {
    /// Brings one payment up to date with CinetPay and delivers it if it is
    /// accepted: what notify, return and reconciliation all call.
    ///
    /// * unknown id: nothing changes (`Ok` with no payment);
    /// * fulfilled: nothing to do (one read, no call to CinetPay);
    /// * accepted but not delivered: no check (accepted never changes), deliver;
    /// * `start_failed`, `needs_attention`: left for a human, no check;
    /// * otherwise: `/v2/payment/check`, then a compare-and-set transition to
    ///   what it verifiably says, then delivery (accepted) or the one-time
    ///   failure notice (refused, cancelled).
    ///
    /// Each call appends one line to the delivery log with `source` and its
    /// outcome. The answer waits until that line is stored, except for a
    /// payment that was already fulfilled: that line records nothing new and
    /// is written behind, grouped with others, so that a duplicate costs one
    /// read (see [`Checkout::flush_delivery_log`]).
    /// An `Err` is transient: nothing was lost, and a later sync picks up where
    /// this one stopped.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_core::{DeliverySource, PaymentStatus};
    /// let outcome = checkout.sync(&"cp-abc".parse()?, DeliverySource::Return).await?;
    /// if outcome.status() == Some(PaymentStatus::Accepted) {
    ///     tracing::info!(fulfilment = ?outcome.fulfilment, "paid");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn sync(
        &self,
        id: &TransactionId,
        source: DeliverySource,
    ) -> Result<SyncOutcome, SyncError> {
        let span = tracing::info_span!("cinetpay_sync", transaction_id = %id, %source);
        async {
            let result = self.sync_inner(id).await;
            let durability = if records_nothing_new(&result) {
                Durability::WrittenBehind
            } else {
                Durability::Awaited
            };
            self.record_with(id.as_str(), source, &describe(&result), durability)
                .await;
            result
        }
        .instrument(span)
        .await
    }

    async fn sync_inner(&self, id: &TransactionId) -> Result<SyncOutcome, SyncError> {
        let store = &self.inner.store;
        let Some(payment) = store.find_payment(id).await? else {
            tracing::warn!("unknown transaction: nothing changed");
            return Ok(SyncOutcome::unknown());
        };
        let previous = payment.status;
        if payment.is_fulfilled() {
            tracing::debug!("already fulfilled");
            return Ok(done(payment, previous, FulfilmentOutcome::AlreadyFulfilled));
        }
        match payment.status {
            PaymentStatus::Accepted => return self.deliver(payment, previous).await,
            PaymentStatus::StartFailed | PaymentStatus::NeedsAttention => {
                tracing::debug!(status = %payment.status, "final status, left for a human");
                return Ok(done(payment, previous, FulfilmentOutcome::NotAccepted));
            }
            PaymentStatus::Pending | PaymentStatus::Refused | PaymentStatus::Cancelled => {}
        }

        let check = self.inner.client.check_payment(id).await.map_err(|e| {
            tracing::warn!(error = %e, "cannot check the payment with CinetPay");
            SyncError::Check(e)
        })?;
        let verdict = classify(&payment, &check);
        let reason = match &verdict {
            Verdict::RequestError => {
                tracing::error!(
                    code = %check.code,
                    message = %check.message,
                    "CinetPay refused the check: the API key or site id is probably wrong"
                );
                return Err(SyncError::CheckRefused {
                    code: check.code.chars().take(16).collect(),
                    message: check.message.chars().take(64).collect(),
                });
            }
            Verdict::Mismatch(reason) => {
                tracing::error!(
                    order_ref = %payment.order_ref,
                    reason = %reason,
                    "CinetPay reports a success for other money than the payment's: NOT fulfilled, needs attention"
                );
                Some(reason.clone())
            }
            Verdict::Pending => {
                tracing::info!(code = %check.code, message = %check.message, "payment still pending");
                None
            }
            Verdict::Unknown => {
                tracing::warn!(
                    code = %check.code,
                    message = %check.message,
                    "undocumented or contradictory check answer: status kept"
                );
                None
            }
            Verdict::Accepted | Verdict::Refused | Verdict::Cancelled => None,
        };
        let payment = match verdict.target() {
            Some(to) => {
                self.transition(payment, to, snapshot(&check), reason)
                    .await?
            }
            None => payment,
        };
        match payment.status {
            PaymentStatus::Accepted if payment.is_fulfilled() => {
                Ok(done(payment, previous, FulfilmentOutcome::AlreadyFulfilled))
            }
            PaymentStatus::Accepted => self.deliver(payment, previous).await,
            status if status.is_failure() => {
                self.failure_notice(&payment).await?;
                Ok(done(payment, previous, FulfilmentOutcome::NotAccepted))
            }
            _ => Ok(done(payment, previous, FulfilmentOutcome::NotAccepted)),
        }
    }

    async fn deliver(
        &self,
        payment: Payment,
        previous: PaymentStatus,
    ) -> Result<SyncOutcome, SyncError> {
        let (payment, fulfilment) = self.fulfil_once(payment).await?;
        Ok(done(payment, previous, fulfilment))
    }

    /// Moves `payment` to `to` by compare-and-set. On a lost race, re-reads
    /// once and continues from the new state: already there, no longer allowed
    /// (accepted stays accepted), or one more compare-and-set.
    async fn transition(
        &self,
        mut current: Payment,
        to: PaymentStatus,
        check: CheckSnapshot,
        reason: Option<String>,
    ) -> Result<Payment, SyncError> {
        let store = &self.inner.store;
        for round in 0..2 {
            if current.status == to {
                return Ok(current);
            }
            if !current.status.can_become(to) {
                refuse_transition(&current, to);
                return Ok(current);
            }
            let now = self.inner.clock.now();
            let change = StatusChange {
                from: current.status,
                to,
                check: Some(check.clone()),
                reason: reason.clone(),
                at: now,
            };
            if store.transition(&current.transaction_id, &change).await? {
                tracing::info!(from = %current.status, to = %to, "payment status changed");
                current.status = to;
                current.check = Some(check);
                if reason.is_some() {
                    current.status_reason = reason;
                }
                current.open = to == PaymentStatus::Pending && current.open;
                current.updated_at = now;
                return Ok(current);
            }
            if round == 0 {
                tracing::debug!(from = %current.status, to = %to, "status changed concurrently, re-reading");
                current = store
                    .find_payment(&current.transaction_id)
                    .await?
                    .ok_or(SyncError::Contention)?;
            }
        }
        tracing::warn!(to = %to, "status kept changing concurrently");
        Err(SyncError::Contention)
    }

    /// Calls `payment_failed` if this caller wins the one-time notice.
    async fn failure_notice(&self, payment: &Payment) -> Result<(), SyncError> {
        if payment.failure_notified_at.is_some() {
            return Ok(());
        }
        let now = self.inner.clock.now();
        if !self
            .inner
            .store
            .claim_failure_notice(&payment.transaction_id, now)
            .await?
        {
            return Ok(());
        }
        let fulfiller = self.inner.fulfiller.clone();
        let timeout = self.inner.config.fulfil_timeout;
        let failed = payment.clone();
        // Detached, so that a dropped request cannot cut the one notice short.
        let run = tokio::spawn(async move {
            super::fulfil::guarded(timeout, fulfiller.payment_failed(&failed)).await
        });
        match run.await {
            Ok(Ok(())) => tracing::info!(status = %payment.status, "payment_failed notified"),
            Ok(Err(error)) => {
                tracing::error!(%error, "payment_failed hook failed; it is not called again")
            }
            Err(e) => tracing::error!(error = %e, "payment_failed hook was interrupted"),
        }
        Ok(())
    }
}

fn refuse_transition(current: &Payment, to: PaymentStatus) {
    match (current.status, to) {
        (PaymentStatus::Accepted, PaymentStatus::NeedsAttention) => tracing::error!(
            "a later check of an accepted payment disagrees on the money; it stays accepted"
        ),
        (PaymentStatus::Accepted, _) => {
            tracing::info!(reported = %to, "late report ignored: the payment stays accepted")
        }
        (PaymentStatus::StartFailed | PaymentStatus::NeedsAttention, PaymentStatus::Accepted) => {
            tracing::error!(
                status = %current.status,
                "CinetPay reports this payment accepted, but it is left for a human: NOT fulfilled"
            )
        }
        _ => tracing::info!(status = %current.status, reported = %to, "status kept"),
    }
}

fn done(payment: Payment, previous: PaymentStatus, fulfilment: FulfilmentOutcome) -> SyncOutcome {
    SyncOutcome {
        payment: Some(payment),
        previous_status: Some(previous),
        fulfilment,
    }
}

/// A payment that was fulfilled before this sync and is unchanged by it.
fn records_nothing_new(result: &Result<SyncOutcome, SyncError>) -> bool {
    matches!(
        result,
        Ok(SyncOutcome {
            payment: Some(payment),
            previous_status: Some(PaymentStatus::Accepted),
            fulfilment: FulfilmentOutcome::AlreadyFulfilled,
        }) if payment.status == PaymentStatus::Accepted
    )
}

/// The delivery log's short outcome.
fn describe(result: &Result<SyncOutcome, SyncError>) -> String {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => return format!("error: {e}"),
    };
    let Some(payment) = &outcome.payment else {
        return "unknown transaction".to_owned();
    };
    let status = match outcome.previous_status {
        Some(prev) if prev != payment.status => format!("{prev} -> {}", payment.status),
        _ => payment.status.to_string(),
    };
    let check = payment
        .check
        .as_ref()
        .map(|c| format!(" ({} {})", c.code, c.message))
        .unwrap_or_default();
    let fulfilment = match &outcome.fulfilment {
        FulfilmentOutcome::NotAccepted => String::new(),
        FulfilmentOutcome::AlreadyFulfilled => ", already fulfilled".to_owned(),
        FulfilmentOutcome::Fulfilled { attempt } => format!(", fulfilled (attempt {attempt})"),
        FulfilmentOutcome::Failed { attempt, error, .. } => {
            format!(", fulfilment attempt {attempt} failed: {error}")
        }
        FulfilmentOutcome::ClaimedElsewhere => ", being fulfilled elsewhere".to_owned(),
        FulfilmentOutcome::NotDue { next_attempt_at } => {
            format!(", next fulfilment attempt at {next_attempt_at}")
        }
    };
    format!("{status}{check}{fulfilment}")
}
