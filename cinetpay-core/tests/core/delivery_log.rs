//! The delivery log's durabilities: a line that records a change is stored
//! before the answer; the line of a notification that changed nothing and
//! asked nothing (a payment left for a human) is written behind it; a
//! duplicate of a delivered payment writes no line at all, so that it costs
//! one read. Lines of concurrent requests share store calls.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::common::*;
use cinetpay_core::{DeliverySource, PaymentStatus, PaymentStore};
use cinetpay_testing::{FaultyStore, StoreOp};
use http::StatusCode;

/// The harness's engine again, over a [`FaultyStore`] around its memory store.
fn faulty_engine(h: &Harness) -> (FaultyStore, cinetpay_core::engine::Checkout) {
    let faulty = FaultyStore::new(Arc::new(h.store.clone()));
    let checkout = h.engine_over(Arc::new(faulty.clone()) as Arc<dyn PaymentStore>);
    (faulty, checkout)
}

async fn notify_with(
    checkout: &cinetpay_core::engine::Checkout,
    id: &cinetpay_core::TransactionId,
) -> StatusCode {
    let n = notification(id.as_str(), SITE_ID);
    checkout
        .handle(notify_request(&n, Some(&signed(&n))))
        .await
        .status()
}

/// A payment whose check reported other money: `needs_attention`, left for
/// a human; a notification of it changes nothing and asks nothing.
async fn left_for_a_human(
    h: &Harness,
    checkout: &cinetpay_core::engine::Checkout,
) -> cinetpay_core::TransactionId {
    let id = h.start("ord-1").await;
    let _paid = h.check_answers(&id, accepted("999", "XOF")).await;
    assert_eq!(notify_with(checkout, &id).await, StatusCode::OK);
    assert_eq!(h.payment(&id).await.status, PaymentStatus::NeedsAttention);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_of_a_delivered_payment_costs_one_read_and_writes_nothing() {
    let h = Harness::new().await;
    let (faulty, checkout) = faulty_engine(&h);
    let id = h.start("ord-1").await;
    let _paid = h.check_answers(&id, accepted("1000", "XOF")).await;
    assert_eq!(notify_with(&checkout, &id).await, StatusCode::OK);
    assert!(h.payment(&id).await.is_fulfilled());
    assert_eq!(h.store.all_deliveries().len(), 1, "the delivery's line");

    faulty.clear_log();
    for _ in 0..3 {
        assert_eq!(notify_with(&checkout, &id).await, StatusCode::OK);
    }
    checkout.flush_delivery_log().await;
    assert_eq!(
        faulty.log(),
        vec![StoreOp::FindForNotification; 3],
        "one read per duplicate, nothing written"
    );
    assert_eq!(h.check_calls().await, 1, "no check for a duplicate");
    assert_eq!(h.store.all_deliveries().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_that_changes_nothing_is_answered_before_its_line_is_stored() {
    let h = Harness::new().await;
    let (faulty, checkout) = faulty_engine(&h);
    let id = left_for_a_human(&h, &checkout).await;
    assert_eq!(
        h.store.all_deliveries().len(),
        1,
        "the change's line is stored before the answer"
    );

    // The database stalls on the log: the notifications are still answered, with one read each.
    faulty.hold(StoreOp::RecordDeliveries);
    faulty.clear_log();
    for _ in 0..3 {
        assert_eq!(notify_with(&checkout, &id).await, StatusCode::OK);
    }
    let reads = faulty
        .log()
        .iter()
        .filter(|op| **op != StoreOp::RecordDeliveries)
        .copied()
        .collect::<Vec<_>>();
    assert_eq!(
        reads,
        vec![StoreOp::FindForNotification; 3],
        "one read of the payment, each time"
    );
    assert_eq!(
        h.check_calls().await,
        1,
        "no check for a payment left for a human"
    );
    assert_eq!(
        h.store.all_deliveries().len(),
        1,
        "their lines are not stored yet"
    );

    faulty.release(StoreOp::RecordDeliveries);
    checkout.flush_delivery_log().await;
    let log = h.store.all_deliveries();
    assert_eq!(log.len(), 4);
    assert!(
        log[1..]
            .iter()
            .all(|d| d.source == DeliverySource::Notify
                && d.outcome.starts_with("needs_attention")),
        "{log:?}"
    );
    assert!(
        faulty.calls(StoreOp::RecordDeliveries) <= 3,
        "the three lines took {} store calls",
        faulty.calls(StoreOp::RecordDeliveries)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_records_a_change_is_stored_before_the_answer() {
    let h = Harness::new().await;
    let (faulty, checkout) = faulty_engine(&h);
    let id = h.start("ord-1").await;
    let _paid = h.check_answers(&id, accepted("1000", "XOF")).await;

    // A delivery's line is written with its completion, in one step.
    faulty.hold(StoreOp::CompleteAndRecord);
    let task = tokio::spawn({
        let checkout = checkout.clone();
        let id = id.clone();
        async move { notify_with(&checkout, &id).await }
    });
    // The merchant's code ran, but the answer waits for the completion and its line.
    while faulty.calls(StoreOp::CompleteAndRecord) == 0 {
        tokio::task::yield_now().await;
    }
    assert_eq!(h.shop.calls(), 1);
    assert!(!task.is_finished(), "answered before its line was stored");
    faulty.release(StoreOp::CompleteAndRecord);
    assert_eq!(task.await.unwrap(), StatusCode::OK);
    assert!(h.payment(&id).await.is_fulfilled());
    let log = h.store.all_deliveries();
    assert_eq!(log.len(), 1);
    assert!(log[0].outcome.starts_with("pending -> accepted"), "{log:?}");
    assert!(log[0].outcome.ends_with("fulfilled (attempt 1)"), "{log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_of_concurrent_requests_share_store_calls_and_a_failed_write_is_not_fatal() {
    let h = Harness::new().await;
    let (faulty, checkout) = faulty_engine(&h);
    let id = left_for_a_human(&h, &checkout).await;

    // 40 notifications while the log is held: all answered, then stored in few calls.
    faulty.hold(StoreOp::RecordDeliveries);
    let before = faulty.calls(StoreOp::RecordDeliveries);
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let checkout = checkout.clone();
            let id = id.clone();
            tokio::spawn(async move { notify_with(&checkout, &id).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    faulty.release(StoreOp::RecordDeliveries);
    checkout.flush_delivery_log().await;
    assert_eq!(h.store.all_deliveries().len(), 41);
    let calls = faulty.calls(StoreOp::RecordDeliveries) - before;
    assert!(
        calls <= 2,
        "40 lines queued behind one held call took {calls} store calls"
    );

    // The log cannot be written: the answers do not change, nothing hangs.
    faulty.fail_every(StoreOp::RecordDeliveries);
    assert_eq!(notify_with(&checkout, &id).await, StatusCode::OK);
    let unknown = "cp-unknown".parse().unwrap();
    assert_eq!(notify_with(&checkout, &unknown).await, StatusCode::OK);
    checkout.flush_delivery_log().await;
    assert_eq!(h.store.all_deliveries().len(), 41);
    faulty.restore(StoreOp::RecordDeliveries);
    assert_eq!(notify_with(&checkout, &id).await, StatusCode::OK);
    checkout.flush_delivery_log().await;
    assert_eq!(h.store.all_deliveries().len(), 42, "the log works again");
}
