//! `cinetpay reconcile`: one pass over the payments without a final
//! status, with a summary by outcome; nothing delivered.

use cinetpay_core::PaymentStatus;

use crate::common::{Db, Shop};

#[tokio::test]
async fn one_pass_polls_the_candidates_and_sums_them_up() {
    for db in Db::all("reconcile::one_pass_polls_the_candidates") {
        let name = db.name;
        let shop = Shop::on(db).await;
        let paid = shop.paid_pending("ord-paid").await;
        let refused = shop.started("ord-refused").await;
        shop.sandbox
            .refuse(refused.as_str(), cinetpay_sandbox::Operator::OrangeMoney)
            .unwrap();
        let waiting = shop.started("ord-waiting").await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;

        // Polled as soon as they were looked at 1 ms ago.
        let fast = [("CINETPAY_POLL_AFTER_MS", "1".to_owned())];
        let run = shop.run_with(&fast, &["reconcile", "--since", "1h"]).await;
        run.expect_code(0);
        assert!(
            run.stdout.starts_with(
                "reconciliation pass: 3 payment(s) without a final status polled (created within 1h"
            ),
            "{name}: {}",
            run.stdout
        );
        for (outcome, count) in [
            ("pending -> accepted", 1),
            ("pending -> refused", 1),
            ("unchanged (pending)", 1),
        ] {
            let lines = run.lines_with(outcome);
            assert!(
                lines.len() == 1 && lines[0].trim_end().ends_with(&format!(" {count}")),
                "{name}: {outcome}\n{}",
                run.stdout
            );
        }
        assert!(
            run.stdout
                .contains("deliveries left to the shop: 1 newly accepted, 0 already due"),
            "{name}: {}",
            run.stdout
        );
        assert_eq!(
            shop.payment(&paid).await.status,
            PaymentStatus::Accepted,
            "{name}"
        );
        assert!(
            !shop.payment(&paid).await.is_fulfilled(),
            "{name}: not delivered here"
        );
        assert_eq!(shop.payment(&paid).await.fulfilment.attempts, 0, "{name}");
        assert_eq!(
            shop.payment(&refused).await.status,
            PaymentStatus::Refused,
            "{name}"
        );
        assert_eq!(
            shop.payment(&waiting).await.status,
            PaymentStatus::Pending,
            "{name}"
        );

        // The next pass: the accepted one is due (for the shop); the others
        // were just looked at.
        let run = shop.run(&["reconcile"]).await;
        run.expect_code(0);
        assert!(
            run.stdout.starts_with("reconciliation pass: 0 payment(s)"),
            "{name}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("0 newly accepted, 1 already due"),
            "{name}: {}",
            run.stdout
        );
        shop.finish().await;
    }
}
