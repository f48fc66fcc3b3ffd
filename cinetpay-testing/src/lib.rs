#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-testing
//!
//! The test toolkit of cinetpay-rs: the conformance suite every
//! [`PaymentStore`] must pass, [`FaultyStore`] (a wrapper that fails on
//! command), [`fixtures`], and what a merchant needs to test a shop:
//! [`ScriptedFulfiller`] and [`TestNotification`].
//!
//! ## Testing your shop
//!
//! A test of a shop's payments needs a CinetPay double that answers the
//! status check (the engine believes no notification until CinetPay
//! confirms it): `cinetpay-sandbox`, a local CinetPay, or a mock. Then
//! [`ScriptedFulfiller::wrapping`] puts scripted faults in front of *your*
//! fulfiller and counts its calls, and [`TestNotification`] posts what
//! CinetPay posts, signed as CinetPay signs it:
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use cinetpay_core::engine::{Checkout, CheckoutSettings};
//! use cinetpay_core::{MemoryStore, SecretKey};
//! use cinetpay_sandbox::{Operator, Sandbox};
//! use cinetpay_testing::{ScriptedFulfiller, TestNotification};
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cinetpay = Sandbox::builder().start().await?;
//! let sandbox = cinetpay.sandbox();
//! let settings = CheckoutSettings {
//!     api_key: Some(sandbox.api_key().to_owned()),
//!     site_id: Some(sandbox.site_id().to_owned()),
//!     secret_key: Some(sandbox.secret_key().to_owned()),
//!     api_url: Some(sandbox.url().to_string()),
//!     public_url: Some("http://127.0.0.1:9".to_owned()), // the sandbox's own notifications go nowhere
//!     ..CheckoutSettings::default()
//! };
//! // Your fulfiller goes here: `ScriptedFulfiller::wrapping(Arc::new(MyShop::new(..)))`.
//! // (`merchant.script([Act::Fail("closed"), Act::Panic])` makes deliveries fail.)
//! let merchant = ScriptedFulfiller::new();
//! let checkout = Checkout::builder()
//!     .config(settings.into_config()?)
//!     .store(Arc::new(MemoryStore::new()))
//!     .fulfiller(merchant.clone())
//!     .build()?;
//!
//! // The customer clicks "Pay", then pays on CinetPay's page.
//! let init = http::Request::post("/cinetpay/init")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .body(Bytes::from_static(b"order_ref=order-42"))?;
//! assert_eq!(checkout.handle(init).await.status(), 303);
//! let paid = sandbox.last_payment().expect("a payment");
//! sandbox.pay(&paid.transaction_id, Operator::OrangeMoney)?;
//!
//! // CinetPay notifies, twice: the order is delivered once.
//! let secret = SecretKey::new(sandbox.secret_key())?;
//! let notice = TestNotification::success(sandbox.site_id(), &paid.transaction_id);
//! for _ in 0..2 {
//!     let answer = checkout.handle(notice.request("/cinetpay/notify", Some(&secret))).await;
//!     assert_eq!(answer.status(), 200);
//! }
//! assert_eq!((merchant.calls(), merchant.successes()), (1, 1));
//!
//! // A forged notification changes nothing.
//! let forged = notice.request("/cinetpay/notify", Some(&SecretKey::new("not-the-secret")?));
//! assert_eq!(checkout.handle(forged).await.status(), 401);
//! cinetpay.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## The conformance suite
//!
//! One call runs every behaviour the engine relies on against your store: the
//! round trip of every field (the CinetPay account and API generation of a
//! payment included), the 2026 API's notify token and CinetPay's id recorded
//! with the page, the open slot of an order, superseded payments,
//! compare-and-set transitions, one accepted payment per order, fulfilment and
//! refund-notice claims with leases on the store's clock, fencing by owner
//! tokens, retries, the one-time failure notice, checks and the polling
//! query, the delivery log, and races — many tasks on one store instance, and
//! tasks on several instances sharing one database, as several processes
//! would.
//!
//! The suite asks for a *backend factory*: each case gets a fresh, **empty**
//! backend (a database store hands out a fresh database, schema or table
//! prefix per case), and opens one or more [instances](StoreBackend::instance)
//! of it: stores on the same data, as two processes would open them. A store
//! that is correct only inside one process (an in-process lock around a read
//! and a write) passes the single-instance races and fails the
//! cross-instance ones.
//!
//! Each case runs in its own tokio task: a failing case is recorded (with its
//! name and what was expected and found) and the run goes on.
//! [`run_conformance`] panics at the end listing every failure;
//! [`check_conformance`] returns them in the [`ConformanceReport`].
//!
//! ### Running it on your store
//!
//! Implement [`StoreBackend`] for a handle on one fresh database (say, a
//! Redis database number or a key prefix): [`instance`](StoreBackend::instance)
//! opens another connection to it. Then, in a test:
//!
//! ```
//! use std::sync::Arc;
//! use cinetpay_core::MemoryStore;
//! use cinetpay_testing::{QueryableStore, StoreBackend, async_trait, run_conformance};
//!
//! /// One fresh database of "my" store (a MemoryStore stands in for, say, a
//! /// Redis database: instances are new clients of the same data).
//! struct MyBackend {
//!     data: MemoryStore,
//! }
//!
//! #[async_trait]
//! impl StoreBackend for MyBackend {
//!     async fn instance(&self) -> Arc<dyn QueryableStore> {
//!         // A real store connects here: `MyStore::connect(&self.url).await`.
//!         Arc::new(self.data.clone())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! let report = run_conformance(|| async {
//!     MyBackend { data: MemoryStore::new() } // a fresh database per case
//! })
//! .await;
//! assert!(report.passed());
//! assert_eq!(report.cases_run(), cinetpay_testing::cases().len());
//! # }
//! ```
//!
//! [`MemoryStore`] is a backend itself (its
//! clones share their data), and so is any closure that opens an instance:
//! `run_conformance(|| async { MemoryStore::new() })`, or
//! `move || Arc::new(shared.clone()) as Arc<dyn QueryableStore>`.
//!
//! A store can also run one case, for example as its own `#[tokio::test]`:
//!
//! ```
//! # use std::sync::Arc;
//! # use cinetpay_core::MemoryStore;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! cinetpay_testing::race_claim_one_winner(Arc::new(MemoryStore::new())).await;
//! # }
//! ```
//!
//! ### What a store must know
//!
//! * Run the suite inside a tokio runtime whose clock is **not paused**
//!   (`start_paused` would break the real sleeps of the lease cases); a
//!   multi-thread runtime runs the races in parallel.
//! * Instants passed by the caller are fixed times far from now (see
//!   [`fixtures::base_time`]), compared at millisecond precision: a store must
//!   keep at least milliseconds and give back UTC.
//! * Leases are measured on the **store's** clock (see the
//!   [`PaymentStore`] docs): the lease cases take real leases of 250-300 ms and
//!   sleep past them; a claim's `lease_until` must be the store's "now" plus
//!   the lease, within 10 minutes of the test process's clock; callers' `now`s
//!   an hour off must not matter. A whole run takes a few seconds of sleeps.
//! * An unknown transaction id is `None`, `false` or empty, never an error.
//!
//! Where the [`PaymentStore`] docs leave a choice open, the suite pins it:
//! * every write sets `updated_at` to the caller's instant it is given (`at`,
//!   `change.at`, `claim.now`, `done.now`, `release.now`);
//! * `transition` replaces the check, the reason and the attention with the
//!   change's (`None` included), and sets `checked_at` only when the change has
//!   a check; `pending -> pending` applies and keeps the payment open;
//!   `record_check` with no snapshot keeps the stored check;
//! * boundaries on the caller's clock: a `next_attempt_at == now` is due;
//!   [`PollQuery`](cinetpay_core::PollQuery) boundaries as its docs state them
//!   (`created_at == since`, `last_seen == now - after`, and equality in
//!   `4 * last_seen <= 3 * now + created_at` are candidates);
//! * a second `complete_fulfilment` answers `false` and keeps the first
//!   instant; `release_fulfilment` keeps the attempt count; a `last_error` is
//!   kept whole or cut to at least 255 characters;
//! * orders: `payments_for_order` and `list_payments` newest `created_at`
//!   first (then transaction id), pages by `before` without gaps;
//!   `due_fulfilments` oldest `created_at` first; `deliveries` oldest `at`
//!   first, same instant in recording order, and `limit` keeps the oldest;
//! * strings are compared exactly: ids and order references that differ by
//!   case or accents are different (no `_ci` collation), and a raw id with `%`
//!   or `_` is no pattern (no `LIKE`);
//! * `record_deliveries` keeps the batch's order and cuts over-long strings to
//!   the [`DeliveryRecord`](cinetpay_core::DeliveryRecord) bounds instead of
//!   failing.

// Library code never unwraps: a store's answer is checked with a message.
#![warn(clippy::unwrap_used)]

mod cases;
mod check;
mod clocks;
mod faulty;
pub mod fixtures;
mod notification;
mod scripted;
#[cfg(test)]
mod self_test;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::{MemoryStore, PaymentQueries, PaymentStore};

/// The `#[async_trait]` attribute [`StoreBackend`] uses, re-exported.
pub use async_trait::async_trait;
pub use cases::*;
pub use clocks::OffsetClock;
pub use faulty::{FaultyStore, LOG_CAPACITY, StoreOp, UnknownStoreOp};
pub use notification::TestNotification;
pub use scripted::{Act, Ledger, PANIC_MESSAGE, ScriptedFulfiller, Tally};

/// A store with its read side: what the conformance suite tests
/// ([`PaymentStore`] for the engine, [`PaymentQueries`] to read back what it
/// wrote). Implemented by every type that implements both.
pub trait QueryableStore: PaymentStore + PaymentQueries {}

impl<T: PaymentStore + PaymentQueries> QueryableStore for T {}

/// One database (or its stand-in) that several store instances share, as
/// several processes would: what each conformance case runs on.
///
/// Implemented by [`MemoryStore`] (an instance is a clone: clones share their
/// data), by [`FaultyStore`] (an instance is a clone: clones share the wrapped
/// store and the faults), and by any `Fn() -> Arc<dyn QueryableStore>` closure
/// (each call opens an instance).
#[async_trait]
pub trait StoreBackend: Send + Sync + 'static {
    /// Another store on this backend, as another process would open it.
    async fn instance(&self) -> Arc<dyn QueryableStore>;
}

#[async_trait]
impl StoreBackend for MemoryStore {
    async fn instance(&self) -> Arc<dyn QueryableStore> {
        Arc::new(self.clone())
    }
}

#[async_trait]
impl StoreBackend for FaultyStore {
    async fn instance(&self) -> Arc<dyn QueryableStore> {
        Arc::new(self.clone())
    }
}

#[async_trait]
impl<F> StoreBackend for F
where
    F: Fn() -> Arc<dyn QueryableStore> + Send + Sync + 'static,
{
    async fn instance(&self) -> Arc<dyn QueryableStore> {
        self()
    }
}

/// The future of one conformance case.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One behaviour of the suite: its name and how to run it on a backend.
#[derive(Clone, Copy)]
pub struct ConformanceCase {
    /// The case's name, which is also the name of its public function.
    pub name: &'static str,
    /// Runs the case on a fresh, empty backend; panics when the store misbehaves.
    pub run: fn(Arc<dyn StoreBackend>) -> CaseFuture,
}

impl fmt::Debug for ConformanceCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConformanceCase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What [`run_conformance`] or [`check_conformance`] ran, and what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformanceReport {
    cases: Vec<&'static str>,
    failures: Vec<(&'static str, String)>,
}

impl ConformanceReport {
    /// How many cases ran (passed or failed).
    pub fn cases_run(&self) -> usize {
        self.cases.len()
    }

    /// The names of the cases that ran, in order.
    pub fn case_names(&self) -> &[&'static str] {
        &self.cases
    }

    /// The cases that failed, in order, each with its failure message.
    pub fn failures(&self) -> &[(&'static str, String)] {
        &self.failures
    }

    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(
                f,
                "PaymentStore conformance: all {} cases passed",
                self.cases_run()
            );
        }
        write!(
            f,
            "PaymentStore conformance: {} of {} cases failed:",
            self.failures.len(),
            self.cases_run()
        )?;
        for (name, message) in &self.failures {
            write!(f, "\n- {name}: {message}")?;
        }
        Ok(())
    }
}

macro_rules! case_list {
    ($($name:ident),+ $(,)?) => {
        /// Every case of the suite, in the order [`run_conformance`] runs them.
        pub fn cases() -> &'static [ConformanceCase] {
            const CASES: &[ConformanceCase] = &[$(ConformanceCase {
                name: stringify!($name),
                run: |backend| Box::pin($name(backend)),
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
    account_and_generation_round_trip,
    attach_payment_page_records_the_2026_answer,
    find_for_notification_matches_the_payment,
    no_notify_token_without_a_2026_page,
    payments_for_order_newest_first,
    list_payments_filters_and_pages,
    unknown_transaction_changes_nothing,
    superseded_payment_is_never_accepted,
    transition_compare_and_set,
    one_accepted_payment_per_order,
    record_check_keeps_status,
    failure_notice_exactly_once,
    claim_requires_accepted,
    claim_and_complete,
    expired_lease_takeover,
    complete_after_lease_expiry_without_takeover,
    lease_on_the_store_clock,
    release_schedules_retry,
    release_keep_lease,
    refund_notice_claim_protocol,
    accept_and_claim_in_one_step,
    accept_and_claim_refused,
    complete_and_record_in_one_step,
    delivery_log_order_and_limit,
    delivery_log_bounded_strings,
    delivery_log_batches,
    due_fulfilments_filters_and_order,
    payments_to_poll_filters_and_order,
    polling_reaches_every_candidate,
    race_claim_one_winner,
    race_takeover_one_winner,
    race_transition_one_applied,
    race_insert_one_open_payment,
    race_accept_one_payer,
    race_complete_against_takeover,
    race_many_payments_one_winner_each,
    race_failure_notice_once,
    race_claim_across_instances,
    race_insert_across_instances,
    race_transition_across_instances,
    race_accept_across_instances,
    race_accept_and_claim_one_winner,
];

/// How long one case may run before it is recorded as failed (a store that
/// deadlocks must not hang the suite).
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs every case of the suite, each on a fresh backend from `new_backend`
/// and in its own tokio task, then panics if any failed, listing every failure
/// (case name and message).
///
/// Run it inside a tokio runtime whose clock is not paused (a multi-thread one
/// puts the races in parallel). See the [crate documentation](crate) for an
/// example.
pub async fn run_conformance<F, Fut, B>(new_backend: F) -> ConformanceReport
where
    F: Fn() -> Fut,
    Fut: Future<Output = B>,
    B: StoreBackend,
{
    let report = check_conformance(new_backend).await;
    if !report.passed() {
        panic!("{report}");
    }
    report
}

/// Runs every case like [`run_conformance`], but never panics: the failures
/// are in the report.
pub async fn check_conformance<F, Fut, B>(new_backend: F) -> ConformanceReport
where
    F: Fn() -> Fut,
    Fut: Future<Output = B>,
    B: StoreBackend,
{
    let mut report = ConformanceReport {
        cases: Vec::with_capacity(cases().len()),
        failures: Vec::new(),
    };
    for case in cases() {
        tracing::debug!(case = case.name, "PaymentStore conformance case");
        let backend: Arc<dyn StoreBackend> = Arc::new(new_backend().await);
        if let Err(message) = run_isolated(case, backend).await {
            tracing::warn!(case = case.name, %message, "PaymentStore conformance case failed");
            report.failures.push((case.name, message));
        }
        report.cases.push(case.name);
    }
    tracing::info!(
        cases = report.cases_run(),
        failed = report.failures.len(),
        "PaymentStore conformance suite ran"
    );
    report
}

/// Runs one case in its own task; its panic message when it fails.
async fn run_isolated(
    case: &ConformanceCase,
    backend: Arc<dyn StoreBackend>,
) -> Result<(), String> {
    let task = tokio::spawn((case.run)(backend));
    let abort = task.abort_handle();
    match tokio::time::timeout(CASE_TIMEOUT, task).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) if e.is_panic() => Err(panic_message(e.into_panic())),
        Ok(Err(e)) => Err(format!("the case's task did not finish: {e}")),
        Err(_) => {
            abort.abort();
            Err(format!("the case did not finish within {CASE_TIMEOUT:?}"))
        }
    }
}

/// The message of a panic payload.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .unwrap_or_else(|| "the case panicked with a non-text payload".to_owned()),
    }
}

/// Runs the case called `name` on `backend` (in the calling task: a failure
/// panics); `false` when there is no such case.
pub async fn run_case(name: &str, backend: Arc<dyn StoreBackend>) -> bool {
    match cases().iter().find(|case| case.name == name) {
        Some(case) => {
            (case.run)(backend).await;
            true
        }
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_store_passes_every_case_on_a_multi_thread_runtime() {
        let report = run_conformance(|| async { MemoryStore::new() }).await;
        assert!(report.passed());
        assert_eq!(report.cases_run(), cases().len());
        let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
        assert_eq!(report.case_names(), names.as_slice());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn memory_store_passes_every_case_on_a_current_thread_runtime() {
        let report = run_conformance(|| async { MemoryStore::new() }).await;
        assert_eq!(report.cases_run(), cases().len());
    }

    #[test]
    fn case_names_are_unique() {
        let mut names: Vec<&str> = cases().iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), cases().len());
    }

    #[tokio::test]
    async fn run_case_runs_a_case_by_name() {
        assert!(run_case("attach_payment_page", Arc::new(MemoryStore::new())).await);
        assert!(!run_case("no_such_case", Arc::new(MemoryStore::new())).await);
    }

    #[tokio::test]
    async fn a_closure_is_a_backend_whose_calls_open_instances() {
        let shared = MemoryStore::new();
        let backend = {
            let shared = shared.clone();
            move || Arc::new(shared.clone()) as Arc<dyn QueryableStore>
        };
        let new = fixtures::new_payment(&fixtures::order_ref("fn"), 1000, fixtures::at(0));
        backend.instance().await.insert_payment(&new).await.unwrap();
        let other = backend.instance().await;
        assert!(
            other
                .find_payment(&new.transaction_id)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(shared.payments().len(), 1);
    }
}
