//! Assertions that name the conformance case, what was expected and what was
//! found, and the timing helpers of the lease cases.

use std::fmt::{Debug, Display};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;

use cinetpay_core::{
    InsertOutcome, NewPayment, Payment, PaymentStatus, StatusChange, StoreError, Timestamp,
    TransactionId, Transition,
};

use crate::QueryableStore;
use crate::fixtures;

/// A lease that outlives every case: a claim taken with it stays live.
pub(crate) const LONG_LEASE: Duration = Duration::from_secs(120);
/// A lease the cases wait out with a real sleep.
pub(crate) const SHORT_LEASE: Duration = Duration::from_millis(1_000);
/// How far the store's clock may be from the test process's clock.
pub(crate) const CLOCK_TOLERANCE: TimeDelta = TimeDelta::minutes(10);

/// The running case: every failure names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    case: &'static str,
}

impl Check {
    pub(crate) fn new(case: &'static str) -> Self {
        Check { case }
    }

    /// Fails the case.
    #[track_caller]
    pub(crate) fn fail(&self, what: impl Display) -> ! {
        panic!("PaymentStore conformance case `{}`: {what}", self.case)
    }

    /// A store call that must not fail.
    #[track_caller]
    pub(crate) fn ok<T>(&self, op: &str, result: Result<T, StoreError>) -> T {
        match result {
            Ok(value) => value,
            Err(e) => self.fail(format_args!("{op} returned an error: {e} ({e:?})")),
        }
    }

    /// `expected == found`, or a failure showing both.
    #[track_caller]
    pub(crate) fn eq<T: PartialEq + Debug>(&self, what: &str, expected: T, found: T) {
        if expected != found {
            self.fail(format_args!(
                "{what}\n  expected: {expected:?}\n     found: {found:?}"
            ));
        }
    }

    /// `cond`, or a failure saying `what` was expected.
    #[track_caller]
    pub(crate) fn that(&self, cond: bool, what: impl Display) {
        if !cond {
            self.fail(format_args!("expected {what}"));
        }
    }

    /// Two payments equal at millisecond precision, or a failure showing both.
    #[track_caller]
    pub(crate) fn same_payment(&self, what: &str, expected: &Payment, found: &Payment) {
        let (expected, found) = (at_ms(expected), at_ms(found));
        if expected != found {
            self.fail(format_args!(
                "{what}\n  expected: {expected:#?}\n     found: {found:#?}"
            ));
        }
    }

    /// Two instants equal at millisecond precision.
    #[track_caller]
    pub(crate) fn same_time(
        &self,
        what: &str,
        expected: Option<Timestamp>,
        found: Option<Timestamp>,
    ) {
        self.eq(what, expected.map(trunc_ms), found.map(trunc_ms));
    }

    /// `transition` answered `expected`.
    #[track_caller]
    pub(crate) fn outcome(&self, what: &str, expected: &Transition, found: &Transition) {
        self.eq(what, expected, found);
    }

    /// Inserts `new`, which must open its order.
    pub(crate) async fn insert(&self, store: &dyn QueryableStore, new: &NewPayment) -> Payment {
        match self.ok("insert_payment", store.insert_payment(new).await) {
            InsertOutcome::Inserted(payment) => {
                self.same_payment(
                    "insert_payment returns the created row: pending, open, nothing else set",
                    &Payment::from_new(new),
                    &payment,
                );
                payment
            }
            InsertOutcome::OrderHasOpenPayment(open) => self.fail(format_args!(
                "insert_payment of {} for order {} (no open payment) to be Inserted, found OrderHasOpenPayment({})",
                new.transaction_id, new.order_ref, open.transaction_id
            )),
        }
    }

    /// Inserting `probe` (a new payment of `order`) answers
    /// `OrderHasOpenPayment(expected)` and writes nothing: the order's slot is
    /// held by `expected`.
    pub(crate) async fn slot_held_by(
        &self,
        store: &dyn QueryableStore,
        probe: &NewPayment,
        expected: &Payment,
        what: &str,
    ) {
        match self.ok("insert_payment", store.insert_payment(probe).await) {
            InsertOutcome::OrderHasOpenPayment(open) => self.same_payment(
                &format!("the open payment returned by an insert for its order ({what})"),
                expected,
                &open,
            ),
            InsertOutcome::Inserted(p) => self.fail(format_args!(
                "an insert for order {} to be OrderHasOpenPayment({}) ({what}), found Inserted({})",
                probe.order_ref, expected.transaction_id, p.transaction_id
            )),
        }
        let ghost = self.ok(
            "find_payment",
            store.find_payment(&probe.transaction_id).await,
        );
        self.eq(
            &format!("find_payment of a refused insert ({what}): nothing written"),
            None,
            ghost.map(|p| p.transaction_id),
        );
    }

    /// The stored payment, which must exist.
    pub(crate) async fn get(&self, store: &dyn QueryableStore, id: &TransactionId) -> Payment {
        match self.ok("find_payment", store.find_payment(id).await) {
            Some(payment) => payment,
            None => self.fail(format_args!(
                "find_payment({id}) to find the payment, found None"
            )),
        }
    }

    /// Applies `from -> to` (with the fixture check for accepted, refused and
    /// cancelled; [`Attention::MoneyMismatch`] for needs-attention), which must
    /// apply.
    pub(crate) async fn transition(
        &self,
        store: &dyn QueryableStore,
        new: &NewPayment,
        from: PaymentStatus,
        to: PaymentStatus,
        at: Timestamp,
    ) {
        let change = if to == PaymentStatus::NeedsAttention {
            fixtures::money_mismatch(new, from, at)
        } else {
            let check = match to {
                PaymentStatus::Accepted => Some(fixtures::accepted_check(new)),
                PaymentStatus::Refused | PaymentStatus::Cancelled => {
                    Some(fixtures::refused_check(new))
                }
                _ => None,
            };
            StatusChange {
                from,
                to,
                check,
                reason: None,
                attention: None,
                at,
            }
        };
        self.apply(store, &new.transaction_id, &change).await;
    }

    /// `change` must apply.
    pub(crate) async fn apply(
        &self,
        store: &dyn QueryableStore,
        id: &TransactionId,
        change: &StatusChange,
    ) {
        let outcome = self.ok("transition", store.transition(id, change).await);
        self.outcome(
            &format!("transition {} -> {} of {id}", change.from, change.to),
            &Transition::Applied,
            &outcome,
        );
    }

    /// A new payment for a fresh order, inserted at `created_at` and accepted at the same time.
    pub(crate) async fn accepted(
        &self,
        store: &dyn QueryableStore,
        tag: &str,
        created_at: Timestamp,
    ) -> NewPayment {
        let new = fixtures::new_payment(&fixtures::order_ref(tag), 1500, created_at);
        self.insert(store, &new).await;
        self.transition(
            store,
            &new,
            PaymentStatus::Pending,
            PaymentStatus::Accepted,
            created_at,
        )
        .await;
        new
    }

    /// A new payment for a fresh order, inserted at `created_at` and moved to
    /// needs-attention for a refund at the same time: owed a refund notice.
    pub(crate) async fn needs_refund(
        &self,
        store: &dyn QueryableStore,
        tag: &str,
        created_at: Timestamp,
    ) -> NewPayment {
        let new = fixtures::new_payment(&fixtures::order_ref(tag), 1500, created_at);
        self.insert(store, &new).await;
        let change = fixtures::needs_refund(
            &new,
            PaymentStatus::Pending,
            cinetpay_core::RefundReason::Superseded,
            created_at,
        );
        self.apply(store, &new.transaction_id, &change).await;
        new
    }

    /// Fails unless `timer`'s lease is still running: a claim judged "live"
    /// after its lease would prove nothing.
    #[track_caller]
    pub(crate) fn still_within(&self, timer: &LeaseTimer, what: &str) {
        if timer.started.elapsed() >= timer.lease {
            self.fail(format_args!(
                "{what}: the store took longer than the {:?} lease to answer, so the case cannot \
                 judge it (a store this slow cannot run the lease cases)",
                timer.lease
            ));
        }
    }

    /// `lease_until` is the store's "now" plus `lease`, judged against the
    /// test's clock between `before` and `after` within [`CLOCK_TOLERANCE`].
    #[track_caller]
    pub(crate) fn lease_from_store_clock(
        &self,
        lease_until: Timestamp,
        lease: Duration,
        before: Timestamp,
        after: Timestamp,
    ) {
        let lease = TimeDelta::from_std(lease).unwrap_or(TimeDelta::MAX);
        let earliest = before + lease - CLOCK_TOLERANCE;
        let latest = after + lease + CLOCK_TOLERANCE;
        self.that(
            earliest <= lease_until && lease_until <= latest,
            format_args!(
                "the claim's lease_until to be the store's now plus the lease ({lease}), between \
                 {earliest} and {latest} (the test's clock, {CLOCK_TOLERANCE} of tolerance), found \
                 {lease_until}: a lease is measured on the store's clock, not from the caller's `now`"
            ),
        );
    }
}

/// When a claim was asked for, and its lease: to sleep past the lease, or to
/// make sure it still runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeaseTimer {
    started: Instant,
    lease: Duration,
}

impl LeaseTimer {
    /// Starts timing a claim of `lease` (call it just before the claim).
    pub(crate) fn start(lease: Duration) -> Self {
        LeaseTimer {
            started: Instant::now(),
            lease,
        }
    }

    /// Sleeps until the lease has surely ended on any clock running at the
    /// test's rate: the lease plus a margin, counted from now, after the
    /// claim returned (the claim's own "now" on the store's clock was no
    /// later). Counting from before the claim instead made a loaded machine,
    /// where the claim's statement ran more than the margin after the timer
    /// started, see the lease still running.
    pub(crate) async fn sleep_past(&self) {
        tokio::time::sleep(self.lease + Duration::from_millis(60)).await;
    }

    /// Sleeps until the lease ends by the test's clock, no margin.
    pub(crate) async fn sleep_until_end(&self) {
        let left = (self.started + self.lease).saturating_duration_since(Instant::now());
        tokio::time::sleep(left).await;
    }
}

/// The test process's clock, for claims that pass the real "now".
pub(crate) fn real_now() -> Timestamp {
    chrono::Utc::now()
}

/// `t` cut to whole milliseconds.
pub(crate) fn trunc_ms(t: Timestamp) -> Timestamp {
    let sub_ms = i64::from(t.timestamp_subsec_nanos() % 1_000_000);
    t - TimeDelta::nanoseconds(sub_ms)
}

/// The payment with every instant cut to whole milliseconds.
fn at_ms(p: &Payment) -> Payment {
    let mut p = p.clone();
    p.created_at = trunc_ms(p.created_at);
    p.updated_at = trunc_ms(p.updated_at);
    p.failure_notified_at = p.failure_notified_at.map(trunc_ms);
    p.refund_notified_at = p.refund_notified_at.map(trunc_ms);
    p.superseded_at = p.superseded_at.map(trunc_ms);
    p.checked_at = p.checked_at.map(trunc_ms);
    let f = &mut p.fulfilment;
    f.fulfilled_at = f.fulfilled_at.map(trunc_ms);
    f.claim_until = f.claim_until.map(trunc_ms);
    f.next_attempt_at = f.next_attempt_at.map(trunc_ms);
    p
}

/// Runs `tasks` concurrently on the caller's tokio runtime (in parallel on a
/// multi-thread runtime) and returns their outputs in order. A panicking task
/// fails the case with its panic.
pub(crate) async fn concurrently<T, F>(check: Check, tasks: Vec<F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(output) => outputs.push(output),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => check.fail(format_args!("a concurrent task did not finish: {e}")),
        }
    }
    outputs
}

/// A barrier for `n` tasks, so that they hit the store at the same moment.
pub(crate) fn start_line(n: usize) -> Arc<tokio::sync::Barrier> {
    Arc::new(tokio::sync::Barrier::new(n))
}
