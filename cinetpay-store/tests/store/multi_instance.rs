//! Several independent `SeaOrmStore`s (separate pools, as separate app
//! instances would have) on one database: 500 accepted payments, 8 concurrent
//! claimers per payment spread over the instances. Exactly one claim wins per
//! payment; after completes, releases, dead owners and expired leases, every
//! payment ends fulfilled exactly once, and a former owner's late complete is
//! refused. The stores share one manual lease clock, so that the rounds can
//! move time (the database's own clock is tested in `clock_skew`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
use cinetpay_core::clock::ManualClock;
use cinetpay_core::{
    Claim, Completion, InsertOutcome, PaymentStatus, PaymentStore, Release, TransactionId,
    Transition,
};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref};
use futures_util::{StreamExt, stream};
use sea_orm::DbBackend;

const PAYMENTS: usize = 500;
const CLAIMERS: usize = 8;
/// Payments worked on at once (each with its 8 claimers).
const PARALLEL: usize = 24;

/// What happened to one payment in one round of claims.
struct Round {
    /// The winning owner tokens (must be at most one).
    winners: Vec<String>,
}

/// 8 claimers, spread over the instances, race for one payment at `now`.
async fn race(
    stores: Arc<Vec<SeaOrmStore>>,
    id: TransactionId,
    round: &'static str,
    now_ms: i64,
    lease_ms: i64,
) -> Round {
    let claims = (0..CLAIMERS).map(|k| {
        let store = stores[k % stores.len()].clone();
        let id = id.clone();
        let owner = format!("{id}-{round}-{k}");
        tokio::spawn(async move {
            let claim = store
                .claim_fulfilment(&Claim {
                    transaction_id: &id,
                    owner: &owner,
                    now: at(now_ms),
                    lease: Duration::from_millis(u64::try_from(lease_ms - now_ms).unwrap()),
                })
                .await
                .expect("claim_fulfilment");
            claim.map(|c| {
                assert_eq!(c.owner, owner);
                c.owner
            })
        })
    });
    let mut winners = Vec::new();
    for claim in futures_util::future::join_all(claims).await {
        if let Some(owner) = claim.expect("claimer task") {
            winners.push(owner);
        }
    }
    Round { winners }
}

/// Runs `f` on every payment, `PARALLEL` at a time, in order of the results.
async fn each<T, F, Fut>(ids: &[TransactionId], f: F) -> Vec<T>
where
    F: Fn(usize, TransactionId) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks = ids
        .iter()
        .enumerate()
        .map(|(i, id)| tokio::spawn(f(i, id.clone())));
    stream::iter(tasks)
        .buffered(PARALLEL)
        .map(|r| r.expect("task"))
        .collect()
        .await
}

/// `done` by `owner` at `ms`.
async fn complete(store: &SeaOrmStore, id: &TransactionId, owner: &str, ms: i64) -> bool {
    store
        .complete_fulfilment(&Completion {
            transaction_id: id,
            owner,
            now: at(ms),
        })
        .await
        .expect("complete")
}

async fn run(stores: Vec<SeaOrmStore>, clock: Arc<ManualClock>) {
    let started = Instant::now();
    // Every instance migrates at start-up, at the same time.
    let migrations = futures_util::future::join_all(stores.iter().map(SeaOrmStore::migrate)).await;
    for m in migrations {
        m.expect("concurrent migrate");
    }
    let stores = Arc::new(stores);

    // 500 accepted payments, created through all instances.
    let ids: Vec<TransactionId> = (0..PAYMENTS).map(|_| TransactionId::generate()).collect();
    let st = stores.clone();
    each(&ids, move |i, id| {
        let store = st[i % st.len()].clone();
        async move {
            let mut new = new_payment(&order_ref("multi"), 1500, at(0));
            new.transaction_id = id.clone();
            let inserted = store.insert_payment(&new).await.expect("insert");
            assert!(matches!(inserted, InsertOutcome::Inserted(_)));
            let change = accepted_change(&new, PaymentStatus::Pending, at(500));
            assert_eq!(
                store.transition(&id, &change).await.expect("transition"),
                Transition::Applied
            );
        }
    })
    .await;
    let set_up = started.elapsed();

    // Round 1 at t = 1 s, lease until 31 s: exactly one winner per payment.
    clock.set(at(1_000));
    let st = stores.clone();
    let first = each(&ids, move |_, id| race(st.clone(), id, "r1", 1_000, 31_000)).await;
    for (id, round) in ids.iter().zip(&first) {
        assert_eq!(round.winners.len(), 1, "{id}: winners {:?}", round.winners);
    }

    // Then: a quarter of the winners die (no complete), a quarter fail and
    // release (retry at 11 s), half complete. A loser's complete is refused.
    let st = stores.clone();
    let winners: Vec<String> = first.iter().map(|r| r.winners[0].clone()).collect();
    let owners = Arc::new(winners.clone());
    let completed_first: Vec<bool> = each(&ids, move |i, id| {
        let store = st[(i + 1) % st.len()].clone();
        let owner = owners[i].clone();
        async move {
            let loser = format!("{id}-r1-nobody");
            assert!(!complete(&store, &id, &loser, 2_000).await);
            match i % 4 {
                0 => false,
                1 => {
                    let released = store
                        .release_fulfilment(&Release {
                            transaction_id: &id,
                            owner: &owner,
                            error: "shop API down",
                            next_attempt_at: at(11_000),
                            now: at(2_000),
                            keep_lease: false,
                        })
                        .await
                        .expect("release");
                    assert!(released, "{id}: the owner's release");
                    false
                }
                _ => {
                    let done = complete(&store, &id, &owner, 2_000).await;
                    assert!(done, "{id}: the owner's complete");
                    true
                }
            }
        }
    })
    .await;

    // Round 2 at t = 5 s: live leases, a retry not due yet, fulfilled: nobody wins.
    clock.set(at(5_000));
    let st = stores.clone();
    let second = each(&ids, move |_, id| race(st.clone(), id, "r2", 5_000, 35_000)).await;
    for (id, round) in ids.iter().zip(&second) {
        assert!(
            round.winners.is_empty(),
            "{id}: claimed too early by {:?}",
            round.winners
        );
    }

    // Round 3 at t = 40 s: dead owners' leases expired, retries due: exactly
    // one new winner for each of those, none for the fulfilled ones.
    clock.set(at(40_000));
    let st = stores.clone();
    let third = each(&ids, move |_, id| {
        race(st.clone(), id, "r3", 40_000, 70_000)
    })
    .await;
    for (i, (id, round)) in ids.iter().zip(&third).enumerate() {
        let expected = usize::from(!completed_first[i]);
        assert_eq!(
            round.winners.len(),
            expected,
            "{id}: round 3 winners {:?}",
            round.winners
        );
    }

    // The dead owners wake up late: their complete is refused (taken over);
    // the new owners complete.
    let st = stores.clone();
    let old = Arc::new(winners);
    let new: Arc<Vec<Option<String>>> =
        Arc::new(third.iter().map(|r| r.winners.first().cloned()).collect());
    let completed_third: Vec<bool> = each(&ids, move |i, id| {
        let store = st[(i + 2) % st.len()].clone();
        let old = old[i].clone();
        let new = new[i].clone();
        async move {
            let Some(new) = new else { return false };
            let late = complete(&store, &id, &old, 41_000).await;
            assert!(
                !late,
                "{id}: a former owner's late complete must be refused"
            );
            let done = complete(&store, &id, &new, 42_000).await;
            assert!(done, "{id}: the new owner's complete");
            let again = complete(&store, &id, &new, 43_000).await;
            assert!(!again, "{id}: completed twice");
            true
        }
    })
    .await;

    // Every payment fulfilled exactly once, as every instance sees it.
    for (i, id) in ids.iter().enumerate() {
        let completions = usize::from(completed_first[i]) + usize::from(completed_third[i]);
        assert_eq!(completions, 1, "{id}: fulfilled {completions} times");
        let payment = stores[i % stores.len()]
            .find_payment(id)
            .await
            .expect("find")
            .expect("payment exists");
        assert!(payment.is_fulfilled(), "{id}: not fulfilled");
        let attempts = if i % 4 == 0 || i % 4 == 1 { 2 } else { 1 };
        assert_eq!(payment.fulfilment.attempts, attempts, "{id}: attempts");
    }
    clock.set(at(1_000_000));
    let due = stores[0]
        .due_fulfilments(at(1_000_000), 10)
        .await
        .expect("due");
    assert!(due.is_empty(), "still due: {due:?}");
    eprintln!(
        "{} instances, {PAYMENTS} payments x {CLAIMERS} claimers: set-up {set_up:?}, total {:?}",
        stores.len(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_instance_on_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("shared.db").display()
    );
    let clock = Arc::new(ManualClock::new(at(0)));
    let mut stores = Vec::new();
    for _ in 0..2 {
        let store = SeaOrmStore::builder()
            .lease_clock(clock.clone())
            .connect(&url)
            .await
            .expect("connect");
        stores.push(store);
    }
    run(stores, clock).await;
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "multi");
    let prefix = place.prefix.clone();
    let clock = Arc::new(ManualClock::new(at(0)));
    let mut stores = Vec::new();
    for _ in 0..3 {
        let store = place
            .builder(&prefix)
            .lease_clock(clock.clone())
            .max_connections(8)
            .connect(&url)
            .await
            .expect("connect");
        stores.push(store);
    }
    run(stores, clock).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_instance_on_postgres() {
    on_server(
        POSTGRES_VAR,
        "multi_instance::multi_instance_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_instance_on_mysql() {
    on_server(
        MYSQL_VAR,
        "multi_instance::multi_instance_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
