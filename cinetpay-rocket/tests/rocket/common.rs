//! What the adapter tests share: a checkout that never reaches CinetPay,
//! and a fulfiller that counts its deliveries.

#![allow(dead_code)]

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cinetpay_core::engine::{Checkout, CheckoutConfig, CheckoutSettings};
use cinetpay_core::*;
use cinetpay_testing::fixtures;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};

/// Knows no orders; counts deliveries (and fails them, so that they stay owed).
#[derive(Default)]
pub struct Counting {
    pub fulfils: AtomicUsize,
}

impl Counting {
    pub fn count(&self) -> usize {
        self.fulfils.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl OrderFulfiller for Counting {
    async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Err(QuoteError::NotFound)
    }
    async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> {
        self.fulfils.fetch_add(1, Ordering::SeqCst);
        Err(FulfilError::new("kept owed on purpose"))
    }
}

/// Settings whose CinetPay is a closed local port, checked once, quickly.
pub fn settings(prefix: &str, body_limit: usize) -> CheckoutSettings {
    CheckoutSettings {
        api_key: Some("api-key".to_owned()),
        site_id: Some("123456".to_owned()),
        secret_key: Some("secret".to_owned()),
        api_url: Some("http://127.0.0.1:9".to_owned()),
        public_url: Some("https://shop.example".to_owned()),
        prefix: prefix.to_owned(),
        body_limit,
        check_retries: 0,
        http_timeout_ms: 2_000,
        reconcile_interval_ms: 20,
        fulfil_retry_base_ms: 10,
        fulfil_retry_max_ms: 20,
        ..CheckoutSettings::default()
    }
}

/// A config whose CinetPay is a closed local port, checked once, quickly.
pub fn config(prefix: &str, body_limit: usize) -> CheckoutConfig {
    settings(prefix, body_limit).into_config().unwrap()
}

pub fn checkout_with(
    config: CheckoutConfig,
    store: Arc<dyn PaymentStore>,
    fulfiller: Arc<dyn OrderFulfiller>,
) -> Checkout {
    Checkout::builder()
        .config(config)
        .store(store)
        .fulfiller(fulfiller)
        .build()
        .unwrap()
}

pub fn checkout(prefix: &str, body_limit: usize) -> Checkout {
    checkout_with(
        config(prefix, body_limit),
        Arc::new(MemoryStore::new()),
        Arc::new(Counting::default()),
    )
}

/// Stores a pending payment for a fresh order; returns it.
pub async fn pending_payment(store: &dyn PaymentStore) -> NewPayment {
    let order = fixtures::order_ref("R");
    let new = fixtures::new_payment(&order, 2500, fixtures::base_time());
    store.insert_payment(&new).await.unwrap();
    new
}

/// Stores an accepted payment whose delivery is owed; returns it.
pub async fn owed_payment(store: &dyn PaymentStore) -> NewPayment {
    let new = pending_payment(store).await;
    let change = fixtures::accepted_change(&new, PaymentStatus::Pending, fixtures::at(1_000));
    assert_eq!(
        store
            .transition(&new.transaction_id, &change)
            .await
            .unwrap(),
        Transition::Applied
    );
    new
}

/// Log lines written while a test runs (tests run on a current-thread runtime).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

pub fn figment(toml: &str) -> Figment {
    Figment::from(rocket::Config::debug_default()).merge(Toml::string(toml).nested())
}

/// Every log line of the whole test binary, from any thread (Rocket's
/// workers included), for what a test's spawned tasks log; a test looks for
/// lines only it can write.
pub fn global_logs() -> &'static Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

/// A port nobody listens on (for now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`.
pub async fn wait_for_port(port: u16) {
    for _ in 0..500 {
        if rocket::tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("nothing listens on port {port}");
}
