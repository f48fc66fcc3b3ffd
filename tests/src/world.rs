//! [`World`]: one case's sandbox and shop, on ephemeral ports, and the
//! helpers a case uses to act as a customer's browser and to read what
//! happened (the shop's order JSON, the sandbox's records).

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use cinetpay_core::engine::{CheckoutSettings, ReconcileReport};
use cinetpay_core::{Payment, TransactionId};
use cinetpay_sandbox::{
    Decision, Generation, NotificationRecord, Operator, PaymentSnapshot, Sandbox, SandboxHandle,
    Scenario,
};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use serde::Deserialize;
use shop_common::dev::SandboxMode;
use tokio::net::TcpListener;

use crate::adapter::{self, Adapter, Server};
use crate::shop::{ShopOptions, TestShop};
use crate::store::{CaseDatabase, StoreKind};
use cinetpay_testing::TestNotification as Notice;

/// What a browser sends as `Accept` for a page.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
/// How long a case waits for something that should happen within milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How many times the shop's client retries a failed check (so a check is
/// tried `CHECK_RETRIES + 1` times per sync).
pub const CHECK_RETRIES: u32 = 3;
/// The product most cases buy: `1000 XOF`.
pub const PRODUCT: &str = "cafe-touba";

/// An order as `GET /orders/{order_ref}` answers it in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderJson {
    /// The order reference.
    pub order_ref: String,
    /// The amount.
    pub amount: i64,
    /// The currency.
    pub currency: String,
    /// `unpaid`, or the status of the order's payment (`pending`, `accepted`...).
    pub payment_status: String,
    /// That payment's transaction id.
    pub transaction_id: Option<String>,
    /// One entry per successful delivery.
    pub deliveries: Vec<DeliveryJson>,
}

/// One delivery of an order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeliveryJson {
    /// The payment that paid for it.
    pub transaction_id: String,
    /// The fulfiller attempt that succeeded.
    pub attempt: u32,
}

/// How a hand-written notification carries its `x-token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XToken {
    /// Signed with the sandbox's (and so the shop's) secret key.
    Signed,
    /// No `x-token` header.
    Missing,
}

/// One case's world: a sandbox, a shop served by an adapter on a store, and
/// an HTTP client that follows no redirect.
///
/// Fields drop in order: the server stops, then the sandbox, then the
/// database is cleaned up.
pub struct World {
    _server: Server,
    sandbox: SandboxHandle,
    /// The shop (engine, order book) and its scripted fulfiller.
    pub shop: TestShop,
    /// The shop's base URL, without a trailing `/`.
    pub base: String,
    /// An HTTP client that follows no redirect.
    pub http: reqwest::Client,
    /// The adapter serving the shop.
    pub adapter: Adapter,
    /// The payment store.
    pub store: StoreKind,
    /// The API generation(s) the shop's accounts use (see [`World::start_with`]).
    pub mode: SandboxMode,
    _database: CaseDatabase,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("adapter", &self.adapter)
            .field("store", &self.store)
            .field("mode", &self.mode)
            .field("base", &self.base)
            .field("sandbox", &self.sandbox.url().as_str())
            .finish_non_exhaustive()
    }
}

/// The engine's settings for tests: the sandbox's credentials, and retry
/// delays of milliseconds instead of minutes.
pub fn test_settings(sandbox: &Sandbox, public_url: &str) -> CheckoutSettings {
    test_settings_for(sandbox, SandboxMode::V2, public_url)
}

/// [`test_settings`] for the shop's accounts in `mode` on `sandbox` (see
/// [`shop_common::dev::credentials_of`]): [`SandboxMode::Rest2026`], one
/// 2026 account `ci` (XOF); [`SandboxMode::Mixed`], `ci` on Checkout v2
/// (XOF) and `cm` on the 2026 API (XAF).
pub fn test_settings_for(
    sandbox: &Sandbox,
    mode: SandboxMode,
    public_url: &str,
) -> CheckoutSettings {
    CheckoutSettings {
        fulfil_retry_base_ms: 20,
        fulfil_retry_max_ms: 100,
        fulfil_timeout_ms: 5_000,
        claim_lease_ms: 10_000,
        http_timeout_ms: 5_000,
        check_retries: CHECK_RETRIES,
        ..shop_common::dev::sandbox_settings_for(sandbox, mode, public_url)
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,sqlx=error,sea_orm=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

impl World {
    /// Starts a sandbox and a shop for `case`; `None` when the store is not
    /// configured here (the case is skipped, see [`crate::store::server_url`]).
    ///
    /// # Panics
    /// When anything cannot start: a case that cannot start has failed.
    pub async fn start(adapter: Adapter, store: StoreKind, case: &str) -> Option<World> {
        World::start_with(adapter, store, SandboxMode::V2, case).await
    }

    /// [`World::start`] with the shop's accounts on the API generation(s) of
    /// `mode`: [`SandboxMode::V2`], one Checkout v2 account (the cases of
    /// [`crate::cases`]); [`SandboxMode::Rest2026`], one 2026 API account
    /// (XOF, the cases of [`crate::cases::rest2026`]); [`SandboxMode::Mixed`],
    /// as `SHOP_SANDBOX_GENERATION=mixed` runs the shop: `ci` on Checkout v2
    /// (XOF) and `cm` on the 2026 API (XAF), on one sandbox.
    ///
    /// # Panics
    /// When anything cannot start.
    pub async fn start_with(
        adapter: Adapter,
        store: StoreKind,
        mode: SandboxMode,
        case: &str,
    ) -> Option<World> {
        init_tracing();
        let database = CaseDatabase::prepare(store, case).await?;
        let mut builder = Sandbox::builder();
        if mode == SandboxMode::Mixed {
            builder = builder.rest_country("CM");
        }
        let sandbox = builder.start().await.expect("the sandbox starts");
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("an ephemeral port for the shop");
        let addr = listener.local_addr().expect("the shop's address");
        let base = format!("http://{addr}");
        let shop = TestShop::build(ShopOptions {
            database_url: database.url.clone(),
            store: database.choice.clone(),
            settings: test_settings_for(&sandbox, mode, &base),
            clock: None,
        })
        .await
        .unwrap_or_else(|e| panic!("the {adapter} shop on {store} starts: {e}"));
        let server = adapter::serve(adapter, shop.shop.clone(), listener).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client");
        Some(World {
            _server: server,
            sandbox,
            shop,
            base,
            http,
            adapter,
            store,
            mode,
            _database: database,
        })
    }

    /// The shop's `DATABASE_URL` (for tests that read the tables themselves).
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    /// The sandbox: decisions, scenarios, faults and records.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The shop's absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    // ---- the shop's JSON face ----

    /// `POST /orders` with `product_id` (a form), asking for JSON: `201`.
    pub async fn new_order(&self, product_id: &str) -> OrderJson {
        let order_ref = place_order(&self.http, &self.base, product_id).await;
        self.order(&order_ref).await
    }

    /// `GET /orders/{order_ref}` as JSON.
    pub async fn order(&self, order_ref: &str) -> OrderJson {
        let response = self
            .http
            .get(self.url(&format!("/orders/{order_ref}")))
            .header(ACCEPT, "application/json")
            .send()
            .await
            .expect("GET /orders/{order_ref} answers");
        assert_eq!(response.status(), StatusCode::OK, "GET /orders/{order_ref}");
        response.json().await.expect("the order as JSON")
    }

    /// Polls the order until `done` holds; panics after [`PATIENCE`] with
    /// the order as last seen.
    pub async fn wait_order(
        &self,
        order_ref: &str,
        done: impl Fn(&OrderJson) -> bool,
    ) -> OrderJson {
        let started = Instant::now();
        loop {
            let order = self.order(order_ref).await;
            if done(&order) {
                return order;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "timed out after {PATIENCE:?} waiting for order {order_ref}; last seen: {order:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    // ---- the browser ----

    /// The customer clicks Pay: the order page's form posts `order_ref` to
    /// `/cinetpay/init`, as a browser does.
    pub async fn click_pay(&self, order_ref: &str) -> reqwest::Response {
        self.http
            .post(self.url("/cinetpay/init"))
            .header(ACCEPT, BROWSER_ACCEPT)
            .form(&[("order_ref", order_ref)])
            .send()
            .await
            .expect("POST /cinetpay/init answers")
    }

    /// Clicks Pay and follows the `303` to the sandbox's payment page:
    /// the payment as the sandbox holds it.
    pub async fn open_payment_page(&self, order_ref: &str) -> PaymentSnapshot {
        let response = self.click_pay(order_ref).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "Pay answers 303");
        let page = location(&response);
        self.sandbox()
            .payments()
            .into_iter()
            .find(|p| p.payment_url == page)
            .unwrap_or_else(|| {
                panic!("Pay sent the browser to {page}, which the sandbox never made")
            })
    }

    /// A new order of [`PRODUCT`] and its payment page.
    pub async fn new_payment(&self) -> (OrderJson, PaymentSnapshot) {
        let order = self.new_order(PRODUCT).await;
        let payment = self.open_payment_page(&order.order_ref).await;
        if payment.generation == Generation::V2 {
            // The 2026 API has no metadata field.
            assert_eq!(payment.metadata.as_deref(), Some(order.order_ref.as_str()));
        }
        assert_eq!(
            (payment.amount, payment.currency.as_str()),
            (order.amount, order.currency.as_str()),
            "the payment is for the order's amount"
        );
        (order, payment)
    }

    /// The customer's browser comes back: CinetPay's page posts the return
    /// form (`transaction_id`, `token`) to `/cinetpay/return`. Returns where
    /// the shop sends the browser (the `303`'s `Location`).
    /// On the 2026 API, CinetPay sends the browser to the payment's
    /// `success_url` (or `failed_url`, the same): a `GET` of
    /// `/cinetpay/return?transaction_id=…`.
    pub async fn browser_return(&self, payment: &PaymentSnapshot) -> String {
        if payment.generation == Generation::Rest2026 {
            let expected = format!(
                "{}?transaction_id={}",
                self.url("/cinetpay/return"),
                payment.transaction_id
            );
            assert_eq!(
                payment.return_url, expected,
                "the 2026 success_url is the shop's"
            );
            let response = self
                .http
                .get(&payment.return_url)
                .header(ACCEPT, BROWSER_ACCEPT)
                .send()
                .await
                .expect("GET /cinetpay/return answers");
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "the return answers 303"
            );
            return location(&response);
        }
        assert_eq!(
            payment.return_url,
            self.url("/cinetpay/return"),
            "the payment's return_url is the shop's"
        );
        let response = self
            .http
            .post(&payment.return_url)
            .header(ACCEPT, BROWSER_ACCEPT)
            .form(&[
                ("transaction_id", payment.transaction_id.as_str()),
                ("token", payment.payment_token.as_str()),
            ])
            .send()
            .await
            .expect("POST /cinetpay/return answers");
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the return answers 303"
        );
        location(&response)
    }

    /// Follows a return redirect as a browser: the page (`200`, HTML) and
    /// the same order as JSON.
    pub async fn follow(&self, location: &str) -> (String, OrderJson) {
        assert!(location.starts_with('/'), "a path on the shop: {location}");
        let page = self
            .http
            .get(self.url(location))
            .header(ACCEPT, BROWSER_ACCEPT)
            .send()
            .await
            .expect("the order page answers");
        assert_eq!(page.status(), StatusCode::OK, "GET {location}");
        let html = page.text().await.expect("the order page");
        let json = self
            .http
            .get(self.url(location))
            .header(ACCEPT, "application/json")
            .send()
            .await
            .expect("the order JSON answers");
        assert_eq!(json.status(), StatusCode::OK, "GET {location} (JSON)");
        (html, json.json().await.expect("the order as JSON"))
    }

    // ---- the sandbox ----

    /// The customer pays with Orange Money, with the sandbox's scenario in force.
    pub fn pay(&self, payment: &PaymentSnapshot) {
        self.sandbox()
            .pay(&payment.transaction_id, Operator::OrangeMoney)
            .expect("the sandbox takes the payment");
    }

    /// The customer pays with Orange Money; notifications follow `scenario`.
    pub fn pay_with(&self, payment: &PaymentSnapshot, scenario: Scenario) {
        self.sandbox()
            .decide_with(
                &payment.transaction_id,
                Decision::Pay {
                    operator: Operator::OrangeMoney,
                    phone: None,
                },
                scenario,
            )
            .expect("the sandbox takes the payment");
    }

    /// Waits until every notification scheduled for the payment was sent and
    /// answered, and returns them all.
    pub async fn notifications(&self, payment: &PaymentSnapshot) -> Vec<NotificationRecord> {
        self.sandbox()
            .wait_notifications(&payment.transaction_id, PATIENCE)
            .await
            .expect("the sandbox's notifications are answered in time")
    }

    /// How many times the shop asked CinetPay about the payment: its calls
    /// of `/v2/payment/check` for a Checkout v2 payment; for a 2026 one, the
    /// sandbox's count of `GET /v1/payment/{id}` calls, of every payment
    /// (the 2026 cases make one payment at a time).
    pub fn checks(&self, payment: &PaymentSnapshot) -> usize {
        match payment.generation {
            Generation::V2 => self.sandbox().checks_for(&payment.transaction_id).len(),
            Generation::Rest2026 => {
                usize::try_from(self.sandbox().rest_counters().status_calls).unwrap_or(usize::MAX)
            }
        }
    }

    /// Posts `body` to `/cinetpay/notify` with `content_type`: the shop's
    /// status and body (a 2026 notification is JSON).
    pub async fn post_notify_as(&self, content_type: &str, body: String) -> (u16, String) {
        let response = self
            .http
            .post(self.url("/cinetpay/notify"))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("POST /cinetpay/notify answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    // ---- hand-written notifications ----

    /// Posts a form body to `/cinetpay/notify` (with an `x-token` when
    /// given): the shop's status and body.
    pub async fn post_notify(&self, body: String, x_token: Option<String>) -> (u16, String) {
        let mut request = self
            .http
            .post(self.url("/cinetpay/notify"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(token) = x_token {
            request = request.header("x-token", token);
        }
        let response = request.send().await.expect("POST /cinetpay/notify answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Posts `notice` to `/cinetpay/notify` as CinetPay would.
    pub async fn post_notice(&self, notice: &Notice, x_token: XToken) -> (u16, String) {
        let token = match x_token {
            XToken::Signed => {
                let key = cinetpay_core::SecretKey::new(self.sandbox().secret_key())
                    .expect("the sandbox's secret key is valid");
                Some(notice.x_token(&key))
            }
            XToken::Missing => None,
        };
        self.post_notify(notice.form_body(), token).await
    }

    // ---- the engine ----

    /// The payment as the shop's store holds it.
    pub async fn payment(&self, transaction_id: &str) -> Option<Payment> {
        let id: TransactionId = transaction_id.parse().expect("a valid transaction id");
        self.shop
            .checkout
            .payment(&id)
            .await
            .expect("the payment store answers")
    }

    /// One reconciliation pass.
    pub async fn reconcile(&self) -> ReconcileReport {
        self.shop
            .checkout
            .reconcile_once()
            .await
            .expect("a reconciliation pass runs")
    }

    /// Waits until the payment's failed delivery is due again.
    pub async fn wait_until_due(&self, transaction_id: &str) {
        let payment = self
            .payment(transaction_id)
            .await
            .expect("the payment exists");
        if let Some(next) = payment.fulfilment.next_attempt_at {
            let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
            assert!(
                wait < PATIENCE,
                "the next attempt is due within the test's patience"
            );
            tokio::time::sleep(wait + Duration::from_millis(5)).await;
        }
    }
}

/// The `Location` header of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a Location header on the {} answer", response.status()))
        .to_owned()
}

/// Polls `probe` every 10 ms until it gives a value; panics after
/// [`PATIENCE`], naming `what` was awaited.
pub async fn wait_until<T, F>(what: &str, mut probe: impl FnMut() -> F) -> T
where
    F: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "timed out after {PATIENCE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `POST {base}/orders` with `product_id` (a form), asking for JSON: asserts
/// `201` and returns the new order's reference.
pub async fn place_order(http: &reqwest::Client, base: &str, product_id: &str) -> String {
    let response = http
        .post(format!("{base}/orders"))
        .header(ACCEPT, "application/json")
        .form(&[("product_id", product_id)])
        .send()
        .await
        .expect("POST /orders answers");
    assert_eq!(response.status(), StatusCode::CREATED, "POST /orders");
    let order: serde_json::Value = response.json().await.expect("the new order as JSON");
    order["order_ref"]
        .as_str()
        .expect("the new order has an order_ref")
        .to_owned()
}
