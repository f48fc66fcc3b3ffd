//! Secrets never in `Debug`, logs or errors (invariant 8, docs/design.md) over a whole run: a shop on a real HTTP server, the engine over
//! a `MemoryStore`, the local CinetPay (`cinetpay-sandbox`) with distinctive
//! credentials, and every log record of every crate captured at TRACE
//! (`log` records too). The run goes through init, payment, notifications
//! (a bad x-token, a foreign site id, a failing check, a failing fulfilment),
//! returns, a store outage, reconciliation and configuration errors. Neither
//! the API key nor the secret key may appear in any log line, any answer body
//! or `Location`, any error, or the `Debug` of any value the run touched.
#![allow(clippy::unwrap_used)]

use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::protocol::{Notification, sign};
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, Credentials, Currency, Description, FulfilError,
    MemoryStore, Money, OrderFulfiller, OrderQuote, OrderRef, Payment, PaymentStatus, QuoteError,
    SecretKey, SiteId, TransactionId,
};
use cinetpay_sandbox::{CheckFaults, Operator, Sandbox, Scenario};

use super::common::Logs;

const SITE_ID: &str = "987654";
const API_KEY: &str = "apikey-WHOLE-RUN-6b0f3a91c2";
const SECRET_KEY: &str = "secret-WHOLE-RUN-d41e77f05a";

/// Everything the run showed: answers, errors, `Debug` output.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn debug(&mut self, what: &str, value: &impl Debug) {
        self.0
            .push_str(&format!("\n-- {what}: {value:?}\n{value:#?}"));
    }

    fn error(&mut self, what: &str, e: &impl std::error::Error) {
        self.0.push_str(&format!("\n-- {what}: {e} / {e:?}"));
        let mut source = e.source();
        while let Some(s) = source {
            self.0.push_str(&format!(" / caused by {s} / {s:?}"));
            source = s.source();
        }
    }

    /// Sends a request to the shop and keeps its status, headers and body.
    async fn send(&mut self, what: &str, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        self.0.push_str(&format!(
            "\n-- {what}: {status} {headers} {location:?} {body}"
        ));
        Answer {
            status,
            location,
            body,
        }
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

/// Sells every order at 1000 XOF but `missing` (unknown) and `down` (its
/// database is down); the first delivery of `ord-2` fails.
#[derive(Default)]
struct Shop {
    delivered: Mutex<Vec<String>>,
    attempts_ord2: AtomicU32,
}

#[async_trait]
impl OrderFulfiller for Shop {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        match order.as_str() {
            "missing" => Err(QuoteError::NotFound),
            "down" => Err(QuoteError::Unavailable("orders database down".into())),
            other => Ok(OrderQuote::new(
                Money::new(Amount::new(1000).unwrap(), Currency::Xof),
                Description::new(format!("Commande {other}")).unwrap(),
            )),
        }
    }

    async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        if payment.order_ref.as_str() == "ord-2"
            && self.attempts_ord2.fetch_add(1, Ordering::SeqCst) == 0
        {
            return Err(FulfilError::new("warehouse offline"));
        }
        self.delivered
            .lock()
            .unwrap()
            .push(payment.order_ref.to_string());
        Ok(())
    }
}

/// The shop's HTTP server: every request goes to the engine.
async fn serve(listener: tokio::net::TcpListener, checkout: Checkout) {
    async fn route(
        axum::extract::State(checkout): axum::extract::State<Checkout>,
        request: axum::extract::Request,
    ) -> axum::response::Response {
        let (parts, body) = request.into_parts();
        let response = match axum::body::to_bytes(body, checkout.body_limit()).await {
            Ok(bytes) => {
                checkout
                    .handle(http::Request::from_parts(parts, bytes))
                    .await
            }
            Err(_) => checkout.payload_too_large(),
        };
        response.map(axum::body::Body::from)
    }
    let app = axum::Router::new().fallback(route).with_state(checkout);
    axum::serve(listener, app).await.unwrap();
}

fn notification(fields: &[(&str, &str)]) -> Notification {
    Notification::from_pairs(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .unwrap()
}

fn fields_for(tx: &str, site: &str) -> Vec<(&'static str, String)> {
    vec![
        ("cpm_site_id", site.to_owned()),
        ("cpm_trans_id", tx.to_owned()),
        ("cpm_amount", "1000".to_owned()),
        ("cpm_currency", "XOF".to_owned()),
        ("cpm_error_message", "SUCCES".to_owned()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_shows_anywhere_in_a_whole_run() {
    let logs = Logs::global();
    let mut seen = Seen::default();
    let sandbox = Sandbox::builder()
        .site_id(SITE_ID)
        .api_key(API_KEY)
        .secret_key(SECRET_KEY)
        .notify_timeout(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop_url = format!("http://{}", listener.local_addr().unwrap());

    // Configuration as a merchant writes it (a config table), then the engine.
    let settings: CheckoutSettings = serde_json::from_value(serde_json::json!({
        "api_key": API_KEY,
        "site_id": SITE_ID,
        "secret_key": SECRET_KEY,
        "api_url": sandbox.url().as_str(),
        "public_url": shop_url,
        "check_retries": 1,
        "http_timeout_ms": 3000,
        "fulfil_retry_base_ms": 50,
        "fulfil_retry_max_ms": 100,
        "poll_after_ms": 1,
    }))
    .unwrap();
    seen.debug("settings", &settings);
    let config = settings.clone().into_config().unwrap();
    seen.debug("config", &config);
    let store = MemoryStore::new();
    let shop = Arc::new(Shop::default());
    let checkout = Checkout::builder()
        .config(config.clone())
        .store(Arc::new(store.clone()))
        .fulfiller(shop.clone())
        .build()
        .unwrap();
    seen.debug("checkout", &checkout);
    seen.debug("client", checkout.client().unwrap());
    seen.debug("credentials", checkout.client().unwrap().credentials());
    seen.debug("client config", checkout.client().unwrap().config());
    seen.debug(
        "config credentials",
        config.account().v2_credentials().unwrap(),
    );
    tokio::spawn(serve(listener, checkout.clone()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let at = |path: &str| format!("{shop_url}{path}");
    let form = |path: &str, body: String| {
        http.post(at(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };

    // ---- init: a page, a JSON client, a few refusals ----
    let a = seen
        .send(
            "init ord-1",
            form("/cinetpay/init", "order_ref=ord-1".into()),
        )
        .await;
    assert_eq!(a.status, 303, "{a:?}");
    let tx1 = sandbox.last_payment().unwrap().transaction_id;
    let a = seen
        .send(
            "init ord-2 json",
            http.post(at("/cinetpay/init"))
                .header("accept", "application/json")
                .json(&serde_json::json!({ "order_ref": "ord-2" })),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let tx2: String = serde_json::from_str::<serde_json::Value>(&a.body).unwrap()["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = seen
        .send(
            "init ord-3",
            form("/cinetpay/init", "order_ref=ord-3".into()),
        )
        .await;
    assert_eq!(a.status, 303, "{a:?}");
    let tx3 = sandbox.last_payment().unwrap().transaction_id;
    for (what, body, status) in [
        ("init missing", "order_ref=missing", 404),
        ("init down", "order_ref=down", 503),
        ("init without order", "amount=5", 400),
    ] {
        let a = seen.send(what, form("/cinetpay/init", body.into())).await;
        assert_eq!(a.status, status, "{what}: {a:?}");
    }
    let a = seen
        .send(
            "init xml",
            http.post(at("/cinetpay/init"))
                .header("content-type", "text/xml")
                .body("<order/>"),
        )
        .await;
    assert_eq!(a.status, 415);

    // ---- a payment, its signed notification and the customer's return ----
    sandbox.pay(&tx1, Operator::OrangeMoney).unwrap();
    let sent = sandbox
        .wait_notifications(&tx1, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(sent.iter().any(|n| n.delivered()), "{sent:?}");
    let token = sandbox.payment(&tx1).unwrap().payment_token;
    let a = seen
        .send(
            "return tx1",
            form(
                "/cinetpay/return",
                format!("transaction_id={tx1}&token={token}"),
            ),
        )
        .await;
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/orders/ord-1?payment=accepted&transaction_id={tx1}").as_str())
    );
    let a = seen
        .send(
            "return unknown",
            http.get(at("/cinetpay/return?transaction_id=cp-nope")),
        )
        .await;
    assert_eq!(a.location.as_deref(), Some("/"));

    // ---- forged notifications: bad, missing, malformed x-token; foreign site ----
    let body = |fields: &[(&str, String)]| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
            .finish()
    };
    let genuine = fields_for(&tx2, SITE_ID);
    for (what, token) in [
        ("bad x-token", Some("00".repeat(32))),
        ("malformed x-token", Some("zz".to_owned())),
        ("no x-token", None),
    ] {
        let mut request = form("/cinetpay/notify", body(&genuine));
        if let Some(t) = token {
            request = request.header("x-token", t);
        }
        let a = seen.send(what, request).await;
        assert_eq!(a.status, 401, "{what}: {a:?}");
    }
    let foreign = fields_for(&tx2, "111111");
    let n = notification(
        &foreign
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    let signed = sign(&SecretKey::new(SECRET_KEY).unwrap(), &n);
    let a = seen
        .send(
            "foreign site",
            form("/cinetpay/notify", body(&foreign)).header("x-token", signed),
        )
        .await;
    assert_eq!(a.status, 403, "{a:?}");
    // The sandbox itself sends tx3's notification with a wrong x-token.
    sandbox
        .set_payment_scenario(&tx3, Some(Scenario::new().bad_x_token(true)))
        .unwrap();
    sandbox.pay(&tx3, Operator::Wave).unwrap();
    let sent = sandbox
        .wait_notifications(&tx3, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(sent.iter().all(|n| n.status == Some(401)), "{sent:?}");

    // ---- a failing check, then a failing delivery, then success ----
    sandbox.set_check_faults(CheckFaults::new().fail_next(50));
    sandbox.pay(&tx2, Operator::MtnMomo).unwrap();
    sandbox
        .wait_notifications(&tx2, Duration::from_secs(10))
        .await
        .unwrap();
    let a = seen
        .send(
            "return tx2, check down",
            http.get(at(&format!("/cinetpay/return?transaction_id={tx2}"))),
        )
        .await;
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/orders/ord-2?payment=pending&transaction_id={tx2}").as_str())
    );
    let id2 = TransactionId::parse(&tx2).unwrap();
    let e = checkout
        .sync(&id2, cinetpay_core::DeliverySource::Return)
        .await
        .unwrap_err();
    seen.error("sync, check down", &e);
    let e = checkout
        .client()
        .unwrap()
        .check_payment(&id2)
        .await
        .unwrap_err();
    seen.error("check down", &e);
    sandbox.set_check_faults(CheckFaults::new());
    let first = sandbox.notify_again(&tx2).await.unwrap();
    assert_eq!(first.status, Some(500), "{first:?}");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = sandbox.notify_again(&tx2).await.unwrap();
    assert_eq!(second.status, Some(200), "{second:?}");
    seen.debug("notifications", &[first, second]);

    // ---- the store goes down ----
    store.set_unavailable(true);
    let again = sandbox.notify_again(&tx1).await.unwrap();
    assert_eq!(again.status, Some(503), "{again:?}");
    let a = seen
        .send(
            "init, store down",
            form("/cinetpay/init", "order_ref=ord-4".into()),
        )
        .await;
    assert_eq!(a.status, 503, "{a:?}");
    let a = seen
        .send(
            "return, store down",
            http.get(at(&format!("/cinetpay/return?transaction_id={tx1}"))),
        )
        .await;
    assert_eq!(a.location.as_deref(), Some("/"));
    match checkout.reconcile_once().await {
        Ok(report) => seen.debug("reconcile, store down", &report),
        Err(e) => seen.error("reconcile, store down", &e),
    }
    let e = checkout
        .start_payment(&OrderRef::new("ord-5").unwrap())
        .await
        .unwrap_err();
    seen.error("start, store down", &e);
    store.set_unavailable(false);

    // ---- reconciliation finds tx3 (its notification was refused) ----
    tokio::time::sleep(Duration::from_millis(10)).await;
    let report = checkout.reconcile_once().await.unwrap();
    seen.debug("reconcile", &report);
    let outcome = checkout
        .sync(
            &TransactionId::parse(&tx3).unwrap(),
            cinetpay_core::DeliverySource::Reconcile,
        )
        .await
        .unwrap();
    seen.debug("sync tx3", &outcome);
    assert_eq!(outcome.status(), Some(PaymentStatus::Accepted));

    // ---- the client's own errors, and configuration errors ----
    match checkout
        .client()
        .unwrap()
        .check_payment(&TransactionId::parse("cp-never-issued").unwrap())
        .await
    {
        Ok(answer) => seen.debug("check unknown", &answer),
        Err(e) => seen.error("check unknown", &e),
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let credentials = Credentials::new(
        SiteId::new(SITE_ID).unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        Some(SecretKey::new(SECRET_KEY).unwrap()),
    );
    seen.debug("credentials", &credentials);
    let unreachable = Client::new(
        credentials.clone(),
        ClientConfig::default()
            .with_base_url(&format!("http://127.0.0.1:{port}"))
            .unwrap()
            .with_check_retries(0),
    )
    .unwrap();
    let e = unreachable.check_payment(&id2).await.unwrap_err();
    seen.error("check unreachable", &e);
    let invalid = ClientConfig::default().with_check_retries(1000);
    let e = Client::new(credentials, invalid).unwrap_err();
    seen.error("client config", &e);
    let mut bad = settings.clone();
    bad.public_url = None;
    seen.error(
        "settings without public_url",
        &bad.into_config().unwrap_err(),
    );
    let mut bad = settings.clone();
    bad.secret_key = Some(format!("{SECRET_KEY} with a space"));
    seen.debug("bad settings", &bad);
    seen.error(
        "settings with a bad secret",
        &bad.into_config().unwrap_err(),
    );
    let mut bad = settings.clone();
    bad.api_key = Some(format!("{API_KEY} {API_KEY}"));
    seen.error(
        "settings with a bad api key",
        &bad.into_config().unwrap_err(),
    );
    let e = Checkout::builder().config(config).build().unwrap_err();
    seen.error("builder", &e);

    // ---- everything the run touched ----
    seen.debug("payments", &store.payments());
    seen.debug("deliveries", &store.all_deliveries());
    seen.debug("sandbox", &*sandbox);
    seen.debug("sandbox payments", &sandbox.payments());
    seen.debug("sandbox notifications", &sandbox.notifications());
    seen.debug("sandbox checks", &sandbox.checks());
    seen.debug("shop deliveries", &shop.delivered.lock().unwrap());
    sandbox.shutdown().await;

    let logged = logs.text();
    if std::env::var_os("SHOW_LOGS").is_some() {
        std::fs::write("/tmp/secrets_run.log", &logged).unwrap();
    }
    let everything = format!("{logged}\n{}", seen.0);
    for (name, secret) in [("api key", API_KEY), ("secret key", SECRET_KEY)] {
        if let Some(at) = everything.find(secret) {
            let from = everything[..at].rfind('\n').unwrap_or(0);
            let to = everything[at..]
                .find('\n')
                .map_or(everything.len(), |i| at + i);
            panic!("the {name} leaked: {}", &everything[from..to]);
        }
    }
    // The run did what it says, and the capture saw it.
    let delivered = shop.delivered.lock().unwrap().clone();
    assert_eq!(delivered, ["ord-1", "ord-2", "ord-3"], "{delivered:?}");
    for expected in [
        "TRACE",
        "bad_x_token",
        "foreign_site_id",
        "warehouse offline",
        "cinetpay_notify",
        "cinetpay_return",
        &tx1,
    ] {
        assert!(
            logged.contains(expected),
            "the logs never show {expected:?}"
        );
    }
    println!(
        "no secret in {} log lines and {} bytes of answers, errors and Debug output",
        logged.lines().count(),
        seen.0.len()
    );
}
