//! Launch: configuration from the figment, aborts that name the problem, the
//! guard's sentinel, the singleton, and the reconciler's life.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::engine::Checkout;
use cinetpay_core::{MemoryStore, PaymentStore};
use cinetpay_rocket::{CinetPay, CinetPayCheckout};
use rocket::error::ErrorKind;
use rocket::figment::providers::Serialized;
use rocket::http::Status;
use rocket::local::asynchronous::Client;

use crate::common::{self, Counting, capture_logs, figment};

fn fairing() -> CinetPay {
    CinetPay::fairing(Arc::new(MemoryStore::new()), Arc::new(Counting::default()))
}

#[rocket::get("/prefix")]
fn prefix(checkout: CinetPayCheckout<'_>) -> String {
    checkout.config().prefix().to_owned()
}

#[rocket::async_test]
async fn the_fairing_is_configured_from_the_cinetpay_table() {
    let figment = figment(
        r#"
        [default.cinetpay]
        api_key = "api-key"
        site_id = 123456
        public_url = "https://shop.example"
        api_url = "http://127.0.0.1:9"
        prefix = "/payments"
        "#,
    )
    // What ROCKET_CINETPAY_BODY_LIMIT=5000 becomes in Rocket's figment.
    .merge(Serialized::global("cinetpay_body_limit", 5000));
    let rocket = rocket::custom(figment)
        .attach(fairing())
        .mount("/", rocket::routes![prefix]);
    let client = Client::tracked(rocket).await.unwrap();
    let checkout = CinetPay::checkout(client.rocket()).unwrap();
    assert_eq!(checkout.body_limit(), 5000);
    assert_eq!(
        checkout.config().notify_url().as_str(),
        "https://shop.example/payments/notify"
    );
    let answer = client.get("/prefix").dispatch().await;
    assert_eq!(answer.into_string().await.unwrap(), "/payments");
    assert_eq!(
        client.get("/payments/notify").dispatch().await.status(),
        Status::Ok
    );
    client.terminate().await;
}

#[rocket::async_test]
async fn a_missing_or_bad_setting_aborts_the_launch_and_names_it() {
    let cases = [
        (
            "[default.cinetpay]\napi_key = \"k\"\npublic_url = \"https://shop.example\"",
            "`cinetpay.site_id` is missing",
        ),
        ("", "`cinetpay.api_key` is missing"),
        (
            "[default.cinetpay]\napi_key = \"k\"\nsite_id = 1\nsecret_key = \"s\"\npublic_url = \"https://shop.example\"\nprefix = \"pay/\"",
            "`cinetpay.prefix` must start with '/'",
        ),
        (
            "[default.cinetpay]\napi_key = \"k\"\nsite_id = 1\npublic_url = \"https://shop.example\"",
            "`cinetpay.secret_key` is missing: without it anyone can send notifications",
        ),
        (
            "[default.cinetpay]\napi_key = \"k\"\nsite_id = \"abc\"\nsecret_key = \"s\"\npublic_url = \"https://shop.example\"",
            "`cinetpay.site_id` must be CinetPay's numeric site id",
        ),
        (
            "[default.cinetpay]\napi_key = \"k\"\nsit_id = 1",
            "`cinetpay.sit_id`: unknown field",
        ),
    ];
    for (toml, expected) in cases {
        let (logs, _guard) = capture_logs();
        let rocket = rocket::custom(figment(toml)).attach(fairing());
        let error = Client::tracked(rocket).await.unwrap_err();
        match error.kind() {
            ErrorKind::FailedFairings(failed) => {
                assert_eq!(failed.len(), 1);
                assert_eq!(failed[0].name, "CinetPay");
            }
            other => panic!("expected a failed fairing, got {other:?}"),
        }
        let logs = logs.text();
        assert!(logs.contains("ERROR"), "{logs}");
        assert!(logs.contains(expected), "{expected} in {logs}");
    }
}

#[rocket::async_test]
async fn the_guard_aborts_the_launch_without_the_fairing() {
    let (logs, _guard) = capture_logs();
    let rocket =
        rocket::custom(rocket::Config::debug_default()).mount("/", rocket::routes![prefix]);
    let error = Client::tracked(rocket).await.unwrap_err();
    match error.kind() {
        ErrorKind::SentinelAborts(sentries) => {
            assert!(
                sentries
                    .iter()
                    .any(|s| s.type_name.contains("CinetPayCheckout")),
                "{sentries:?}"
            );
        }
        other => panic!("expected a sentinel abort, got {other:?}"),
    }
    assert!(logs.text().contains("CinetPay fairing is not attached"));

    let with_fairing = rocket::custom(rocket::Config::debug_default())
        .mount("/", rocket::routes![prefix])
        .attach(CinetPay::from_checkout(common::checkout("/cinetpay", 4096)).without_reconciler());
    let client = Client::tracked(with_fairing).await.unwrap();
    let answer = client.get("/prefix").dispatch().await;
    assert_eq!(answer.into_string().await.unwrap(), "/cinetpay");
}

#[rocket::async_test]
async fn attached_twice_only_the_last_fairing_is_used() {
    let a = common::checkout("/a", 4096);
    let b = common::checkout("/b", 4096);
    // a, b, then a again: the same routes twice would collide and fail the launch.
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(CinetPay::from_checkout(a.clone()).without_reconciler())
        .attach(CinetPay::from_checkout(b).without_reconciler())
        .attach(CinetPay::from_checkout(a).without_reconciler());
    let client = Client::tracked(rocket).await.unwrap();
    assert_eq!(client.rocket().routes().count(), 3);
    assert_eq!(
        client.get("/a/notify").dispatch().await.status(),
        Status::Ok
    );
    assert_eq!(
        client.get("/b/notify").dispatch().await.status(),
        Status::NotFound
    );
}

async fn deliveries_after(fulfiller: &Counting, wait: Duration) -> usize {
    tokio::time::sleep(wait).await;
    fulfiller.count()
}

fn checkout_for(store: Arc<dyn PaymentStore>, fulfiller: Arc<Counting>) -> Checkout {
    common::checkout_with(common::config("/cinetpay", 4096), store, fulfiller)
}

#[rocket::async_test]
async fn the_reconciler_runs_from_liftoff_to_shutdown() {
    let store: Arc<dyn PaymentStore> = Arc::new(MemoryStore::new());
    let fulfiller = Arc::new(Counting::default());
    // A delivery is owed before the app starts; nobody calls any route.
    common::owed_payment(store.as_ref()).await;
    let checkout = checkout_for(store.clone(), fulfiller.clone());
    let rocket =
        rocket::custom(rocket::Config::debug_default()).attach(CinetPay::from_checkout(checkout));
    let ignited = rocket.ignite().await.unwrap();
    assert_eq!(
        deliveries_after(&fulfiller, Duration::from_millis(150)).await,
        0,
        "nothing runs before liftoff"
    );
    let client = Client::tracked(ignited).await.unwrap();
    let started = deliveries_after(&fulfiller, Duration::from_millis(300)).await;
    assert!(started >= 1, "the reconciler retried the owed delivery");
    client.terminate().await;
    let stopped = fulfiller.count();
    // Another owed delivery after shutdown: nobody picks it up any more.
    common::owed_payment(store.as_ref()).await;
    assert_eq!(
        deliveries_after(&fulfiller, Duration::from_millis(300)).await,
        stopped
    );
}

#[rocket::async_test]
async fn without_reconciler_nothing_runs_in_the_background() {
    let store: Arc<dyn PaymentStore> = Arc::new(MemoryStore::new());
    let fulfiller = Arc::new(Counting::default());
    common::owed_payment(store.as_ref()).await;
    let checkout = checkout_for(store, fulfiller.clone());
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(CinetPay::from_checkout(checkout).without_reconciler());
    let client = Client::tracked(rocket).await.unwrap();
    assert_eq!(
        deliveries_after(&fulfiller, Duration::from_millis(300)).await,
        0
    );
    client.terminate().await;
}

/// A client that sends part of its body and then nothing is answered `408`
/// once the engine's body read timeout has passed, on a real server. (Rocket
/// itself first waits for the body's first 14 bytes, with no time limit,
/// before any fairing or handler runs: see the crate docs.)
#[rocket::async_test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    use rocket::tokio::io::{AsyncReadExt, AsyncWriteExt};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let figment = figment(
        r#"
        [default]
        address = "127.0.0.1"
        log_level = "off"
        [default.cinetpay]
        api_key = "k"
        site_id = 123456
        secret_key = "s"
        api_url = "http://127.0.0.1:9"
        public_url = "https://shop.example"
        body_read_timeout_ms = 300
        "#,
    )
    .merge(Serialized::default("port", port));
    let rocket = rocket::custom(figment)
        .attach(fairing())
        .ignite()
        .await
        .unwrap();
    let shutdown = rocket.shutdown();
    let server = rocket::tokio::spawn(rocket.launch());
    let mut stream = loop {
        match rocket::tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(stream) => break stream,
            Err(_) => rocket::tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let started = std::time::Instant::now();
    stream
        .write_all(
            b"POST /cinetpay/notify HTTP/1.1\r\nHost: shop\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncpm_site_id=123456&cpm_tr",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = rocket::tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 1024];
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "an answer within 5 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    shutdown.notify();
    let _ = server.await;
}
