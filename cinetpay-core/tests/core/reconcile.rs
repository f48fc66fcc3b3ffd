//! Reconciliation: due deliveries, stale pending payments (off by default),
//! the background task, and every instance reconciling at once.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::common::*;
use cinetpay_core::{PaymentStatus, TransactionId};

/// An accepted payment whose first delivery failed and whose retry is due.
async fn due_payment(h: &Harness) -> TransactionId {
    h.shop.script([Act::Fail("first attempt fails")]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.notify(&id).await;
    assert_eq!(h.shop.calls(), 1);
    h.clock.advance(h.checkout.config().retry_delay(1));
    id
}

async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done()
}

#[tokio::test]
async fn with_polling_off_pending_payments_are_not_checked() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.clock.advance(Duration::from_secs(24 * 3600));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(report.polled, 0);
    assert_eq!(h.check_calls().await, 0);
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
}

#[tokio::test]
async fn polled_pending_payments_are_checked_and_delivered() {
    let h = Harness::with(Options {
        poll_after: Some(Duration::from_secs(600)),
        ..Options::default()
    })
    .await;
    let old = h.start("ord-old").await;
    h.clock.advance(Duration::from_secs(601));
    let young = h.start("ord-young").await;
    let _a = h.check_answers(&old, accepted("1000", "XOF")).await;
    let _b = h.check_answers(&young, accepted("1000", "XOF")).await;
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(report.polled, 1);
    assert_eq!(report.poll_changed, 1);
    assert_eq!(report.fulfilled, 1);
    assert_eq!(h.status(&old).await, PaymentStatus::Accepted);
    assert_eq!(h.status(&young).await, PaymentStatus::Pending);
    assert_eq!(h.check_calls().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_instance_reconciling_at_once_delivers_once() {
    let h = Harness::new().await;
    h.shop.script([
        Act::Fail("first attempt fails"),
        Act::Sleep(Duration::from_millis(100)),
    ]);
    let id = h.start("ord-1").await;
    {
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        h.notify(&id).await;
    }
    h.clock.advance(h.checkout.config().retry_delay(1));
    let instances: Vec<_> = (0..8).map(|_| h.another_instance()).collect();
    let passes = instances
        .iter()
        .map(|c| {
            let c = c.clone();
            tokio::spawn(async move { c.reconcile_once().await.unwrap() })
        })
        .collect::<Vec<_>>();
    let mut fulfilled = 0;
    for p in passes {
        fulfilled += p.await.unwrap().fulfilled;
    }
    assert_eq!(fulfilled, 1);
    assert_eq!(h.shop.calls(), 2);
    assert_eq!(h.shop.successes(), 1);
    assert!(h.payment(&id).await.is_fulfilled());
}

#[tokio::test]
async fn a_store_outage_fails_the_pass_and_loses_nothing() {
    let h = Harness::new().await;
    let id = due_payment(&h).await;
    h.store.set_unavailable(true);
    assert!(h.checkout.reconcile_once().await.is_err());
    h.store.set_unavailable(false);
    assert_eq!(h.checkout.reconcile_once().await.unwrap().fulfilled, 1);
    assert!(h.payment(&id).await.is_fulfilled());
}

#[tokio::test]
async fn the_background_reconciler_delivers_and_stops_on_shutdown() {
    let h = fast_reconciler().await;
    let id = due_payment(&h).await;
    let reconciler = h.checkout.start_background();
    assert!(eventually(|| h.shop.successes() == 1).await);
    assert!(!reconciler.is_finished());
    reconciler.shutdown().await;
    assert!(h.payment(&id).await.is_fulfilled());
}

#[tokio::test]
async fn dropping_or_aborting_the_handle_stops_the_reconciler() {
    let h = fast_reconciler().await;
    let reconciler = h.checkout.start_background();
    drop(reconciler);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let id = due_payment(&h).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.shop.calls(), 1, "a dropped reconciler must not run");
    assert!(!h.payment(&id).await.is_fulfilled());

    let aborted = h.checkout.start_background();
    aborted.abort();
    assert!(eventually(|| aborted.is_finished()).await);
}

/// A harness whose reconciler runs every 20 ms.
async fn fast_reconciler() -> Harness {
    Harness::with(Options {
        reconcile_interval: Duration::from_millis(20),
        ..Options::default()
    })
    .await
}
