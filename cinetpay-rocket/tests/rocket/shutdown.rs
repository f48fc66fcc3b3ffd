//! Shutdown: Rocket's `shutdown.grace` and `shutdown.mercy` against the
//! engine's `fulfil_timeout`, and a shutdown asked for while a delivery runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use cinetpay_core::engine::Checkout;
use cinetpay_core::*;
use cinetpay_rocket::CinetPay;
use cinetpay_sandbox::{Operator, Sandbox};
use rocket::figment::providers::Serialized;
use rocket::tokio::sync::Notify;

use crate::common::{self, Counting, capture_logs, figment};

/// Sells everything at 1000 XOF; each delivery takes `takes`.
struct Slow {
    takes: Duration,
    started: Notify,
    delivered: AtomicUsize,
}

impl Slow {
    fn new(takes: Duration) -> Arc<Self> {
        Arc::new(Slow {
            takes,
            started: Notify::new(),
            delivered: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl OrderFulfiller for Slow {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let amount = Amount::new(1000).map_err(|e| QuoteError::NotPayable(e.to_string()))?;
        Ok(OrderQuote::new(
            Money::new(amount, Currency::Xof),
            Description::sanitised(order.as_str()),
        ))
    }
    async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> {
        self.started.notify_one();
        tokio::time::sleep(self.takes).await;
        self.delivered.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// What a shutdown during a delivery gave.
struct Stopped {
    /// Whether the launch future returned `Ok`.
    launched_ok: bool,
    /// From `Shutdown::notify()` to the launch future's return.
    took: Duration,
    fulfiller: Arc<Slow>,
    checkout: Checkout,
    transaction_id: TransactionId,
}

/// Serves a shop on a real port, with the sandbox as CinetPay; pays an
/// order, and asks for a shutdown once the delivery (run by the
/// notification's request) has started.
async fn shut_down_during_a_delivery(takes: Duration, grace: u32, mercy: u32) -> Stopped {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let port = common::free_port();
    let toml = format!(
        r#"
        [default]
        address = "127.0.0.1"
        log_level = "off"
        [default.shutdown]
        ctrlc = false
        signals = []
        grace = {grace}
        mercy = {mercy}
        [default.cinetpay]
        api_key = "{api_key}"
        site_id = "{site_id}"
        secret_key = "{secret_key}"
        api_url = "{api_url}"
        public_url = "http://127.0.0.1:{port}"
        fulfil_timeout_ms = 10000
        "#,
        api_key = sandbox.api_key(),
        site_id = sandbox.site_id(),
        secret_key = sandbox.secret_key(),
        api_url = sandbox.url().as_str().trim_end_matches('/'),
    );
    let fulfiller = Slow::new(takes);
    let store: Arc<dyn PaymentStore> = Arc::new(MemoryStore::new());
    let rocket = rocket::custom(figment(&toml).merge(Serialized::default("port", port)))
        .attach(CinetPay::fairing(store, fulfiller.clone()).without_reconciler())
        .ignite()
        .await
        .unwrap();
    let checkout = CinetPay::checkout(&rocket).unwrap().clone();
    let shutdown = rocket.shutdown();
    let server = tokio::spawn(rocket.launch());
    common::wait_for_port(port).await;

    let order = OrderRef::new("ORDER-SLOW").unwrap();
    let started = checkout.start_payment(&order).await.unwrap();
    sandbox
        .pay(started.transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), fulfiller.started.notified())
        .await
        .expect("the notification started the delivery");

    let asked = Instant::now();
    shutdown.notify();
    let launched = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the launch future returns")
        .expect("the server task did not panic");
    let took = asked.elapsed();
    let launched_ok = match launched {
        Ok(_) => true,
        // Reading the error marks it handled: dropped unread, it panics.
        Err(e) => {
            eprintln!("launch failed: {e}");
            false
        }
    };
    Stopped {
        launched_ok,
        took,
        fulfiller,
        checkout,
        transaction_id: started.transaction_id,
    }
}

/// A delivery shorter than grace + mercy: the shutdown waits for it, it is
/// recorded, and the launch returns `Ok`.
#[rocket::async_test]
async fn a_delivery_within_grace_and_mercy_finishes_before_the_launch_returns() {
    let stopped = shut_down_during_a_delivery(Duration::from_millis(1500), 1, 2).await;
    assert!(stopped.launched_ok);
    assert_eq!(stopped.fulfiller.delivered.load(Ordering::SeqCst), 1);
    let payment = stopped
        .checkout
        .payment(&stopped.transaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Accepted);
    assert!(payment.fulfilment.fulfilled_at.is_some(), "{payment:?}");
    assert!(stopped.took < Duration::from_secs(6), "{:?}", stopped.took);
}

/// A delivery longer than grace + mercy: the request's handler answers at
/// `grace`, the fairing waits until `grace + mercy`, and the launch returns
/// `Ok` (it failed, and its dropped error panicked, before); the delivery's
/// claim is kept, so that it is retried once its lease ends.
#[rocket::async_test]
async fn a_delivery_longer_than_grace_and_mercy_does_not_fail_the_launch() {
    let logs = common::global_logs();
    let stopped = shut_down_during_a_delivery(Duration::from_secs(8), 1, 1).await;
    assert!(stopped.launched_ok, "{}", logs.text());
    assert!(stopped.took < Duration::from_secs(6), "{:?}", stopped.took);
    assert_eq!(stopped.fulfiller.delivered.load(Ordering::SeqCst), 0);
    let payment = stopped
        .checkout
        .payment(&stopped.transaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.fulfilment.fulfilled_at, None);
    assert_eq!(payment.fulfilment.attempts, 1);
    assert!(payment.fulfilment.claim_owner.is_some(), "{payment:?}");
    assert!(payment.fulfilment.claim_until.is_some(), "{payment:?}");
    let logs = logs.text();
    assert!(logs.contains("answering 503"), "{logs}");
    assert!(
        logs.contains("still running after shutdown.grace + shutdown.mercy (2s)"),
        "{logs}"
    );
}

fn fairing() -> CinetPay {
    CinetPay::fairing(Arc::new(MemoryStore::new()), Arc::new(Counting::default()))
        .without_reconciler()
}

const TABLE: &str = r#"
    [default.cinetpay]
    api_key = "k"
    site_id = 123456
    secret_key = "s"
    api_url = "http://127.0.0.1:9"
    public_url = "https://shop.example"
"#;

#[rocket::async_test]
async fn grace_and_mercy_shorter_than_fulfil_timeout_are_warned_about_at_ignite() {
    // Rocket's defaults (2 s + 3 s) and the engine's (60 s).
    let (logs, _guard) = capture_logs();
    let rocket = rocket::custom(figment(TABLE)).attach(fairing());
    let _ignited = rocket.ignite().await.unwrap();
    let logs = logs.text();
    assert!(logs.contains("WARN"), "{logs}");
    assert!(
        logs.contains(
            "shutdown.grace (2s) + shutdown.mercy (3s) is shorter than \
             cinetpay.fulfil_timeout_ms (60000 ms)"
        ),
        "{logs}"
    );
    assert!(
        logs.contains("Set `grace = 57` in `[default.shutdown]`"),
        "{logs}"
    );

    let (logs, _guard) = capture_logs();
    let enough = format!("{TABLE}\nfulfil_timeout_ms = 10000\n[default.shutdown]\ngrace = 10");
    let _ignited = rocket::custom(figment(&enough))
        .attach(fairing())
        .ignite()
        .await
        .unwrap();
    assert!(!logs.text().contains("shutdown.grace"), "{}", logs.text());
}
