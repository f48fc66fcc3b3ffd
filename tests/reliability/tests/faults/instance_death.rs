//! An instance dies in the middle of a delivery, holding the claim.
//!
//! Instance A runs on a tokio runtime of its own, with its own connection
//! pool, like a separate process. It takes the claims of five accepted
//! payments and is killed while its fulfiller runs: its runtime is shut down,
//! which drops every task it had (the engine runs each delivery in a detached
//! task, so aborting the request's `JoinHandle` alone would not stop it; see
//! the last test). Instance B, on the same database, leaves the payments alone
//! while A's lease runs, takes them over once it has passed, and delivers
//! each once; A's late `complete_fulfilment` and `release_fulfilment` with
//! its owner token are refused, before and after B completes. On MemoryStore,
//! SQLite (a file, two pools) and PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutConfig, ManualClock};
use cinetpay_core::{Completion, MemoryStore, PaymentStatus, PaymentStore, Release};
use cinetpay_reliability::db::{StoreKind, StoreSpec, TestDatabase};
use cinetpay_reliability::{Act, Figures, Rig, RigOptions, Shop};
use http::{Request, StatusCode};
use tokio::sync::{Semaphore, oneshot};

const PAYMENTS: usize = 5;

/// How an instance opens its store.
#[derive(Debug, Clone)]
enum Instances {
    /// Clones of one MemoryStore (one process's memory, shared).
    Memory(MemoryStore),
    /// A pool of its own on one database (leases on the rig's clock).
    Database(StoreSpec, Arc<ManualClock>),
}

impl Instances {
    async fn store(&self) -> Arc<dyn PaymentStore> {
        match self {
            Instances::Memory(memory) => Arc::new(memory.clone()),
            Instances::Database(spec, clock) => spec.connect(4, clock).await,
        }
    }
}

/// Instance A: its own thread, runtime and store; handles `requests` until
/// killed, then its runtime is dropped with everything it was running.
fn spawn_instance_a(
    config: CheckoutConfig,
    shop: Arc<Shop>,
    clock: Arc<ManualClock>,
    instances: Instances,
    requests: Vec<Request<Bytes>>,
    kill: oneshot::Receiver<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("instance A's runtime");
        runtime.block_on(async move {
            let a = Checkout::builder()
                .config(config)
                .store(instances.store().await)
                .fulfiller(shop)
                .clock(clock)
                .build()
                .expect("instance A");
            let mut running = tokio::task::JoinSet::new();
            for request in requests {
                let a = a.clone();
                running.spawn(async move { a.handle(request).await.status() });
            }
            tokio::select! {
                _ = kill => {}
                done = running.join_next() => {
                    panic!("instance A finished a request it should still be running: {done:?}")
                }
            }
        });
        // The process dies: every task of A is dropped where it stands.
        drop(runtime);
    })
}

async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn dies_holding_the_claim(name: &str, instances: impl FnOnce(&Rig) -> Instances) {
    let rig = Rig::start(RigOptions::default()).await;
    let instances = instances(&rig);
    let lease = rig.options.claim_lease;
    let b = rig.engine(instances.store().await);
    let store = b.store().clone();
    let gate = Arc::new(Semaphore::new(0));
    let mut ids = Vec::new();
    for _ in 0..PAYMENTS {
        let (id, _) = rig.start_payment(&b).await;
        rig.pay(&id);
        // A's attempt runs until A dies; B's waits at the gate.
        rig.shop
            .script_payment(&id, [Act::Hang, Act::WaitFor(gate.clone())]);
        ids.push(id);
    }

    let (kill, killed) = oneshot::channel();
    let a = spawn_instance_a(
        rig.config(),
        rig.shop.clone(),
        rig.clock.clone(),
        instances.clone(),
        ids.iter().map(|id| rig.notification(id)).collect(),
        killed,
    );
    eventually("instance A runs every delivery", || {
        ids.iter().all(|id| rig.shop.ledger(id).in_flight == 1)
    })
    .await;
    let mut owners_a = Vec::new();
    for id in &ids {
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(p.fulfilment.attempts, 1);
        assert!(p.fulfilment.claim_until.is_some_and(|t| t > rig.now()));
        owners_a.push(p.fulfilment.claim_owner.expect("A holds the claim"));
    }

    // A dies.
    kill.send(()).expect("instance A is alive");
    tokio::task::spawn_blocking(move || a.join())
        .await
        .expect("joined")
        .expect("instance A ran as planned until killed");
    for id in &ids {
        let ledger = rig.shop.ledger(id);
        assert_eq!((ledger.in_flight, ledger.successes), (0, 0), "{id}");
    }

    // While A's lease runs, B leaves the payments alone (A might still be alive).
    for id in &ids {
        assert_eq!(
            rig.notify(&b, id).await,
            StatusCode::OK,
            "claimed elsewhere"
        );
    }
    rig.advance(lease / 2);
    assert_eq!(b.reconcile_once().await.expect("a pass").due, 0);
    for id in &ids {
        assert_eq!(
            rig.shop.ledger(id).calls,
            1,
            "{id}: untouched during A's lease"
        );
    }

    // The lease ends: B takes over; its deliveries wait at the gate.
    rig.advance(lease / 2 + Duration::from_secs(1));
    let mut b_runs = tokio::task::JoinSet::new();
    for id in &ids {
        let (b, request) = (b.clone(), rig.notification(id));
        b_runs.spawn(async move { b.handle(request).await.status() });
    }
    eventually("instance B runs every delivery", || {
        ids.iter().all(|id| rig.shop.ledger(id).in_flight == 1)
    })
    .await;
    let now = rig.now();
    let mut refused = 0;
    for (id, owner_a) in ids.iter().zip(&owners_a) {
        let p = rig.payment(store.as_ref(), id).await;
        assert_ne!(p.fulfilment.claim_owner.as_ref(), Some(owner_a), "{id}");
        assert_eq!(p.fulfilment.attempts, 2);
        let late = store
            .complete_fulfilment(&Completion {
                transaction_id: id,
                owner: owner_a,
                now,
            })
            .await;
        assert!(!late.expect("the store answers"), "{id}: A's late complete");
        let late = store
            .release_fulfilment(&Release {
                transaction_id: id,
                owner: owner_a,
                error: "late",
                next_attempt_at: now,
                now,
                keep_lease: false,
            })
            .await;
        assert!(!late.expect("the store answers"), "{id}: A's late release");
        refused += 2;
    }

    gate.add_permits(PAYMENTS);
    for answer in b_runs.join_all().await {
        assert_eq!(answer, StatusCode::OK, "B delivered");
    }
    for (id, owner_a) in ids.iter().zip(&owners_a) {
        let late = store
            .complete_fulfilment(&Completion {
                transaction_id: id,
                owner: owner_a,
                now: rig.now(),
            })
            .await;
        assert!(!late.expect("the store answers"), "{id}: A's late complete");
        refused += 1;
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(p.status, PaymentStatus::Accepted);
        assert!(p.is_fulfilled(), "{id}");
        assert_eq!(p.fulfilment.attempts, 2);
        assert_eq!(rig.notify(&b, id).await, StatusCode::OK);
    }
    rig.let_leases_expire();
    b.reconcile_once().await.expect("a pass");
    let tally = rig.shop.tally(&ids);
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    for id in &ids {
        let ledger = rig.shop.ledger(id);
        assert_eq!(ledger.calls, 2, "{id}: A's attempt and B's, nothing more");
        assert_eq!(ledger.successes, 1, "{id}");
        assert_eq!(ledger.max_in_flight, 1, "{id}: never two at once");
    }
    assert_eq!((tally.deliveries, tally.duplicates, tally.lost), (5, 0, 0));
    Figures::new(
        format!("instance death ({name})"),
        format!(
            "instance A killed holding {PAYMENTS} claims, B untouched them during the lease and took over after it, {refused} late completions/releases by A refused, max {} in flight",
            tally.max_in_flight
        ),
        PAYMENTS as u64,
        PAYMENTS,
        tally,
    )
    .print();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_instance_dies_holding_the_claim() {
    dies_holding_the_claim("memory", |rig| {
        Instances::Memory(MemoryStore::with_clock(rig.clock.clone()))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_instance_dies_holding_the_claim() {
    let db = TestDatabase::sqlite();
    dies_holding_the_claim("sqlite", |rig| {
        Instances::Database(db.spec(), rig.clock.clone())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instance_dies_holding_the_claim() {
    let test = "postgres_instance_dies_holding_the_claim";
    let Some(db) = TestDatabase::server(StoreKind::Postgres, test).await else {
        return;
    };
    dies_holding_the_claim("postgres", |rig| {
        Instances::Database(db.spec(), rig.clock.clone())
    })
    .await;
}

/// Aborting the task of a request (a client that hangs up, a request
/// timeout) is not the death of an instance: the delivery runs in a task of
/// its own, finishes, and is recorded once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_request_still_delivers_once() {
    let rig = Rig::start(RigOptions::default()).await;
    let checkout = rig.engine(Arc::new(MemoryStore::with_clock(rig.clock.clone())));
    let gate = Arc::new(Semaphore::new(0));
    let id = rig.paid_payment(&checkout).await;
    rig.shop.script_payment(&id, [Act::WaitFor(gate.clone())]);
    let request = {
        let (checkout, request) = (checkout.clone(), rig.notification(&id));
        tokio::spawn(async move { checkout.handle(request).await })
    };
    eventually("the delivery runs", || rig.shop.ledger(&id).in_flight == 1).await;
    request.abort();
    assert!(request.await.is_err_and(|e| e.is_cancelled()));
    gate.add_permits(1);
    eventually("the delivery finishes", || {
        rig.shop.ledger(&id).successes == 1
    })
    .await;
    let store = checkout.store().clone();
    let mut recorded = false;
    for _ in 0..50 {
        recorded = rig.payment(store.as_ref(), &id).await.is_fulfilled();
        if recorded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(recorded, "the detached delivery recorded its completion");
    assert_eq!(rig.notify(&checkout, &id).await, StatusCode::OK);
    rig.let_leases_expire();
    checkout.reconcile_once().await.expect("a pass");
    let tally = rig.shop.tally(std::slice::from_ref(&id));
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    assert_eq!(rig.shop.ledger(&id).calls, 1);
    assert_eq!((tally.deliveries, tally.duplicates, tally.lost), (1, 0, 0));
    Figures::new(
        "aborted request",
        "the request's task aborted mid-delivery, the detached delivery finished and was recorded",
        1,
        1,
        tally,
    )
    .print();
}
