//! The store fails at every step of the sync path, in turn.
//!
//! For three flows of a notification (an accepted payment, an accepted payment
//! whose first delivery fails, a refused payment), a clean run lists the store
//! calls the engine makes. Then, for every one of those steps and each mode
//! (the call fails once; it takes effect but its answer is lost; the store
//! goes down from that call on), a fresh payment gets its notification with
//! the fault armed. The answer must be retryable (`503`), or the flow's own
//! answer where the engine documents that the failed step is not fatal (the
//! delivery log; a completion it retried). Then the store comes back, the
//! notification is resent and reconciliation runs until the payment is
//! settled: every accepted payment delivered exactly once, no refused one
//! delivered. Last, a slow store with concurrent duplicate notifications.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::clock::ManualClock;
use cinetpay_core::engine::Checkout;
use cinetpay_core::{MemoryStore, Payment, PaymentStatus, TransactionId};
use cinetpay_reliability::db::{StoreKind, TestDatabase};
use cinetpay_reliability::{Act, Figures, Rig, RigOptions};
use cinetpay_testing::{FaultyStore, QueryableStore, StoreOp};
use http::StatusCode;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Paid; the delivery succeeds.
    Accepted,
    /// Paid; the first delivery attempt fails (then succeeds).
    FirstDeliveryFails,
    /// Refused by the operator.
    Refused,
}

impl Flow {
    const ALL: [Flow; 3] = [Flow::Accepted, Flow::FirstDeliveryFails, Flow::Refused];

    /// The store calls of a clean run, in order.
    fn steps(self) -> &'static [StoreOp] {
        use StoreOp::*;
        match self {
            // The payment (not delivered yet: read whole); the change to
            // accepted claims the delivery in the same step; the completion
            // writes the log line in its commit.
            Flow::Accepted => &[FindForNotification, AcceptAndClaim, CompleteAndRecord],
            Flow::FirstDeliveryFails => &[
                FindForNotification,
                AcceptAndClaim,
                ReleaseFulfilment,
                RecordDeliveries,
            ],
            Flow::Refused => &[
                FindForNotification,
                Transition,
                ClaimFailureNotice,
                RecordDeliveries,
            ],
        }
    }

    /// The answer of a clean run.
    fn clean_answer(self) -> StatusCode {
        match self {
            Flow::FirstDeliveryFails => StatusCode::INTERNAL_SERVER_ERROR,
            Flow::Accepted | Flow::Refused => StatusCode::OK,
        }
    }

    fn accepted(self) -> bool {
        self != Flow::Refused
    }
}

/// How the store fails at the chosen step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// That call fails without reaching the database.
    FailsOnce,
    /// That call takes effect, and its answer is lost.
    LostReply,
    /// The store is down from that call on, until it comes back.
    DownFromHere,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::FailsOnce, Mode::LostReply, Mode::DownFromHere];
}

/// The answer the notification must get when `op` fails in `mode`.
fn expected_answer(flow: Flow, op: StoreOp, mode: Mode) -> StatusCode {
    match (op, mode) {
        // The delivery log is best effort: "a failure is logged, never fatal".
        (StoreOp::RecordDeliveries, _) => flow.clean_answer(),
        // The engine retries recording a finished delivery before it answers.
        (StoreOp::CompleteAndRecord, Mode::FailsOnce | Mode::LostReply) => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

struct Bench {
    rig: Rig,
    store: FaultyStore,
    checkout: Checkout,
    accepted: Vec<TransactionId>,
    payments: usize,
}

impl Bench {
    async fn new(inner: Arc<dyn QueryableStore>, rig: Rig) -> Bench {
        let store = FaultyStore::new(inner);
        let checkout = rig.engine(Arc::new(store.clone()));
        Bench {
            rig,
            store,
            checkout,
            accepted: Vec::new(),
            payments: 0,
        }
    }

    /// A fresh payment, decided at CinetPay as the flow says.
    async fn prepare(&mut self, flow: Flow) -> TransactionId {
        let (id, failures) = self.rig.start_payment(&self.checkout).await;
        assert_eq!(failures, 0, "init with a healthy store");
        match flow {
            Flow::Accepted => self.rig.pay(&id),
            Flow::FirstDeliveryFails => {
                self.rig
                    .shop
                    .script_payment(&id, [Act::Fail("the warehouse said no")]);
                self.rig.pay(&id);
            }
            Flow::Refused => self.rig.refuse(&id),
        }
        if flow.accepted() {
            self.accepted.push(id.clone());
        }
        self.payments += 1;
        id
    }

    async fn payment(&self, id: &TransactionId) -> Payment {
        self.rig.payment(self.store.inner().as_ref(), id).await
    }

    fn settled(flow: Flow, p: &Payment) -> bool {
        if flow.accepted() {
            p.status == PaymentStatus::Accepted && p.is_fulfilled()
        } else {
            p.status == PaymentStatus::Refused && p.failure_notified_at.is_some()
        }
    }

    /// With the store back: resend the notification; while the payment is
    /// not settled, let time pass (leases, backoff) and reconcile. Returns
    /// the number of rounds.
    async fn recover(&self, flow: Flow, id: &TransactionId, case: &str) -> u32 {
        for round in 1..=5 {
            let answer = self.rig.notify(&self.checkout, id).await;
            let p = self.payment(id).await;
            if Self::settled(flow, &p) && answer == StatusCode::OK {
                return round;
            }
            if self.rig.shop.ledger(id).successes > 0 && !p.is_fulfilled() {
                // A delivery returned Ok and is not recorded yet: the instance
                // that ran it records it within its lease; give it that time
                // (in real time: the test's clock only moves when told).
                self.wait_until_fulfilled(id, Duration::from_secs(5)).await;
            }
            self.rig.let_leases_expire();
            self.checkout
                .reconcile_once()
                .await
                .unwrap_or_else(|e| panic!("{case}: reconciliation with the store back: {e}"));
        }
        panic!(
            "{case}: not settled after 5 rounds: {:?}",
            self.payment(id).await
        );
    }

    async fn wait_until_fulfilled(&self, id: &TransactionId, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        while tokio::time::Instant::now() < deadline {
            if self.payment(id).await.is_fulfilled() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Settled as the flow wants, and nothing more happens afterwards.
    async fn assert_settled(&self, flow: Flow, id: &TransactionId, case: &str, notices: u32) {
        let p = self.payment(id).await;
        assert!(Self::settled(flow, &p), "{case}: {p:?}");
        let ledger = self.rig.shop.ledger(id);
        if flow.accepted() {
            assert_eq!(ledger.successes, 1, "{case}: delivered exactly once");
            assert_eq!(ledger.max_in_flight, 1, "{case}: deliveries never overlap");
            assert_eq!(ledger.calls_after_success, 0, "{case}");
        } else {
            assert_eq!(
                ledger.calls, 0,
                "{case}: a refused payment is never delivered"
            );
            assert_eq!(ledger.failure_notices, notices, "{case}: payment_failed");
        }
        let calls = ledger.calls;
        assert_eq!(
            self.rig.notify(&self.checkout, id).await,
            StatusCode::OK,
            "{case}: a late duplicate"
        );
        self.rig.let_leases_expire();
        self.checkout.reconcile_once().await.expect("reconcile");
        assert_eq!(
            self.rig.shop.ledger(id).calls,
            calls,
            "{case}: nothing runs again"
        );
    }

    /// One step of one flow failing in one mode.
    async fn fault_case(&mut self, flow: Flow, step: usize, mode: Mode) {
        let op = flow.steps()[step];
        let case = format!("{flow:?}, step {} ({op}), {mode:?}", step + 1);
        let id = self.prepare(flow).await;
        // Lines of earlier duplicates are written behind their answers: store
        // them now, so that call numbers count this notification's calls only.
        self.checkout.flush_delivery_log().await;
        let n = step as u64 + 1;
        match mode {
            Mode::FailsOnce => self.store.fail_call(n),
            Mode::LostReply => {
                self.store.set_lost_replies(true);
                self.store.fail_call(n);
            }
            Mode::DownFromHere => self.store.go_down_at(n),
        }
        let faults = self.store.faults_injected();
        self.store.clear_log();
        let answer = self.rig.notify(&self.checkout, &id).await;
        assert!(
            self.store.faults_injected() > faults,
            "{case}: the fault fired"
        );
        assert_eq!(
            self.store.log().get(step),
            Some(&op),
            "{case}: the step is where the clean run had it"
        );
        assert_eq!(
            answer,
            expected_answer(flow, op, mode),
            "{case}: the answer"
        );
        if answer == StatusCode::OK && flow.accepted() {
            assert!(
                self.payment(&id).await.is_fulfilled(),
                "{case}: 200 = delivered"
            );
        }

        self.store.heal();
        self.recover(flow, &id, &case).await;
        let lost_notice = mode == Mode::LostReply && op == StoreOp::ClaimFailureNotice;
        // payment_failed is "at most once": a claim whose answer was lost is not retried.
        let notices = if lost_notice { 0 } else { 1 };
        self.assert_settled(flow, &id, &case, notices).await;
    }

    /// A clean run: the store calls must be the documented steps.
    async fn clean_run(&mut self, flow: Flow) {
        let id = self.prepare(flow).await;
        self.checkout.flush_delivery_log().await;
        self.store.clear_log();
        let answer = self.rig.notify(&self.checkout, &id).await;
        assert_eq!(answer, flow.clean_answer(), "{flow:?}: clean run");
        assert_eq!(
            self.store.log(),
            flow.steps(),
            "{flow:?}: the steps of the sync path"
        );
        let case = format!("{flow:?}, clean");
        self.recover(flow, &id, &case).await;
        self.assert_settled(flow, &id, &case, 1).await;
    }

    /// A slow store, and three copies of the notification at once.
    async fn slow_case(&mut self, flow: Flow) {
        let case = format!("{flow:?}, slow store, 3 concurrent notifications");
        let id = self.prepare(flow).await;
        self.store.set_delay(Duration::from_millis(25));
        let (a, b, c) = tokio::join!(
            self.rig.notify(&self.checkout, &id),
            self.rig.notify(&self.checkout, &id),
            self.rig.notify(&self.checkout, &id),
        );
        let answers = [a, b, c];
        match flow {
            Flow::Accepted | Flow::Refused => {
                assert_eq!(answers, [StatusCode::OK; 3], "{case}");
            }
            Flow::FirstDeliveryFails => {
                assert!(
                    answers.contains(&StatusCode::INTERNAL_SERVER_ERROR),
                    "{case}: {answers:?}"
                );
                assert!(
                    answers
                        .iter()
                        .all(|a| [200, 500, 503].contains(&a.as_u16())),
                    "{case}: {answers:?}"
                );
            }
        }
        self.store.heal();
        self.recover(flow, &id, &case).await;
        self.assert_settled(flow, &id, &case, 1).await;
    }
}

/// Fails each step of the sync path on the store `open` gives (its leases
/// on the rig's clock).
async fn every_step<F, Fut>(name: &str, open: F)
where
    F: FnOnce(Arc<ManualClock>) -> Fut,
    Fut: std::future::Future<Output = Arc<dyn QueryableStore>>,
{
    let rig = Rig::start(RigOptions::default()).await;
    let inner = open(rig.clock.clone()).await;
    let mut bench = Bench::new(inner, rig).await;
    let mut steps = 0;
    for flow in Flow::ALL {
        bench.clean_run(flow).await;
        for step in 0..flow.steps().len() {
            steps += 1;
            for mode in Mode::ALL {
                bench.fault_case(flow, step, mode).await;
            }
        }
        bench.slow_case(flow).await;
    }
    let tally = bench.rig.shop.tally(&bench.accepted);
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    assert_eq!(tally.duplicates, 0, "{tally:?}");
    assert_eq!(tally.lost, 0, "{tally:?}");
    assert_eq!(tally.deliveries as usize, bench.accepted.len(), "{tally:?}");
    assert_eq!(tally.max_in_flight, 1, "{tally:?}");
    assert_eq!(tally.calls_after_success, 0, "{tally:?}");
    Figures::new(
        format!("store faults ({name})"),
        format!(
            "{steps} steps x {} modes + a slow store on {} flows",
            Mode::ALL.len(),
            Flow::ALL.len()
        ),
        bench.store.faults_injected(),
        bench.payments,
        tally,
    )
    .print();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_fails_at_every_step() {
    every_step("memory", |clock| async move {
        Arc::new(MemoryStore::with_clock(clock)) as Arc<dyn QueryableStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_fails_at_every_step() {
    let db = TestDatabase::sqlite();
    let db = &db;
    every_step("sqlite", |clock| async move { db.store(&clock).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_fails_at_every_step() {
    let Some(db) =
        TestDatabase::server(StoreKind::Postgres, "postgres_store_fails_at_every_step").await
    else {
        return;
    };
    let db = &db;
    every_step("postgres", |clock| async move { db.store(&clock).await }).await;
}
