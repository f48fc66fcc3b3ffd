//! `CinetPay::fairing_with_store`: the store built on ignite from
//! `cinetpay.database_url` or the `[databases.<name>]` entry that
//! `cinetpay.database` names, and the launch errors that name what is wrong.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cinetpay_core::PaymentStore;
use cinetpay_rocket::CinetPay;
use cinetpay_rocket::cinetpay_store::SeaOrmStore;
use rocket::error::ErrorKind;
use rocket::figment::providers::Serialized;
use rocket::local::asynchronous::Client;

use crate::common::{self, Counting, capture_logs, figment};

const SETTINGS: &str = r#"
    [default.cinetpay]
    api_key = "k"
    site_id = 123456
    secret_key = "s"
    api_url = "http://127.0.0.1:9"
    public_url = "https://shop.example"
    fulfil_timeout_ms = 5000
"#;

/// A fulfiller made from the store; says it was.
fn made(flag: &Arc<AtomicBool>) -> CinetPay {
    let flag = flag.clone();
    CinetPay::fairing_with_store(move |_store: &SeaOrmStore| {
        flag.store(true, Ordering::SeqCst);
        Counting::default()
    })
    .without_reconciler()
}

/// The store the fairing built is the checkout's, migrated, and managed.
async fn assert_serves_its_store(client: &Client) {
    let store = client
        .rocket()
        .state::<SeaOrmStore>()
        .expect("the store is managed state")
        .clone();
    let payment = common::pending_payment(&store).await;
    let checkout = CinetPay::checkout(client.rocket()).unwrap();
    let found = checkout.payment(&payment.transaction_id).await.unwrap();
    assert_eq!(found.map(|p| p.order_ref), Some(payment.order_ref));
    assert!(
        checkout
            .store()
            .find_payment(&payment.transaction_id)
            .await
            .unwrap()
            .is_some()
    );
}

#[rocket::async_test]
async fn database_url_in_the_table_gives_the_store() {
    let made_it = Arc::new(AtomicBool::new(false));
    let toml = format!("{SETTINGS}\ndatabase_url = \"sqlite::memory:\"");
    let client = Client::tracked(rocket::custom(figment(&toml)).attach(made(&made_it)))
        .await
        .unwrap();
    assert!(made_it.load(Ordering::SeqCst));
    assert_serves_its_store(&client).await;
}

#[rocket::async_test]
async fn a_named_database_shares_the_url_of_its_databases_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.db");
    let toml = format!(
        "{SETTINGS}\ndatabase = \"shop\"\n[default.databases.shop]\nurl = \"sqlite://{}?mode=rwc\"",
        file.display()
    );
    let made_it = Arc::new(AtomicBool::new(false));
    let client = Client::tracked(rocket::custom(figment(&toml)).attach(made(&made_it)))
        .await
        .unwrap();
    assert_serves_its_store(&client).await;
    assert!(file.exists());
}

#[rocket::async_test]
async fn the_url_may_come_from_rocket_cinetpay_database_url() {
    // What ROCKET_CINETPAY_DATABASE_URL=sqlite::memory: becomes in Rocket's figment.
    let figment = figment(SETTINGS).merge(Serialized::global(
        "cinetpay_database_url",
        "sqlite::memory:",
    ));
    let made_it = Arc::new(AtomicBool::new(false));
    let client = Client::tracked(rocket::custom(figment).attach(made(&made_it)))
        .await
        .unwrap();
    assert_serves_its_store(&client).await;
}

#[rocket::async_test]
async fn an_async_fulfiller_gets_the_store_and_its_error_aborts_the_launch() {
    let toml = format!("{SETTINGS}\ndatabase_url = \"sqlite::memory:\"");
    let fairing = CinetPay::try_fairing_with_store(|store: SeaOrmStore| async move {
        // The fulfiller's own tables would be created here, on the store's connection.
        store
            .connection()
            .ping()
            .await
            .map(|()| Counting::default())
            .map_err(|e| e.to_string())
    });
    let client =
        Client::tracked(rocket::custom(figment(&toml)).attach(fairing.without_reconciler()))
            .await
            .unwrap();
    assert_serves_its_store(&client).await;

    let (logs, _guard) = capture_logs();
    let failing = CinetPay::try_fairing_with_store(|_store: SeaOrmStore| async {
        Err::<Counting, _>("the orders table cannot be created")
    });
    let error = Client::tracked(rocket::custom(figment(&toml)).attach(failing))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::FailedFairings(_)));
    let logs = logs.text();
    assert!(
        logs.contains("CinetPay: the fulfiller cannot be made: the orders table cannot be created"),
        "{logs}"
    );
}

/// What the launch error says for `toml`.
async fn ignite_error(toml: &str) -> String {
    let (logs, _guard) = capture_logs();
    let flag = Arc::new(AtomicBool::new(false));
    let error = Client::tracked(rocket::custom(figment(toml)).attach(made(&flag)))
        .await
        .unwrap_err();
    match error.kind() {
        ErrorKind::FailedFairings(failed) => assert_eq!(failed[0].name, "CinetPay"),
        other => panic!("expected a failed fairing, got {other:?}"),
    }
    assert!(!flag.load(Ordering::SeqCst), "no fulfiller without a store");
    logs.text()
}

#[rocket::async_test]
async fn a_missing_or_unusable_database_aborts_the_launch_and_says_which() {
    let logs = ignite_error(SETTINGS).await;
    assert!(
        logs.contains("CinetPay store: `cinetpay.database_url` is missing (set `database_url`"),
        "{logs}"
    );

    let logs = ignite_error(&format!("{SETTINGS}\ndatabase = \"orders\"")).await;
    assert!(
        logs.contains("CinetPay store: `databases.orders.url` is missing"),
        "{logs}"
    );

    let both = format!("{SETTINGS}\ndatabase = \"orders\"\ndatabase_url = \"sqlite::memory:\"");
    let logs = ignite_error(&both).await;
    assert!(
        logs.contains("set one of `cinetpay.database_url` and `cinetpay.database`"),
        "{logs}"
    );

    let empty = format!("{SETTINGS}\ndatabase_url = \"\"");
    let logs = ignite_error(&empty).await;
    assert!(
        logs.contains("`cinetpay.database_url` must be a non-empty string"),
        "{logs}"
    );

    // Nothing listens on port 1 (or this build has no PostgreSQL driver):
    // the URL is named, its password is not.
    let down = format!("{SETTINGS}\ndatabase_url = \"postgres://shop:hunter2@127.0.0.1:1/none\"");
    let logs = ignite_error(&down).await;
    assert!(
        logs.contains(
            "CinetPay store: cannot connect to postgres://shop:***@127.0.0.1:1/none \
             (from `cinetpay.database_url`)"
        ),
        "{logs}"
    );
    assert!(!logs.contains("hunter2"), "{logs}");

    let unknown = format!("{SETTINGS}\ndatabase_url = \"oracle://db\"");
    let logs = ignite_error(&unknown).await;
    assert!(
        logs.contains("expected a sqlite:, postgres: or mysql: URL"),
        "{logs}"
    );
}

#[rocket::async_test]
async fn the_engine_settings_stay_strict_beside_the_store_keys() {
    let typo = format!("{SETTINGS}\ndatabase_url = \"sqlite::memory:\"\nsit_id = 1");
    let logs = ignite_error(&typo).await;
    assert!(logs.contains("`cinetpay.sit_id`: unknown field"), "{logs}");
    assert!(logs.contains("(from TOML source string)"), "{logs}");
}

#[rocket::async_test]
async fn a_fairing_given_its_store_warns_about_a_database_url() {
    let (logs, _guard) = capture_logs();
    let toml = format!("{SETTINGS}\ndatabase_url = \"sqlite::memory:\"");
    let store: Arc<dyn PaymentStore> = Arc::new(cinetpay_core::MemoryStore::new());
    let fairing = CinetPay::fairing(store, Arc::new(Counting::default())).without_reconciler();
    let client = Client::tracked(rocket::custom(figment(&toml)).attach(fairing))
        .await
        .unwrap();
    assert!(client.rocket().state::<SeaOrmStore>().is_none());
    let logs = logs.text();
    assert!(
        logs.contains("`cinetpay.database_url` is set but not read"),
        "{logs}"
    );
}
