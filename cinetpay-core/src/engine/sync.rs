//! The one path for truth: [`Checkout::sync`].

use tracing::Instrument;

use super::Checkout;
use super::delivery_log::Durability;
use super::error::SyncError;
use super::first_delivery::FirstAttempt;
use super::fulfil::{Fulfilled, LogLine};
use super::metrics;
use super::outcome::{FulfilmentOutcome, SyncOutcome};
use super::refusals::Refusal;
use crate::model::FulfilmentClaim;
use crate::model::{
    Attention, CheckSnapshot, DeliverySource, Payment, PaymentStatus, RefundReason,
};
use crate::protocol::CheckOutcome;
use crate::store::{Claim, StatusChange, Transition};
use crate::values::TransactionId;

/// Where what is owed runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Within the sync: its outcome is the answer's.
    Inline,
    /// Within the sync if the one-commit first delivery
    /// ([`OrderFulfiller::accept_and_fulfil`](crate::OrderFulfiller::accept_and_fulfil))
    /// finishes before this instant, which keeps the answer inside the time
    /// CinetPay waits for it (the 2026 API: 10 s); past it the attempt is
    /// cancelled (nothing of it is committed), the verified status is stored
    /// with its claim and the delivery runs in the background. Any other
    /// delivery (a plain fulfiller, a retry) runs in the background.
    InlineUntil(tokio::time::Instant),
    /// In a task of its own, once the status is stored: the answer does not
    /// wait for the merchant's code.
    Background,
}

impl Delivery {
    /// How long the one-commit first delivery may take, if it is tried at
    /// all: `fulfil_timeout` inline; what is left before the deadline, and
    /// whether that cuts it short, under a deadline; never in the background.
    fn first_attempt_budget(self, fulfil_timeout: std::time::Duration) -> Option<Budget> {
        match self {
            Delivery::Inline => Some(Budget {
                timeout: fulfil_timeout,
                cut_short: false,
            }),
            Delivery::InlineUntil(deadline) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                // Too little left to be worth a transaction that would be
                // rolled back: straight to the background.
                (left >= MIN_FIRST_ATTEMPT).then(|| Budget {
                    timeout: left.min(fulfil_timeout),
                    cut_short: left < fulfil_timeout,
                })
            }
            Delivery::Background => None,
        }
    }
}

/// The least time left before a deadline for which the one-commit first
/// delivery is still tried inline.
const MIN_FIRST_ATTEMPT: std::time::Duration = std::time::Duration::from_millis(100);

/// The time the one-commit first delivery is given.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    pub(super) timeout: std::time::Duration,
    /// The deadline, not `fulfil_timeout`, sets `timeout`: running out of it
    /// sends the delivery to the background instead of counting a failure.
    pub(super) cut_short: bool,
}

/// How much the request that triggers a sync is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A notification with a valid `x-token`, the reconciler, an operator:
    /// always worth a check.
    Trusted,
    /// A customer's return, or a notification when no secret key is set:
    /// anyone can send one, so a payment checked less than
    /// `min_check_interval` ago is not checked again.
    Untrusted,
}

impl Checkout {
    /// Brings one payment up to date with CinetPay and delivers it if it is
    /// accepted: what notify, return and reconciliation all call.
    ///
    /// * unknown id: nothing changes (`Ok` with no payment), nothing is stored;
    /// * fulfilled: nothing to do (one read, no call to CinetPay);
    /// * accepted but not delivered: no check (accepted never changes), deliver;
    /// * `needs_attention` for a refund not yet notified: no check, notify;
    /// * `start_failed`, other `needs_attention`: left for a human, no check;
    /// * otherwise: a status check with the payment's account (`/v2/payment/check` or `GET /v1/payment/{id}`), then a compare-and-set transition to
    ///   what it verifiably says, then delivery (accepted), the refund notice
    ///   (accepted, but its order is already paid by another payment, or it
    ///   was superseded by a newer payment of its order), or the one-time
    ///   failure notice (refused, cancelled).
    ///
    /// Checks of one payment never run twice at once in one process: a sync
    /// that arrives while another one's check is in flight waits for it and
    /// uses its stored answer.
    ///
    /// Each call about a known payment appends one line to the delivery log
    /// with `source` and its outcome, except a repeat about a payment already
    /// delivered (it asked CinetPay nothing and changed nothing: CinetPay's
    /// repeated notifications, a second return), which is only counted, so
    /// that a duplicate costs one read and no write. The answer waits until
    /// the line is stored, except when the sync changed nothing and asked
    /// CinetPay nothing: that line is written behind, grouped with others
    /// (see [`Checkout::flush_delivery_log`]). An `Err` is transient: nothing was
    /// lost, and a later sync picks up where this one stopped.
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
        self.sync_with(id, source, Trigger::Trusted, None, Delivery::Inline)
            .await
    }

    /// [`sync`](Self::sync), trusting the trigger as said; `loaded` is the
    /// payment when the caller just read it (a 2026 API notification, read
    /// to compare its token), so that it is not read twice.
    pub(crate) async fn sync_with(
        &self,
        id: &TransactionId,
        source: DeliverySource,
        trigger: Trigger,
        loaded: Option<Payment>,
        delivery: Delivery,
    ) -> Result<SyncOutcome, SyncError> {
        let span = tracing::info_span!("cinetpay_sync", transaction_id = %id, %source);
        async {
            let result = self.sync_inner(id, source, trigger, loaded, delivery).await;
            if matches!(&result, Ok(outcome) if outcome.payment.is_none()) {
                self.inner
                    .refusals
                    .note(Refusal::UnknownTransaction, id.as_str());
                return result;
            }
            if matches!(&result, Ok(outcome) if outcome.logged) {
                // Written with the completion, in its commit.
                return result;
            }
            if is_repeat_of_delivered(&result) {
                // Counted (`cinetpay_notifications_total{outcome="duplicate"}`),
                // not logged: the line would say again what the log says.
                tracing::debug!("a repeat about a delivered payment: nothing logged");
                return result;
            }
            let durability = if records_nothing_new(&result)
                || matches!(&result, Ok(o) if o.fulfilment == FulfilmentOutcome::InBackground)
            {
                // The background delivery writes its own line with its
                // completion: this one (the status stored) waits for no commit.
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

    async fn sync_inner(
        &self,
        id: &TransactionId,
        source: DeliverySource,
        trigger: Trigger,
        loaded: Option<Payment>,
        delivery: Delivery,
    ) -> Result<SyncOutcome, SyncError> {
        let store = &self.inner.store;
        let payment = match loaded {
            Some(payment) => Some(payment),
            None => store.find_payment(id).await?,
        };
        let Some(payment) = payment else {
            tracing::debug!("unknown transaction: nothing changed");
            return Ok(SyncOutcome::unknown());
        };
        let previous = payment.status;
        // How a sync that asked CinetPay nothing settles.
        let unchecked = || Settle {
            source,
            delivery,
            won: Won::Nothing,
        };
        if !matches!(
            payment.status,
            PaymentStatus::Pending | PaymentStatus::Refused | PaymentStatus::Cancelled
        ) {
            return self.settle(payment, previous, false, unchecked()).await;
        }
        let ticket = self.inner.flights.join(id);
        let turn = ticket.turn().await;
        if turn.checked_meanwhile() {
            tracing::debug!("checked by a concurrent request: using its answer");
            let Some(current) = store.find_payment(id).await? else {
                return Ok(SyncOutcome::unknown());
            };
            drop(turn);
            return self.settle(current, previous, false, unchecked()).await;
        }
        if trigger == Trigger::Untrusted && self.checked_recently(&payment) {
            tracing::debug!("checked less than min_check_interval ago: not checked again");
            drop(turn);
            return self.settle(payment, previous, false, unchecked()).await;
        }
        let route = Route {
            source,
            delivery,
            previous,
        };
        // Boxed, like every step of a payment that has something left to
        // do: their futures are large, and a duplicate of a delivered
        // payment, the common notification, should not move them around.
        let checked = Box::pin(self.check_and_transition(payment, route)).await;
        turn.checked();
        drop(turn);
        let (payment, won) = checked?;
        self.settle(
            payment,
            previous,
            true,
            Settle {
                source,
                delivery,
                won,
            },
        )
        .await
    }

    /// Runs what is owed in a task of its own (the claim protocol still
    /// makes it once); its outcome goes to the delivery log, with the
    /// completion. A failure is retried by the reconciler.
    fn fulfil_in_background(&self, payment: Payment, source: DeliverySource, won: Claimed) {
        let checkout = self.clone();
        let span = tracing::info_span!("cinetpay_background_delivery", transaction_id = %payment.transaction_id);
        tokio::spawn(
            async move {
                let id = payment.transaction_id.clone();
                let previous = payment.status;
                let line = LogLine {
                    source,
                    prefix: describe_prefix(&payment, Some(previous), false),
                };
                let result = checkout
                    .fulfil_once(payment, won, Some(line))
                    .await
                    .map(|done| SyncOutcome {
                        payment: Some(done.payment),
                        previous_status: Some(previous),
                        fulfilment: done.outcome,
                        checked: false,
                        logged: done.logged,
                    });
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "background delivery did not finish; the reconciler retries it");
                }
                if !matches!(&result, Ok(outcome) if outcome.logged) {
                    checkout
                        .record_with(id.as_str(), source, &describe(&result), Durability::Awaited)
                        .await;
                }
            }
            .instrument(span),
        );
    }

    /// Whether the payment was checked less than `min_check_interval` ago.
    fn checked_recently(&self, payment: &Payment) -> bool {
        let interval = self.inner.config.min_check_interval;
        let Some(checked_at) = payment.checked_at else {
            return false;
        };
        let since = (self.inner.clock.now() - checked_at)
            .to_std()
            .unwrap_or_default();
        since < interval
    }

    /// What follows the (possibly new) status: deliver or notify what is
    /// owed, tell of a failure once, or nothing.
    async fn settle(
        &self,
        payment: Payment,
        previous: PaymentStatus,
        checked: bool,
        settle: Settle,
    ) -> Result<SyncOutcome, SyncError> {
        let Settle {
            source,
            delivery,
            won,
        } = settle;
        let won = match won {
            Won::Done(done) => {
                let done = *done;
                return Ok(SyncOutcome {
                    payment: Some(done.payment),
                    previous_status: Some(previous),
                    fulfilment: done.outcome,
                    checked,
                    logged: done.logged,
                });
            }
            Won::Claim(claim, lease_ends) => Some((*claim, lease_ends)),
            Won::Nothing => None,
        };
        let mut logged = false;
        let (payment, fulfilment) = if payment.owed().is_some() && delivery != Delivery::Inline {
            self.fulfil_in_background(payment.clone(), source, won);
            (payment, FulfilmentOutcome::InBackground)
        } else if payment.owed().is_some() {
            let line = LogLine {
                source,
                prefix: describe_prefix(&payment, Some(previous), checked),
            };
            let done = Box::pin(self.fulfil_once(payment, won, Some(line))).await?;
            logged = done.logged;
            (done.payment, done.outcome)
        } else if payment.is_fulfilled() {
            tracing::debug!("already fulfilled");
            (payment, FulfilmentOutcome::AlreadyFulfilled)
        } else {
            if payment.status.is_failure() {
                Box::pin(self.failure_notice(&payment)).await?;
            } else if payment.status.is_final() {
                tracing::debug!(status = %payment.status, "final status, left for a human");
            }
            (payment, FulfilmentOutcome::NotAccepted)
        };
        Ok(SyncOutcome {
            payment: Some(payment),
            previous_status: Some(previous),
            fulfilment,
            checked,
            logged,
        })
    }

    /// Asks CinetPay, and moves the payment to what the answer verifiably says.
    async fn check_and_transition(
        &self,
        payment: Payment,
        route: Route,
    ) -> Result<(Payment, Won), SyncError> {
        let id = payment.transaction_id.clone();
        let Some(account) = self.inner.accounts.named(&payment.account) else {
            tracing::error!(account = %payment.account, "the payment's CinetPay account is not configured: not checked");
            // Recorded as looked at, so that such payments go to the back of
            // the reconciler's queue instead of filling every pass.
            self.note_check(&id, None).await;
            return Err(SyncError::UnknownAccount(payment.account.clone()));
        };
        let checked = match metrics::checked(account.gateway(), &payment).await {
            Ok(checked) => checked,
            // CinetPay refused the request itself (with an HTTP error status).
            Err(crate::client::ClientError::Api { code, message, .. }) => {
                tracing::error!(
                    %code,
                    %message,
                    "CinetPay refused the check: the API key or site id is probably wrong"
                );
                self.note_check(&id, None).await;
                return Err(SyncError::CheckRefused {
                    code: code.chars().take(16).collect(),
                    message: message.chars().take(64).collect(),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot check the payment with CinetPay");
                self.note_check(&id, None).await;
                return Err(SyncError::Check(e));
            }
        };
        let outcome = checked.outcome;
        let seen = checked.snapshot;
        match outcome {
            CheckOutcome::RequestError => {
                tracing::error!(
                    code = %seen.code,
                    message = %seen.message,
                    "CinetPay refused the check: the API key or site id is probably wrong"
                );
                self.note_check(&id, None).await;
                Err(SyncError::CheckRefused {
                    code: seen.code.chars().take(16).collect(),
                    message: seen.message.chars().take(64).collect(),
                })
            }
            CheckOutcome::Accepted => self.accept(payment, seen, route).await,
            CheckOutcome::Mismatch { reason } => {
                tracing::error!(
                    order_ref = %payment.order_ref,
                    reason = %reason,
                    "CinetPay reports a success for other money than the payment's: NOT fulfilled, needs attention"
                );
                let reason = Some(crate::model::storable(&reason, 500));
                self.move_to(
                    payment,
                    PaymentStatus::NeedsAttention,
                    seen,
                    reason,
                    Some(Attention::MoneyMismatch),
                )
                .await
                .map(unclaimed)
            }
            CheckOutcome::Refused => self
                .move_to(payment, PaymentStatus::Refused, seen, None, None)
                .await
                .map(unclaimed),
            CheckOutcome::Cancelled => self
                .move_to(payment, PaymentStatus::Cancelled, seen, None, None)
                .await
                .map(unclaimed),
            CheckOutcome::Pending => {
                tracing::info!(code = %seen.code, message = %seen.message, "payment still pending");
                Ok(unclaimed(self.keep_status(payment, Some(seen)).await))
            }
            CheckOutcome::Unknown => {
                tracing::warn!(
                    code = %seen.code,
                    message = %seen.message,
                    "undocumented or contradictory check answer: status kept"
                );
                Ok(unclaimed(self.keep_status(payment, None).await))
            }
        }
    }

    /// Records the check of a payment whose status stays, with the answer's
    /// snapshot when it is kept.
    async fn keep_status(&self, mut payment: Payment, check: Option<CheckSnapshot>) -> Payment {
        let now = self
            .note_check(&payment.transaction_id, check.as_ref())
            .await;
        if let Some(check) = check {
            payment.check = Some(check);
        }
        payment.checked_at = Some(now);
        payment
    }

    /// `checked_at = now` (the reconciler visits the least recently checked
    /// payments first); a failure is logged, never fatal.
    async fn note_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
    ) -> crate::model::Timestamp {
        let now = self.inner.clock.now();
        if let Err(e) = self.inner.store.record_check(id, check, now).await {
            tracing::warn!(error = %e, "cannot record when the payment was checked");
        }
        now
    }

    /// A verified success: `accepted`, unless the order is already paid by
    /// another payment or this one was superseded, which are refunds. The
    /// change to `accepted` claims the delivery it makes owed in the same
    /// step ([`PaymentStore::accept_and_claim`](crate::PaymentStore::accept_and_claim)),
    /// or, with a fulfiller that records the delivery in the store's
    /// transaction, the change and the whole delivery commit together
    /// ([`OrderFulfiller::accept_and_fulfil`](crate::OrderFulfiller::accept_and_fulfil)).
    async fn accept(
        &self,
        mut current: Payment,
        check: CheckSnapshot,
        route: Route,
    ) -> Result<(Payment, Won), SyncError> {
        let store = &self.inner.store;
        for round in 0..2 {
            if current.status == PaymentStatus::Accepted {
                return Ok((current, Won::Nothing));
            }
            if current.superseded_at.is_some()
                && current.status.can_become(PaymentStatus::NeedsAttention)
            {
                return self
                    .flag_refund(current, check, RefundReason::Superseded)
                    .await
                    .map(unclaimed);
            }
            if !current.status.can_become(PaymentStatus::Accepted) {
                refuse_transition(&current, PaymentStatus::Accepted);
                return Ok((current, Won::Nothing));
            }
            let change = self.change(&current, PaymentStatus::Accepted, &check, None, None);
            let owner = super::fulfil::owner_token();
            let budget = if round == 0 && self.inner.fulfiller.records_delivery() {
                route
                    .delivery
                    .first_attempt_budget(self.inner.config.fulfil_timeout)
            } else {
                None
            };
            let failure = if let Some(budget) = budget {
                let accepted = applied_quietly(current.clone(), change.clone());
                let first = super::first_delivery::First {
                    accepted: &accepted,
                    change: &change,
                    owner: &owner,
                    source: route.source,
                    previous: route.previous,
                };
                match self.accept_in_one_commit(first, budget).await {
                    FirstAttempt::Delivered(done) => {
                        return Ok((done.payment.clone(), Won::Done(done)));
                    }
                    // Out of time: nothing was committed and nothing failed;
                    // the claim below hands the delivery to the background.
                    FirstAttempt::Declined | FirstAttempt::OutOfTime => None,
                    FirstAttempt::Failed(failure) => Some(failure),
                }
            } else {
                None
            };
            let lease = self.inner.config.claim_lease;
            let claim = Claim {
                transaction_id: &current.transaction_id,
                owner: &owner,
                now: change.at,
                lease,
            };
            // The lease as this process can measure it: it started at the latest now.
            let lease_ends = tokio::time::Instant::now() + lease;
            match store
                .accept_and_claim(&current.transaction_id, &change, &claim)
                .await?
            {
                (Transition::Applied, Some(claimed)) => {
                    let payment = applied(current, change);
                    tracing::debug!(
                        attempt = claimed.attempt,
                        "accepted and claimed in one step"
                    );
                    if let Some(failure) = failure {
                        // The one-commit attempt failed: this claim records it.
                        let done = self
                            .record_failure(claimed.payment, &owner, claimed.attempt, failure)
                            .await?;
                        return Ok((done.payment.clone(), Won::Done(Box::new(done))));
                    }
                    return Ok((payment, Won::Claim(Box::new(claimed), lease_ends)));
                }
                (Transition::Applied, None) => {
                    return Ok((applied(current, change), Won::Nothing));
                }
                (Transition::OrderAlreadyPaid(by), _) => {
                    return self
                        .flag_refund(current, check, RefundReason::OrderAlreadyPaid { by })
                        .await
                        .map(unclaimed);
                }
                (Transition::NotApplied, _) if round == 0 => {
                    tracing::debug!("status changed concurrently, re-reading");
                    current = self.reread(&current.transaction_id).await?;
                }
                (Transition::NotApplied, _) => {}
            }
        }
        tracing::warn!("status kept changing concurrently");
        Err(SyncError::Contention)
    }

    /// Paid, but not to be delivered: `needs_attention`, for a refund the
    /// merchant's code hears of.
    async fn flag_refund(
        &self,
        payment: Payment,
        check: CheckSnapshot,
        reason: RefundReason,
    ) -> Result<Payment, SyncError> {
        tracing::error!(
            order_ref = %payment.order_ref,
            %reason,
            "CinetPay accepted this payment, but it is NOT fulfilled: refund it"
        );
        let text = reason.to_string();
        self.move_to(
            payment,
            PaymentStatus::NeedsAttention,
            check,
            Some(text),
            Some(Attention::Refund(reason)),
        )
        .await
    }

    /// Moves `payment` to `to` by compare-and-set. On a lost race, re-reads
    /// once and continues from the new state: already there, no longer allowed
    /// (accepted stays accepted), or one more compare-and-set.
    async fn move_to(
        &self,
        mut current: Payment,
        to: PaymentStatus,
        check: CheckSnapshot,
        reason: Option<String>,
        attention: Option<Attention>,
    ) -> Result<Payment, SyncError> {
        debug_assert!(to != PaymentStatus::Accepted, "accept() moves to accepted");
        let store = &self.inner.store;
        for round in 0..2 {
            if current.status == to {
                return Ok(self.keep_status(current, Some(check)).await);
            }
            if !current.status.can_become(to) {
                refuse_transition(&current, to);
                return Ok(self.keep_status(current, None).await);
            }
            let change = self.change(&current, to, &check, reason.clone(), attention.clone());
            match store.transition(&current.transaction_id, &change).await? {
                Transition::Applied => return Ok(applied(current, change)),
                // Only a change to `accepted` can meet an order already paid.
                Transition::NotApplied | Transition::OrderAlreadyPaid(_) if round == 0 => {
                    tracing::debug!(from = %current.status, to = %to, "status changed concurrently, re-reading");
                    current = self.reread(&current.transaction_id).await?;
                }
                Transition::NotApplied | Transition::OrderAlreadyPaid(_) => {}
            }
        }
        tracing::warn!(to = %to, "status kept changing concurrently");
        Err(SyncError::Contention)
    }

    fn change(
        &self,
        current: &Payment,
        to: PaymentStatus,
        check: &CheckSnapshot,
        reason: Option<String>,
        attention: Option<Attention>,
    ) -> StatusChange {
        StatusChange {
            from: current.status,
            to,
            check: Some(check.clone()),
            reason,
            attention,
            at: self.inner.clock.now(),
        }
    }

    async fn reread(&self, id: &TransactionId) -> Result<Payment, SyncError> {
        self.inner
            .store
            .find_payment(id)
            .await?
            .ok_or(SyncError::Contention)
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
        let ran = run.await;
        metrics::failure_notice(&ran);
        match ran {
            Ok(Ok(())) => tracing::info!(status = %payment.status, "payment_failed notified"),
            Ok(Err(failure)) => {
                tracing::error!(error = %failure.message, "payment_failed hook failed; it is not called again")
            }
            Err(e) => tracing::error!(error = %e, "payment_failed hook was interrupted"),
        }
        Ok(())
    }
}

/// A claim this sync already holds, with when its lease ends as this
/// process measures it.
pub(crate) type Claimed = Option<(FulfilmentClaim, tokio::time::Instant)>;

/// What the change to `accepted` took with it.
enum Won {
    /// Nothing: what is owed is claimed when it runs.
    Nothing,
    /// The claim of its delivery, with when its lease ends as this process
    /// measures it.
    Claim(Box<FulfilmentClaim>, tokio::time::Instant),
    /// The delivery's attempt itself: done in one commit with the change, or
    /// its failure recorded.
    Done(Box<Fulfilled>),
}

/// Where a checked sync goes on to: for whom, where the delivery runs, and
/// the status it started from (for its log line).
#[derive(Debug, Clone, Copy)]
struct Route {
    source: DeliverySource,
    delivery: Delivery,
    previous: PaymentStatus,
}

/// How a sync settles: for whom (the log line), where the delivery runs,
/// and the claim the transition took.
struct Settle {
    source: DeliverySource,
    delivery: Delivery,
    won: Won,
}

fn unclaimed(payment: Payment) -> (Payment, Won) {
    (payment, Won::Nothing)
}

/// `current` with an applied `change`.
fn applied(current: Payment, change: StatusChange) -> Payment {
    tracing::info!(from = %current.status, to = %change.to, "payment status changed");
    metrics::status_changed(&change);
    applied_quietly(current, change)
}

/// [`applied`], without saying so (the change is not applied yet).
fn applied_quietly(mut current: Payment, change: StatusChange) -> Payment {
    current.status = change.to;
    current.check = change.check;
    current.checked_at = Some(change.at);
    if change.reason.is_some() {
        current.status_reason = change.reason;
    }
    current.attention = change.attention;
    current.open = change.to == PaymentStatus::Pending && current.open;
    current.updated_at = change.at;
    current
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

/// A sync that asked CinetPay nothing and changed nothing (a duplicate of a
/// fulfilled payment, a return within `min_check_interval`).
/// A sync that found the payment already delivered, asked CinetPay nothing
/// and changed nothing: CinetPay's repeated notifications, a customer's
/// second return. The delivery log already holds the delivery.
fn is_repeat_of_delivered(result: &Result<SyncOutcome, SyncError>) -> bool {
    matches!(
        result,
        Ok(outcome @ SyncOutcome {
            payment: Some(_),
            checked: false,
            fulfilment: FulfilmentOutcome::AlreadyFulfilled,
            ..
        }) if !outcome.changed()
    )
}

fn records_nothing_new(result: &Result<SyncOutcome, SyncError>) -> bool {
    matches!(
        result,
        Ok(outcome @ SyncOutcome {
            payment: Some(_),
            checked: false,
            fulfilment: FulfilmentOutcome::AlreadyFulfilled | FulfilmentOutcome::NotAccepted,
            ..
        }) if !outcome.changed()
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
    format!(
        "{}{}",
        describe_prefix(payment, outcome.previous_status, outcome.checked),
        describe_fulfilment(&outcome.fulfilment)
    )
}

/// The status, check and attention parts of a log line.
pub(crate) fn describe_prefix(
    payment: &Payment,
    previous: Option<PaymentStatus>,
    checked: bool,
) -> String {
    let status = match previous {
        Some(prev) if prev != payment.status => format!("{prev} -> {}", payment.status),
        _ => payment.status.to_string(),
    };
    let check = payment
        .check
        .as_ref()
        .filter(|_| checked)
        .map(|c| format!(" ({} {})", c.code, c.message))
        .unwrap_or_default();
    let attention = payment
        .attention
        .as_ref()
        .filter(|_| payment.status == PaymentStatus::NeedsAttention)
        .map(|a| format!(" [{}]", a.kind()))
        .unwrap_or_default();
    format!("{status}{check}{attention}")
}

/// The fulfilment part of a log line.
pub(crate) fn describe_fulfilment(fulfilment: &FulfilmentOutcome) -> String {
    match fulfilment {
        FulfilmentOutcome::NotAccepted => String::new(),
        FulfilmentOutcome::AlreadyFulfilled => ", already fulfilled".to_owned(),
        FulfilmentOutcome::Fulfilled { attempt } => format!(", fulfilled (attempt {attempt})"),
        FulfilmentOutcome::RefundNotified { attempt } => {
            format!(", refund notified (attempt {attempt})")
        }
        FulfilmentOutcome::Failed { attempt, error, .. } => {
            format!(", attempt {attempt} failed: {error}")
        }
        FulfilmentOutcome::ClaimedElsewhere => ", being handled elsewhere".to_owned(),
        FulfilmentOutcome::NotDue { next_attempt_at } => {
            format!(", next attempt at {next_attempt_at}")
        }
        FulfilmentOutcome::InBackground => ", delivery started in the background".to_owned(),
    }
}
