//! `fulfil_once`: the claim protocol around the merchant's `fulfil` (and
//! `payment_needs_refund`).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::Checkout;
use super::error::SyncError;
use super::outcome::FulfilmentOutcome;
use crate::clock::after;
use crate::fulfiller::FulfilError;
use crate::model::{DeliveryRecord, DeliverySource, FulfilmentClaim, Owed, Payment, Timestamp};
use crate::store::{Claim, Completion, Release};
use crate::values::TransactionId;

/// The delivery-log line of the sync that runs a fulfilment, up to its
/// fulfilment part: written with the completion, in one commit, when the
/// merchant's code returned `Ok` (see [`PaymentStore::complete_and_record`](crate::PaymentStore::complete_and_record)).
pub(crate) struct LogLine {
    pub(crate) source: DeliverySource,
    /// The status and check parts (`pending -> accepted (00 SUCCES)`).
    pub(crate) prefix: String,
}

impl LogLine {
    /// The line of a delivery by `attempt`.
    pub(crate) fn record(&self, id: &TransactionId, attempt: u32, at: Timestamp) -> DeliveryRecord {
        self.with(id, &FulfilmentOutcome::Fulfilled { attempt }, at)
    }

    /// The line, with `fulfilment` as its fulfilment part.
    pub(crate) fn with(
        &self,
        id: &TransactionId,
        fulfilment: &FulfilmentOutcome,
        at: Timestamp,
    ) -> DeliveryRecord {
        let text = format!(
            "{}{}",
            self.prefix,
            super::sync::describe_fulfilment(fulfilment)
        );
        DeliveryRecord::new(id.as_str(), self.source, &text, at)
    }
}

/// What [`Checkout::fulfil_once`] did: the payment, the outcome, and whether
/// the sync's delivery-log line was written with the completion.
pub(crate) struct Fulfilled {
    pub(crate) payment: Payment,
    pub(crate) outcome: FulfilmentOutcome,
    pub(crate) logged: bool,
}

impl Fulfilled {
    fn unlogged((payment, outcome): (Payment, FulfilmentOutcome)) -> Self {
        Fulfilled {
            payment,
            outcome,
            logged: false,
        }
    }
}

/// Longest error text kept as a payment's `last_error`.
const MAX_ERROR_LEN: usize = 500;
/// Longest wait between two tries to record a finished delivery late.
const MAX_LATE_RECORD_DELAY: Duration = Duration::from_secs(10);

impl Checkout {
    /// Runs what the merchant's code owes a payment ([`Payment::owed`]: its
    /// delivery, or its refund notice) unless it is done, being done
    /// elsewhere, or waiting for its next attempt.
    ///
    /// Claims it (random owner token, lease `claim_lease` on the store's
    /// clock), then runs the merchant's code in a detached task, so that a
    /// dropped request cannot leave finished work unrecorded. When the store
    /// fails to record finished work, the sync answers with the store error
    /// and a background task keeps trying until the claim's lease ends.
    /// Returns the payment as claimed with this attempt's outcome applied.
    ///
    /// `won` is a claim the caller already holds (taken with the change to
    /// `accepted`, [`PaymentStore::accept_and_claim`](crate::PaymentStore::accept_and_claim));
    /// `line`, the caller's delivery-log line, written with the completion.
    pub(crate) async fn fulfil_once(
        &self,
        payment: Payment,
        won: super::sync::Claimed,
        line: Option<LogLine>,
    ) -> Result<Fulfilled, SyncError> {
        let Some(owed) = payment.owed() else {
            let outcome = if payment.is_fulfilled() {
                FulfilmentOutcome::AlreadyFulfilled
            } else {
                FulfilmentOutcome::NotAccepted
            };
            return Ok(Fulfilled::unlogged((payment, outcome)));
        };
        let (claim, lease_ends) = match won {
            Some(won) => won,
            None => {
                let id = &payment.transaction_id;
                let owner = owner_token();
                let now = self.inner.clock.now();
                let lease = self.inner.config.claim_lease;
                let claim = self
                    .inner
                    .store
                    .claim_fulfilment(&Claim {
                        transaction_id: id,
                        owner: &owner,
                        now,
                        lease,
                    })
                    .await?;
                let Some(claim) = claim else {
                    return self
                        .why_not_claimed(payment, now)
                        .await
                        .map(Fulfilled::unlogged);
                };
                // The lease as this process can measure it: it started at the latest now.
                (claim, Instant::now() + lease)
            }
        };
        let this = self.clone();
        let task = tokio::spawn(tracing::Instrument::instrument(
            async move { this.run_claim(claim, owed, lease_ends, line).await },
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
        owed: Owed,
        lease_ends: Instant,
        line: Option<LogLine>,
    ) -> Result<Fulfilled, SyncError> {
        let FulfilmentClaim {
            mut payment,
            owner,
            attempt,
            ..
        } = claim;
        let id = payment.transaction_id.clone();
        let timeout = self.inner.config.fulfil_timeout;
        let fulfiller = &self.inner.fulfiller;
        let result = match (owed, payment.refund_reason().cloned()) {
            (Owed::RefundNotice, Some(reason)) => {
                tracing::info!(attempt, order_ref = %payment.order_ref, %reason, "telling the merchant to refund the payment");
                guarded(timeout, fulfiller.payment_needs_refund(&payment, &reason))
                    .await
                    .map(|()| false)
            }
            _ => {
                tracing::info!(attempt, order_ref = %payment.order_ref, "fulfilling the order");
                match &line {
                    // Its line in the delivery's own transaction.
                    Some(line) if owed == Owed::Delivery && fulfiller.records_delivery() => {
                        let record = line.record(&id, attempt, self.inner.clock.now());
                        guarded(
                            timeout,
                            fulfiller.fulfil_recording(&payment, attempt, &record),
                        )
                        .await
                    }
                    _ => guarded(timeout, fulfiller.fulfil(&payment, attempt))
                        .await
                        .map(|()| false),
                }
            }
        };
        super::metrics::fulfilment(owed.into(), result.as_ref().err());
        let done = |payment: &mut Payment, at: Timestamp| match owed {
            Owed::Delivery => {
                payment.fulfilment.fulfilled_at = Some(at);
                payment.fulfilment.last_error = None;
                payment.fulfilment.next_attempt_at = None;
                FulfilmentOutcome::Fulfilled { attempt }
            }
            Owed::RefundNotice => {
                payment.refund_notified_at = Some(at);
                FulfilmentOutcome::RefundNotified { attempt }
            }
        };
        match result {
            Ok(logged) if owed == Owed::Delivery && fulfiller.records_delivery() => {
                tracing::info!(
                    attempt,
                    logged,
                    "order fulfilled (recorded in the fulfilment's transaction)"
                );
                let outcome = done(&mut payment, self.inner.clock.now());
                Ok(Fulfilled {
                    payment,
                    outcome,
                    logged,
                })
            }
            Ok(_) => {
                let mut tries = 0u32;
                loop {
                    let now = self.inner.clock.now();
                    let completion = Completion {
                        transaction_id: &id,
                        owner: &owner,
                        now,
                    };
                    let store = &self.inner.store;
                    let completed = match &line {
                        Some(line) => {
                            let record = match owed {
                                Owed::Delivery => line.record(&id, attempt, now),
                                Owed::RefundNotice => line.with(
                                    &id,
                                    &FulfilmentOutcome::RefundNotified { attempt },
                                    now,
                                ),
                            };
                            store.complete_and_record(&completion, &record).await
                        }
                        None => store.complete_fulfilment(&completion).await,
                    };
                    let logged = line.is_some();
                    match completed {
                        Ok(true) => {
                            match owed {
                                Owed::Delivery => tracing::info!(attempt, "order fulfilled"),
                                Owed::RefundNotice => tracing::info!(attempt, "refund notified"),
                            }
                            let outcome = done(&mut payment, now);
                            return Ok(Fulfilled {
                                payment,
                                outcome,
                                logged,
                            });
                        }
                        Ok(false) => {
                            tracing::error!(
                                attempt,
                                "the merchant's code returned Ok after this instance lost its claim (lease expired and taken over): it may run again"
                            );
                            return Ok(Fulfilled {
                                payment,
                                outcome: FulfilmentOutcome::ClaimedElsewhere,
                                logged,
                            });
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
                                "the merchant's code returned Ok but it cannot be recorded yet: still trying in the background until the claim's lease ends"
                            );
                            let this = self.clone();
                            tokio::spawn(tracing::Instrument::instrument(
                                async move {
                                    this.record_late_completion(id, owner, attempt, lease_ends)
                                        .await
                                },
                                tracing::Span::current(),
                            ));
                            return Err(e.into());
                        }
                    }
                }
            }
            Err(failure) => self.record_failure(payment, &owner, attempt, failure).await,
        }
    }

    /// Releases the claim of an attempt that did not return `Ok`, with its
    /// error and when to try again (after a timeout, not before the kept
    /// lease ends: whatever it started may still be running).
    pub(super) async fn record_failure(
        &self,
        mut payment: Payment,
        owner: &str,
        attempt: u32,
        failure: Failure,
    ) -> Result<Fulfilled, SyncError> {
        let id = payment.transaction_id.clone();
        let error = crate::model::storable(&failure.message, MAX_ERROR_LEN);
        let now = self.inner.clock.now();
        let mut next_attempt_at = after(now, self.inner.config.retry_delay(attempt));
        if failure.timed_out {
            // Not before the kept lease ends (`updated_at` is when it was claimed).
            next_attempt_at =
                next_attempt_at.max(after(payment.updated_at, self.inner.config.claim_lease));
            tracing::warn!(attempt, %error, %next_attempt_at, "timed out; the claim is kept until its lease ends, then retried");
        } else {
            tracing::warn!(attempt, %error, %next_attempt_at, "failed; it will be retried");
        }
        let release = Release {
            transaction_id: &id,
            owner,
            error: &error,
            next_attempt_at,
            now,
            keep_lease: failure.timed_out,
        };
        if !self.inner.store.release_fulfilment(&release).await? {
            tracing::warn!(attempt, "the claim was already taken over");
        }
        payment.fulfilment.last_error = Some(error.clone());
        payment.fulfilment.next_attempt_at = Some(next_attempt_at);
        Ok(Fulfilled::unlogged((
            payment,
            FulfilmentOutcome::Failed {
                attempt,
                error,
                next_attempt_at,
            },
        )))
    }

    /// Keeps trying to record work whose merchant code returned `Ok` while the
    /// store was failing, until the claim's lease ends. While this instance
    /// holds the claim nobody else can run it; recording it before the lease
    /// ends is what keeps it from running again.
    async fn record_late_completion(
        &self,
        id: TransactionId,
        owner: String,
        attempt: u32,
        lease_ends: Instant,
    ) {
        let mut delay = Duration::from_millis(500);
        loop {
            tokio::time::sleep(delay).await;
            let completion = Completion {
                transaction_id: &id,
                owner: &owner,
                now: self.inner.clock.now(),
            };
            match self.inner.store.complete_fulfilment(&completion).await {
                Ok(true) => {
                    tracing::info!(attempt, "done and recorded (late)");
                    return;
                }
                Ok(false) => {
                    tracing::error!(
                        attempt,
                        "the merchant's code returned Ok, but the claim was taken over before it could be recorded: it may run again"
                    );
                    return;
                }
                Err(e) if Instant::now() < lease_ends => {
                    tracing::warn!(error = %e, "cannot record the fulfilment yet, retrying");
                    delay = (delay * 2).min(MAX_LATE_RECORD_DELAY);
                }
                Err(e) => {
                    tracing::error!(
                        error = %e,
                        attempt,
                        "the merchant's code returned Ok but it could not be recorded before the claim's lease ended: it may run again"
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
        } else if current.owed().is_none() {
            FulfilmentOutcome::NotAccepted
        } else if let Some(next_attempt_at) = f.next_attempt_at.filter(|t| *t > now) {
            tracing::info!(%next_attempt_at, "next attempt not due yet");
            FulfilmentOutcome::NotDue { next_attempt_at }
        } else {
            tracing::info!("another caller holds the claim");
            FulfilmentOutcome::ClaimedElsewhere
        };
        Ok((current, outcome))
    }
}

/// Why the merchant's code did not return `Ok`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// For the log and `last_error`.
    pub(crate) message: String,
    /// It ran out of time (whatever it started may still be running).
    pub(crate) timed_out: bool,
}

/// Runs merchant code under `timeout`, turning an error, a panic or a timeout
/// into an error text.
pub(crate) async fn guarded<F, T>(timeout: Duration, work: F) -> Result<T, Failure>
where
    F: Future<Output = Result<T, FulfilError>>,
{
    let failed = |message: String| Failure {
        message,
        timed_out: false,
    };
    match tokio::time::timeout(timeout, super::panics::caught(work)).await {
        Ok(Ok(Ok(done))) => Ok(done),
        Ok(Ok(Err(e))) => Err(failed(e.to_string())),
        Ok(Err(panicked)) => Err(failed(format!("fulfiller panicked: {panicked}"))),
        Err(_) => Err(Failure {
            message: format!("fulfiller timed out after {} ms", timeout.as_millis()),
            timed_out: true,
        }),
    }
}

/// A fresh, unguessable owner token for one claim.
pub(crate) fn owner_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}
