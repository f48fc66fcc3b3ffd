//! What the conformance suite leaves to each store: limits beyond what a
//! database accepts, rows damaged by hand, microsecond timestamps, long owner
//! tokens; on every database.

use std::sync::Arc;
use std::time::Duration;

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, payments_table, server_url};
use chrono::TimeDelta;
use cinetpay_core::{
    Claim, Completion, DeliveryRecord, DeliverySource, PaymentStatus, PollQuery, StoreError,
    Transition,
};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::QueryableStore;
use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref, page};
use sea_orm::{ConnectionTrait, DbBackend};

async fn edge_cases(store: SeaOrmStore) {
    store.migrate().await.expect("migrate");
    let raw = store.connection().clone();
    let table = payments_table(&store);
    let s: Arc<dyn QueryableStore> = Arc::new(store);

    // Limits beyond what a database accepts are clamped, not errors.
    let order = order_ref("limits");
    let new = new_payment(&order, 1500, at(0));
    s.insert_payment(&new).await.expect("insert");
    let id = new.transaction_id.clone();
    let all = s
        .payments_for_order(&order, usize::MAX)
        .await
        .expect("payments_for_order");
    assert_eq!(all.len(), 1);
    s.due_fulfilments(at(0), usize::MAX)
        .await
        .expect("due_fulfilments");
    s.payments_to_poll(&PollQuery {
        now: at(0),
        since: at(-1_000),
        after: Duration::MAX,
        limit: usize::MAX,
    })
    .await
    .expect("payments_to_poll");
    s.deliveries(id.as_str(), usize::MAX)
        .await
        .expect("deliveries");

    // Microseconds are kept exactly; what a claim returns is what is stored.
    let micro = at(5) + TimeDelta::microseconds(123);
    assert!(
        s.attach_payment_page(&id, &page("tok", "https://pay/x", micro))
            .await
            .expect("attach")
    );
    let found = s.find_payment(&id).await.expect("find").expect("exists");
    assert_eq!(found.updated_at, micro);
    let accept = accepted_change(&new, PaymentStatus::Pending, at(10));
    assert_eq!(
        s.transition(&id, &accept).await.expect("transition"),
        Transition::Applied
    );
    let owner = "o".repeat(300);
    let lease = Duration::from_millis(60_123) + Duration::from_nanos(456_789);
    let claimed_at = chrono::Utc::now();
    let claim = s
        .claim_fulfilment(&Claim {
            transaction_id: &id,
            owner: &owner,
            now: at(20),
            lease,
        })
        .await
        .expect("claim with a 300-character owner token")
        .expect("claimable");
    let stored = s.find_payment(&id).await.expect("find").expect("exists");
    assert_eq!(Some(claim.lease_until), stored.fulfilment.claim_until);
    // The lease is on the database's clock: about now + the lease.
    let drift = (claim.lease_until - claimed_at - TimeDelta::from_std(lease).unwrap())
        .num_milliseconds()
        .abs();
    assert!(drift < 5_000, "lease ends {drift} ms away from now + lease");
    assert!(
        s.complete_fulfilment(&Completion {
            transaction_id: &id,
            owner: &owner,
            now: at(30),
        })
        .await
        .expect("complete")
    );

    // A delivery before 1970 (a clock gone wrong) still round-trips.
    let old = DeliveryRecord::new(
        id.as_str(),
        DeliverySource::Notify,
        "old",
        chrono::DateTime::UNIX_EPOCH - TimeDelta::milliseconds(1),
    );
    s.record_deliveries(std::slice::from_ref(&old))
        .await
        .expect("record");
    assert_eq!(
        s.deliveries(id.as_str(), 10).await.expect("deliveries"),
        [old]
    );

    // A NUL byte (PostgreSQL refuses it in text) in a line built by hand,
    // with the bounds of `DeliveryRecord::new` bypassed: the batch is stored,
    // the NUL replaced, the other lines kept.
    let hand_built = |outcome: &str| DeliveryRecord {
        transaction_id: "cp-nul\0id".to_owned(),
        source: DeliverySource::Notify,
        outcome: outcome.to_owned(),
        at: at(7),
    };
    s.record_deliveries(&[
        hand_built("first"),
        hand_built("bad\0line"),
        hand_built("last"),
    ])
    .await
    .expect("a batch with a NUL byte");
    let stored = s
        .deliveries("cp-nul\u{fffd}id", 10)
        .await
        .expect("deliveries");
    let outcomes: Vec<&str> = stored.iter().map(|d| d.outcome.as_str()).collect();
    assert_eq!(outcomes, ["first", "bad\u{fffd}line", "last"]);

    // Rows damaged by hand are reported as corrupt, naming the column.
    for (column, value) in [
        ("status", "'bogus'"),
        ("amount", "7"),
        ("currency", "'EUR'"),
        ("generation", "'v3'"),
        ("account", "'Not an account'"),
        // A notify token must never be shown, even a damaged one.
        ("notify_token", "'nt secret'"),
    ] {
        let victim = new_payment(&order_ref("corrupt"), 1500, at(0));
        s.insert_payment(&victim).await.expect("insert");
        let sql = format!(
            "UPDATE {table} SET {column} = {value} WHERE transaction_id = '{}'",
            victim.transaction_id
        );
        raw.execute_unprepared(&sql).await.expect("damage a row");
        match s.find_payment(&victim.transaction_id).await {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains(column), "{message}");
                assert!(
                    message.contains(victim.transaction_id.as_str()),
                    "{message}"
                );
                assert!(!message.contains("nt secret"), "{message}");
            }
            other => panic!("{column} = {value}: expected Corrupt, got {other:?}"),
        }
        let listed = s.payments_for_order(&victim.order_ref, 10).await;
        assert!(matches!(listed, Err(StoreError::Corrupt(_))), "{listed:?}");
    }
}

#[tokio::test]
async fn edge_cases_on_sqlite() {
    edge_cases(
        SeaOrmStore::connect("sqlite::memory:")
            .await
            .expect("connect"),
    )
    .await;
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "edge");
    let store = place
        .builder(&place.prefix)
        .max_connections(2)
        .connect(&url)
        .await
        .expect("connect");
    edge_cases(store).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test]
async fn edge_cases_on_postgres() {
    on_server(POSTGRES_VAR, "edge_cases_on_postgres", DbBackend::Postgres).await;
}

#[tokio::test]
async fn edge_cases_on_mysql() {
    on_server(MYSQL_VAR, "edge_cases_on_mysql", DbBackend::MySql).await;
}

/// Every connection of a SQLite pool gets the page cache the builder says:
/// 1024 KiB unless chosen (SQLite's own default is 2000).
#[tokio::test]
async fn sqlite_connections_get_the_chosen_page_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
    let cache_size = |store: &SeaOrmStore| {
        let db = store.connection().clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA cache_size",
                ))
                .await
                .expect("pragma")
                .expect("a row");
            row.try_get_by_index::<i64>(0).expect("cache_size")
        }
    };
    let default = SeaOrmStore::connect(&url("default.db"))
        .await
        .expect("connect");
    assert_eq!(cache_size(&default).await, -1024);
    let chosen = SeaOrmStore::builder()
        .sqlite_cache_kib(256)
        .connect(&url("chosen.db"))
        .await
        .expect("connect");
    // Several reads at once: each takes a connection of its own.
    let sizes = futures_util::future::join_all((0..4).map(|_| cache_size(&chosen))).await;
    assert_eq!(sizes, [-256; 4]);
}
