//! Configuration: environment, figment-style tables, the builders, and errors
//! that name the setting.
#![allow(clippy::unwrap_used)]

mod engine_common;

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::engine::{Checkout, CheckoutConfig, CheckoutSettings, ManualClock};
use cinetpay_core::{ApiKey, Client, ClientConfig, Credentials, MemoryStore, SiteId};
use engine_common::*;

fn env(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars = vars.to_vec();
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn the_environment_sets_every_knob() {
    let settings = CheckoutSettings::from_lookup(env(&[
        ("CINETPAY_API_KEY", API_KEY),
        ("CINETPAY_SITE_ID", SITE_ID),
        ("CINETPAY_SECRET_KEY", SECRET_KEY),
        ("CINETPAY_API_URL", "http://127.0.0.1:9999"),
        ("CINETPAY_PUBLIC_URL", "https://shop.example/boutique/"),
        ("CINETPAY_PREFIX", "/pay"),
        ("CINETPAY_RETURN_TO", "/mes-commandes/{order_ref}"),
        ("CINETPAY_RETURN_FALLBACK", "/panier"),
        ("CINETPAY_BODY_LIMIT", "8192"),
        ("CINETPAY_CHANNELS", "MOBILE_MONEY"),
        ("CINETPAY_LANG", "en"),
        ("CINETPAY_FULFIL_TIMEOUT_MS", "1000"),
        ("CINETPAY_CLAIM_LEASE_MS", "5000"),
        ("CINETPAY_RETRY_BASE_MS", "100"),
        ("CINETPAY_RETRY_MAX_MS", "1000"),
        ("CINETPAY_RECONCILE_INTERVAL_MS", "250"),
        ("CINETPAY_RECONCILE_BATCH", "7"),
        ("CINETPAY_STALE_PENDING_AFTER_MS", "900000"),
        ("CINETPAY_CHECK_RETRIES", "1"),
        ("CINETPAY_HTTP_TIMEOUT_MS", "3000"),
    ]))
    .unwrap();
    let c = settings.into_config().unwrap();
    assert_eq!(
        c.notify_url().as_str(),
        "https://shop.example/boutique/pay/notify"
    );
    assert_eq!(
        c.return_url().as_str(),
        "https://shop.example/boutique/pay/return"
    );
    assert_eq!(c.prefix(), "/pay");
    assert_eq!(c.return_to().as_str(), "/mes-commandes/{order_ref}");
    assert_eq!(c.return_fallback(), "/panier");
    assert_eq!(c.body_limit(), 8192);
    assert_eq!(c.channels(), cinetpay_core::Channels::MobileMoney);
    assert_eq!(c.fulfil_timeout(), Duration::from_secs(1));
    assert_eq!(c.claim_lease(), Duration::from_secs(5));
    assert_eq!(c.retry_delay(10), Duration::from_secs(1));
    assert_eq!(c.reconcile_interval(), Duration::from_millis(250));
    assert_eq!(c.reconcile_batch(), 7);
    assert_eq!(c.stale_pending_after(), Some(Duration::from_secs(900)));
    assert_eq!(c.client_config().check_retries, 1);
    assert_eq!(
        c.client_config().base_url.as_str(),
        "http://127.0.0.1:9999/"
    );
    assert!(c.credentials().secret_key.is_some());
    let shown = format!(
        "{c:?} {settings:?}",
        settings = CheckoutSettings::from_lookup(env(&[
            ("CINETPAY_API_KEY", API_KEY),
            ("CINETPAY_SECRET_KEY", SECRET_KEY),
        ]))
        .unwrap()
    );
    assert!(
        !shown.contains(API_KEY) && !shown.contains(SECRET_KEY),
        "{shown}"
    );
}

#[test]
fn a_figment_like_table_deserializes_with_defaults() {
    let settings: CheckoutSettings = serde_json::from_value(serde_json::json!({
        "api_key": API_KEY,
        "site_id": 123456,
        "public_url": "https://shop.example",
        "fulfil_timeout_ms": 30000
    }))
    .unwrap();
    let c = settings.validate().unwrap();
    assert_eq!(c.prefix(), "/cinetpay");
    assert_eq!(c.body_limit(), 16384);
    assert_eq!(c.fulfil_timeout(), Duration::from_secs(30));
    assert_eq!(c.credentials().site_id.as_str(), SITE_ID);
    assert!(c.stale_pending_after().is_none());
}

#[test]
fn bad_settings_fail_at_start_up_naming_the_setting() {
    let base = || CheckoutConfig::builder(credentials(false), PUBLIC_URL);
    let cases = [
        (
            CheckoutConfig::builder(credentials(false), "ftp://shop.example")
                .build()
                .map(|_| ()),
            "CINETPAY_PUBLIC_URL / public_url must be an http or https URL",
        ),
        (
            CheckoutConfig::builder(credentials(false), "https://shop.example/?a=1")
                .build()
                .map(|_| ()),
            "CINETPAY_PUBLIC_URL / public_url must not have a query",
        ),
        (
            base().prefix("/cinetpay/").build().map(|_| ()),
            "CINETPAY_PREFIX / prefix must not end with '/'",
        ),
        (
            base().prefix("cinetpay").build().map(|_| ()),
            "CINETPAY_PREFIX / prefix must start with '/'",
        ),
        (
            base().return_to("/o/{id}").build().map(|_| ()),
            "CINETPAY_RETURN_TO / return_to has an unknown placeholder {id}",
        ),
        (
            base()
                .return_to("//evil.example/{order_ref}")
                .build()
                .map(|_| ()),
            "CINETPAY_RETURN_TO",
        ),
        (
            base()
                .return_fallback("https://shop.example/{status}")
                .build()
                .map(|_| ()),
            "CINETPAY_RETURN_FALLBACK",
        ),
        (
            base().body_limit(100).build().map(|_| ()),
            "CINETPAY_BODY_LIMIT / body_limit is 100 bytes",
        ),
        (
            base()
                .fulfil_timeout(Duration::from_secs(10))
                .claim_lease(Duration::from_secs(10))
                .build()
                .map(|_| ()),
            "CINETPAY_FULFIL_TIMEOUT_MS / fulfil_timeout_ms (10000 ms) must be shorter than CINETPAY_CLAIM_LEASE_MS",
        ),
        (
            base().api_url("not a url").build().map(|_| ()),
            "CINETPAY_API_URL / api_url is not a URL",
        ),
        (
            base()
                .reconcile(Duration::from_secs(1), 0)
                .build()
                .map(|_| ()),
            "CINETPAY_RECONCILE_BATCH",
        ),
        (
            base()
                .retry_backoff(Duration::from_secs(10), Duration::from_secs(1))
                .build()
                .map(|_| ()),
            "CINETPAY_RETRY_MAX_MS",
        ),
        (
            base()
                .client_config(ClientConfig::default().with_check_retries(99))
                .build()
                .map(|_| ()),
            "CINETPAY_CHECK_RETRIES / check_retries must be at most 10",
        ),
    ];
    for (result, expected) in cases {
        let e = result.unwrap_err().to_string();
        assert!(
            e.starts_with(expected),
            "{e:?} should start with {expected:?}"
        );
    }
}

#[tokio::test]
async fn the_checkout_builder_names_missing_pieces_and_checks_the_client() {
    let config = CheckoutConfig::builder(credentials(true), PUBLIC_URL)
        .build()
        .unwrap();
    let err = Checkout::builder()
        .config(config.clone())
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Checkout builder: store is missing (call .store(...))"
    );
    let err = Checkout::builder()
        .config(config.clone())
        .store(Arc::new(MemoryStore::new()))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Checkout builder: fulfiller is missing (call .fulfiller(...))"
    );

    let foreign = Client::new(
        Credentials::new(SiteId::new("777").unwrap(), ApiKey::new("k").unwrap(), None),
        ClientConfig::default(),
    )
    .unwrap();
    let err = Checkout::builder()
        .config(config.clone())
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(Shop::new())
        .client(foreign)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("uses site id 777"), "{err}");

    let checkout = Checkout::builder()
        .config(config)
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(Shop::new())
        .clock(Arc::new(ManualClock::starting_now()))
        .build()
        .unwrap();
    let shown = format!("{checkout:?}");
    assert!(
        !shown.contains(API_KEY) && !shown.contains(SECRET_KEY),
        "{shown}"
    );
    assert!(checkout.is_own_path("/cinetpay/notify"));
}
