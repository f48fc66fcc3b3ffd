//! Configuration: the environment and figment-style tables read into the one
//! settings type, and errors that name the setting by key and variable.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use super::common::*;
use cinetpay_core::engine::{Checkout, CheckoutSettings, ManualClock};
use cinetpay_core::{ApiKey, Client, ClientConfig, Credentials, MemoryStore, SiteId};

fn env(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars = vars.to_vec();
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn base() -> CheckoutSettings {
    CheckoutSettings {
        api_key: Some(API_KEY.to_owned()),
        site_id: Some(SITE_ID.to_owned()),
        secret_key: Some(SECRET_KEY.to_owned()),
        public_url: Some(PUBLIC_URL.to_owned()),
        ..CheckoutSettings::default()
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
        ("CINETPAY_BODY_READ_TIMEOUT_MS", "2500"),
        ("CINETPAY_CHANNELS", "MOBILE_MONEY"),
        ("CINETPAY_LANG", "en"),
        ("CINETPAY_FULFIL_TIMEOUT_MS", "1000"),
        ("CINETPAY_CLAIM_LEASE_MS", "5000"),
        ("CINETPAY_FULFIL_RETRY_BASE_MS", "100"),
        ("CINETPAY_FULFIL_RETRY_MAX_MS", "1000"),
        ("CINETPAY_RECONCILE_INTERVAL_MS", "250"),
        ("CINETPAY_RECONCILE_BATCH", "7"),
        ("CINETPAY_POLL_AFTER_MS", "900000"),
        ("CINETPAY_POLL_WINDOW_MS", "86400000"),
        ("CINETPAY_MIN_CHECK_INTERVAL_MS", "2000"),
        ("CINETPAY_CHECK_RETRIES", "1"),
        ("CINETPAY_CHECK_RETRY_BASE_MS", "50"),
        ("CINETPAY_CHECK_RETRY_MAX_MS", "400"),
        ("CINETPAY_HTTP_TIMEOUT_MS", "3000"),
        ("CINETPAY_HTTP_CONNECT_TIMEOUT_MS", "700"),
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
    assert_eq!(c.body_read_timeout(), Duration::from_millis(2500));
    assert_eq!(c.channels(), cinetpay_core::Channels::MobileMoney);
    assert_eq!(c.fulfil_timeout(), Duration::from_secs(1));
    assert_eq!(c.claim_lease(), Duration::from_secs(5));
    assert_eq!(c.retry_delay(10), Duration::from_secs(1));
    assert_eq!(c.reconcile_interval(), Duration::from_millis(250));
    assert_eq!(c.reconcile_batch(), 7);
    let polling = c.polling().unwrap();
    assert_eq!(polling.after, Duration::from_secs(900));
    assert_eq!(polling.window, Duration::from_secs(86_400));
    assert_eq!(c.min_check_interval(), Duration::from_secs(2));
    let client = c.account().client_config();
    assert_eq!(client.check_retries, 1);
    assert_eq!(client.check_retry_base, Duration::from_millis(50));
    assert_eq!(client.check_retry_max, Duration::from_millis(400));
    assert_eq!(client.timeout, Duration::from_secs(3));
    assert_eq!(client.connect_timeout, Duration::from_millis(700));
    assert_eq!(client.base_url.as_str(), "http://127.0.0.1:9999/");
    assert!(c.account().v2_credentials().unwrap().secret_key.is_some());
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
        "secret_key": SECRET_KEY,
        "public_url": "https://shop.example",
        "fulfil_timeout_ms": 30000
    }))
    .unwrap();
    let c = settings.into_config().unwrap();
    assert_eq!(c.prefix(), "/cinetpay");
    assert_eq!(c.body_limit(), 16384);
    assert_eq!(c.fulfil_timeout(), Duration::from_secs(30));
    assert_eq!(
        c.account().v2_credentials().unwrap().site_id.as_str(),
        SITE_ID
    );
    assert!(c.polling().is_some(), "polling is on by default");
}

#[test]
fn bad_settings_fail_at_start_up_naming_the_setting() {
    let with = |change: fn(&mut CheckoutSettings)| {
        let mut s = base();
        change(&mut s);
        s.into_config().unwrap_err().to_string()
    };
    type Case = (fn(&mut CheckoutSettings), &'static str);
    let cases: [Case; 15] = [
        (
            |s| s.public_url = Some("ftp://shop.example".into()),
            "CINETPAY_PUBLIC_URL / public_url must be an http or https URL",
        ),
        (
            |s| s.public_url = Some("https://shop.example/?a=1".into()),
            "CINETPAY_PUBLIC_URL / public_url must not have a query",
        ),
        (
            |s| s.prefix = "/cinetpay/".into(),
            "CINETPAY_PREFIX / prefix must not end with '/'",
        ),
        (
            |s| s.prefix = "cinetpay".into(),
            "CINETPAY_PREFIX / prefix must start with '/'",
        ),
        (
            |s| s.return_to = "/o/{id}".into(),
            "CINETPAY_RETURN_TO / return_to has an unknown placeholder {id}",
        ),
        (
            |s| s.return_to = "//evil.example/{order_ref}".into(),
            "CINETPAY_RETURN_TO",
        ),
        (
            |s| s.return_fallback = "https://shop.example/{status}".into(),
            "CINETPAY_RETURN_FALLBACK",
        ),
        (
            |s| s.body_limit = 100,
            "CINETPAY_BODY_LIMIT / body_limit is 100 bytes",
        ),
        (
            |s| {
                s.fulfil_timeout_ms = 10_000;
                s.claim_lease_ms = 10_000;
            },
            "CINETPAY_FULFIL_TIMEOUT_MS / fulfil_timeout_ms (10000 ms) must be shorter than claim_lease_ms",
        ),
        (
            |s| s.api_url = Some("not a url".into()),
            "CINETPAY_API_URL / api_url is not a URL",
        ),
        (|s| s.reconcile_batch = 0, "CINETPAY_RECONCILE_BATCH"),
        (
            |s| {
                s.fulfil_retry_base_ms = 10_000;
                s.fulfil_retry_max_ms = 1_000;
            },
            "CINETPAY_FULFIL_RETRY_MAX_MS",
        ),
        (
            |s| s.check_retries = 99,
            "CINETPAY_CHECK_RETRIES / check_retries is 99, at most 10",
        ),
        (
            |s| s.site_id = Some("abc".into()),
            "CINETPAY_SITE_ID / site_id must be CinetPay's numeric site id",
        ),
        (
            |s| s.init_abandoned_after_ms = 5_000,
            "CINETPAY_INIT_ABANDONED_AFTER_MS / init_abandoned_after_ms (5000 ms) must be at least http_timeout_ms + 1 s",
        ),
    ];
    for (change, expected) in cases {
        let e = with(change);
        assert!(
            e.starts_with(expected),
            "{e:?} should start with {expected:?}"
        );
    }
}

#[tokio::test]
async fn the_checkout_builder_names_missing_pieces_and_checks_the_client() {
    let config = base().into_config().unwrap();
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
