//! CinetPay's check API is down for minutes, then back.
//!
//! 50 payments are paid and 10 refused at CinetPay while the engine cannot
//! check them: first the API is unreachable (a proxy in front of it is cut:
//! connection refused), then it answers `500`, then a few checks hang past
//! the client's timeout. Their notifications get `503`; two instances
//! reconcile every simulated minute (stale pending payments are checked after
//! 2 minutes) and fail, losing nothing. Meanwhile 5 payments accepted before
//! the outage, whose first delivery failed, are delivered anyway: an accepted
//! payment needs no check. When the API is back, reconciliation alone
//! delivers every accepted payment exactly once, and tells the refused ones
//! to the shop once; an accepted payment is never checked again.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::engine::{Checkout, ReconcileReport};
use cinetpay_core::{PaymentStatus, PaymentStore, TransactionId};
use cinetpay_reliability::db::{TestDatabase, host_port};
use cinetpay_reliability::{Act, Figures, Rig, RigOptions, TcpProxy};
use cinetpay_sandbox::CheckFaults;
use http::StatusCode;

const PAID: usize = 50;
const REFUSED: usize = 10;
const EARLY: usize = 5;
const MINUTE: Duration = Duration::from_secs(60);

/// One simulated minute: the clock moves, both instances reconcile at once.
async fn minute(rig: &Rig, a: &Checkout, b: &Checkout) -> (ReconcileReport, ReconcileReport) {
    rig.advance(MINUTE);
    let (ra, rb) = tokio::join!(a.reconcile_once(), b.reconcile_once());
    (
        ra.expect("the store is up: a pass runs"),
        rb.expect("the store is up: a pass runs"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_api_down_for_minutes_then_reconciliation_delivers_everything() {
    let mut rig = Rig::start(RigOptions {
        poll_after: Some(2 * MINUTE),
        reconcile_batch: 20,
        check_retries: 1,
        http_timeout: Duration::from_millis(300),
        ..RigOptions::default()
    })
    .await;
    let api = rig.sandbox.url().to_string();
    let proxy = TcpProxy::start(host_port(&api)).await;
    rig.options.api_url = Some(proxy.relay_url(&api));
    let db = TestDatabase::sqlite();
    let store: Arc<dyn PaymentStore> = db.store(&rig.clock).await;
    let a = rig.engine(store.clone());
    let b = rig.engine(db.store(&rig.clock).await);

    // Before the outage: payments are created; 5 are paid, checked, accepted,
    // and their first delivery fails.
    let mut early = Vec::new();
    for _ in 0..EARLY {
        let (id, _) = rig.start_payment(&a).await;
        rig.shop
            .script_payment(&id, [Act::Fail("the warehouse said no")]);
        rig.pay(&id);
        assert_eq!(rig.notify(&a, &id).await, StatusCode::INTERNAL_SERVER_ERROR);
        early.push(id);
    }
    let mut paid = Vec::new();
    for _ in 0..PAID {
        paid.push(rig.start_payment(&a).await.0);
    }
    let mut refused = Vec::new();
    for _ in 0..REFUSED {
        refused.push(rig.start_payment(&b).await.0);
    }

    // The check API goes down: unreachable first.
    proxy.cut().await;
    let mut failed_syncs = 0;
    for (i, id) in paid.iter().chain(&refused).enumerate() {
        if i < PAID {
            rig.pay(id);
        } else {
            rig.refuse(id);
        }
        let instance = if i % 2 == 0 { &a } else { &b };
        let answer = rig.notify(instance, id).await;
        assert_eq!(
            answer,
            StatusCode::SERVICE_UNAVAILABLE,
            "check unreachable: retry later"
        );
        failed_syncs += 1;
    }
    let mut minutes = 0;
    let mut early_delivered = 0;
    for phase in ["unreachable", "answering 500", "hanging"] {
        match phase {
            "answering 500" => {
                proxy.restore().await;
                rig.sandbox
                    .set_check_faults(CheckFaults::new().fail_next(u32::MAX));
            }
            "hanging" => rig.sandbox.set_check_faults(
                CheckFaults::new()
                    .hang_next(4)
                    .hang_for(Duration::from_secs(2))
                    .fail_next(u32::MAX),
            ),
            _ => {}
        }
        let passes = if phase == "hanging" { 1 } else { 3 };
        for _ in 0..passes {
            let (ra, rb) = minute(&rig, &a, &b).await;
            minutes += 1;
            early_delivered += ra.fulfilled + rb.fulfilled;
            failed_syncs += ra.errors + rb.errors;
            assert_eq!(
                ra.poll_changed + rb.poll_changed,
                0,
                "{phase}: {ra:?} {rb:?}"
            );
            if minutes >= 3 {
                assert!(ra.errors > 0 && rb.errors > 0, "{phase}: {ra:?} {rb:?}");
            }
        }
    }
    assert_eq!(early_delivered, EARLY, "accepted payments need no check");
    for id in paid.iter().chain(&refused) {
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(
            p.status,
            PaymentStatus::Pending,
            "nothing changes without a check"
        );
        assert_eq!(rig.shop.ledger(id).calls, 0);
    }
    let failed_checks = rig
        .sandbox
        .checks()
        .iter()
        .filter(|c| c.http_status != 200)
        .count();

    // The API is back: reconciliation alone completes everything.
    rig.sandbox.set_check_faults(CheckFaults::new());
    let mut recovery = 0;
    loop {
        let settled = {
            let mut all = true;
            for id in paid.iter().chain(&refused) {
                let p = rig.payment(store.as_ref(), id).await;
                all &= p.is_fulfilled() || p.status == PaymentStatus::Refused;
            }
            all
        };
        if settled {
            break;
        }
        recovery += 1;
        assert!(recovery <= 10, "not settled after 10 passes");
        let (ra, rb) = minute(&rig, &a, &b).await;
        minutes += 1;
        assert_eq!(ra.errors + rb.errors, 0, "{ra:?} {rb:?}");
    }

    // Accepted payments are never checked again; nothing runs twice.
    // (Refused ones are still polled for a late success, within the window.)
    let settled: std::collections::HashSet<&str> = paid
        .iter()
        .chain(&early)
        .map(TransactionId::as_str)
        .collect();
    let checks_of_settled = || {
        rig.sandbox
            .checks()
            .iter()
            .filter(|c| {
                c.transaction_id
                    .as_deref()
                    .is_some_and(|id| settled.contains(id))
            })
            .count()
    };
    let checks_before = checks_of_settled();
    for _ in 0..2 {
        minute(&rig, &a, &b).await;
    }
    for id in paid.iter().chain(&early) {
        assert_eq!(rig.notify(&a, id).await, StatusCode::OK);
    }
    assert_eq!(
        checks_of_settled(),
        checks_before,
        "no check of a settled payment"
    );

    let accepted: Vec<TransactionId> = early.iter().chain(&paid).cloned().collect();
    for id in &paid {
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(p.status, PaymentStatus::Accepted);
        assert!(p.is_fulfilled());
        assert_eq!(
            p.fulfilment.attempts, 1,
            "{id}: delivered at the first attempt"
        );
    }
    for id in &refused {
        let p = rig.payment(store.as_ref(), id).await;
        assert_eq!(p.status, PaymentStatus::Refused);
        let ledger = rig.shop.ledger(id);
        assert_eq!((ledger.calls, ledger.failure_notices), (0, 1), "{id}");
    }
    let tally = rig.shop.tally(&accepted);
    assert_eq!(
        tally.unexpected, 0,
        "a payment outside the set was delivered"
    );
    assert_eq!(tally.deliveries as usize, accepted.len(), "{tally:?}");
    assert_eq!((tally.duplicates, tally.lost), (0, 0), "{tally:?}");
    assert_eq!(tally.max_in_flight, 1);
    Figures::new(
        "check API down",
        format!(
            "{} simulated minutes down (unreachable, 500, hanging), 2 instances reconciling every minute, {failed_checks} failed check calls, {EARLY} accepted payments delivered during the outage, {PAID} in {recovery} passes after it, {REFUSED} refused told once and never delivered",
            minutes - recovery
        ),
        failed_syncs as u64,
        accepted.len() + refused.len(),
        tally,
    )
    .print();
}
