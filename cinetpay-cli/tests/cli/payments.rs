//! `cinetpay payments list` and `cinetpay payments show`, on every database.

use cinetpay_core::DeliverySource;

use crate::common::{Db, Shop};

#[tokio::test]
async fn list_and_show_tell_what_is_stored() {
    for db in Db::all("payments::list_and_show_tell_what_is_stored") {
        let name = db.name;
        let shop = Shop::on(db).await;
        let waiting = shop.started("ord-waiting").await;
        let delivered = shop.paid_pending("ord-delivered").await;
        // The shop's own notification delivers it.
        shop.checkout
            .sync(&delivered, DeliverySource::Notify)
            .await
            .unwrap();
        shop.checkout.flush_delivery_log().await;

        let run = shop.run(&["payments", "list"]).await;
        run.expect_code(0);
        let header = run.stdout.lines().next().unwrap_or_default();
        assert!(
            header.starts_with("TRANSACTION") && header.contains("DELIVERY"),
            "{name}: {}",
            run.stdout
        );
        let row = run.lines_with(delivered.as_str());
        assert!(
            row.len() == 1
                && row[0].contains("ord-delivered")
                && row[0].contains("1000 XOF")
                && row[0].contains("accepted")
                && row[0].contains("delivered"),
            "{name}: {}",
            run.stdout
        );
        let row = run.lines_with(waiting.as_str());
        assert!(
            row.len() == 1 && row[0].contains("pending"),
            "{name}: {}",
            run.stdout
        );
        // Newest first.
        let first = run.stdout.lines().nth(1).unwrap_or_default();
        assert!(first.contains(delivered.as_str()), "{name}: {}", run.stdout);

        let run = shop
            .run(&["payments", "list", "--status", "accepted"])
            .await;
        run.expect_code(0);
        assert!(
            run.stdout.contains(delivered.as_str()) && !run.stdout.contains(waiting.as_str()),
            "{name}: {}",
            run.stdout
        );
        let run = shop.run(&["payments", "list", "--needs-attention"]).await;
        run.expect_code(0);
        assert_eq!(run.stdout, "no payment matches\n", "{name}");
        let run = shop
            .run(&["payments", "list", "--since", "1h", "--limit", "1"])
            .await;
        run.expect_code(0);
        assert_eq!(
            run.stdout.lines().count(),
            3,
            "header, one row, the note\n{name}: {}",
            run.stdout
        );
        let run = shop.run(&["payments", "list", "--status", "paid"]).await;
        assert_eq!(
            run.code, 2,
            "{name}: a bad status is a usage error\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("needs_attention"),
            "{name}: {}",
            run.stderr
        );

        let run = shop.run(&["payments", "show", delivered.as_str()]).await;
        run.expect_code(0);
        for needle in [
            "ord-delivered",
            "accepted",
            "00 SUCCES",
            "1000 XOF",
            "OM",
            "delivered at",
            "delivery log (1 lines",
            "notify",
            "pending -> accepted",
        ] {
            assert!(
                run.stdout.contains(needle),
                "{name}: {needle}\n{}",
                run.stdout
            );
        }
        let run = shop
            .run(&["payments", "show", delivered.as_str(), "--json"])
            .await;
        run.expect_code(0);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(value["payment"]["status"], "accepted", "{name}");
        assert_eq!(value["payment"]["check"]["code"], "00", "{name}");
        assert_eq!(value["deliveries"][0]["source"], "notify", "{name}");

        let run = shop.run(&["payments", "show", "cp-nobody"]).await;
        run.expect_code(1);
        assert!(
            run.stderr.contains("no payment cp-nobody"),
            "{name}: {}",
            run.stderr
        );
        shop.finish().await;
    }
}
