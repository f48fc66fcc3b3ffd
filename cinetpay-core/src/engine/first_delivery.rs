//! The first delivery in one commit: a fulfiller that records the delivery
//! in the store's transaction is asked to apply the change to `accepted`,
//! claim, deliver, mark and log at once
//! ([`OrderFulfiller::accept_and_fulfil`](crate::OrderFulfiller::accept_and_fulfil)).

use tracing::Instrument;

use super::Checkout;
use super::fulfil::{Failure, Fulfilled, LogLine, guarded};
use super::outcome::FulfilmentOutcome;
use super::sync::{Budget, describe_prefix};
use crate::first_delivery::{FirstDelivered, FirstDelivery};
use crate::model::{DeliverySource, FulfilmentClaim, Payment, PaymentStatus};
use crate::store::{Claim, StatusChange};

/// What the one-commit attempt came to.
pub(super) enum FirstAttempt {
    /// Accepted and delivered, the line logged, in one commit.
    Delivered(Box<Fulfilled>),
    /// Nothing written: the usual steps follow.
    Declined,
    /// The deadline of the answer came first: the attempt was cancelled and
    /// nothing of it committed; the usual change to `accepted` follows and
    /// the delivery runs in the background, with nothing counted against it.
    OutOfTime,
    /// The attempt failed and nothing was committed (or its commit's answer
    /// was lost): the usual change to `accepted` follows, and records this
    /// failure against its claim instead of running the merchant's code again.
    Failed(Failure),
}

/// The first delivery to attempt: the payment as the change to `accepted`
/// leaves it, that change, the claim's owner, and what the line says.
pub(super) struct First<'a> {
    pub(super) accepted: &'a Payment,
    pub(super) change: &'a StatusChange,
    pub(super) owner: &'a str,
    pub(super) source: DeliverySource,
    pub(super) previous: PaymentStatus,
}

impl Checkout {
    /// Asks the fulfiller for the whole first delivery of `accepted` (the
    /// payment as `change` leaves it) in one commit, within `budget` and in
    /// a task of its own (a dropped request cannot cut it short).
    pub(super) async fn accept_in_one_commit(
        &self,
        first: First<'_>,
        budget: Budget,
    ) -> FirstAttempt {
        let First {
            accepted,
            change,
            owner,
            source,
            previous,
        } = first;
        let line = LogLine {
            source,
            prefix: describe_prefix(accepted, Some(previous), true),
        };
        let id = accepted.transaction_id.clone();
        let change = change.clone();
        let owner = owner.to_owned();
        let this = self.clone();
        let task = tokio::spawn(
            async move {
                let claim = Claim {
                    transaction_id: &id,
                    owner: &owner,
                    now: change.at,
                    lease: this.inner.config.claim_lease,
                };
                let clock = &this.inner.clock;
                let line = |attempt: u32| line.record(&id, attempt, clock.now());
                let first = FirstDelivery {
                    transaction_id: &id,
                    change: &change,
                    claim: &claim,
                    line: &line,
                };
                guarded(
                    budget.timeout,
                    this.inner.fulfiller.accept_and_fulfil(&first),
                )
                .await
            }
            .in_current_span(),
        );
        let ran = task.await;
        if budget.cut_short && matches!(&ran, Ok(Err(failure)) if failure.timed_out) {
            // The transaction was dropped uncommitted with the cancelled
            // code: its writes are rolled back.
            tracing::info!(
                budget_ms = budget.timeout.as_millis() as u64,
                "the delivery did not finish before the answer's deadline: it continues in the background"
            );
            super::metrics::first_delivery_deferred();
            return FirstAttempt::OutOfTime;
        }
        super::metrics::first_delivery(&ran);
        match ran {
            Ok(Ok(FirstDelivered::Delivered(claim))) => {
                let FulfilmentClaim {
                    attempt,
                    mut payment,
                    ..
                } = *claim;
                payment.fulfilment.fulfilled_at = Some(self.inner.clock.now());
                payment.fulfilment.last_error = None;
                payment.fulfilment.next_attempt_at = None;
                tracing::info!(from = %previous, to = %payment.status, "payment status changed");
                tracing::info!(
                    attempt,
                    "order fulfilled (accepted, delivered and recorded in one transaction)"
                );
                FirstAttempt::Delivered(Box::new(Fulfilled {
                    payment,
                    outcome: FulfilmentOutcome::Fulfilled { attempt },
                    logged: true,
                }))
            }
            Ok(Ok(FirstDelivered::Declined)) => FirstAttempt::Declined,
            Ok(Err(failure)) => FirstAttempt::Failed(failure),
            Err(e) => {
                tracing::error!(error = %e, "the delivery task was interrupted");
                // Whatever it started may still be running: keep the lease.
                FirstAttempt::Failed(Failure {
                    message: format!("the delivery task was interrupted: {e}"),
                    timed_out: true,
                })
            }
        }
    }
}
