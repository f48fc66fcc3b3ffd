//! What the adapter tests share: a checkout that never reaches CinetPay,
//! and a fulfiller that counts its deliveries.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cinetpay_core::engine::{Checkout, CheckoutConfig};
use cinetpay_core::*;

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

pub fn credentials() -> Credentials {
    Credentials::new(
        SiteId::new("123456").unwrap(),
        ApiKey::new("api-key").unwrap(),
        Some(SecretKey::new("secret").unwrap()),
    )
}

/// A config whose CinetPay is a closed local port, checked once, quickly.
pub fn config(prefix: &str, body_limit: usize) -> CheckoutConfig {
    CheckoutConfig::builder(credentials(), "https://shop.example")
        .api_url("http://127.0.0.1:9")
        .prefix(prefix)
        .body_limit(body_limit)
        .client_config(ClientConfig {
            check_retries: 0,
            timeout: Duration::from_secs(2),
            ..ClientConfig::default()
        })
        .reconcile(Duration::from_millis(20), 50)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(20))
        .build()
        .unwrap()
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
    let order = testing::fixtures::order_ref("R");
    let new = testing::fixtures::new_payment(&order, 2500, testing::fixtures::base_time());
    store.insert_payment(&new).await.unwrap();
    new
}

/// Stores an accepted payment whose delivery is owed; returns it.
pub async fn owed_payment(store: &dyn PaymentStore) -> NewPayment {
    let new = pending_payment(store).await;
    let change = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Accepted,
        check: Some(testing::fixtures::accepted_check(&new)),
        reason: None,
        at: testing::fixtures::at(1_000),
    };
    assert!(
        store
            .transition(&new.transaction_id, &change)
            .await
            .unwrap()
    );
    new
}
