//! What one notification costs the store, counted (not timed): the
//! regression guard of the performance work. A first notification of an
//! accepted payment reads, accepts and claims in one step (with the check's
//! snapshot), then completes and logs in one step: 3 calls, 2 commits on
//! `SeaOrmStore` (counted by the databases in cinetpay-store's `commits` test);
//! a duplicate of a fulfilled payment is one read and the written-behind
//! delivery-log line, never a write on the answer's path.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use super::common::*;
use cinetpay_testing::{FaultyStore, StoreOp};
use http::StatusCode;

fn counts(store: &FaultyStore) -> BTreeMap<String, u64> {
    StoreOp::ALL
        .iter()
        .map(|op| (op.name().to_owned(), store.calls(*op)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn delta(after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(op, n)| ((*op).to_owned(), *n)).collect()
}

#[tokio::test]
async fn store_calls_per_first_and_duplicate_notification() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let store = FaultyStore::new(Arc::new(h.store.clone()));
    let checkout = h.engine_over(Arc::new(store.clone()));
    let n = notification(id.as_str(), SITE_ID);
    let token = signed(&n);

    let response = checkout.handle(notify_request(&n, Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    checkout.flush_delivery_log().await;
    let first = counts(&store);
    assert_eq!(
        first,
        expect(&[
            // The payment, read once (not delivered: the whole of it).
            ("find_for_notification", 1),
            // The check's snapshot is stored by the transition, which claims
            // the delivery in the same step (one commit)...
            ("accept_and_claim", 1),
            // ...and the completion writes the log line in its commit.
            ("complete_and_record", 1),
        ]),
        "a first notification"
    );

    let response = checkout.handle(notify_request(&n, Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    checkout.flush_delivery_log().await;
    let duplicate = delta(&counts(&store), &first);
    assert_eq!(
        duplicate,
        expect(&[("find_for_notification", 1)]),
        "a duplicate of a fulfilled payment: one read, no write"
    );
    assert_eq!(h.shop.successes(), 1);
}
