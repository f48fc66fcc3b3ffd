//! No clock trusted: two engines on one database whose clocks differ by ten
//! minutes (more than the default lease, five minutes) never run one
//! order's delivery twice at once, on every database. Leases are measured on
//! the database server's clock, so the engine whose clock runs ahead sees
//! the other's claim as live.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use cinetpay_core::clock::ManualClock;
use cinetpay_core::engine::FulfilmentOutcome;
use cinetpay_core::{
    Amount, Currency, DeliverySource, Description, FulfilError, Money, OrderFulfiller, OrderQuote,
    OrderRef, Payment, PaymentStore, QuoteError, async_trait,
};
use cinetpay_store::SeaOrmStore;
use sea_orm::DbBackend;
use tokio::sync::Notify;

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
use super::engine::{engine, paid, quiet_sandbox, settings};

/// A shop whose deliveries wait at a gate, counting how many run at once.
#[derive(Default)]
struct SlowShop {
    gate: Notify,
    calls: AtomicU32,
    running: AtomicU32,
    most_at_once: AtomicU32,
}

#[async_trait]
impl OrderFulfiller for SlowShop {
    async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Ok(OrderQuote::new(
            Money::new(Amount::new(1000).expect("an amount"), Currency::Xof),
            Description::new("Commande").expect("a description"),
        ))
    }

    async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        self.gate.notified().await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn skewed_engines_never_overlap(a: SeaOrmStore, b: SeaOrmStore) {
    a.migrate().await.expect("migrate");
    let sandbox = quiet_sandbox().await;
    let shop = Arc::new(SlowShop::default());
    // Today's defaults: a 5 min lease and a 60 s fulfil timeout.
    let config = || settings(&sandbox, |_| {});
    let behind = Arc::new(ManualClock::starting_now());
    let ahead = Arc::new(ManualClock::starting_now());
    ahead.advance(Duration::from_secs(600));
    let one = engine(config(), Arc::new(a), shop.clone(), behind);
    let two = engine(config(), Arc::new(b.clone()), shop.clone(), ahead);

    let id = paid(&one, &sandbox, "ord-skew").await;
    let first = tokio::spawn({
        let one = one.clone();
        let id = id.clone();
        async move { one.sync(&id, DeliverySource::Notify).await }
    });
    while shop.calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The engine ten minutes ahead: the claim is live on the database's clock.
    let report = two.reconcile_once().await.expect("a reconciliation pass");
    assert_eq!(
        report.due, 0,
        "the live claim is not due for the engine ahead"
    );
    let outcome = two.sync(&id, DeliverySource::Notify).await.expect("a sync");
    assert_eq!(outcome.fulfilment, FulfilmentOutcome::ClaimedElsewhere);
    assert_eq!(
        shop.calls.load(Ordering::SeqCst),
        1,
        "no second delivery started"
    );

    shop.gate.notify_one();
    let outcome = first.await.expect("the first sync").expect("delivered");
    assert!(matches!(
        outcome.fulfilment,
        FulfilmentOutcome::Fulfilled { attempt: 1 }
    ));
    assert_eq!(shop.most_at_once.load(Ordering::SeqCst), 1);
    assert!(
        b.find_payment(&id)
            .await
            .expect("a read")
            .expect("the payment")
            .is_fulfilled()
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clocks_on_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("skew.db").display());
    let a = SeaOrmStore::connect(&url).await.expect("connect");
    let b = SeaOrmStore::connect(&url).await.expect("connect");
    skewed_engines_never_overlap(a, b).await;
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "skew");
    let prefix = place.prefix.clone();
    let a = place.builder(&prefix).connect(&url).await.expect("connect");
    let b = place.builder(&prefix).connect(&url).await.expect("connect");
    skewed_engines_never_overlap(a, b).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clocks_on_postgres() {
    on_server(
        POSTGRES_VAR,
        "clock_skew::skewed_clocks_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clocks_on_mysql() {
    on_server(
        MYSQL_VAR,
        "clock_skew::skewed_clocks_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
