//! Assertions that name the conformance case, what was expected and what was found.

use std::fmt::{Debug, Display};
use std::future::Future;
use std::sync::Arc;

use chrono::TimeDelta;

use super::fixtures;
use crate::model::{NewPayment, Payment, PaymentStatus, Timestamp};
use crate::store::{InsertOutcome, PaymentStore, StatusChange, StoreError};
use crate::values::TransactionId;

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

    /// Inserts `new`, which must open its order.
    pub(crate) async fn insert(&self, store: &dyn PaymentStore, new: &NewPayment) -> Payment {
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
                "insert_payment of {} for a fresh order {} to be Inserted, found OrderHasOpenPayment({})",
                new.transaction_id, new.order_ref, open.transaction_id
            )),
        }
    }

    /// The stored payment, which must exist.
    pub(crate) async fn get(&self, store: &dyn PaymentStore, id: &TransactionId) -> Payment {
        match self.ok("find_payment", store.find_payment(id).await) {
            Some(payment) => payment,
            None => self.fail(format_args!(
                "find_payment({id}) to find the payment, found None"
            )),
        }
    }

    /// Applies `from -> to` (with the fixture check for accepted and refused),
    /// which must succeed.
    pub(crate) async fn transition(
        &self,
        store: &dyn PaymentStore,
        new: &NewPayment,
        from: PaymentStatus,
        to: PaymentStatus,
        at: Timestamp,
    ) {
        let check = match to {
            PaymentStatus::Accepted => Some(fixtures::accepted_check(new)),
            PaymentStatus::Refused | PaymentStatus::Cancelled => Some(fixtures::refused_check(new)),
            _ => None,
        };
        let change = StatusChange {
            from,
            to,
            check,
            reason: None,
            at,
        };
        let applied = self.ok(
            "transition",
            store.transition(&new.transaction_id, &change).await,
        );
        self.that(
            applied,
            format_args!(
                "transition {from} -> {to} of {} to apply",
                new.transaction_id
            ),
        );
    }

    /// A new payment for a fresh order, inserted at `created_at` and accepted at the same time.
    pub(crate) async fn accepted(
        &self,
        store: &dyn PaymentStore,
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
    let f = &mut p.fulfilment;
    f.fulfilled_at = f.fulfilled_at.map(trunc_ms);
    f.claim_until = f.claim_until.map(trunc_ms);
    f.next_attempt_at = f.next_attempt_at.map(trunc_ms);
    p
}

/// Runs `tasks` concurrently and returns their outputs in order: spawned on the
/// caller's tokio runtime when there is one (in parallel on a multi-thread
/// runtime), polled together otherwise. A panicking task fails the case.
pub(crate) async fn concurrently<T, F>(check: Check, tasks: Vec<F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return futures_util::future::join_all(tasks).await;
    }
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
