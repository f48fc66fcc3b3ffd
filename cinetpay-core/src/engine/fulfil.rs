//! `fulfil_once`: the claim protocol around the merchant's `fulfil`.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;

use super::Checkout;
use super::clock::after;
use super::error::SyncError;
use super::outcome::FulfilmentOutcome;
use crate::fulfiller::FulfilError;
use crate::model::{FulfilmentClaim, Payment, PaymentStatus, Timestamp};
use crate::values::TransactionId;

/// Longest error text kept as a payment's `last_error`.
const MAX_ERROR_LEN: usize = 500;
/// Longest wait between two tries to record a finished delivery late.
const MAX_LATE_RECORD_DELAY: Duration = Duration::from_secs(10);

impl Checkout {
    /// Delivers an accepted payment unless it is delivered, being delivered
    /// elsewhere, or waiting for its next attempt.
    ///
    /// Claims the fulfilment (random owner token, lease `claim_lease`), then
    /// runs the fulfiller in a detached task, so that a dropped request cannot
    /// leave a finished delivery unrecorded. When the store fails to record a
    /// finished delivery, the sync answers with the store error and a
    /// background task keeps trying until the claim's lease ends. Returns the
    /// payment as claimed with this attempt's outcome applied.
    pub(crate) async fn fulfil_once(
        &self,
        payment: Payment,
    ) -> Result<(Payment, FulfilmentOutcome), SyncError> {
        let id = &payment.transaction_id;
        let owner = owner_token();
        let now = self.inner.clock.now();
        let lease_until = after(now, self.inner.config.claim_lease);
        let claim = self
            .inner
            .store
            .claim_fulfilment(id, &owner, now, lease_until)
            .await?;
        let Some(claim) = claim else {
            return self.why_not_claimed(payment, now).await;
        };
        let this = self.clone();
        let task = tokio::spawn(tracing::Instrument::instrument(
            async move { this.run_claim(claim).await },
            tracing::Span::current(),
        ));
        match task.await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "the fulfilment task was interrupted; its claim expires with its lease");
                Err(SyncError::Interrupted(e.to_string()))
            }
        }
    }

    async fn run_claim(
        &self,
        claim: FulfilmentClaim,
    ) -> Result<(Payment, FulfilmentOutcome), SyncError> {
        let FulfilmentClaim {
            mut payment,
            owner,
            attempt,
            lease_until,
        } = claim;
        let id = payment.transaction_id.clone();
        let store = &self.inner.store;
        tracing::info!(attempt, order_ref = %payment.order_ref, "fulfilling the order");
        let timeout = self.inner.config.fulfil_timeout;
        let result = guarded(timeout, self.inner.fulfiller.fulfil(&payment, attempt)).await;
        match result {
            Ok(()) => {
                let mut tries = 0u32;
                loop {
                    let now = self.inner.clock.now();
                    match store.complete_fulfilment(&id, &owner, now).await {
                        Ok(true) => {
                            tracing::info!(attempt, "order fulfilled");
                            payment.fulfilment.fulfilled_at = Some(now);
                            payment.fulfilment.last_error = None;
                            payment.fulfilment.next_attempt_at = None;
                            return Ok((payment, FulfilmentOutcome::Fulfilled { attempt }));
                        }
                        Ok(false) => {
                            tracing::error!(
                                attempt,
                                "fulfil returned Ok after this instance lost its claim (lease expired and taken over): the fulfiller may run again"
                            );
                            return Ok((payment, FulfilmentOutcome::ClaimedElsewhere));
                        }
                        Err(e) if tries < 3 => {
                            tries += 1;
                            tracing::warn!(error = %e, tries, "cannot record the fulfilment yet, retrying");
                            tokio::time::sleep(Duration::from_millis(
                                100 * u64::from(1u32 << tries),
                            ))
                            .await;
                        }
                        Err(e) => {
                            tracing::error!(
                                error = %e,
                                "fulfil returned Ok but it cannot be recorded yet: still trying in the background until the claim's lease ends"
                            );
                            let this = self.clone();
                            tokio::spawn(tracing::Instrument::instrument(
                                async move {
                                    this.record_late_completion(id, owner, attempt, lease_until)
                                        .await
                                },
                                tracing::Span::current(),
                            ));
                            return Err(e.into());
                        }
                    }
                }
            }
            Err(error) => {
                let error: String = error.chars().take(MAX_ERROR_LEN).collect();
                let now = self.inner.clock.now();
                let next_attempt_at = after(now, self.inner.config.retry_delay(attempt));
                tracing::warn!(attempt, %error, %next_attempt_at, "fulfilment failed; it will be retried");
                if !store
                    .release_fulfilment(&id, &owner, &error, next_attempt_at, now)
                    .await?
                {
                    tracing::warn!(attempt, "the claim was already taken over");
                }
                payment.fulfilment.last_error = Some(error.clone());
                payment.fulfilment.next_attempt_at = Some(next_attempt_at);
                Ok((
                    payment,
                    FulfilmentOutcome::Failed {
                        attempt,
                        error,
                        next_attempt_at,
                    },
                ))
            }
        }
    }

    /// Keeps trying to record a delivery whose `fulfil` returned `Ok` while the
    /// store was failing, until the claim's lease ends. While this instance
    /// holds the claim nobody else can run the fulfiller; recording the
    /// delivery before the lease ends is what keeps it from running again.
    async fn record_late_completion(
        &self,
        id: TransactionId,
        owner: String,
        attempt: u32,
        lease_until: Timestamp,
    ) {
        let mut delay = Duration::from_millis(500);
        loop {
            tokio::time::sleep(delay).await;
            let now = self.inner.clock.now();
            match self.inner.store.complete_fulfilment(&id, &owner, now).await {
                Ok(true) => {
                    tracing::info!(attempt, "order fulfilled (recorded late)");
                    return;
                }
                Ok(false) => {
                    tracing::error!(
                        attempt,
                        "fulfil returned Ok, but the claim was taken over before it could be recorded: the fulfiller may run again"
                    );
                    return;
                }
                Err(e) if now < lease_until => {
                    tracing::warn!(error = %e, "cannot record the fulfilment yet, retrying");
                    delay = (delay * 2).min(MAX_LATE_RECORD_DELAY);
                }
                Err(e) => {
                    tracing::error!(
                        error = %e,
                        attempt,
                        "fulfil returned Ok but it could not be recorded before the claim's lease ended: the fulfiller may run again"
                    );
                    return;
                }
            }
        }
    }

    /// Re-reads the payment to tell why it could not be claimed.
    async fn why_not_claimed(
        &self,
        payment: Payment,
        now: Timestamp,
    ) -> Result<(Payment, FulfilmentOutcome), SyncError> {
        let current = self
            .inner
            .store
            .find_payment(&payment.transaction_id)
            .await?
            .unwrap_or(payment);
        let f = &current.fulfilment;
        let outcome = if current.is_fulfilled() {
            FulfilmentOutcome::AlreadyFulfilled
        } else if current.status != PaymentStatus::Accepted {
            FulfilmentOutcome::NotAccepted
        } else if f.claim_until.is_some_and(|t| t > now) {
            tracing::info!("another caller is fulfilling this payment");
            FulfilmentOutcome::ClaimedElsewhere
        } else if let Some(next_attempt_at) = f.next_attempt_at.filter(|t| *t > now) {
            tracing::info!(%next_attempt_at, "next fulfilment attempt not due yet");
            FulfilmentOutcome::NotDue { next_attempt_at }
        } else {
            FulfilmentOutcome::ClaimedElsewhere
        };
        Ok((current, outcome))
    }
}

/// Runs merchant code under `timeout`, turning an error, a panic or a timeout
/// into an error text.
pub(crate) async fn guarded<F>(timeout: Duration, work: F) -> Result<(), String>
where
    F: Future<Output = Result<(), FulfilError>>,
{
    match tokio::time::timeout(timeout, AssertUnwindSafe(work).catch_unwind()).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Err(panic)) => Err(format!("fulfiller panicked: {}", panic_message(&*panic))),
        Err(_) => Err(format!(
            "fulfiller timed out after {} ms",
            timeout.as_millis()
        )),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// A fresh, unguessable owner token for one claim.
fn owner_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}
