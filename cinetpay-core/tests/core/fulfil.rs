//! Exactly-once delivery: concurrent duplicates, failures with backoff,
//! panics and timeouts, several instances on one store.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::common::*;
use cinetpay_core::engine::FulfilmentOutcome;
use cinetpay_core::{DeliverySource, PaymentStatus};
use http::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_duplicate_notifications_fulfil_exactly_once() {
    let h = Harness::new().await;
    // A fulfiller slow enough for the duplicates to arrive while it runs.
    h.shop.script([Act::Sleep(Duration::from_millis(100))]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let mut tasks = Vec::new();
    // Half on a second instance sharing the store.
    let other = h.another_instance();
    for i in 0..50 {
        let checkout = if i % 2 == 0 {
            h.checkout.clone()
        } else {
            other.clone()
        };
        let n = notification(id.as_str(), SITE_ID);
        let token = signed(&n);
        tasks.push(tokio::spawn(async move {
            checkout
                .handle(notify_request(&n, Some(&token)))
                .await
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(h.shop.calls(), 1, "fulfil ran {} times", h.shop.calls());
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.shop.max_in_flight(), 1);
    let p = h.payment(&id).await;
    assert!(p.is_fulfilled());
    assert_eq!(p.fulfilment.attempts, 1);
    other.flush_delivery_log().await;
    assert_eq!(h.log().await.len(), 50);
}

#[tokio::test]
async fn a_fulfiller_failing_twice_then_succeeding_is_called_three_times_and_never_again() {
    let h = Harness::new().await;
    h.shop.script([
        Act::Fail("stock service 500"),
        Act::Fail("stock service 502"),
    ]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    assert_eq!(
        h.notify(&id).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let config = h.checkout.config().clone();

    // Not due yet: reconciliation does nothing.
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(report.due, 0);
    assert_eq!(h.shop.calls(), 1);

    h.clock.advance(config.retry_delay(1));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!((report.due, report.failed, report.fulfilled), (1, 1, 0));
    let p = h.payment(&id).await;
    assert_eq!(
        p.fulfilment.last_error.as_deref(),
        Some("stock service 502")
    );
    assert_eq!(p.fulfilment.attempts, 2);

    // The second delay is twice the first.
    h.clock.advance(config.retry_delay(1));
    assert_eq!(h.checkout.reconcile_once().await.unwrap().due, 0);
    h.clock
        .advance(config.retry_delay(2) - config.retry_delay(1));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!((report.due, report.fulfilled), (1, 1));

    // Nothing more, whatever comes next.
    h.clock.advance(Duration::from_secs(3600));
    assert_eq!(h.checkout.reconcile_once().await.unwrap().due, 0);
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    let outcome = h.checkout.sync(&id, DeliverySource::Return).await.unwrap();
    assert_eq!(outcome.fulfilment, FulfilmentOutcome::AlreadyFulfilled);
    assert_eq!(h.shop.calls(), 3);
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.shop.ledger(&id).attempts, vec![1, 2, 3]);
    assert_eq!(h.check_calls().await, 1);
}

#[tokio::test]
async fn a_panicking_fulfiller_releases_its_claim_and_is_retried() {
    let h = Harness::new().await;
    h.shop.script([Act::Panic]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let outcome = h.checkout.sync(&id, DeliverySource::Notify).await.unwrap();
    match &outcome.fulfilment {
        FulfilmentOutcome::Failed {
            attempt: 1, error, ..
        } => {
            let expected = format!("fulfiller panicked: {}", cinetpay_testing::PANIC_MESSAGE);
            assert!(error.starts_with(&expected), "{error}");
            assert!(
                error.contains("(at cinetpay-testing/src/scripted.rs:"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Accepted);
    assert!(!p.is_fulfilled());
    assert!(p.fulfilment.next_attempt_at.is_some());
    h.clock.advance(h.checkout.config().retry_delay(1));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(report.fulfilled, 1);
    assert_eq!(h.shop.successes(), 1);
}

/// Run in a child process (the panic hook is process-wide): a fulfiller's
/// panic is reported once, by the engine's log line with its message and
/// location, and std's hook prints nothing for it.
#[test]
fn a_fulfiller_panic_is_reported_once_and_not_by_the_std_hook() {
    const CHILD: &str = "CINETPAY_TEST_PANIC_CHILD";
    const NAME: &str = "fulfil::a_fulfiller_panic_is_reported_once_and_not_by_the_std_hook";
    if std::env::var_os(CHILD).is_some() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let logs = Logs::global();
            let h = Harness::new().await;
            h.shop.script([Act::Panic]);
            let id = h.start("ord-1").await;
            let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
            let response = h.notify(&id).await;
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let lines = logs
                .text()
                .lines()
                .filter(|l| l.contains(cinetpay_testing::PANIC_MESSAGE))
                .map(str::to_owned)
                .collect::<Vec<_>>();
            println!("PANIC LINES {}", lines.len());
            for line in lines {
                println!("PANIC LINE {line}");
            }
        });
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(
        !stderr.contains("panicked at"),
        "std's hook printed: {stderr}"
    );
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
    assert!(stdout.contains("PANIC LINES 1\n"), "{stdout}");
    assert!(
        stdout.contains("(at cinetpay-testing/src/scripted.rs:"),
        "the location is in the engine's line: {stdout}"
    );
}

#[tokio::test]
async fn a_fulfiller_hanging_past_its_timeout_is_cut_off_and_retried() {
    let h = Harness::with(Options {
        fulfil_timeout: Duration::from_millis(150),
        ..Options::default()
    })
    .await;
    h.shop.script([Act::Hang]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let started = std::time::Instant::now();
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(started.elapsed() < Duration::from_secs(3));
    let p = h.payment(&id).await;
    assert_eq!(
        p.fulfilment.last_error.as_deref(),
        Some("fulfiller timed out after 150 ms")
    );
    assert_eq!(h.shop.max_in_flight(), 1);
    // What the timed-out run started may still be going: its claim is kept
    // until the lease ends, whatever the retry delay says.
    assert!(p.fulfilment.claim_owner.is_some(), "the claim is kept");
    h.clock.advance(h.checkout.config().retry_delay(1));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(
        (report.due, report.fulfilled),
        (0, 0),
        "not retried during the lease"
    );
    assert_eq!(
        h.notify(&id).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(h.shop.calls(), 1);
    h.clock.advance(h.checkout.config().claim_lease());
    assert_eq!(h.checkout.reconcile_once().await.unwrap().fulfilled, 1);
    assert_eq!(h.shop.calls(), 2);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn a_crashed_instance_leaves_a_claim_that_expires_and_is_taken_over() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    h.shop.script([Act::Fail("first")]);
    {
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        h.notify(&id).await;
    }
    h.clock.advance(h.checkout.config().retry_delay(1));
    // An instance claims it and dies without completing or releasing.
    use cinetpay_core::PaymentStore;
    use cinetpay_core::engine::Clock;
    let lease = h.checkout.config().claim_lease();
    h.store
        .claim_fulfilment(&cinetpay_core::Claim {
            transaction_id: &id,
            owner: "crashed",
            now: h.clock.now(),
            lease,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(h.checkout.reconcile_once().await.unwrap().due, 0);
    h.clock.advance(lease + Duration::from_secs(1));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(report.fulfilled, 1);
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.payment(&id).await.fulfilment.attempts, 3);
}

#[tokio::test]
async fn a_dropped_request_still_records_a_finished_delivery() {
    let h = Harness::new().await;
    h.shop.script([Act::Sleep(Duration::from_millis(200))]);
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    // The client goes away while the fulfiller runs.
    let cut = tokio::time::timeout(Duration::from_millis(50), h.notify(&id)).await;
    assert!(cut.is_err());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(h.shop.successes(), 1);
    assert!(
        h.payment(&id).await.is_fulfilled(),
        "the detached delivery completed its claim"
    );
}
