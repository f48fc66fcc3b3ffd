//! `cinetpay export --csv`: parsed back with the csv crate, quoting included.

use cinetpay_core::DeliverySource;

use crate::common::{Db, Shop};

#[tokio::test]
async fn the_csv_reads_back_with_its_header_and_quoting() {
    for db in Db::all("export::the_csv_reads_back") {
        let name = db.name;
        let shop = Shop::on(db).await;
        let tricky = r#"ord-1, "the big one""#;
        let paid = shop.paid_pending(tricky).await;
        shop.checkout
            .sync(&paid, DeliverySource::Notify)
            .await
            .unwrap();
        let waiting = shop.started("ord-2").await;

        let run = shop.run(&["export", "--csv"]).await;
        run.expect_code(0);
        let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            header,
            [
                "transaction_id",
                "order_ref",
                "account",
                "amount",
                "currency",
                "status",
                "payment_method",
                "operator_id",
                "payment_date",
                "fund_availability_date",
                "fulfilled_at",
            ],
            "{name}"
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2, "{name}: {}", run.stdout);
        let row = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap();
        let p = row(paid.as_str());
        assert_eq!(
            &p[1], tricky,
            "{name}: the order reference survives the quoting"
        );
        assert_eq!(
            (&p[2], &p[3], &p[4], &p[5]),
            ("default", "1000", "XOF", "accepted"),
            "{name}"
        );
        assert_eq!(&p[6], "OM", "{name}");
        assert!(
            !p[7].is_empty() && !p[8].is_empty(),
            "{name}: operator id and payment date"
        );
        assert_eq!(&p[9], "", "{name}: fund availability is not stored");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&p[10]).is_ok(),
            "{name}: {}",
            &p[10]
        );
        let w = row(waiting.as_str());
        assert_eq!((&w[5], &w[6], &w[10]), ("pending", "", ""), "{name}");
        assert!(
            run.stdout.contains(r#""ord-1, ""the big one""""#),
            "{name}: {}",
            run.stdout
        );

        // --since, and to a file.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("payments.csv");
        let path = file.to_string_lossy().into_owned();
        let run = shop
            .run(&["export", "--csv", "--since", "1h", "--output", &path])
            .await;
        run.expect_code(0);
        assert!(
            run.stderr.contains("2 payment(s) written"),
            "{name}: {}",
            run.stderr
        );
        let written = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            csv::Reader::from_reader(written.as_bytes())
                .records()
                .count(),
            2,
            "{name}"
        );
        let run = shop.run(&["export"]).await;
        assert_eq!(run.code, 2, "{name}: --csv is required");
        shop.finish().await;
    }
}
