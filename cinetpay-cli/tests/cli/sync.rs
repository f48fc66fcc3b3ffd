//! `cinetpay sync`: a paid payment whose notifications were lost becomes
//! accepted, and is left to the shop to deliver.

use cinetpay_core::engine::FulfilmentOutcome;
use cinetpay_core::{DeliverySource, PaymentQueries, PaymentStatus};
use std::sync::atomic::Ordering;

use crate::common::{Db, Shop};

#[tokio::test]
async fn a_paid_pending_payment_becomes_accepted_and_is_not_delivered_here() {
    for db in Db::all("sync::a_paid_pending_payment_becomes_accepted") {
        let name = db.name;
        let shop = Shop::on(db).await;
        let id = shop.paid_pending("ord-lost").await;
        assert_eq!(shop.payment(&id).await.status, PaymentStatus::Pending);

        let run = shop.run(&["sync", id.as_str()]).await;
        run.expect_code(0);
        for needle in [
            "pending -> accepted",
            "00 SUCCES",
            "owed, not run here: the shop delivers it",
        ] {
            assert!(
                run.stdout.contains(needle),
                "{name}: {needle}\n{}",
                run.stdout
            );
        }
        // Accepted, verified, and nothing recorded of a delivery: no mark, no
        // attempt, no error, no claim, no backoff.
        let payment = shop.payment(&id).await;
        assert_eq!(payment.status, PaymentStatus::Accepted, "{name}");
        assert_eq!(
            payment.check.as_ref().map(|c| c.code.as_str()),
            Some("00"),
            "{name}"
        );
        let f = &payment.fulfilment;
        assert_eq!(
            (
                f.fulfilled_at,
                f.attempts,
                &f.last_error,
                &f.claim_owner,
                f.next_attempt_at
            ),
            (None, 0, &None, &None, None),
            "{name}"
        );
        let log = shop.store.deliveries(id.as_str(), 10).await.unwrap();
        assert_eq!(log.len(), 1, "{name}: {log:?}");
        assert_eq!(log[0].source, DeliverySource::Operator, "{name}");
        assert!(
            log[0].outcome.starts_with("pending -> accepted"),
            "{name}: {log:?}"
        );

        // The shop's own next touch delivers it, at once (nothing to wait for).
        assert_eq!(shop.fulfiller.delivered.load(Ordering::Relaxed), 0);
        let report = shop.checkout.reconcile_once().await.unwrap();
        assert_eq!((report.due, report.fulfilled), (1, 1), "{name}: {report:?}");
        assert_eq!(shop.fulfiller.delivered.load(Ordering::Relaxed), 1);
        assert!(shop.payment(&id).await.is_fulfilled(), "{name}");

        // A second sync: delivered, nothing asked, nothing changed.
        let run = shop.run(&["sync", id.as_str(), "--json"]).await;
        run.expect_code(0);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(value["status"], "accepted", "{name}");
        assert_eq!(value["delivery"], "already_delivered", "{name}");
        assert_eq!(value["checked"], false, "{name}");

        let run = shop.run(&["sync", "cp-nobody"]).await;
        run.expect_code(1);
        assert!(
            run.stderr.contains("no payment cp-nobody"),
            "{name}: {}",
            run.stderr
        );
        shop.finish().await;
    }
}

#[tokio::test]
async fn a_refused_payment_keeps_its_failure_notice_for_the_shop() {
    let shop = Shop::on(Db::sqlite()).await;
    let id = shop.started("ord-refused").await;
    shop.sandbox
        .refuse(id.as_str(), cinetpay_sandbox::Operator::OrangeMoney)
        .unwrap();
    let run = shop.run(&["sync", id.as_str()]).await;
    run.expect_code(0);
    assert!(run.stdout.contains("pending -> refused"), "{}", run.stdout);
    let payment = shop.payment(&id).await;
    assert_eq!(payment.status, PaymentStatus::Refused);
    assert_eq!(
        payment.failure_notified_at, None,
        "the shop's payment_failed is still to come"
    );
    // The shop's own sync claims it.
    let outcome = shop
        .checkout
        .sync(&id, DeliverySource::Reconcile)
        .await
        .unwrap();
    assert_eq!(outcome.fulfilment, FulfilmentOutcome::NotAccepted);
    assert!(shop.payment(&id).await.failure_notified_at.is_some());
    shop.finish().await;
}
