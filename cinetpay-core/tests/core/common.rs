//! Shared harness of the engine tests: a wiremock CinetPay, a MemoryStore, a
//! scripted shop (fulfiller) and a manual clock.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutSettings, ManualClock};
use cinetpay_core::protocol::{Notification, sign};
use cinetpay_core::{
    Amount, ApiKey, Credentials, Currency, DeliveryRecord, MemoryStore, Money, OrderFulfiller,
    OrderRef, Payment, PaymentStatus, PaymentStore, QuoteError, SecretKey, SiteId, TransactionId,
};
use http::{Request, Response};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockGuard, MockServer, Request as WireRequest, Respond, ResponseTemplate};

pub const SITE_ID: &str = "123456";
pub const API_KEY: &str = "api-key-SHOULD-NEVER-SHOW-1111";
pub const SECRET_KEY: &str = "secret-key-SHOULD-NEVER-SHOW-2222";
pub const PUBLIC_URL: &str = "https://shop.example";
pub const PAGE_BASE: &str = "https://checkout.cinetpay.example/pay/";

pub use cinetpay_testing::{Act, ScriptedFulfiller as Shop, TestNotification};

pub fn xof(amount: i64) -> Money {
    Money::new(Amount::new(amount).unwrap(), Currency::Xof)
}

/// The engine tests' merchant: every order `ord-*` costs 1000 XOF;
/// `missing` is unknown, `closed` not payable, `down` unavailable.
pub fn shop() -> Arc<Shop> {
    let shop = Shop::new();
    shop.quote_with("missing", Err(QuoteError::NotFound));
    shop.quote_with("closed", Err(QuoteError::NotPayable("already paid".into())));
    shop.quote_with(
        "down",
        Err(QuoteError::Unavailable("orders database down".into())),
    );
    shop
}

/// Answers `/v2/payment` with a page named after the transaction id.
struct InitResponder;

impl Respond for InitResponder {
    fn respond(&self, request: &WireRequest) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let id = body["transaction_id"].as_str().unwrap_or("none").to_owned();
        ResponseTemplate::new(200).set_body_json(json!({
            "code": "201",
            "message": "CREATED",
            "description": "Transaction created with success",
            "data": { "payment_token": format!("tok-{id}"), "payment_url": format!("{PAGE_BASE}{id}") },
            "api_response_id": "1663323067.7677"
        }))
    }
}

/// How to build the engine under test.
#[derive(Clone)]
pub struct Options {
    pub secret: bool,
    pub fulfil_timeout: Duration,
    pub claim_lease: Duration,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// `poll_after`; `None`: polling off.
    pub poll_after: Option<Duration>,
    pub min_check_interval: Duration,
    pub reconcile_interval: Duration,
    pub return_to: Option<&'static str>,
    pub api_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            secret: true,
            fulfil_timeout: Duration::from_millis(500),
            claim_lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(60),
            poll_after: None,
            min_check_interval: Duration::ZERO,
            reconcile_interval: Duration::from_secs(60),
            return_to: None,
            api_url: None,
        }
    }
}

pub struct Harness {
    pub server: MockServer,
    pub store: MemoryStore,
    pub shop: Arc<Shop>,
    pub clock: Arc<ManualClock>,
    pub checkout: Checkout,
    pub options: Options,
}

pub fn credentials(secret: bool) -> Credentials {
    Credentials::new(
        SiteId::new(SITE_ID).unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        secret.then(|| SecretKey::new(SECRET_KEY).unwrap()),
    )
}

impl Harness {
    pub async fn new() -> Self {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/payment"))
            .respond_with(InitResponder)
            .mount(&server)
            .await;
        let clock = Arc::new(ManualClock::starting_now());
        // The store measures leases on the test's clock, which the tests move.
        let store = MemoryStore::with_clock(clock.clone());
        let shop = shop();
        let checkout = Self::engine(&server, &store, &shop, &clock, &options);
        Harness {
            server,
            store,
            shop,
            clock,
            checkout,
            options,
        }
    }

    /// Another engine ("instance") on the same store, CinetPay and shop.
    pub fn another_instance(&self) -> Checkout {
        Self::engine(
            &self.server,
            &self.store,
            &self.shop,
            &self.clock,
            &self.options,
        )
    }

    /// Another engine on the same CinetPay and shop, over `store`.
    pub fn engine_over(&self, store: Arc<dyn PaymentStore>) -> Checkout {
        Self::build_engine(&self.server, store, &self.shop, &self.clock, &self.options)
    }

    /// An engine over `store` with its own `clock`.
    pub fn engine_on(&self, store: Arc<dyn PaymentStore>, clock: Arc<ManualClock>) -> Checkout {
        Self::build_engine(&self.server, store, &self.shop, &clock, &self.options)
    }

    /// An engine over the harness's store with another fulfiller.
    pub fn engine_with_fulfiller(&self, fulfiller: Arc<dyn OrderFulfiller>) -> Checkout {
        Self::build_with(
            &self.server,
            Arc::new(self.store.clone()),
            fulfiller,
            &self.clock,
            &self.options,
        )
    }

    fn engine(
        server: &MockServer,
        store: &MemoryStore,
        shop: &Arc<Shop>,
        clock: &Arc<ManualClock>,
        o: &Options,
    ) -> Checkout {
        Self::build_engine(server, Arc::new(store.clone()), shop, clock, o)
    }

    fn build_engine(
        server: &MockServer,
        store: Arc<dyn PaymentStore>,
        shop: &Arc<Shop>,
        clock: &Arc<ManualClock>,
        o: &Options,
    ) -> Checkout {
        Self::build_with(server, store, shop.clone(), clock, o)
    }

    fn build_with(
        server: &MockServer,
        store: Arc<dyn PaymentStore>,
        fulfiller: Arc<dyn OrderFulfiller>,
        clock: &Arc<ManualClock>,
        o: &Options,
    ) -> Checkout {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap();
        let mut settings = CheckoutSettings {
            api_key: Some(API_KEY.to_owned()),
            site_id: Some(SITE_ID.to_owned()),
            secret_key: o.secret.then(|| SECRET_KEY.to_owned()),
            api_url: Some(o.api_url.clone().unwrap_or_else(|| server.uri())),
            public_url: Some(PUBLIC_URL.to_owned()),
            fulfil_timeout_ms: ms(o.fulfil_timeout),
            claim_lease_ms: ms(o.claim_lease),
            fulfil_retry_base_ms: ms(o.retry_base),
            fulfil_retry_max_ms: ms(o.retry_max),
            poll_after_ms: o.poll_after.map_or(0, ms),
            min_check_interval_ms: ms(o.min_check_interval),
            reconcile_interval_ms: ms(o.reconcile_interval),
            http_connect_timeout_ms: 2_000,
            http_timeout_ms: 5_000,
            check_retries: 0,
            ..CheckoutSettings::default()
        };
        if let Some(t) = o.return_to {
            settings.return_to = t.to_owned();
        }
        Checkout::builder()
            .config(settings.into_config().unwrap())
            .store(store)
            .fulfiller(fulfiller)
            .clock(clock.clone())
            .build()
            .unwrap()
    }

    /// Starts a payment for `order` through the engine; returns its id.
    pub async fn start(&self, order: &str) -> TransactionId {
        self.checkout
            .start_payment(&OrderRef::new(order).unwrap())
            .await
            .unwrap()
            .transaction_id
    }

    /// The whole delivery log, once every queued line is stored.
    pub async fn log(&self) -> Vec<DeliveryRecord> {
        self.checkout.flush_delivery_log().await;
        self.store.all_deliveries()
    }

    pub async fn payment(&self, id: &TransactionId) -> Payment {
        self.checkout.payment(id).await.unwrap().unwrap()
    }

    pub async fn status(&self, id: &TransactionId) -> PaymentStatus {
        self.payment(id).await.status
    }

    /// Makes `/v2/payment/check` for `id` answer `body` until the guard drops.
    pub async fn check_answers(&self, id: &TransactionId, body: Value) -> MockGuard {
        Mock::given(method("POST"))
            .and(path("/v2/payment/check"))
            .and(body_partial_json(json!({ "transaction_id": id.as_str() })))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount_as_scoped(&self.server)
            .await
    }

    /// Makes `/v2/payment/check` answer HTTP `status` until the guard drops.
    /// Mocks match in registration order: mount it while no other check
    /// answer is mounted. (No priorities: wiremock 0.6 sorts its mocks by
    /// priority and then unmounts scoped mocks by their old index.)
    pub async fn check_fails(&self, status: u16) -> MockGuard {
        Mock::given(method("POST"))
            .and(path("/v2/payment/check"))
            .respond_with(ResponseTemplate::new(status).set_body_string("upstream down"))
            .mount_as_scoped(&self.server)
            .await
    }

    pub async fn calls_to(&self, p: &str) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == p)
            .count()
    }

    pub async fn check_calls(&self) -> usize {
        self.calls_to("/v2/payment/check").await
    }

    pub async fn init_calls(&self) -> usize {
        self.calls_to("/v2/payment").await
    }

    /// The JSON bodies CinetPay received at `/v2/payment`.
    pub async fn init_bodies(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == "/v2/payment")
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    /// A correctly signed notification for `id` (as CinetPay would send it).
    pub async fn notify(&self, id: &TransactionId) -> Response<Bytes> {
        let n = notification(id.as_str(), SITE_ID);
        let token = sign(&SecretKey::new(SECRET_KEY).unwrap(), &n);
        self.checkout.handle(notify_request(&n, Some(&token))).await
    }

    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.checkout.handle(request).await
    }
}

/// The 16 documented fields of a notification for `id`.
pub fn notification(id: &str, site: &str) -> Notification {
    notification_with(id, site, &[])
}

/// Same, with some fields replaced.
pub fn notification_with(id: &str, site: &str, overrides: &[(&str, &str)]) -> Notification {
    let base = TestNotification::success(site, id)
        .with("cpm_trans_date", "2024-01-15 10:30:00")
        .with("signature", "abc123")
        .with("cpm_custom", "ord-1")
        .with("cpm_designation", "Commande test");
    overrides
        .iter()
        .filter(|(k, _)| base.get(k).is_some())
        .fold(base.clone(), |n, (k, v)| n.with(k, *v))
        .notification()
        .unwrap()
}

pub fn signed(n: &Notification) -> String {
    sign(&SecretKey::new(SECRET_KEY).unwrap(), n)
}

pub fn notify_request(n: &Notification, token: Option<&str>) -> Request<Bytes> {
    let mut b = Request::post("/cinetpay/notify")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(t) = token {
        b = b.header("x-token", t);
    }
    b.body(Bytes::from(n.to_form())).unwrap()
}

pub fn post_form(uri: &str, body: &str) -> Request<Bytes> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

pub fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri).body(Bytes::new()).unwrap()
}

pub fn body_text(r: &Response<Bytes>) -> String {
    String::from_utf8_lossy(r.body()).into_owned()
}

pub fn location(r: &Response<Bytes>) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A check answer: `00`/`ACCEPTED` for `amount` `currency`.
pub fn accepted(amount: &str, currency: &str) -> Value {
    json!({
        "code": "00",
        "message": "SUCCES",
        "data": {
            "amount": amount, "currency": currency, "status": "ACCEPTED",
            "payment_method": "OM", "description": "Commande test", "metadata": "ord-1",
            "operator_id": "MP220915.2257.A76307", "payment_date": "2022-09-15 22:57:15",
            "fund_availability_date": "2022-09-17 00:00:00"
        },
        "api_response_id": "1663323067.7677"
    })
}

/// A check answer with `code`, `message` and `status` (no payment date).
pub fn answer(code: &str, message: &str, status: &str) -> Value {
    json!({
        "code": code,
        "message": message,
        "data": {
            "amount": "1000", "currency": "XOF", "status": status,
            "payment_method": "OM", "operator_id": null, "payment_date": " ",
            "fund_availability_date": "2022-09-17 00:00:00"
        },
        "api_response_id": "1663323067.7677"
    })
}

pub fn waiting() -> Value {
    answer("662", "WAITING_CUSTOMER_PAYMENT", "WAITING_FOR_CUSTOMER")
}

pub fn refused() -> Value {
    answer("600", "PAYMENT_FAILED", "REFUSED")
}

pub fn cancelled() -> Value {
    answer("627", "TRANSACTION_CANCEL", "REFUSED")
}

/// Every log line of this test binary, every test, thread and crate (the
/// `log` crate bridged), at TRACE with span open and close events: captured
/// by the one global subscriber, installed by the first caller.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// The capture (installed on first use).
    pub fn global() -> &'static Logs {
        static LOGS: OnceLock<Logs> = OnceLock::new();
        LOGS.get_or_init(|| {
            let logs = Logs::default();
            let writer = logs.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_span_events(
                    tracing_subscriber::fmt::format::FmtSpan::NEW
                        | tracing_subscriber::fmt::format::FmtSpan::CLOSE,
                )
                .with_writer(move || writer.clone())
                .try_init()
                .expect("the binary's only global subscriber");
            logs
        })
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
