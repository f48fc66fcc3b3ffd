//! Soak across instances: three shop instances on one database (PostgreSQL,
//! then MariaDB/MySQL), behind a round-robin HTTP proxy written here, with
//! the sandbox sending 2–5 duplicate notifications per payment at once, so
//! that they reach different instances concurrently.
//!
//! * Each instance is its own [`TestShop`]: its own `SeaOrmStore` pool, its own
//!   `Checkout`, its own scripted fulfiller and its own reconciler (short
//!   interval, stale pending payments checked too), as in production. All
//!   three share the database, the payment tables of one prefix (unique per
//!   run) and the shop's order tables.
//! * Their `public_url` is the proxy's, so the sandbox's notifications and
//!   the browsers' returns are spread over the instances.
//! * Each order follows a random sequence: plain `ACCEPTED`; `WAITING`
//!   then `ACCEPTED`; `REFUSED` then `ACCEPTED`; a final `REFUSED` (some
//!   after `WAITING`); a final `CANCELLED`; **paid twice** (its first
//!   payment refused, the customer pays again with a second one, then the
//!   first one's late success arrives: a duplicate to refund); **notifications
//!   all lost** (paid, but CinetPay never notifies and the browser never
//!   comes back: only the reconcilers' polling finds it). About 10% of the
//!   accepted ones have their first one or two deliveries fail (set on all
//!   three instances, so whichever delivers fails), and about 5% of the
//!   payments see their first one or two `/v2/payment/check` calls answer
//!   HTTP 500. Most browsers come back (right away, or after the notifications).
//! * The instances' clocks disagree: one runs 60 s behind, one 60 s ahead.
//!   Leases are measured on the database's clock, so this changes nothing.
//! * Final accounting **per order**, once the sandbox is idle and the
//!   reconcilers have delivered everything due (within a time limit): every
//!   paid order delivered exactly once, no refused or cancelled one
//!   delivered, each duplicate payment flagged `needs_attention` and its
//!   refund noted once by the shop, no payment lost or left pending. The last
//!   line printed is the figures.
//!
//! * The same soak runs on the 2026 API (`soak_*_2026`): two accounts, `ci`
//!   (XOF) and `cm` (XAF), each on its own sandbox as CinetPay has one
//!   account per country; each order buys a product of one currency, so it is
//!   paid on that account, and its notifications carry the payment's notify
//!   token (no status faults there: the sandbox's are not per payment).
//!
//! `CINETPAY_SOAK_PAYMENTS` (default 2000) sets the number of payments,
//! `CINETPAY_SOAK_SEED` replays one run's random plan (its seed is printed
//! first). Databases: `CINETPAY_TEST_POSTGRES_URL`, `CINETPAY_TEST_MYSQL_URL`
//! (skipped with one line without them, failed under `CI=true`).
//!
//! ```sh
//! CINETPAY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//! CINETPAY_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test \
//! cargo test -p cinetpay-e2e --test soak -- --nocapture
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cinetpay_core::engine::AccountSettings;
use cinetpay_core::{Attention, PaymentStatus, PaymentStore, RefundReason, TransactionId};
use cinetpay_e2e::shop::{ShopOptions, TestShop};
use cinetpay_e2e::store::CaseDatabase;
use cinetpay_e2e::world::{PRODUCT, place_order, test_settings};
use cinetpay_e2e::{Adapter, StoreKind, adapter};
use cinetpay_sandbox::{CheckFaults, Decision, Operator, Sandbox, Scenario};
use cinetpay_testing::OffsetClock;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::header::ACCEPT;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Shop instances sharing the database.
const INSTANCES: usize = 3;
/// Payments driven at once.
const IN_FLIGHT: usize = 32;
/// Payments in a run unless `CINETPAY_SOAK_PAYMENTS` says otherwise.
const DEFAULT_PAYMENTS: usize = 2000;
/// How long the whole run may take to settle after the last payment.
const SETTLE_LIMIT: Duration = Duration::from_secs(120);
/// How long one payment's notifications may take.
const NOTIFY_LIMIT: Duration = Duration::from_secs(60);
/// How far the first and third instances' clocks are off (behind, ahead).
const CLOCK_SKEW_S: i64 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_postgres() {
    soak(StoreKind::Postgres, "soak::soak_postgres", Api::CheckoutV2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_mysql() {
    soak(StoreKind::Mysql, "soak::soak_mysql", Api::CheckoutV2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_postgres_2026() {
    soak(
        StoreKind::Postgres,
        "soak::soak_postgres_2026",
        Api::Rest2026,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_mysql_2026() {
    soak(StoreKind::Mysql, "soak::soak_mysql_2026", Api::Rest2026).await;
}

/// Which API the shop's accounts are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    /// One Checkout v2 account (XOF products).
    CheckoutV2,
    /// Two 2026 API accounts, each on its own sandbox as CinetPay has one
    /// account per country: `ci` (XOF, Côte d'Ivoire) and `cm` (XAF,
    /// Cameroon); each order buys a product of one of the two currencies.
    Rest2026,
}

impl Api {
    /// The accounts: (name, sandbox country, a product in its currency).
    fn accounts(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Api::CheckoutV2 => &[("default", "CI", PRODUCT)],
            Api::Rest2026 => &[("ci", "CI", PRODUCT), ("cm", "CM", "ndole")],
        }
    }

    /// The operator's refusal code.
    fn refusal(self) -> &'static str {
        match self {
            Api::CheckoutV2 => "600",
            Api::Rest2026 => "2010",
        }
    }
}

// ---- the plan ----

/// The sequence the sandbox plays for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sequence {
    Accepted,
    WaitingThenAccepted,
    RefusedThenAccepted,
    Refused {
        waiting_first: bool,
    },
    Cancelled,
    /// Refused, paid again with a second payment, then the first one's late success.
    PaidTwice,
    /// Paid; no notification is ever sent and the browser never returns.
    NotificationsLost,
}

impl Sequence {
    /// Whether the order ends paid (and delivered once).
    fn accepted(self) -> bool {
        !matches!(self, Sequence::Refused { .. } | Sequence::Cancelled)
    }
}

/// When the customer's browser comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Return {
    /// Right after paying, racing the notifications.
    AtOnce,
    /// After the notifications.
    Later,
    /// Never (the tab was closed).
    Never,
}

/// One payment's plan, drawn up front from the run's seed.
#[derive(Debug, Clone)]
struct Plan {
    sequence: Sequence,
    copies: u32,
    interval: Duration,
    fulfil_failures: u32,
    check_failures: u32,
    browser: Return,
    /// Index of the account (and sandbox) the order is paid on.
    account: usize,
}

fn draw(rng: &mut StdRng, api: Api) -> Plan {
    let sequence = match rng.random_range(0..100) {
        0..34 => Sequence::Accepted,
        34..46 => Sequence::WaitingThenAccepted,
        46..58 => Sequence::RefusedThenAccepted,
        58..70 => Sequence::Refused {
            waiting_first: rng.random_bool(0.3),
        },
        70..80 => Sequence::Cancelled,
        80..90 => Sequence::PaidTwice,
        _ => Sequence::NotificationsLost,
    };
    let fulfil_failures = if sequence.accepted() && rng.random_bool(0.10) {
        rng.random_range(1..=2)
    } else {
        0
    };
    // (Not on a payment only the reconcilers see: its checks come later. On
    // the 2026 API, the sandbox's status faults are not per payment.)
    let check_failures = if api == Api::CheckoutV2
        && sequence != Sequence::NotificationsLost
        && rng.random_bool(0.05)
    {
        rng.random_range(1..=2)
    } else {
        0
    };
    let browser = match (sequence, rng.random_range(0..10)) {
        (Sequence::NotificationsLost, _) => Return::Never,
        (_, 0..4) => Return::AtOnce,
        (_, 4..8) => Return::Later,
        _ => Return::Never,
    };
    Plan {
        sequence,
        copies: rng.random_range(2..=5),
        interval: Duration::from_millis(rng.random_range(10..=120)),
        fulfil_failures,
        check_failures,
        browser,
        account: rng.random_range(0..api.accounts().len()),
    }
}

// ---- the round-robin proxy ----

/// A load balancer: each request goes to the next instance in turn.
struct Proxy {
    upstreams: Vec<String>,
    next: AtomicUsize,
    http: reqwest::Client,
}

/// Hop-by-hop headers and those the client recomputes.
fn forwarded(name: &HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "host" | "content-length" | "connection" | "transfer-encoding" | "keep-alive" | "upgrade"
    )
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let turn = proxy.next.fetch_add(1, Ordering::Relaxed) % proxy.upstreams.len();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{path}", proxy.upstreams[turn]);
    let Ok(body) = axum::body::to_bytes(body, 4 << 20).await else {
        return (StatusCode::BAD_REQUEST, "proxy: unreadable body").into_response();
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if forwarded(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let answer = proxy
        .http
        .request(parts.method, &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("proxy: {e}")).into_response(),
    };
    let status = answer.status();
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if forwarded(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    match answer.bytes().await {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("proxy: {e}")).into_response(),
    }
}

fn serve_proxy(listener: TcpListener, upstreams: Vec<String>) -> JoinHandle<()> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("the proxy's HTTP client");
    let proxy = Arc::new(Proxy {
        upstreams,
        next: AtomicUsize::new(0),
        http,
    });
    let app = axum::Router::new().fallback(forward).with_state(proxy);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("the proxy stopped: {e}");
        }
    })
}

/// Aborts the task when dropped.
struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

// ---- one order ----

/// What driving one order saw.
#[derive(Debug)]
struct Driven {
    plan: Plan,
    order_ref: String,
    /// The order's payments, in the order they were created.
    payments: Vec<String>,
    notifications: usize,
    check_errors: usize,
}

#[derive(Deserialize)]
struct Started {
    transaction_id: String,
}

struct Ctx {
    base: String,
    http: reqwest::Client,
    /// One per account, in the order of [`Api::accounts`].
    sandboxes: Vec<Sandbox>,
    api: Api,
    shops: Vec<TestShop>,
}

impl Ctx {
    /// Pays for an order through the load balancer, as JSON: the new
    /// payment's id and its CinetPay token.
    async fn init(&self, sandbox: &Sandbox, order_ref: &str) -> (String, String) {
        let response = self
            .http
            .post(format!("{}/cinetpay/init", self.base))
            .header(ACCEPT, "application/json")
            .form(&[("order_ref", order_ref)])
            .send()
            .await
            .expect("POST /cinetpay/init answers");
        assert_eq!(response.status(), StatusCode::OK, "init of {order_ref}");
        let started: Started = response.json().await.expect("the init answer as JSON");
        let tx = started.transaction_id;
        let token = sandbox
            .payment(&tx)
            .unwrap_or_else(|| panic!("the sandbox knows {tx}"))
            .payment_token;
        (tx, token)
    }

    /// The sandbox plays `decision` on `tx`, then the browser comes back as
    /// planned; returns the notifications sent.
    async fn play(
        &self,
        sandbox: &Sandbox,
        plan: &Plan,
        tx: &str,
        token: &str,
        decision: Decision,
        scenario: Scenario,
    ) -> usize {
        sandbox
            .decide_with(tx, decision, scenario)
            .expect("the sandbox takes the decision");
        if plan.browser == Return::AtOnce {
            self.browser_return(tx, token).await;
        }
        let records = sandbox
            .wait_notifications(tx, NOTIFY_LIMIT)
            .await
            .expect("the payment's notifications are answered in time");
        if plan.browser == Return::Later {
            self.browser_return(tx, token).await;
        }
        records.iter().filter(|r| r.method == "POST").count()
    }

    async fn drive(&self, plan: Plan) -> Driven {
        // The customer orders, through the load balancer.
        let (_, _, product) = self.api.accounts()[plan.account];
        let sandbox = &self.sandboxes[plan.account];
        let order_ref = place_order(&self.http, &self.base, product).await;
        // Whichever instance delivers it fails the first deliveries.
        if plan.fulfil_failures > 0 {
            for shop in &self.shops {
                shop.fail_deliveries(&order_ref, plan.fulfil_failures);
            }
        }
        let (tx, token) = self.init(sandbox, &order_ref).await;
        if plan.check_failures > 0 {
            sandbox
                .set_payment_check_faults(
                    &tx,
                    Some(CheckFaults::new().fail_next(plan.check_failures)),
                )
                .expect("check faults for a known payment");
        }
        let scenario = Scenario::new()
            .copies(plan.copies)
            .concurrent(true)
            .interval(plan.interval);
        let refuse = || Decision::Refuse {
            operator: Operator::OrangeMoney,
            code: self.api.refusal().to_owned(),
        };
        let mut payments = vec![tx.clone()];
        let notifications = match plan.sequence {
            Sequence::Accepted => {
                self.play(sandbox, &plan, &tx, &token, pay(), scenario)
                    .await
            }
            Sequence::WaitingThenAccepted => {
                self.play(
                    sandbox,
                    &plan,
                    &tx,
                    &token,
                    pay(),
                    scenario.waiting_first(true),
                )
                .await
            }
            Sequence::RefusedThenAccepted => {
                self.play(
                    sandbox,
                    &plan,
                    &tx,
                    &token,
                    pay(),
                    scenario.refused_first(true),
                )
                .await
            }
            Sequence::Refused { waiting_first } => {
                self.play(
                    sandbox,
                    &plan,
                    &tx,
                    &token,
                    refuse(),
                    scenario.waiting_first(waiting_first),
                )
                .await
            }
            Sequence::Cancelled => {
                self.play(sandbox, &plan, &tx, &token, Decision::Cancel, scenario)
                    .await
            }
            Sequence::PaidTwice => {
                // Refused: the order is free to pay again, with a second payment.
                let mut sent = self
                    .play(sandbox, &plan, &tx, &token, refuse(), scenario.clone())
                    .await;
                let (second, second_token) = self.init(sandbox, &order_ref).await;
                assert_ne!(second, tx, "{order_ref}: a new payment after the refusal");
                payments.push(second.clone());
                sent += self
                    .play(
                        sandbox,
                        &plan,
                        &second,
                        &second_token,
                        pay(),
                        scenario.clone(),
                    )
                    .await;
                // Then the first payment's late success.
                sent + self
                    .play(sandbox, &plan, &tx, &token, pay(), scenario)
                    .await
            }
            Sequence::NotificationsLost => {
                sandbox
                    .decide_with(&tx, pay(), scenario.never_send(true))
                    .expect("the sandbox takes the payment");
                0
            }
        };
        // Its check faults are all used by its first sync (the client retries).
        let check_errors = sandbox
            .checks_for(&tx)
            .iter()
            .filter(|c| c.fault == Some("http_500"))
            .count();
        Driven {
            plan,
            order_ref,
            payments,
            notifications,
            check_errors,
        }
    }

    async fn browser_return(&self, tx: &str, token: &str) {
        let response = self
            .http
            .post(format!("{}/cinetpay/return", self.base))
            .header(ACCEPT, "text/html")
            .form(&[("transaction_id", tx), ("token", token)])
            .send()
            .await
            .expect("POST /cinetpay/return answers");
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the return of {tx} answers 303"
        );
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            location.starts_with('/'),
            "the return of {tx} goes to the shop's own page, not {location:?}"
        );
    }
}

fn pay() -> Decision {
    Decision::Pay {
        operator: Operator::OrangeMoney,
        phone: None,
    }
}

fn payments_wanted() -> usize {
    match std::env::var("CINETPAY_SOAK_PAYMENTS") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CINETPAY_SOAK_PAYMENTS={v:?} is not a number")),
        _ => DEFAULT_PAYMENTS,
    }
}

fn seed() -> u64 {
    match std::env::var("CINETPAY_SOAK_SEED") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CINETPAY_SOAK_SEED={v:?} is not a number")),
        _ => rand::random(),
    }
}

async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("an ephemeral port");
    let addr = listener.local_addr().expect("the bound address");
    (listener, format!("http://{addr}"))
}

// ---- the soak ----

/// The shop's 2026 accounts, one per sandbox.
fn rest_accounts(
    api: Api,
    sandboxes: &[Sandbox],
) -> std::collections::BTreeMap<String, AccountSettings> {
    api.accounts()
        .iter()
        .zip(sandboxes)
        .map(|((name, _, _), sandbox)| {
            let credentials = sandbox.credentials_2026();
            let account = AccountSettings {
                api_key: Some(credentials.api_key().to_owned()),
                api_password: Some(credentials.api_password().to_owned()),
                api_url: Some(sandbox.url().as_str().trim_end_matches('/').to_owned()),
                currency: Some(if *name == "cm" { "XAF" } else { "XOF" }.to_owned()),
                ..AccountSettings::default()
            };
            ((*name).to_owned(), account)
        })
        .collect()
}

async fn soak(kind: StoreKind, name: &str, api: Api) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_test_writer()
        .try_init();
    let Some(database) = CaseDatabase::prepare(kind, name).await else {
        return;
    };
    let started = Instant::now();
    let payments = payments_wanted();
    let seed = seed();
    eprintln!(
        "soak {kind} ({api:?}): {payments} payments, {INSTANCES} instances, seed {seed} (CINETPAY_SOAK_SEED replays it)"
    );

    let mut handles = Vec::new();
    for (_, country, _) in api.accounts() {
        handles.push(
            Sandbox::builder()
                .notify_timeout(Duration::from_secs(30))
                .rest_country(*country)
                .start()
                .await
                .expect("the sandbox starts"),
        );
    }
    let sandboxes: Vec<Sandbox> = handles.iter().map(|h| h.sandbox()).collect();
    let (proxy_listener, base) = bind().await;

    // Three instances, started at once as a deployment would, with clocks
    // 60 s behind, right and 60 s ahead.
    let settings = || {
        let mut settings = test_settings(&sandboxes[0], &base);
        settings.reconcile_interval_ms = 200;
        settings.poll_after_ms = 2_000;
        if api == Api::Rest2026 {
            settings.api_key = None;
            settings.site_id = None;
            settings.secret_key = None;
            settings.api_url = None;
            settings.accounts = Some(rest_accounts(api, &sandboxes));
        }
        settings
    };
    let build = |i: usize| {
        TestShop::build(ShopOptions {
            database_url: database.url.clone(),
            store: database.choice.clone(),
            settings: settings(),
            clock: Some(Arc::new(OffsetClock::off_by_seconds(
                [-CLOCK_SKEW_S, 0, CLOCK_SKEW_S][i],
            ))),
        })
    };
    let (a, b, c) = tokio::join!(build(0), build(1), build(2));
    let shops: Vec<TestShop> = [a, b, c]
        .into_iter()
        .map(|shop| shop.unwrap_or_else(|e| panic!("a shop instance on {kind} starts: {e}")))
        .collect();
    let mut servers = Vec::new();
    let mut upstreams = Vec::new();
    for shop in &shops {
        let (listener, url) = bind().await;
        servers.push(adapter::serve(Adapter::Axum, shop.shop.clone(), listener).await);
        upstreams.push(url);
    }
    let _proxy = Task(serve_proxy(proxy_listener, upstreams));
    let reconcilers: Vec<_> = shops
        .iter()
        .map(|s| s.checkout.start_background())
        .collect();

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client");
    let ctx = Arc::new(Ctx {
        base: base.clone(),
        http,
        sandboxes: sandboxes.clone(),
        api,
        shops: shops.clone(),
    });

    // Drive the orders, IN_FLIGHT at a time.
    let mut rng = StdRng::seed_from_u64(seed);
    let plans: Arc<Vec<Plan>> = Arc::new((0..payments).map(|_| draw(&mut rng, api)).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<JoinHandle<Vec<Driven>>> = (0..IN_FLIGHT)
        .map(|_| {
            let (ctx, plans, next) = (ctx.clone(), plans.clone(), next.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(plan) = plans.get(i) else {
                        return done;
                    };
                    done.push(ctx.drive(plan.clone()).await);
                }
            })
        })
        .collect();
    let mut driven = Vec::with_capacity(payments);
    for worker in workers {
        driven.extend(worker.await.expect("an order driver panicked"));
    }
    assert_eq!(driven.len(), payments, "every order was driven");

    // Settle: the sandbox idle, then every order at its final state in the
    // store, and nothing due (the reconcilers are at work).
    for sandbox in &sandboxes {
        sandbox
            .wait_idle(SETTLE_LIMIT)
            .await
            .expect("the sandbox's notifications all end");
    }
    let store = shops[0].checkout.store().clone();
    let settle_started = Instant::now();
    let mut unsettled: Vec<usize> = (0..driven.len()).collect();
    loop {
        let mut still = Vec::new();
        for &i in &unsettled {
            if !judge(&driven[i], store.as_ref(), &shops[0])
                .await
                .is_empty()
            {
                still.push(i);
            }
        }
        unsettled = still;
        let due = store
            .due_fulfilments(
                chrono::Utc::now() + chrono::TimeDelta::seconds(CLOCK_SKEW_S),
                10,
            )
            .await
            .expect("the store lists due work");
        if (unsettled.is_empty() && due.is_empty()) || settle_started.elapsed() > SETTLE_LIMIT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for reconciler in reconcilers {
        reconciler.shutdown().await;
    }
    for shop in &shops {
        shop.checkout.flush_delivery_log().await;
    }

    // The accounting, per order.
    let mut figures = Figures::default();
    let mut problems = Vec::new();
    for d in &driven {
        figures.orders += 1;
        figures.notifications += d.notifications;
        figures.check_errors += d.check_errors;
        figures.payments += d.payments.len();
        let deliveries = shops[0]
            .orders
            .deliveries(&d.order_ref)
            .await
            .expect("the order book answers");
        let refunds = shops[0]
            .orders
            .refunds(&d.order_ref)
            .await
            .expect("the order book answers");
        match deliveries.len() {
            0 => {}
            1 => figures.delivered += 1,
            _ => figures.delivered_twice += 1,
        }
        if d.plan.sequence.accepted() {
            figures.paid += 1;
        }
        if d.plan.sequence == Sequence::PaidTwice {
            figures.duplicates_created += 1;
        }
        if d.plan.sequence == Sequence::NotificationsLost && deliveries.len() == 1 {
            figures.found_by_polling += 1;
        }
        figures.refunds_noted += refunds.len();
        for id in &d.payments {
            let id: TransactionId = id.parse().expect("a transaction id");
            let payment = store.find_payment(&id).await.expect("the store answers");
            match payment {
                None => figures.lost += 1,
                Some(p) => {
                    figures.fulfiller_failures += p.fulfilment.attempts.saturating_sub(u32::from(
                        p.is_fulfilled() || p.refund_notified_at.is_some(),
                    )) as usize;
                    if matches!(
                        p.attention,
                        Some(Attention::Refund(RefundReason::OrderAlreadyPaid { .. }))
                    ) {
                        figures.duplicates_flagged += 1;
                    }
                }
            }
        }
        problems.extend(judge(d, store.as_ref(), &shops[0]).await);
    }
    let expected_check_errors: usize = driven.iter().map(|d| d.plan.check_failures as usize).sum();
    drop(servers);
    drop(ctx);
    for handle in handles {
        handle.shutdown().await;
    }

    for problem in problems.iter().take(20) {
        eprintln!("soak {kind}: {problem}");
    }
    println!(
        "soak {kind} ({api:?}): {orders} orders ({payments} payments), {INSTANCES} instances with clocks \
         -{CLOCK_SKEW_S} s/0/+{CLOCK_SKEW_S} s, {notifications} notifications; \
         {paid} paid, {delivered} delivered once, orders delivered twice {twice}, \
         duplicate payments created {created}, flagged {flagged}, refunds noted {refunds}, \
         {polled} found only by polling, payments lost {lost}, {failures} fulfiller failures, \
         {check_errors} check errors, {secs} s",
        orders = figures.orders,
        payments = figures.payments,
        notifications = figures.notifications,
        paid = figures.paid,
        delivered = figures.delivered,
        twice = figures.delivered_twice,
        created = figures.duplicates_created,
        flagged = figures.duplicates_flagged,
        refunds = figures.refunds_noted,
        polled = figures.found_by_polling,
        lost = figures.lost,
        failures = figures.fulfiller_failures,
        check_errors = figures.check_errors,
        secs = started.elapsed().as_secs(),
    );
    assert!(
        problems.is_empty(),
        "soak {kind}: {} problems (seed {seed}); the first: {:?}",
        problems.len(),
        problems.first()
    );
    assert_eq!(figures.delivered_twice, 0, "orders delivered twice");
    assert_eq!(
        figures.paid, figures.delivered,
        "every paid order delivered"
    );
    assert_eq!(
        figures.duplicates_flagged, figures.duplicates_created,
        "duplicate payments flagged = those created"
    );
    assert_eq!(
        figures.refunds_noted, figures.duplicates_created,
        "one refund each"
    );
    assert_eq!(figures.lost, 0, "payments lost");
    assert_eq!(
        figures.check_errors, expected_check_errors,
        "every planned check fault was injected and seen"
    );
    drop(database);
}

/// What is wrong with an order now (empty: it is settled as planned).
async fn judge(d: &Driven, store: &dyn PaymentStore, shop: &TestShop) -> Vec<String> {
    let mut problems = Vec::new();
    let deliveries = shop
        .orders
        .deliveries(&d.order_ref)
        .await
        .expect("the order book answers");
    let mut stored = Vec::new();
    for id in &d.payments {
        let id: TransactionId = id.parse().expect("a transaction id");
        match store.find_payment(&id).await.expect("the store answers") {
            Some(p) => stored.push(p),
            None => problems.push(format!("{id} ({}): not in the store", d.order_ref)),
        }
    }
    let order = &d.order_ref;
    let plan = &d.plan;
    match plan.sequence {
        Sequence::PaidTwice => {
            let payers: Vec<_> = stored
                .iter()
                .filter(|p| p.status == PaymentStatus::Accepted && p.is_fulfilled())
                .collect();
            let refunded: Vec<_> = stored
                .iter()
                .filter(|p| {
                    p.status == PaymentStatus::NeedsAttention && p.refund_notified_at.is_some()
                })
                .collect();
            if payers.len() != 1 || refunded.len() != 1 {
                problems.push(format!(
                    "{order}: paid twice, expected one payer and one refund, found {:?}",
                    stored
                        .iter()
                        .map(|p| (&p.transaction_id, p.status, p.is_fulfilled()))
                        .collect::<Vec<_>>()
                ));
            } else {
                let expected = Attention::Refund(RefundReason::OrderAlreadyPaid {
                    by: payers[0].transaction_id.clone(),
                });
                if refunded[0].attention.as_ref() != Some(&expected) {
                    problems.push(format!(
                        "{order}: the duplicate names {:?}",
                        refunded[0].attention
                    ));
                }
                let refunds = shop
                    .orders
                    .refunds(order)
                    .await
                    .expect("the order book answers");
                if refunds.len() != 1
                    || refunds[0].transaction_id != refunded[0].transaction_id.as_str()
                {
                    problems.push(format!("{order}: refunds noted {refunds:?}"));
                }
            }
        }
        sequence if sequence.accepted() => {
            for p in &stored {
                if p.status != PaymentStatus::Accepted || !p.is_fulfilled() {
                    problems.push(format!(
                        "{} ({order}): paid at CinetPay ({plan:?}), {} and {} in the store",
                        p.transaction_id,
                        p.status,
                        if p.is_fulfilled() {
                            "fulfilled"
                        } else {
                            "not fulfilled"
                        }
                    ));
                }
            }
        }
        sequence => {
            for p in &stored {
                if !matches!(p.status, PaymentStatus::Refused | PaymentStatus::Cancelled) {
                    problems.push(format!(
                        "{} ({order}): {sequence:?} by the sandbox, {} in the store",
                        p.transaction_id, p.status
                    ));
                }
            }
        }
    }
    let expected = usize::from(plan.sequence.accepted());
    if deliveries.len() != expected {
        problems.push(format!(
            "{order}: delivered {} times, expected {expected}: {deliveries:?}",
            deliveries.len()
        ));
    }
    if deliveries
        .iter()
        .any(|x| !d.payments.contains(&x.transaction_id))
    {
        problems.push(format!(
            "{order}: a delivery names another order's payment: {deliveries:?}"
        ));
    }
    problems
}

#[derive(Debug, Default)]
struct Figures {
    orders: usize,
    payments: usize,
    notifications: usize,
    paid: usize,
    delivered: usize,
    delivered_twice: usize,
    duplicates_created: usize,
    duplicates_flagged: usize,
    refunds_noted: usize,
    found_by_polling: usize,
    lost: usize,
    fulfiller_failures: usize,
    check_errors: usize,
}
