//! [`FaultyStore`]: a [`PaymentStore`] wrapper that fails or slows down on
//! command, to prove what the engine does when its store misbehaves.
//!
//! Every injected failure is [`StoreError::Unavailable`] (transient: the
//! engine answers `503` and the caller tries again later), exactly what a
//! database store gives for a lost connection or a pool timeout.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::QueryableStore;
use cinetpay_core::{
    CheckSnapshot, Claim, Completion, DeliveryRecord, FulfilmentClaim, InsertOutcome, NewPayment,
    Payment, PaymentFilter, PaymentLookup, PaymentPage, PaymentQueries, PaymentStore, PollQuery,
    Release, StatusChange, StoreError, Timestamp, TransactionId, Transition,
};

/// One method of [`PaymentStore`] or [`PaymentQueries`], to aim a fault at
/// and to count calls by.
///
/// Its [`name`](Self::name) is the method's name, and it parses back from it:
///
/// ```
/// use cinetpay_testing::StoreOp;
/// let op: StoreOp = "claim_fulfilment".parse()?;
/// assert_eq!(op, StoreOp::ClaimFulfilment);
/// assert_eq!(op.to_string(), "claim_fulfilment");
/// assert!("drop_table".parse::<StoreOp>().is_err());
/// # Ok::<(), cinetpay_testing::UnknownStoreOp>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreOp {
    /// [`PaymentStore::insert_payment`].
    InsertPayment,
    /// [`PaymentStore::find_payment`].
    FindPayment,
    /// [`PaymentStore::find_for_notification`].
    FindForNotification,
    /// [`PaymentStore::attach_payment_page`].
    AttachPaymentPage,
    /// [`PaymentStore::supersede_payment`].
    SupersedePayment,
    /// [`PaymentStore::transition`].
    Transition,
    /// [`PaymentStore::record_check`].
    RecordCheck,
    /// [`PaymentStore::claim_fulfilment`].
    ClaimFulfilment,
    /// [`PaymentStore::complete_fulfilment`].
    CompleteFulfilment,
    /// [`PaymentStore::release_fulfilment`].
    ReleaseFulfilment,
    /// [`PaymentStore::claim_failure_notice`].
    ClaimFailureNotice,
    /// [`PaymentStore::record_deliveries`].
    RecordDeliveries,
    /// [`PaymentStore::accept_and_claim`] (one call, forwarded as one).
    AcceptAndClaim,
    /// [`PaymentStore::complete_and_record`] (one call, forwarded as one).
    CompleteAndRecord,
    /// [`PaymentStore::due_fulfilments`].
    DueFulfilments,
    /// [`PaymentStore::payments_to_poll`].
    PaymentsToPoll,
    /// [`PaymentQueries::list_payments`] (which `payments_for_order` calls).
    ListPayments,
    /// [`PaymentQueries::deliveries`].
    Deliveries,
}

impl StoreOp {
    /// Every operation, in the trait's order.
    pub const ALL: [StoreOp; 18] = [
        StoreOp::InsertPayment,
        StoreOp::FindPayment,
        StoreOp::FindForNotification,
        StoreOp::AttachPaymentPage,
        StoreOp::SupersedePayment,
        StoreOp::Transition,
        StoreOp::RecordCheck,
        StoreOp::ClaimFulfilment,
        StoreOp::CompleteFulfilment,
        StoreOp::ReleaseFulfilment,
        StoreOp::ClaimFailureNotice,
        StoreOp::RecordDeliveries,
        StoreOp::AcceptAndClaim,
        StoreOp::CompleteAndRecord,
        StoreOp::DueFulfilments,
        StoreOp::PaymentsToPoll,
        StoreOp::ListPayments,
        StoreOp::Deliveries,
    ];

    /// The method's name, such as `"claim_fulfilment"`.
    pub fn name(self) -> &'static str {
        match self {
            StoreOp::InsertPayment => "insert_payment",
            StoreOp::FindPayment => "find_payment",
            StoreOp::FindForNotification => "find_for_notification",
            StoreOp::AttachPaymentPage => "attach_payment_page",
            StoreOp::SupersedePayment => "supersede_payment",
            StoreOp::Transition => "transition",
            StoreOp::RecordCheck => "record_check",
            StoreOp::ClaimFulfilment => "claim_fulfilment",
            StoreOp::CompleteFulfilment => "complete_fulfilment",
            StoreOp::ReleaseFulfilment => "release_fulfilment",
            StoreOp::ClaimFailureNotice => "claim_failure_notice",
            StoreOp::RecordDeliveries => "record_deliveries",
            StoreOp::AcceptAndClaim => "accept_and_claim",
            StoreOp::CompleteAndRecord => "complete_and_record",
            StoreOp::DueFulfilments => "due_fulfilments",
            StoreOp::PaymentsToPoll => "payments_to_poll",
            StoreOp::ListPayments => "list_payments",
            StoreOp::Deliveries => "deliveries",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for StoreOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a [`PaymentStore`] method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a PaymentStore or PaymentQueries method")]
pub struct UnknownStoreOp(pub String);

impl FromStr for StoreOp {
    type Err = UnknownStoreOp;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        StoreOp::ALL
            .into_iter()
            .find(|op| op.name() == name)
            .ok_or_else(|| UnknownStoreOp(name.chars().take(64).collect()))
    }
}

/// How many calls [`FaultyStore::log`] keeps (the oldest are dropped first).
pub const LOG_CAPACITY: usize = 10_000;

/// A [`PaymentStore`] that passes every call to the store it wraps, except
/// the ones it was told to fail: the `n`th call from now, the `n`th call of
/// one operation, every call of an operation, or every call while it is
/// "down" (from now, or from the `n`th call from now). It can also be slow (a delay before every call), and it counts
/// the calls of each operation.
///
/// A failed call returns [`StoreError::Unavailable`]. By default it never
/// reaches the wrapped store (the connection was refused); with
/// [`set_lost_replies(true)`](Self::set_lost_replies) it reaches it and takes
/// effect, and only the answer is lost (the connection died after the commit).
///
/// Clones share their faults and counters: keep one, give the engine another.
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_testing::fixtures::{at, new_payment, order_ref};
/// use cinetpay_testing::{FaultyStore, QueryableStore, StoreOp};
/// use cinetpay_core::{MemoryStore, PaymentStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let store = FaultyStore::new(Arc::new(MemoryStore::new()));
/// let engine_side: Arc<dyn QueryableStore> = Arc::new(store.clone());
/// let new = new_payment(&order_ref("demo"), 1000, at(0));
/// engine_side.insert_payment(&new).await.unwrap();
///
/// // The next find fails, the one after works again.
/// store.fail_call_of(StoreOp::FindPayment, 1);
/// let err = engine_side.find_payment(&new.transaction_id).await.unwrap_err();
/// assert!(err.is_transient());
/// assert!(engine_side.find_payment(&new.transaction_id).await.unwrap().is_some());
///
/// // The database goes down, then comes back.
/// store.go_down();
/// assert!(engine_side.find_payment(&new.transaction_id).await.is_err());
/// store.come_back();
/// assert!(engine_side.find_payment(&new.transaction_id).await.is_ok());
///
/// assert_eq!(store.calls(StoreOp::FindPayment), 4);
/// assert_eq!(store.faults_injected(), 2);
/// assert_eq!(store.log()[..2], [StoreOp::InsertPayment, StoreOp::FindPayment]);
/// # }
/// ```
#[derive(Clone)]
pub struct FaultyStore {
    inner: Arc<dyn QueryableStore>,
    state: Arc<Mutex<State>>,
    /// Signalled when held operations are released.
    released: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Default)]
struct State {
    total_calls: u64,
    calls: [u64; StoreOp::ALL.len()],
    /// Absolute call numbers (1-based, over every operation) that fail.
    failing_calls: Vec<u64>,
    /// Absolute per-operation call numbers that fail.
    failing_calls_of: Vec<(StoreOp, u64)>,
    failing_ops: [bool; StoreOp::ALL.len()],
    /// Operations whose calls wait until released.
    held: [bool; StoreOp::ALL.len()],
    down: bool,
    /// The absolute call number at which the store goes down.
    down_at: Option<u64>,
    delay: Duration,
    lost_replies: bool,
    faults_injected: u64,
    log: VecDeque<StoreOp>,
}

impl fmt::Debug for FaultyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultyStore")
            .field("state", &*self.lock())
            .finish_non_exhaustive()
    }
}

/// What [`FaultyStore::enter`] decided for one call.
struct Verdict {
    delay: Duration,
    fault: Option<Fault>,
}

struct Fault {
    error: String,
    applied: bool,
}

impl FaultyStore {
    /// Wraps `inner`; no fault, no delay.
    pub fn new(inner: Arc<dyn QueryableStore>) -> Self {
        FaultyStore {
            inner,
            state: Arc::new(Mutex::new(State::default())),
            released: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The wrapped store (calls to it are neither counted nor failed).
    pub fn inner(&self) -> &Arc<dyn QueryableStore> {
        &self.inner
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `n`th call from now (`1` = the next one), whatever its operation,
    /// fails. May be called several times to fail several calls.
    pub fn fail_call(&self, n: u64) {
        let mut state = self.lock();
        let target = state.total_calls + n.max(1);
        state.failing_calls.push(target);
    }

    /// The `n`th call of `op` from now (`1` = the next one) fails.
    pub fn fail_call_of(&self, op: StoreOp, n: u64) {
        let mut state = self.lock();
        let target = state.calls[op.index()] + n.max(1);
        state.failing_calls_of.push((op, target));
    }

    /// Every call of `op` fails, until [`restore`](Self::restore) or [`heal`](Self::heal).
    pub fn fail_every(&self, op: StoreOp) {
        self.lock().failing_ops[op.index()] = true;
    }

    /// Calls of `op` work again (faults aimed at one call of it stay armed).
    pub fn restore(&self, op: StoreOp) {
        self.lock().failing_ops[op.index()] = false;
    }

    /// The store goes down: every call fails until [`come_back`](Self::come_back).
    pub fn go_down(&self) {
        self.lock().down = true;
    }

    /// The store goes down at the `n`th call from now (`1` = the next one):
    /// that call fails, and every call after it, until [`come_back`](Self::come_back).
    pub fn go_down_at(&self, n: u64) {
        let mut state = self.lock();
        let target = state.total_calls + n.max(1);
        state.down_at = Some(target);
    }

    /// The store is reachable again (a pending [`go_down_at`](Self::go_down_at)
    /// stays armed).
    pub fn come_back(&self) {
        self.lock().down = false;
    }

    /// Whether the store is down.
    pub fn is_down(&self) -> bool {
        self.lock().down
    }

    /// Every call first waits `delay` (tokio's timer; `Duration::ZERO` for none),
    /// failed calls included.
    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// Calls of `op` from now on wait (counted, before reaching the wrapped
    /// store) until [`release`](Self::release): a database that stalls on one
    /// statement, to see what an answer waits for.
    pub fn hold(&self, op: StoreOp) {
        self.lock().held[op.index()] = true;
    }

    /// Lets the held calls of `op` go on, and new ones through.
    pub fn release(&self, op: StoreOp) {
        self.lock().held[op.index()] = false;
        self.released.notify_waiters();
    }

    /// Waits while `op` is held.
    async fn wait_while_held(&self, op: StoreOp) {
        loop {
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if !self.lock().held[op.index()] {
                return;
            }
            released.await;
        }
    }

    /// With `true`, a failed call still reaches the wrapped store and takes
    /// effect; only its answer is lost. With `false` (the default), it never
    /// reaches it.
    pub fn set_lost_replies(&self, lost: bool) {
        self.lock().lost_replies = lost;
    }

    /// Clears every fault and the delay and releases held operations; the
    /// counters and the log are kept.
    pub fn heal(&self) {
        let mut state = self.lock();
        state.held = [false; StoreOp::ALL.len()];
        self.released.notify_waiters();
        state.failing_calls.clear();
        state.failing_calls_of.clear();
        state.failing_ops = [false; StoreOp::ALL.len()];
        state.down = false;
        state.down_at = None;
        state.delay = Duration::ZERO;
        state.lost_replies = false;
    }

    /// How many calls of `op` were made (failed ones included).
    pub fn calls(&self, op: StoreOp) -> u64 {
        self.lock().calls[op.index()]
    }

    /// How many calls were made in all (failed ones included).
    pub fn total_calls(&self) -> u64 {
        self.lock().total_calls
    }

    /// How many calls were failed on purpose.
    pub fn faults_injected(&self) -> u64 {
        self.lock().faults_injected
    }

    /// The operations called since the start or the last
    /// [`clear_log`](Self::clear_log), in the order the calls began; at most
    /// the last [`LOG_CAPACITY`].
    pub fn log(&self) -> Vec<StoreOp> {
        self.lock().log.iter().copied().collect()
    }

    /// Empties the log (the counters are kept).
    pub fn clear_log(&self) {
        self.lock().log.clear();
    }

    /// Counts one call of `op` and decides whether it fails.
    fn enter(&self, op: StoreOp) -> Verdict {
        let mut state = self.lock();
        state.total_calls += 1;
        state.calls[op.index()] += 1;
        let call = state.total_calls;
        let call_of = state.calls[op.index()];
        if state.log.len() == LOG_CAPACITY {
            state.log.pop_front();
        }
        state.log.push_back(op);
        if state.down_at == Some(call) {
            state.down_at = None;
            state.down = true;
        }

        let mut why = None;
        if let Some(i) = state.failing_calls.iter().position(|&n| n == call) {
            state.failing_calls.swap_remove(i);
            why = Some(format!("call #{call} fails"));
        }
        if let Some(i) = state
            .failing_calls_of
            .iter()
            .position(|&(o, n)| o == op && n == call_of)
        {
            state.failing_calls_of.swap_remove(i);
            why.get_or_insert_with(|| format!("{op} call #{call_of} fails"));
        }
        if state.failing_ops[op.index()] {
            why.get_or_insert_with(|| format!("every {op} fails"));
        }
        if state.down {
            why.get_or_insert_with(|| "the store is down".to_owned());
        }
        let fault = why.map(|why| {
            state.faults_injected += 1;
            Fault {
                error: format!("injected fault in {op}: {why}"),
                applied: state.lost_replies,
            }
        });
        Verdict {
            delay: state.delay,
            fault,
        }
    }

    /// Runs one call of `op`: waits the delay, then either `work` or the fault.
    async fn call<T, F>(&self, op: StoreOp, work: F) -> Result<T, StoreError>
    where
        F: Future<Output = Result<T, StoreError>>,
    {
        let verdict = self.enter(op);
        self.wait_while_held(op).await;
        if !verdict.delay.is_zero() {
            tokio::time::sleep(verdict.delay).await;
        }
        match verdict.fault {
            None => work.await,
            Some(fault) => {
                if fault.applied {
                    // The call takes effect; its answer is lost on the way back.
                    let _ = work.await;
                }
                tracing::debug!(%op, error = %fault.error, "FaultyStore: injected fault");
                Err(StoreError::unavailable(fault.error))
            }
        }
    }
}

#[async_trait]
impl PaymentStore for FaultyStore {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        self.call(StoreOp::InsertPayment, self.inner.insert_payment(new))
            .await
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        self.call(StoreOp::FindPayment, self.inner.find_payment(id))
            .await
    }

    async fn find_for_notification(
        &self,
        id: &TransactionId,
    ) -> Result<Option<PaymentLookup>, StoreError> {
        self.call(
            StoreOp::FindForNotification,
            self.inner.find_for_notification(id),
        )
        .await
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        self.call(
            StoreOp::AttachPaymentPage,
            self.inner.attach_payment_page(id, page),
        )
        .await
    }

    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.call(
            StoreOp::SupersedePayment,
            self.inner.supersede_payment(id, at),
        )
        .await
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        self.call(StoreOp::Transition, self.inner.transition(id, change))
            .await
    }

    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.call(StoreOp::RecordCheck, self.inner.record_check(id, check, at))
            .await
    }

    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        self.call(StoreOp::ClaimFulfilment, self.inner.claim_fulfilment(claim))
            .await
    }

    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        self.call(
            StoreOp::CompleteFulfilment,
            self.inner.complete_fulfilment(done),
        )
        .await
    }

    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        self.call(
            StoreOp::ReleaseFulfilment,
            self.inner.release_fulfilment(release),
        )
        .await
    }

    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.call(
            StoreOp::ClaimFailureNotice,
            self.inner.claim_failure_notice(id, now),
        )
        .await
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        self.call(
            StoreOp::RecordDeliveries,
            self.inner.record_deliveries(records),
        )
        .await
    }

    // Forwarded as they are, so that the wrapped store's one-commit versions
    // run (the provided ones would call this wrapper's transition and claim,
    // two counted calls and two commits).
    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        self.call(
            StoreOp::AcceptAndClaim,
            self.inner.accept_and_claim(id, change, claim),
        )
        .await
    }

    async fn complete_and_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, StoreError> {
        self.call(
            StoreOp::CompleteAndRecord,
            self.inner.complete_and_record(done, record),
        )
        .await
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        self.call(
            StoreOp::DueFulfilments,
            self.inner.due_fulfilments(now, limit),
        )
        .await
    }

    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        self.call(StoreOp::PaymentsToPoll, self.inner.payments_to_poll(query))
            .await
    }
}

#[async_trait]
impl PaymentQueries for FaultyStore {
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError> {
        self.call(StoreOp::ListPayments, self.inner.list_payments(filter))
            .await
    }

    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.call(
            StoreOp::Deliveries,
            self.inner.deliveries(transaction_id, limit),
        )
        .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::fixtures::{accepted_check, at, new_payment, order_ref};
    use crate::run_conformance;
    use cinetpay_core::{DeliverySource, MemoryStore, PaymentStatus};

    fn wrapped() -> (FaultyStore, MemoryStore) {
        let memory = MemoryStore::new();
        (FaultyStore::new(Arc::new(memory.clone())), memory)
    }

    async fn seeded(store: &FaultyStore) -> TransactionId {
        let new = new_payment(&order_ref("faulty"), 1000, at(0));
        store.inner().insert_payment(&new).await.unwrap();
        new.transaction_id
    }

    fn accept(new_at: i64) -> StatusChange {
        StatusChange {
            from: PaymentStatus::Pending,
            to: PaymentStatus::Accepted,
            check: Some(accepted_check(&new_payment(
                &order_ref("c"),
                1000,
                at(new_at),
            ))),
            reason: None,
            attention: None,
            at: at(new_at),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_healthy_wrapper_passes_the_conformance_suite() {
        // Instances are clones: they share the wrapped store and the faults.
        let report =
            run_conformance(|| async { FaultyStore::new(Arc::new(MemoryStore::new())) }).await;
        assert!(report.passed());
        assert_eq!(report.cases_run(), crate::cases().len());
        // Each instance wrapping its own clone of one MemoryStore passes too.
        let report = run_conformance(|| async {
            let memory = MemoryStore::new();
            move || Arc::new(FaultyStore::new(Arc::new(memory.clone()))) as Arc<dyn QueryableStore>
        })
        .await;
        assert!(report.passed());
    }

    #[tokio::test]
    async fn the_nth_call_from_now_fails_once_whatever_it_is() {
        let (store, _) = wrapped();
        let id = seeded(&store).await;
        store.find_payment(&id).await.unwrap();
        store.fail_call(2);
        assert!(store.find_payment(&id).await.is_ok(), "call 1 from now");
        let err = store.deliveries(id.as_str(), 10).await.unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert!(err.to_string().contains("deliveries"), "{err}");
        assert!(store.find_payment(&id).await.is_ok(), "only once");
        assert_eq!(store.faults_injected(), 1);
        assert_eq!(store.total_calls(), 4);
    }

    #[tokio::test]
    async fn the_nth_call_of_one_operation_fails_and_others_pass() {
        let (store, _) = wrapped();
        let id = seeded(&store).await;
        store.fail_call_of(StoreOp::FindPayment, 2);
        store.fail_call_of(StoreOp::FindPayment, 3);
        assert!(store.find_payment(&id).await.is_ok());
        assert!(store.deliveries(id.as_str(), 1).await.is_ok());
        assert!(store.find_payment(&id).await.is_err());
        assert!(store.find_payment(&id).await.is_err());
        assert!(store.find_payment(&id).await.is_ok());
        assert_eq!(store.calls(StoreOp::FindPayment), 4);
        assert_eq!(store.calls(StoreOp::Deliveries), 1);
        assert_eq!(store.faults_injected(), 2);
    }

    #[tokio::test]
    async fn every_call_of_an_operation_fails_until_restored() {
        let (store, memory) = wrapped();
        let id = seeded(&store).await;
        store.fail_every("transition".parse().unwrap());
        for _ in 0..3 {
            assert!(store.transition(&id, &accept(1)).await.is_err());
        }
        assert!(
            store.find_payment(&id).await.is_ok(),
            "other operations pass"
        );
        assert_eq!(memory.payments()[0].status, PaymentStatus::Pending);
        store.restore(StoreOp::Transition);
        assert_eq!(
            store.transition(&id, &accept(1)).await.unwrap(),
            Transition::Applied
        );
        assert_eq!(memory.payments()[0].status, PaymentStatus::Accepted);
        assert_eq!(store.faults_injected(), 3);
    }

    #[tokio::test]
    async fn down_fails_everything_until_it_comes_back_and_heal_clears_all() {
        let (store, _) = wrapped();
        let id = seeded(&store).await;
        store.go_down();
        assert!(store.is_down());
        assert!(store.find_payment(&id).await.is_err());
        assert!(store.due_fulfilments(at(0), 10).await.is_err());
        store.come_back();
        assert!(store.find_payment(&id).await.is_ok());

        store.go_down_at(2);
        assert!(store.find_payment(&id).await.is_ok());
        assert!(!store.is_down());
        assert!(store.find_payment(&id).await.is_err());
        assert!(store.is_down());
        assert!(store.deliveries(id.as_str(), 1).await.is_err());
        store.come_back();

        store.go_down();
        store.go_down_at(1);
        store.fail_every(StoreOp::FindPayment);
        store.fail_call(1);
        store.fail_call_of(StoreOp::Deliveries, 1);
        store.set_delay(Duration::from_millis(1));
        store.heal();
        assert!(!store.is_down());
        assert!(store.find_payment(&id).await.is_ok());
        assert!(store.deliveries(id.as_str(), 1).await.is_ok());
        assert_eq!(store.faults_injected(), 4);
    }

    #[tokio::test]
    async fn a_failed_write_changes_nothing_unless_replies_are_lost() {
        let (store, memory) = wrapped();
        let id = seeded(&store).await;
        store.fail_call_of(StoreOp::Transition, 1);
        assert!(store.transition(&id, &accept(1)).await.is_err());
        assert_eq!(memory.payments()[0].status, PaymentStatus::Pending);

        store.set_lost_replies(true);
        store.fail_call_of(StoreOp::Transition, 1);
        assert!(store.transition(&id, &accept(1)).await.is_err());
        assert_eq!(
            memory.payments()[0].status,
            PaymentStatus::Accepted,
            "applied, only the answer was lost"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_store_delays_every_call() {
        let (store, _) = wrapped();
        let id = seeded(&store).await;
        store.set_delay(Duration::from_secs(2));
        let started = tokio::time::Instant::now();
        store.find_payment(&id).await.unwrap();
        store.go_down();
        assert!(store.find_payment(&id).await.is_err());
        assert_eq!(started.elapsed(), Duration::from_secs(4));
        store.heal();
        let started = tokio::time::Instant::now();
        store.find_payment(&id).await.unwrap();
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[tokio::test]
    async fn the_log_lists_calls_in_order_and_can_be_cleared() {
        let (store, _) = wrapped();
        let id = seeded(&store).await;
        store.find_payment(&id).await.unwrap();
        store
            .claim_fulfilment(&Claim {
                transaction_id: &id,
                owner: "me",
                now: at(0),
                lease: Duration::from_secs(1),
            })
            .await
            .unwrap();
        store
            .record_deliveries(&[DeliveryRecord::new(
                id.as_str(),
                DeliverySource::Notify,
                "ok",
                at(0),
            )])
            .await
            .unwrap();
        store.record_check(&id, None, at(1)).await.unwrap();
        assert_eq!(
            store.log(),
            [
                StoreOp::FindPayment,
                StoreOp::ClaimFulfilment,
                StoreOp::RecordDeliveries,
                StoreOp::RecordCheck,
            ]
        );
        store.clear_log();
        assert!(store.log().is_empty());
        assert_eq!(store.total_calls(), 4);
    }

    #[tokio::test]
    async fn the_combined_steps_are_forwarded_counted_once_and_can_fail() {
        let (store, memory) = wrapped();
        let id = seeded(&store).await;
        let claim = Claim {
            transaction_id: &id,
            owner: "me",
            now: at(1),
            lease: Duration::from_secs(60),
        };
        store.fail_call_of(StoreOp::AcceptAndClaim, 1);
        let err = store
            .accept_and_claim(&id, &accept(1), &claim)
            .await
            .unwrap_err();
        assert!(err.is_transient() && err.to_string().contains("accept_and_claim"));
        assert_eq!(memory.payments()[0].status, PaymentStatus::Pending);
        let (outcome, claimed) = store
            .accept_and_claim(&id, &accept(1), &claim)
            .await
            .unwrap();
        assert_eq!(outcome, Transition::Applied);
        assert_eq!(claimed.unwrap().attempt, 1);

        let done = Completion {
            transaction_id: &id,
            owner: "me",
            now: at(2),
        };
        let line = DeliveryRecord::new(id.as_str(), DeliverySource::Notify, "delivered", at(2));
        store.fail_every(StoreOp::CompleteAndRecord);
        assert!(store.complete_and_record(&done, &line).await.is_err());
        assert!(
            memory.all_deliveries().is_empty(),
            "a refused call writes nothing"
        );
        store.restore(StoreOp::CompleteAndRecord);
        assert!(store.complete_and_record(&done, &line).await.unwrap());
        assert_eq!(memory.all_deliveries(), [line]);
        assert!(memory.payments()[0].fulfilment.fulfilled_at.is_some());

        // One counted call each: the inner store's own, not the provided
        // two steps through this wrapper.
        assert_eq!(
            store.log(),
            [
                StoreOp::AcceptAndClaim,
                StoreOp::AcceptAndClaim,
                StoreOp::CompleteAndRecord,
                StoreOp::CompleteAndRecord,
            ]
        );
        for op in [
            StoreOp::Transition,
            StoreOp::ClaimFulfilment,
            StoreOp::CompleteFulfilment,
            StoreOp::RecordDeliveries,
        ] {
            assert_eq!(store.calls(op), 0, "{op}");
        }
    }

    #[test]
    fn every_operation_has_a_distinct_name_that_parses_back() {
        for op in StoreOp::ALL {
            assert_eq!(op.name().parse::<StoreOp>(), Ok(op));
            assert_eq!(StoreOp::ALL[op.index()], op);
        }
        let err = "DROP TABLE payments".parse::<StoreOp>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"DROP TABLE payments\" is not a PaymentStore or PaymentQueries method"
        );
    }
}
