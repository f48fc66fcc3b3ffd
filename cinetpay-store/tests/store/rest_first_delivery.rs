//! A 2026 API notification with the transactional fulfilment: the first
//! delivery runs inline in one commit when it finishes before the answer's
//! deadline, and is cancelled (nothing of it committed) and delivered once in
//! the background when it does not, so that CinetPay's 10 s are kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use cinetpay_core::{
    Amount, Currency, Customer, DeliverySource, Description, Money, OrderQuote, OrderRef,
    PaymentQueries, PaymentStatus, PaymentStore, TransactionId,
};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle};
use cinetpay_store::SeaOrmStore;
use http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::commits::{counted_sqlite_store, shop_rows};

/// A shop that writes a row per delivery; its first `slow` deliveries take
/// longer than the answer's deadline.
struct Shop {
    slow: u32,
    calls: AtomicU32,
}

#[cinetpay_core::async_trait]
impl cinetpay_store::TransactionalFulfiller for Shop {
    async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, cinetpay_core::QuoteError> {
        Ok(OrderQuote::new(
            Money::new(Amount::new(1000).expect("an amount"), Currency::Xof),
            Description::new("Sac de riz").expect("a description"),
        )
        .with_customer(Customer {
            name: Some("Koné".into()),
            surname: Some("Awa".into()),
            email: Some("awa@example.ci".into()),
            ..Customer::default()
        }))
    }

    async fn fulfil(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        payment: &cinetpay_core::Payment,
        _: u32,
    ) -> Result<(), cinetpay_core::FulfilError> {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO shop_rows (order_ref) VALUES (?)",
            [payment.order_ref.as_str().into()],
        ))
        .await
        .map_err(|e| cinetpay_core::FulfilError::new(e.to_string()))?;
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.slow {
            // Past the deadline (5 s after the notification arrived), with
            // the row written but not committed.
            tokio::time::sleep(Duration::from_secs(8)).await;
        }
        Ok(())
    }
}

struct World {
    handle: SandboxHandle,
    sandbox: Sandbox,
    store: SeaOrmStore,
    commits: Arc<std::sync::atomic::AtomicU64>,
    checkout: Checkout,
    shop: Arc<cinetpay_store::InTransaction<Shop>>,
}

/// A 2026 account (the sandbox's) over a counted SQLite store; the shop's
/// URL is unreachable: notifications are replayed from what the sandbox sent.
async fn world(slow: u32) -> World {
    let handle = Sandbox::builder()
        .start()
        .await
        .expect("the sandbox starts");
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_2026("http://127.0.0.1:9")
        .checkout_settings()
        .expect("settings");
    settings.poll_after_ms = 0;
    let (store, commits) = counted_sqlite_store().await;
    let shop = Arc::new(store.fulfil_in_transaction(Shop {
        slow,
        calls: AtomicU32::new(0),
    }));
    let checkout = super::engine::engine(
        settings,
        Arc::new(store.clone()),
        shop.clone(),
        Arc::new(cinetpay_core::clock::SystemClock),
    );
    World {
        handle,
        sandbox,
        store,
        commits,
        checkout,
        shop,
    }
}

/// A paid 2026 payment and the notification CinetPay sent for it.
async fn paid(w: &World, order: &str) -> (TransactionId, Request<Bytes>) {
    let started = w
        .checkout
        .start_payment(&OrderRef::new(order).expect("an order"))
        .await
        .expect("init");
    let id = started.transaction_id;
    w.sandbox
        .pay(id.as_str(), Operator::OrangeMoney)
        .expect("paid");
    let records = w
        .sandbox
        .wait_notifications(id.as_str(), Duration::from_secs(10))
        .await
        .expect("a notification");
    let body = records
        .last()
        .and_then(|r| r.json.clone())
        .expect("a JSON notification");
    let request = Request::post("/cinetpay/notify")
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("a request");
    (id, request)
}

fn copy(request: &Request<Bytes>) -> Request<Bytes> {
    Request::post("/cinetpay/notify")
        .header("content-type", "application/json")
        .body(request.body().clone())
        .expect("a request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2026_first_notification_is_delivered_before_the_answer_in_one_commit() {
    let w = world(0).await;
    let (id, notification) = paid(&w, "ord-2026-fast").await;
    w.checkout.flush_delivery_log().await;

    let before = w.commits.load(Ordering::SeqCst);
    let answer = w.checkout.handle(copy(&notification)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let first = w.commits.load(Ordering::SeqCst) - before;
    // Delivered when the answer goes out: nothing runs in the background.
    let stored = w
        .store
        .find_payment(&id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.status, PaymentStatus::Accepted);
    assert!(stored.is_fulfilled(), "{stored:?}");
    assert_eq!(shop_rows(&w.store).await, 1);
    assert_eq!(
        first, 1,
        "status, claim, the shop's row, the mark and the line"
    );

    let before = w.commits.load(Ordering::SeqCst);
    let duplicate = w.checkout.handle(notification).await;
    assert_eq!(duplicate.status(), StatusCode::OK);
    assert_eq!(w.commits.load(Ordering::SeqCst) - before, 0);
    w.checkout.flush_delivery_log().await;
    let lines = w
        .store
        .deliveries(id.as_str(), 10)
        .await
        .expect("the delivery log");
    // The duplicate is counted, not logged.
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.source == DeliverySource::Notify),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.outcome.contains("fulfilled (attempt 1)")),
        "{lines:?}"
    );
    assert_eq!(w.shop.inner().calls.load(Ordering::SeqCst), 1);
    w.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2026_delivery_past_the_deadline_is_answered_in_time_and_delivered_once() {
    let w = world(1).await;
    let (id, notification) = paid(&w, "ord-2026-slow").await;

    let started = tokio::time::Instant::now();
    let answer = w.checkout.handle(notification).await;
    let took = started.elapsed();
    assert_eq!(answer.status(), StatusCode::OK);
    // CinetPay waits 10 s; the slow delivery alone takes 8.
    assert!(took < Duration::from_secs(8), "answered after {took:?}");
    let at_answer = w
        .store
        .find_payment(&id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        at_answer.status,
        PaymentStatus::Accepted,
        "stored before the answer"
    );

    // The cancelled attempt's row was rolled back; the background delivery
    // writes it once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let payment = w
            .store
            .find_payment(&id)
            .await
            .expect("read")
            .expect("stored");
        if payment.is_fulfilled() {
            assert_eq!(payment.fulfilment.attempts, 1, "{payment:?}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered: {payment:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(shop_rows(&w.store).await, 1);
    assert_eq!(w.shop.inner().calls.load(Ordering::SeqCst), 2);
    w.checkout.flush_delivery_log().await;
    let lines = w
        .store
        .deliveries(id.as_str(), 10)
        .await
        .expect("the delivery log");
    assert!(
        lines
            .iter()
            .any(|l| l.outcome.contains("in the background")),
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.outcome.contains("fulfilled (attempt 1)"))
            .count(),
        1,
        "{lines:?}"
    );
    w.handle.shutdown().await;
}
