//! [`Rig`]: one test's CinetPay sandbox, manual clock and shop, and the
//! engines ("instances") built on them.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cinetpay_core::engine::{
    Checkout, CheckoutConfig, CheckoutSettings, Clock, InitError, ManualClock,
};
use cinetpay_core::{OrderRef, Payment, PaymentStore, TransactionId};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle, Scenario};
use cinetpay_testing::TestNotification;
use http::{Request, StatusCode};

use crate::Shop;

/// The engine settings of a test. Times that the engine compares with the
/// [`ManualClock`] (lease, backoff) only pass when the test moves the clock;
/// the fulfil timeout and the client's timeouts are real time.
#[derive(Debug, Clone)]
pub struct RigOptions {
    /// How long one `fulfil` may run (real time).
    pub fulfil_timeout: Duration,
    /// How long a fulfilment claim lasts (clock time).
    pub claim_lease: Duration,
    /// First delay before retrying a failed delivery (clock time).
    pub retry_base: Duration,
    /// Largest delay between delivery attempts (clock time).
    pub retry_max: Duration,
    /// Payments reconciled per pass.
    pub reconcile_batch: usize,
    /// Poll payments without a final status once they were last seen this
    /// long ago (clock time); `None`: polling off.
    pub poll_after: Option<Duration>,
    /// How many times the client retries a failed check.
    pub check_retries: u32,
    /// The client's total timeout per request (real time).
    pub http_timeout: Duration,
    /// Where the engine calls CinetPay (default: the sandbox; a proxy in front of it).
    pub api_url: Option<String>,
}

impl Default for RigOptions {
    fn default() -> Self {
        RigOptions {
            fulfil_timeout: Duration::from_secs(5),
            claim_lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(80),
            reconcile_batch: 100,
            poll_after: None,
            check_retries: 1,
            http_timeout: Duration::from_secs(5),
            api_url: None,
        }
    }
}

/// A sandbox CinetPay that sends no notification by itself (the tests send
/// them, and see the answers), a manual clock and a counting shop.
#[derive(Debug)]
pub struct Rig {
    /// The sandbox: payments are decided there and checked from there.
    pub sandbox: SandboxHandle,
    /// The engines' clock: leases and backoff pass only when a test moves it.
    pub clock: Arc<ManualClock>,
    /// The merchant's code, shared by every instance.
    pub shop: Arc<Shop>,
    /// The engines' settings.
    pub options: RigOptions,
}

/// The engine's route prefix in these tests.
pub const PREFIX: &str = "/cinetpay";

impl Rig {
    /// A rig with these options.
    ///
    /// # Panics
    /// When the sandbox cannot start.
    pub async fn start(options: RigOptions) -> Rig {
        init_tracing();
        let sandbox = Sandbox::builder()
            .scenario(Scenario::new().never_send(true))
            .start()
            .await
            .expect("the sandbox starts");
        Rig {
            sandbox,
            // Whole milliseconds: what every store keeps exactly.
            clock: Arc::new(ManualClock::new(
                chrono::DateTime::from_timestamp_millis(chrono::Utc::now().timestamp_millis())
                    .expect("now is a valid time"),
            )),
            shop: Shop::new(),
            options,
        }
    }

    /// The engine's configuration for these options.
    ///
    /// # Panics
    /// When the options are invalid.
    pub fn config(&self) -> CheckoutConfig {
        let o = &self.options;
        let api_url = o
            .api_url
            .clone()
            .unwrap_or_else(|| self.sandbox.url().to_string());
        let ms = |d: Duration| u64::try_from(d.as_millis()).expect("a short duration");
        CheckoutSettings {
            api_key: Some(self.sandbox.api_key().to_owned()),
            site_id: Some(self.sandbox.site_id().to_owned()),
            secret_key: Some(self.sandbox.secret_key().to_owned()),
            api_url: Some(api_url),
            public_url: Some("http://127.0.0.1:9".to_owned()),
            prefix: PREFIX.to_owned(),
            fulfil_timeout_ms: ms(o.fulfil_timeout),
            claim_lease_ms: ms(o.claim_lease),
            fulfil_retry_base_ms: ms(o.retry_base),
            fulfil_retry_max_ms: ms(o.retry_max),
            reconcile_batch: o.reconcile_batch,
            poll_after_ms: o.poll_after.map_or(0, ms),
            // Only returns are rate-limited: the tests' notifications are signed.
            min_check_interval_ms: 0,
            http_connect_timeout_ms: 1_000,
            http_timeout_ms: ms(o.http_timeout),
            init_abandoned_after_ms: ms(o.http_timeout) + 60_000,
            check_retries: o.check_retries,
            check_retry_base_ms: 5,
            check_retry_max_ms: 20,
            ..CheckoutSettings::default()
        }
        .into_config()
        .expect("a valid test configuration")
    }

    /// An engine ("instance") on `store`, with the rig's clock and shop.
    ///
    /// # Panics
    /// When the engine cannot be built.
    pub fn engine(&self, store: Arc<dyn PaymentStore>) -> Checkout {
        Checkout::builder()
            .config(self.config())
            .store(store)
            .fulfiller(self.shop.clone())
            .clock(self.clock.clone())
            .build()
            .expect("the engine builds")
    }

    /// Starts a payment for a fresh order through `checkout`, retrying with
    /// a new order while `init` answers a server error or a `409` (an order
    /// whose init was cut short keeps its half-created payment until
    /// `init_abandoned_after`, which the tests' clock does not reach by
    /// itself). Returns its id and how many attempts failed.
    ///
    /// # Panics
    /// When `init` answers another client error, or keeps failing for 30 s.
    pub async fn start_payment(&self, checkout: &Checkout) -> (TransactionId, u32) {
        let mut failures = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut order = fresh_order();
        loop {
            match checkout.start_payment(&order).await {
                Ok(started) => return (started.transaction_id, failures),
                Err(e) => {
                    failures += 1;
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "init keeps failing: {e}"
                    );
                    assert!(
                        matches!(e, InitError::InProgress) || e.http_status().is_server_error(),
                        "init failed with a client error: {e}"
                    );
                    order = fresh_order();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Starts a payment and pays it at the sandbox (`00`, `ACCEPTED`).
    pub async fn paid_payment(&self, checkout: &Checkout) -> TransactionId {
        let (id, _) = self.start_payment(checkout).await;
        self.pay(&id);
        id
    }

    /// The customer pays `id` at CinetPay.
    ///
    /// # Panics
    /// When the sandbox does not know the payment.
    pub fn pay(&self, id: &TransactionId) {
        self.sandbox
            .pay(id.as_str(), Operator::OrangeMoney)
            .expect("the sandbox knows the payment");
    }

    /// The operator refuses `id` at CinetPay.
    ///
    /// # Panics
    /// When the sandbox does not know the payment.
    pub fn refuse(&self, id: &TransactionId) {
        self.sandbox
            .refuse(id.as_str(), Operator::MtnMomo)
            .expect("the sandbox knows the payment");
    }

    /// CinetPay's notification for `id`, correctly signed, through `checkout`:
    /// the status it answers.
    pub async fn notify(&self, checkout: &Checkout, id: &TransactionId) -> StatusCode {
        checkout.handle(self.notification(id)).await.status()
    }

    /// CinetPay's notification request for `id`, correctly signed.
    pub fn notification(&self, id: &TransactionId) -> Request<Bytes> {
        let key = cinetpay_core::SecretKey::new(self.sandbox.secret_key())
            .expect("the sandbox's secret key is valid");
        TestNotification::success(self.sandbox.site_id(), id.as_str())
            .request(&format!("{PREFIX}/notify"), Some(&key))
    }

    /// Moves the engines' clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Moves the clock past a claim's lease (and any backoff up to `retry_max`).
    pub fn let_leases_expire(&self) {
        let o = &self.options;
        self.advance(o.claim_lease.max(o.retry_max) + Duration::from_secs(1));
    }

    /// The engines' current time.
    pub fn now(&self) -> cinetpay_core::Timestamp {
        self.clock.now()
    }

    /// The stored payment `id` (which must exist).
    ///
    /// # Panics
    /// When the store fails or does not know it.
    pub async fn payment(&self, store: &dyn PaymentStore, id: &TransactionId) -> Payment {
        store
            .find_payment(id)
            .await
            .expect("the store answers")
            .expect("the payment exists")
    }
}

fn fresh_order() -> OrderRef {
    let random = TransactionId::generate();
    OrderRef::new(format!("ord-{}", random.as_str().trim_start_matches("cp-")))
        .expect("a valid order reference")
}

/// Logs of the engine when `RUST_LOG` is set (faults make it loud on purpose).
fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}
