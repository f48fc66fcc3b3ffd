//! The merchant's `fulfil` panics, hangs past its timeout, or fails N times.
//!
//! Every round, each undelivered payment gets two copies of its notification
//! and a reconciliation pass, all at once. A payment whose next attempt is
//! not due is not touched; a due one gets exactly one attempt (never two
//! overlapping); a failed attempt is rescheduled after `retry_delay(attempt)`
//! (doubling, capped) with its error kept; the attempt that succeeds is the
//! last call the fulfiller ever gets for that payment. Runs on SQLite.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::engine::Checkout;
use cinetpay_core::{PaymentStatus, PaymentStore, TransactionId};
use cinetpay_reliability::db::TestDatabase;
use cinetpay_reliability::{Act, Figures, Rig, RigOptions};
use http::StatusCode;

const TIMEOUT: Duration = Duration::from_millis(200);
const STEP: Duration = Duration::from_secs(10);

/// The scripts: what each failing attempt does before the one that succeeds.
fn scripts() -> Vec<(&'static str, Vec<Act>)> {
    vec![
        ("panics 3 times", vec![Act::Panic; 3]),
        ("hangs 2 times", vec![Act::Hang; 2]),
        ("fails 5 times", vec![Act::Fail("the warehouse said no"); 5]),
        (
            "mixed",
            vec![
                Act::Panic,
                Act::Hang,
                Act::Fail("the warehouse said no"),
                Act::Panic,
                Act::Fail("the warehouse said no"),
            ],
        ),
    ]
}

/// What `last_error` says after `act` failed.
fn error_of(act: &Act) -> &'static str {
    match act {
        Act::Panic => "fulfiller panicked: the warehouse exploded (a scripted panic)",
        Act::Hang => "fulfiller timed out after 200 ms",
        _ => "the warehouse said no",
    }
}

struct Watched {
    id: TransactionId,
    script: Vec<Act>,
}

async fn round(rig: &Rig, checkout: &Checkout, other: &Checkout, ids: &[TransactionId]) {
    let mut notifications = tokio::task::JoinSet::new();
    for id in ids {
        for engine in [checkout, other] {
            let (engine, id) = (engine.clone(), id.clone());
            let notice = rig.notification(&id);
            notifications.spawn(async move { engine.handle(notice).await.status() });
        }
    }
    let (report, answers) = tokio::join!(checkout.reconcile_once(), notifications.join_all());
    report.expect("a reconciliation pass");
    for answer in answers {
        assert!(
            [200, 500, 503].contains(&answer.as_u16()),
            "a notification answered {answer}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_hanging_failing_fulfiller_is_retried_with_backoff_and_delivers_once() {
    let rig = Rig::start(RigOptions {
        fulfil_timeout: TIMEOUT,
        claim_lease: Duration::from_secs(60),
        retry_base: Duration::from_secs(10),
        retry_max: Duration::from_secs(40),
        ..RigOptions::default()
    })
    .await;
    let db = TestDatabase::sqlite();
    let store: Arc<dyn PaymentStore> = db.store(&rig.clock).await;
    // Two instances on one database, each notified, one reconciling.
    let checkout = rig.engine(store.clone());
    let other = rig.engine(db.store(&rig.clock).await);
    let config = checkout.config().clone();

    let mut watched = Vec::new();
    for (_, script) in scripts() {
        for _ in 0..3 {
            let (id, _) = rig.start_payment(&checkout).await;
            rig.shop.script_payment(&id, script.clone());
            rig.pay(&id);
            watched.push(Watched {
                id,
                script: script.clone(),
            });
        }
    }
    let accepted: Vec<TransactionId> = watched.iter().map(|w| w.id.clone()).collect();

    // The first notification of each: attempt 1 fails.
    for w in &watched {
        let answer = rig.notify(&checkout, &w.id).await;
        assert_eq!(
            answer,
            StatusCode::INTERNAL_SERVER_ERROR,
            "attempt 1 failed"
        );
    }

    let mut rounds = 0;
    let mut not_due_skips = 0;
    loop {
        let mut before = HashMap::new();
        let mut pending = Vec::new();
        for w in &watched {
            let p = rig.payment(store.as_ref(), &w.id).await;
            before.insert(w.id.clone(), (rig.shop.ledger(&w.id).calls, p.clone()));
            if !p.is_fulfilled() {
                pending.push(w.id.clone());
            }
        }
        if pending.is_empty() {
            break;
        }
        rounds += 1;
        assert!(
            rounds <= 40,
            "still undelivered after 40 rounds: {pending:?}"
        );
        let now = rig.now();
        round(&rig, &checkout, &other, &pending).await;

        for w in &watched {
            let (calls_before, p_before) = &before[&w.id];
            let calls = rig.shop.ledger(&w.id).calls;
            let p = rig.payment(store.as_ref(), &w.id).await;
            let new_calls = calls - calls_before;
            if p_before.is_fulfilled() {
                assert_eq!(new_calls, 0, "{}: called after its delivery", w.id);
                continue;
            }
            let due = p_before.fulfilment.next_attempt_at.is_none_or(|t| t <= now);
            if !due {
                assert_eq!(new_calls, 0, "{}: retried before its backoff ended", w.id);
                not_due_skips += 1;
                continue;
            }
            assert_eq!(new_calls, 1, "{}: one attempt per due round", w.id);
            let attempt = p.fulfilment.attempts;
            assert_eq!(attempt, calls, "{}: every claim ran fulfil once", w.id);
            if let Some(act) = w.script.get(attempt as usize - 1) {
                let delay = chrono::TimeDelta::from_std(config.retry_delay(attempt)).unwrap();
                // A timed-out attempt keeps its claim until the lease ends:
                // what it started may still run, so no retry before that.
                let lease = chrono::TimeDelta::from_std(config.claim_lease()).unwrap();
                let expected = match act {
                    Act::Hang => now + delay.max(lease),
                    _ => now + delay,
                };
                assert_eq!(
                    p.fulfilment.next_attempt_at,
                    Some(expected),
                    "{}: attempt {attempt} rescheduled after its backoff (and a timeout's lease)",
                    w.id
                );
                // A panic's error also says where the merchant's code panicked.
                let error = p.fulfilment.last_error.as_deref().unwrap_or_default();
                assert!(
                    error.starts_with(error_of(act)),
                    "{}: attempt {attempt}: {error}",
                    w.id
                );
                assert!(!p.is_fulfilled());
            } else {
                assert!(p.is_fulfilled(), "{}: attempt {attempt} delivered", w.id);
            }
        }
        rig.advance(STEP);
    }

    // Afterwards, nothing runs the fulfiller again.
    rig.advance(Duration::from_secs(3600));
    round(&rig, &checkout, &other, &accepted).await;
    for w in &watched {
        let ledger = rig.shop.ledger(&w.id);
        let expected_calls = w.script.len() as u32 + 1;
        assert_eq!(ledger.calls, expected_calls, "{}", w.id);
        assert_eq!(
            ledger.attempts,
            (1..=expected_calls).collect::<Vec<_>>(),
            "{}: attempt numbers",
            w.id
        );
        assert_eq!(ledger.successes, 1, "{}", w.id);
        assert_eq!(ledger.max_in_flight, 1, "{}: overlapping runs", w.id);
        assert_eq!(ledger.calls_after_success, 0, "{}", w.id);
        let p = rig.payment(store.as_ref(), &w.id).await;
        assert_eq!(p.status, PaymentStatus::Accepted);
        assert!(p.is_fulfilled());
    }
    let tally = rig.shop.tally(&accepted);
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    assert_eq!((tally.duplicates, tally.lost), (0, 0), "{tally:?}");
    let mix: Vec<String> = scripts().iter().map(|(name, _)| name.to_string()).collect();
    Figures::new(
        "fulfiller faults",
        format!(
            "{} x 3 payments, {rounds} rounds of 2 notifications + 1 reconciliation at once, {not_due_skips} early triggers held back by backoff, max {} in flight, {} calls after success",
            mix.join(" / "),
            tally.max_in_flight,
            tally.calls_after_success
        ),
        u64::from(tally.faults),
        accepted.len(),
        tally,
    )
    .print();
}
