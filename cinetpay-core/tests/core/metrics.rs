//! The engine's metrics: what each scenario records, exactly, and the table
//! of docs/metrics.md against the names the code defines.
//!
//! Each test records into a recorder of its own, installed with
//! `metrics::with_local_recorder` around a current-thread runtime's
//! `block_on`: the local recorder is the thread's, and every task the engine
//! spawns (the fulfilment's task, the 2026 API's background delivery, the
//! `payment_failed` notice) runs on that one thread while `block_on` runs, so
//! it sees the recorder; tests running at once on other threads cannot. The
//! assertions compare every `cinetpay_` series recorded with the expected
//! ones, so that a metric recorded twice, under another label, or not at all
//! fails the test, and the counts that only spawned tasks record (the
//! fulfilments) show that the recorder reaches them.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ::metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use bytes::Bytes;
use cinetpay_core::engine::metrics::{self as names, ALL, Kind};
use cinetpay_core::engine::{Checkout, FulfilmentOutcome};
use cinetpay_core::{
    Amount, Currency, Customer, Description, MemoryStore, Money, OrderQuote, OrderRef,
    PaymentStatus, PaymentStore, TransactionId,
};
use cinetpay_sandbox::{Operator, Sandbox};
use cinetpay_testing::{FaultyStore, StoreOp};
use http::{Request, StatusCode};
use metrics_util::registry::{AtomicStorage, Registry};
use serde_json::json;

use super::common::*;

/// A recorder keeping every counter and histogram sample it is given.
struct Recorded {
    registry: Registry<Key, AtomicStorage>,
}

impl Recorder for Recorded {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        self.registry
            .get_or_create_counter(key, |c| Counter::from_arc(c.clone()))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        self.registry
            .get_or_create_gauge(key, |g| Gauge::from_arc(g.clone()))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        self.registry
            .get_or_create_histogram(key, |h| Histogram::from_arc(h.clone()))
    }
}

/// `name{key=value,...}`, the labels sorted by key.
fn series(key: &Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorded {
    /// Every `cinetpay_` counter with its value.
    fn counters(&self) -> BTreeMap<String, u64> {
        let mut all = BTreeMap::new();
        self.registry.visit_counters(|key, counter| {
            all.insert(series(key), counter.load(Ordering::SeqCst));
        });
        all.retain(|name, _| name.starts_with("cinetpay_"));
        all
    }

    /// Every `cinetpay_` histogram with its samples.
    fn histograms(&self) -> BTreeMap<String, Vec<f64>> {
        let mut all = BTreeMap::new();
        self.registry.visit_histograms(|key, bucket| {
            all.insert(series(key), bucket.data());
        });
        all.retain(|name, _| name.starts_with("cinetpay_"));
        all
    }

    /// How many samples each `cinetpay_` histogram has.
    fn samples(&self) -> BTreeMap<String, usize> {
        self.histograms()
            .into_iter()
            .map(|(name, samples)| (name, samples.len()))
            .collect()
    }
}

fn expected<T: Clone>(pairs: &[(&str, T)]) -> BTreeMap<String, T> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

/// Runs `test` on a current-thread runtime with a recorder of its own.
fn recorded<F, Fut>(test: F)
where
    F: FnOnce(Arc<Recorded>) -> Fut,
    Fut: Future<Output = ()>,
{
    let recorder = Arc::new(Recorded {
        registry: Registry::atomic(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let handle = recorder.clone();
    ::metrics::with_local_recorder(&*recorder, || runtime.block_on(test(handle)));
}

const NOTIFIED: &str = "cinetpay_notifications_total{outcome=processed}";
const CHECKED_ACCEPTED: &str = "cinetpay_status_checks_total{generation=v2,result=accepted}";
const DURATION_ACCEPTED: &str =
    "cinetpay_status_check_duration_seconds{generation=v2,result=accepted}";
const DELIVERED: &str = "cinetpay_fulfilments_total{kind=delivery,result=ok}";

#[test]
fn a_first_notification_counts_its_check_with_its_latency_and_its_delivery() {
    recorded(|m| async move {
        let h = Harness::new().await;
        let id = h.start("ord-1").await;
        assert!(m.counters().is_empty(), "init records none of these");
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        assert_eq!(h.shop.successes(), 1);
        assert_eq!(
            m.counters(),
            expected(&[(CHECKED_ACCEPTED, 1), (DELIVERED, 1), (NOTIFIED, 1)])
        );
        let latency = &m.histograms()[DURATION_ACCEPTED];
        assert_eq!(latency.len(), 1);
        assert!(latency[0] > 0.0 && latency[0] < 10.0, "{latency:?}");

        // A duplicate: one read, no check, no delivery.
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        assert_eq!(
            m.counters(),
            expected(&[
                (CHECKED_ACCEPTED, 1),
                (DELIVERED, 1),
                ("cinetpay_notifications_total{outcome=duplicate}", 1),
                (NOTIFIED, 1),
            ])
        );
        assert_eq!(m.samples(), expected(&[(DURATION_ACCEPTED, 1)]));
        assert_eq!(h.check_calls().await, 1);
    });
}

#[test]
fn forged_malformed_and_unknown_notifications_count_their_refusal_and_no_check() {
    recorded(|m| async move {
        let h = Harness::new().await;
        let id = h.start("ord-1").await;
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        let n = notification(id.as_str(), SITE_ID);
        let answers = [
            h.handle(notify_request(&n, None)).await,
            h.handle(notify_request(&n, Some(&"0".repeat(64)))).await,
            {
                let foreign = notification(id.as_str(), "999999");
                h.handle(notify_request(&foreign, Some(&signed(&foreign))))
                    .await
            },
            h.handle(
                Request::post("/cinetpay/notify")
                    .header("content-type", "application/json")
                    .body(Bytes::from_static(b"{not json"))
                    .unwrap(),
            )
            .await,
            {
                let invalid = notification("1; DROP TABLE payments", SITE_ID);
                h.handle(notify_request(&invalid, Some(&signed(&invalid))))
                    .await
            },
            {
                let unknown = notification("cp-doesnotexist", SITE_ID);
                h.handle(notify_request(&unknown, Some(&signed(&unknown))))
                    .await
            },
            h.handle(post_form("/cinetpay/notify", "cpm_site_id=123456"))
                .await,
        ];
        let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
        assert_eq!(statuses, [401, 401, 403, 400, 400, 200, 200]);
        assert_eq!(
            m.counters(),
            expected(&[
                ("cinetpay_notifications_total{outcome=bad_x_token}", 2),
                ("cinetpay_notifications_total{outcome=foreign_site_id}", 1),
                ("cinetpay_notifications_total{outcome=ignored}", 1),
                (
                    "cinetpay_notifications_total{outcome=invalid_transaction_id}",
                    1
                ),
                ("cinetpay_notifications_total{outcome=malformed_body}", 1),
                (
                    "cinetpay_notifications_total{outcome=unknown_transaction}",
                    1
                ),
            ]),
            "no check, no delivery"
        );
        assert!(m.samples().is_empty());
        assert_eq!(h.check_calls().await, 0);
        assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    });
}

#[test]
fn duplicate_payments_and_mismatches_count_their_attention_and_refund_notices() {
    recorded(|m| async move {
        let h = Harness::new().await;
        // ord-1: A refused, B pays it, then A's late success: a duplicate.
        let a = h.start("ord-1").await;
        {
            let _r = h.check_answers(&a, refused()).await;
            assert_eq!(h.notify(&a).await.status(), StatusCode::OK);
        }
        let b = h.start("ord-1").await;
        {
            let _b = h.check_answers(&b, accepted("1000", "XOF")).await;
            assert_eq!(h.notify(&b).await.status(), StatusCode::OK);
        }
        {
            let _a = h.check_answers(&a, accepted("1000", "XOF")).await;
            assert_eq!(h.notify(&a).await.status(), StatusCode::OK);
        }
        assert_eq!(h.shop.refunds().len(), 1);
        assert_eq!(
            m.counters(),
            expected(&[
                (
                    "cinetpay_duplicate_payments_total{reason=order_already_paid}",
                    1
                ),
                ("cinetpay_fulfilments_total{kind=delivery,result=ok}", 1),
                (
                    "cinetpay_fulfilments_total{kind=failure_notice,result=ok}",
                    1
                ),
                (
                    "cinetpay_fulfilments_total{kind=refund_notice,result=ok}",
                    1
                ),
                (
                    "cinetpay_needs_attention_total{reason=order_already_paid}",
                    1
                ),
                ("cinetpay_notifications_total{outcome=processed}", 3),
                (CHECKED_ACCEPTED, 2),
                (
                    "cinetpay_status_checks_total{generation=v2,result=refused}",
                    1
                ),
            ])
        );

        // ord-2: the price changes, the old page is paid anyway (superseded);
        // the new one reports other money (a mismatch, not a duplicate).
        let old = h.start("ord-2").await;
        h.shop.price("ord-2", xof(1500));
        let new = h.start("ord-2").await;
        {
            let _o = h.check_answers(&old, accepted("1000", "XOF")).await;
            assert_eq!(h.notify(&old).await.status(), StatusCode::OK);
        }
        {
            let _n = h.check_answers(&new, accepted("999", "XOF")).await;
            assert_eq!(h.notify(&new).await.status(), StatusCode::OK);
        }
        assert_eq!(h.status(&new).await, PaymentStatus::NeedsAttention);
        assert_eq!(
            m.counters(),
            expected(&[
                (
                    "cinetpay_duplicate_payments_total{reason=order_already_paid}",
                    1
                ),
                ("cinetpay_duplicate_payments_total{reason=superseded}", 1),
                ("cinetpay_fulfilments_total{kind=delivery,result=ok}", 1),
                (
                    "cinetpay_fulfilments_total{kind=failure_notice,result=ok}",
                    1
                ),
                (
                    "cinetpay_fulfilments_total{kind=refund_notice,result=ok}",
                    2
                ),
                ("cinetpay_needs_attention_total{reason=money_mismatch}", 1),
                (
                    "cinetpay_needs_attention_total{reason=order_already_paid}",
                    1
                ),
                ("cinetpay_needs_attention_total{reason=superseded}", 1),
                ("cinetpay_notifications_total{outcome=processed}", 5),
                (CHECKED_ACCEPTED, 3),
                (
                    "cinetpay_status_checks_total{generation=v2,result=mismatch}",
                    1
                ),
                (
                    "cinetpay_status_checks_total{generation=v2,result=refused}",
                    1
                ),
            ])
        );
    });
}

#[test]
fn a_failing_then_timed_out_fulfiller_counts_both_and_the_reconciler_pass() {
    recorded(|m| async move {
        let h = Harness::with(Options {
            fulfil_timeout: Duration::from_millis(100),
            ..Options::default()
        })
        .await;
        h.shop.script([
            Act::Fail("stock service down"),
            Act::Sleep(Duration::from_secs(30)),
        ]);
        let id = h.start("ord-1").await;
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        assert_eq!(
            h.notify(&id).await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            m.counters(),
            expected(&[
                ("cinetpay_fulfilments_total{kind=delivery,result=failed}", 1),
                ("cinetpay_notifications_total{outcome=delivery_failed}", 1),
                (CHECKED_ACCEPTED, 1),
            ])
        );

        h.clock.advance(h.checkout.config().retry_delay(1));
        let report = h.checkout.reconcile_once().await.unwrap();
        assert_eq!((report.due, report.failed), (1, 1));
        assert!(matches!(
            h.checkout
                .sync(&id, cinetpay_core::DeliverySource::Return)
                .await
                .unwrap()
                .fulfilment,
            FulfilmentOutcome::NotDue { .. }
        ));
        assert_eq!(
            m.counters(),
            expected(&[
                ("cinetpay_fulfilments_total{kind=delivery,result=failed}", 1),
                (
                    "cinetpay_fulfilments_total{kind=delivery,result=timed_out}",
                    1
                ),
                ("cinetpay_notifications_total{outcome=delivery_failed}", 1),
                ("cinetpay_reconciler_passes_total{result=ok}", 1),
                (CHECKED_ACCEPTED, 1),
            ])
        );
        let histograms = m.histograms();
        assert_eq!(
            histograms["cinetpay_reconciler_candidates{kind=due}"],
            [1.0]
        );
        assert_eq!(
            histograms["cinetpay_reconciler_candidates{kind=poll}"],
            [0.0]
        );
        assert_eq!(
            m.samples(),
            expected(&[
                (DURATION_ACCEPTED, 1),
                ("cinetpay_reconciler_candidates{kind=due}", 1),
                ("cinetpay_reconciler_candidates{kind=poll}", 1),
            ])
        );
    });
}

#[test]
fn reconciler_passes_count_their_candidates_and_a_failed_listing() {
    recorded(|m| async move {
        let h = Harness::with(Options {
            poll_after: Some(Duration::from_secs(600)),
            ..Options::default()
        })
        .await;
        let a = h.start("ord-1").await;
        let b = h.start("ord-2").await;
        h.clock.advance(Duration::from_secs(601));
        let _a = h.check_answers(&a, waiting()).await;
        let _b = h.check_answers(&b, waiting()).await;
        let report = h.checkout.reconcile_once().await.unwrap();
        assert_eq!((report.due, report.polled), (0, 2));

        let faulty = FaultyStore::new(Arc::new(h.store.clone()));
        faulty.fail_every(StoreOp::DueFulfilments);
        let broken = h.engine_over(Arc::new(faulty.clone()) as Arc<dyn PaymentStore>);
        assert!(broken.reconcile_once().await.is_err());

        assert_eq!(
            m.counters(),
            expected(&[
                ("cinetpay_reconciler_passes_total{result=error}", 1),
                ("cinetpay_reconciler_passes_total{result=ok}", 1),
                (
                    "cinetpay_status_checks_total{generation=v2,result=pending}",
                    2
                ),
            ])
        );
        let histograms = m.histograms();
        assert_eq!(
            histograms["cinetpay_reconciler_candidates{kind=due}"],
            [0.0]
        );
        assert_eq!(
            histograms["cinetpay_reconciler_candidates{kind=poll}"],
            [2.0]
        );
        assert_eq!(
            m.samples(),
            expected(&[
                ("cinetpay_reconciler_candidates{kind=due}", 1),
                ("cinetpay_reconciler_candidates{kind=poll}", 1),
                (
                    "cinetpay_status_check_duration_seconds{generation=v2,result=pending}",
                    2
                ),
            ])
        );
    });
}

fn quote_2026(amount: i64) -> OrderQuote {
    OrderQuote::new(
        Money::new(Amount::new(amount).unwrap(), Currency::Xof),
        Description::new("Sac de riz").unwrap(),
    )
    .with_customer(Customer {
        name: Some("Koné".into()),
        surname: Some("Awa".into()),
        email: Some("awa@example.ci".into()),
        ..Customer::default()
    })
}

async fn until_fulfilled(checkout: &Checkout, id: &TransactionId) {
    for _ in 0..500 {
        if checkout.payment(id).await.unwrap().unwrap().is_fulfilled() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{id} not delivered");
}

fn notify_json(body: &serde_json::Value) -> Request<Bytes> {
    Request::post("/cinetpay/notify")
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

#[test]
fn a_2026_login_is_counted_once_for_two_payments_and_their_notifications() {
    recorded(|m| async move {
        let handle = Sandbox::builder().start().await.unwrap();
        let sandbox = handle.sandbox();
        let mut settings = sandbox
            .shop_settings_2026("http://127.0.0.1:9")
            .checkout_settings()
            .unwrap();
        settings.poll_after_ms = 0;
        let shop = Shop::new();
        shop.quote_with("ord-1", Ok(quote_2026(1000)));
        shop.quote_with("ord-2", Ok(quote_2026(2500)));
        let checkout = Checkout::builder()
            .config(settings.into_config().unwrap())
            .store(Arc::new(MemoryStore::new()))
            .fulfiller(shop.clone())
            .build()
            .unwrap();
        let mut bodies = Vec::new();
        let mut ids = Vec::new();
        for order in ["ord-1", "ord-2"] {
            let started = checkout
                .start_payment(&OrderRef::new(order).unwrap())
                .await
                .unwrap();
            let id = started.transaction_id;
            sandbox.pay(id.as_str(), Operator::OrangeMoney).unwrap();
            let sent = sandbox
                .wait_notifications(id.as_str(), Duration::from_secs(10))
                .await
                .unwrap();
            bodies.push(sent.last().unwrap().json.clone().unwrap());
            ids.push(id);
        }
        assert_eq!(
            m.counters(),
            expected(&[("cinetpay_logins_total{result=ok}", 1)])
        );
        for (body, id) in bodies.iter().zip(&ids) {
            let answer = checkout.handle(notify_json(body)).await;
            assert_eq!(answer.status(), StatusCode::OK, "{}", body_text(&answer));
            until_fulfilled(&checkout, id).await;
        }
        assert_eq!(
            checkout.handle(notify_json(&bodies[0])).await.status(),
            StatusCode::OK
        );
        let forged = json!({"notify_token": "forged", "merchant_transaction_id": ids[1].as_str()});
        assert_eq!(
            checkout.handle(notify_json(&forged)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(checkout.rest_client().unwrap().logins(), 1);
        assert_eq!(
            m.counters(),
            expected(&[
                ("cinetpay_fulfilments_total{kind=delivery,result=ok}", 2),
                ("cinetpay_logins_total{result=ok}", 1),
                ("cinetpay_notifications_total{outcome=bad_notify_token}", 1),
                ("cinetpay_notifications_total{outcome=duplicate}", 1),
                ("cinetpay_notifications_total{outcome=processed}", 2),
                (
                    "cinetpay_status_checks_total{generation=2026,result=accepted}",
                    2
                ),
            ])
        );
        assert_eq!(
            m.samples(),
            expected(&[(
                "cinetpay_status_check_duration_seconds{generation=2026,result=accepted}",
                2
            )])
        );
        handle.shutdown().await;
    });
}

/// One row of docs/metrics.md's table: name, type, and each label with its values.
type Row = (String, String, Vec<(String, Vec<String>)>);

fn ticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn documented() -> Vec<Row> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/metrics.md"))
        .unwrap();
    doc.lines()
        .filter(|line| line.starts_with("| `cinetpay_"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            assert_eq!(cells.len(), 4, "{line}");
            let labels = cells[2]
                .split("; ")
                .filter(|label| !label.trim().is_empty() && label.trim() != "none")
                .map(|label| {
                    let (key, values) = label.split_once(':').unwrap_or((label, ""));
                    let key = ticked(key);
                    assert_eq!(key.len(), 1, "{label}");
                    (key[0].clone(), ticked(values))
                })
                .collect();
            (
                ticked(cells[0]).concat(),
                cells[1].trim().to_owned(),
                labels,
            )
        })
        .collect()
}

#[test]
fn the_documented_table_lists_exactly_the_metrics_the_engine_defines() {
    let defined: Vec<Row> = ALL
        .iter()
        .map(|m| {
            let labels = m
                .labels
                .iter()
                .map(|l| {
                    let values = l.values.iter().map(|v| (*v).to_owned()).collect();
                    (l.key.to_owned(), values)
                })
                .collect();
            (m.name.to_owned(), m.kind.as_str().to_owned(), labels)
        })
        .collect();
    assert_eq!(documented(), defined);
    // The constants are the names ALL lists.
    let constants = [
        names::NOTIFICATIONS_TOTAL,
        names::STATUS_CHECKS_TOTAL,
        names::STATUS_CHECK_DURATION_SECONDS,
        names::LOGINS_TOTAL,
        names::FULFILMENTS_TOTAL,
        names::DUPLICATE_PAYMENTS_TOTAL,
        names::NEEDS_ATTENTION_TOTAL,
        names::RECONCILER_PASSES_TOTAL,
        names::RECONCILER_CANDIDATES,
    ];
    assert_eq!(
        constants.to_vec(),
        ALL.iter().map(|m| m.name).collect::<Vec<_>>()
    );
    assert_eq!(ALL.iter().filter(|m| m.kind == Kind::Histogram).count(), 2);
}
