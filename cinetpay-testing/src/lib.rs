//! The public conformance suite for [`PaymentStore`] implementations
//! (feature `testing`).
//!
//! One call runs every behaviour the engine relies on against a store you hand
//! it: the round trip of every field, the open slot of an order, compare-and-set
//! transitions, fulfilment claims with leases fenced by owner tokens, retry
//! scheduling, the one-time failure notice, the delivery log, the lists
//! reconciliation reads, and races (many tasks claiming one payment: exactly one
//! wins; a late `complete` by a former owner whose lease was taken over is
//! refused). [`MemoryStore`](crate::MemoryStore) and the database stores run it;
//! run it on yours.
//!
//! Each case gets a fresh, **empty** store from your factory (a database store
//! hands out a fresh database, schema or table prefix per case). Failures panic
//! with the case's name and what was expected and found.
//!
//! What a store must know:
//! * instants are compared at millisecond precision; the suite only uses whole
//!   milliseconds, so a store must keep at least milliseconds (no rounding to
//!   seconds) and give back UTC;
//! * the suite never lets a store read the clock: every instant is far from now;
//! * the races spawn tasks on the caller's tokio runtime (in parallel on a
//!   multi-thread runtime), so a database store must be correct under real
//!   concurrency, without an in-process lock as the only guarantee.
//!
//! Where the [`PaymentStore`] docs leave a choice open, the suite pins it:
//! * every write sets `updated_at` to the instant it is given (`at`,
//!   `change.at` or `now`);
//! * `transition` replaces the check and the reason with the change's (`None`
//!   included); `Pending -> Pending` (a waiting check) applies and keeps the
//!   payment open;
//! * boundaries: a lease with `claim_until == now` and a `next_attempt_at ==
//!   now` are claimable; `stale_pending` wants `created_at < created_before`;
//! * a second `complete_fulfilment` answers `false` and keeps the first
//!   `fulfilled_at`; `release_fulfilment` clears the claim's owner and lease
//!   and keeps the attempt count; a `last_error` is kept whole or cut to at
//!   least 255 characters;
//! * orders: `payments_for_order` newest `created_at` first;
//!   `due_fulfilments` oldest `created_at` first; `stale_pending` oldest
//!   `updated_at` first, closed payments included (their page may still be
//!   paid); `deliveries` oldest `at` first, same instant in recording order,
//!   and `limit` keeps the oldest;
//! * strings are compared exactly: ids and order references that differ by
//!   case or accents are different (no `_ci` collation), and a raw id with `%`
//!   or `_` is no pattern (no `LIKE`);
//! * `record_deliveries` keeps the batch's order;
//! * `record_delivery` cuts over-long strings to the [`DeliveryRecord`]
//!   bounds instead of failing;
//! * an unknown transaction id is `None`, `false` or empty, never an error.
//!
//! [`DeliveryRecord`]: crate::DeliveryRecord
//!
//! ```
//! use std::sync::Arc;
//! use cinetpay_core::{MemoryStore, PaymentStore};
//! use cinetpay_core::testing::run_conformance;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let report = run_conformance(|| async {
//!     Arc::new(MemoryStore::new()) as Arc<dyn PaymentStore>
//! })
//! .await;
//! assert_eq!(report.cases_run(), cinetpay_core::testing::cases().len());
//! # }
//! ```
//!
//! A store can also run one case, for example as its own `#[tokio::test]`:
//!
//! ```
//! # use std::sync::Arc;
//! # use cinetpay_core::{MemoryStore, PaymentStore};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let store: Arc<dyn PaymentStore> = Arc::new(MemoryStore::new());
//! cinetpay_core::testing::race_claim_one_winner(store).await;
//! # }
//! ```

mod cases;
mod check;
mod faulty;
pub mod fixtures;
#[cfg(test)]
mod self_test;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::store::PaymentStore;

pub use cases::*;
pub use faulty::{FaultyStore, LOG_CAPACITY, StoreOp, UnknownStoreOp};

/// The future of one conformance case.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One behaviour of the suite: its name and how to run it on a store.
#[derive(Clone, Copy)]
pub struct ConformanceCase {
    /// The case's name, which is also the name of its public function.
    pub name: &'static str,
    /// Runs the case on a fresh, empty store; panics when the store misbehaves.
    pub run: fn(Arc<dyn PaymentStore>) -> CaseFuture,
}

impl fmt::Debug for ConformanceCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConformanceCase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What [`run_conformance`] ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformanceReport {
    cases: Vec<&'static str>,
}

impl ConformanceReport {
    /// How many cases ran (and passed: a failing case panics).
    pub fn cases_run(&self) -> usize {
        self.cases.len()
    }

    /// The names of the cases that ran, in order.
    pub fn case_names(&self) -> &[&'static str] {
        &self.cases
    }
}

macro_rules! case_list {
    ($($name:ident),+ $(,)?) => {
        /// Every case of the suite, in the order [`run_conformance`] runs them.
        pub fn cases() -> &'static [ConformanceCase] {
            const CASES: &[ConformanceCase] = &[$(ConformanceCase {
                name: stringify!($name),
                run: |store| Box::pin($name(store)),
            }),+];
            CASES
        }
    };
}

case_list![
    insert_and_find_round_trip,
    duplicate_transaction_id_is_conflict,
    open_slot_per_order,
    transition_closes_open_slot,
    attach_payment_page,
    payments_for_order_newest_first,
    unknown_transaction_changes_nothing,
    transition_compare_and_set,
    failure_notice_exactly_once,
    claim_requires_accepted,
    claim_and_complete,
    expired_lease_takeover,
    complete_after_lease_expiry_without_takeover,
    release_schedules_retry,
    delivery_log_order_and_limit,
    delivery_log_bounded_strings,
    delivery_log_batches,
    due_fulfilments_filters_and_order,
    stale_pending_filters_and_order,
    race_claim_one_winner,
    race_takeover_one_winner,
    race_transition_one_applied,
    race_insert_one_open_payment,
    race_complete_against_takeover,
    race_many_payments_one_winner_each,
    race_failure_notice_once,
];

/// Runs every case of the suite, each on a fresh store from `new_store`.
///
/// Panics at the first case the store fails, with the case's name and what was
/// expected and found. Run it inside a tokio runtime (a multi-thread one puts
/// the races in parallel). See the [module documentation](self) for an example.
pub async fn run_conformance<F, Fut>(new_store: F) -> ConformanceReport
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn PaymentStore>>,
{
    let mut ran = Vec::with_capacity(cases().len());
    for case in cases() {
        tracing::debug!(case = case.name, "PaymentStore conformance case");
        let store = new_store().await;
        (case.run)(store).await;
        ran.push(case.name);
    }
    tracing::info!(cases = ran.len(), "PaymentStore conformance suite passed");
    ConformanceReport { cases: ran }
}

/// Runs the case called `name` on `store`; `false` when there is no such case.
pub async fn run_case(name: &str, store: Arc<dyn PaymentStore>) -> bool {
    match cases().iter().find(|case| case.name == name) {
        Some(case) => {
            (case.run)(store).await;
            true
        }
        None => false,
    }
}
