//! The database fails under a stream of payments: connections killed in the
//! middle of the run, and the server unreachable for a while.
//!
//! Two instances, each with its own pool, reach the database through a
//! [`TcpProxy`], so that the shared server itself is never stopped. While
//! four customers keep paying, a chaos task kills the instances' connections
//! (on PostgreSQL with `pg_terminate_backend`, restricted to this test's
//! connections by their `application_name`; on MariaDB by dropping them at the
//! proxy), and the proxy is cut for two seconds (the database unreachable).
//! Every answer is `200` or a retryable `503`. Afterwards CinetPay's next
//! notification and reconciliation deliver every accepted payment exactly once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cinetpay_core::engine::Checkout;
use cinetpay_core::{PaymentStatus, TransactionId};
use cinetpay_reliability::db::{StoreKind, TestDatabase, host_port, with_param};
use cinetpay_reliability::{Figures, Rig, RigOptions, TcpProxy};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tokio::time::Instant;

const CUSTOMERS: usize = 4;
const RUN: Duration = Duration::from_secs(5);
const OUTAGE_AT: Duration = Duration::from_millis(1500);
const OUTAGE: Duration = Duration::from_secs(2);

/// Terminates this test's PostgreSQL connections; returns how many.
async fn terminate(admin: &sea_orm::DatabaseConnection, application: &str) -> usize {
    let sql = "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
               WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND application_name = $1";
    admin
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [application.into()],
        ))
        .await
        .map(|rows| rows.len())
        .unwrap_or(0)
}

/// One customer: pays one order after another until the run ends, each
/// notified to one of the instances. Returns the accepted payments, the
/// answers and the failed init attempts.
async fn customer(
    rig: Arc<Rig>,
    instances: [Checkout; 2],
    until: Instant,
) -> (Vec<TransactionId>, Vec<u16>, u32) {
    let (mut paid, mut answers, mut init_failures) = (Vec::new(), Vec::new(), 0);
    let mut n = 0;
    while Instant::now() < until {
        let instance = &instances[n % 2];
        n += 1;
        let (id, failures) = rig.start_payment(instance).await;
        init_failures += failures;
        rig.pay(&id);
        answers.push(rig.notify(instance, &id).await.as_u16());
        paid.push(id);
    }
    (paid, answers, init_failures)
}

async fn killed_and_unreachable(kind: StoreKind, test: &str) {
    let Some(db) = TestDatabase::server(kind, test).await else {
        return;
    };
    let proxy = Arc::new(TcpProxy::start(host_port(&db.url)).await);
    let prefix = db.prefix.clone().expect("a server database has a prefix");
    let application = format!("cinetpay-rel-{}", prefix.trim_end_matches('_'));
    let relayed = match kind {
        StoreKind::Postgres => {
            with_param(&proxy.relay_url(&db.url), "application_name", &application)
        }
        _ => proxy.relay_url(&db.url),
    };
    let rig = Arc::new(Rig::start(RigOptions::default()).await);
    let a = rig.engine(db.store_at(&relayed, 3, &rig.clock).await);
    let b = rig.engine(db.store_at(&relayed, 3, &rig.clock).await);

    // Chaos: kill the instances' connections every 150 ms; cut the proxy once.
    let stop = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (stop, proxy, url) = (stop.clone(), proxy.clone(), db.url.clone());
        let application = application.clone();
        tokio::spawn(async move {
            let admin = match kind {
                StoreKind::Postgres => Some(Database::connect(&url).await.expect("admin")),
                _ => None,
            };
            let mut killed = 0;
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(150)).await;
                match &admin {
                    Some(admin) => killed += terminate(admin, &application).await,
                    None => {
                        proxy.reset();
                        killed += 1;
                    }
                }
            }
            killed
        })
    };
    let outage = {
        let proxy = proxy.clone();
        tokio::spawn(async move {
            tokio::time::sleep(OUTAGE_AT).await;
            proxy.cut().await;
            tokio::time::sleep(OUTAGE).await;
            proxy.restore().await;
        })
    };
    let until = Instant::now() + RUN;
    let mut customers = tokio::task::JoinSet::new();
    for _ in 0..CUSTOMERS {
        customers.spawn(customer(rig.clone(), [a.clone(), b.clone()], until));
    }
    let mut accepted = Vec::new();
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    let mut init_failures = 0;
    for (paid, got, failures) in customers.join_all().await {
        accepted.extend(paid);
        for answer in got {
            *answers.entry(answer).or_default() += 1;
        }
        init_failures += failures;
    }
    outage.await.expect("the outage ran");
    stop.store(true, Ordering::Relaxed);
    let killed = chaos.await.expect("the chaos task ran");
    proxy.restore().await;
    assert!(killed > 0, "connections were killed");
    assert!(
        answers.keys().all(|a| [200, 503].contains(a)),
        "every answer is 200 or a retryable 503: {answers:?}"
    );
    assert!(
        answers.get(&503).is_some_and(|n| *n > 0),
        "the faults were felt: {answers:?}"
    );

    // Recovery: CinetPay notifies again; reconciliation after the leases.
    let store = a.store().clone();
    let mut rounds = 0;
    loop {
        let mut open = Vec::new();
        for id in &accepted {
            let p = rig.payment(store.as_ref(), id).await;
            if !p.is_fulfilled() {
                open.push(id.clone());
            }
        }
        if open.is_empty() {
            break;
        }
        rounds += 1;
        assert!(rounds <= 6, "still undelivered: {open:?}");
        for id in &open {
            let answer = rig.notify(&b, id).await;
            assert!([200, 503].contains(&answer.as_u16()), "{id}: {answer}");
        }
        // A delivery that returned Ok while the database was away is being
        // recorded by its instance within its lease: give it that time.
        let deadline = Instant::now() + Duration::from_secs(15);
        for id in &open {
            while rig.shop.ledger(id).successes > 0
                && !rig.payment(store.as_ref(), id).await.is_fulfilled()
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        rig.let_leases_expire();
        let (ra, rb) = tokio::join!(a.reconcile_once(), b.reconcile_once());
        ra.expect("a pass");
        rb.expect("a pass");
    }
    for id in &accepted {
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(p.status, PaymentStatus::Accepted, "{id}");
        assert_eq!(
            rig.shop.ledger(id).successes,
            1,
            "{id}: delivered exactly once"
        );
    }
    let tally = rig.shop.tally(&accepted);
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    assert_eq!((tally.duplicates, tally.lost), (0, 0), "{tally:?}");
    assert_eq!(tally.max_in_flight, 1);
    let what = match kind {
        StoreKind::Postgres => format!("{killed} backends terminated (pg_terminate_backend)"),
        _ => format!("{killed} resets dropping every connection"),
    };
    let retried = answers.get(&503).copied().unwrap_or(0);
    Figures::new(
        format!("database outage ({kind})"),
        format!(
            "{what} + {} s unreachable, {CUSTOMERS} customers on 2 instances for {} s, {retried} notifications answered 503, {init_failures} init attempts retried, settled in {rounds} rounds of renotify + reconcile",
            OUTAGE.as_secs(),
            RUN.as_secs()
        ),
        killed as u64 + 1,
        accepted.len(),
        tally,
    )
    .print();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_killed_and_unreachable() {
    killed_and_unreachable(
        StoreKind::Postgres,
        "postgres_connections_killed_and_unreachable",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_connections_killed_and_unreachable() {
    killed_and_unreachable(StoreKind::Mysql, "mysql_connections_killed_and_unreachable").await;
}
