//! The Rocket shop is the axum shop's twin: the same requests, on the same
//! shop, get the same answers from both (the admin view behind the stand-in
//! login too). And the Rocket shop as its binary builds it, from
//! `Rocket.toml`'s keys with the store made on ignite.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use cinetpay_rocket::cinetpay_core::engine::Checkout;
use cinetpay_rocket::cinetpay_store::SeaOrmStore;
use cinetpay_sandbox::{Sandbox, SandboxHandle};
use http_body_util::BodyExt;
use rocket::local::asynchronous::Client;
use shop_common::admin::AdminToken;
use shop_common::dev::sandbox_settings;
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::OrderBook;
use shop_common::setup::Shop;
use tower::ServiceExt;

// The axum shop's helper to run a shop binary as a process (one copy for both).
#[cfg(unix)]
#[path = "../../axum-shop/tests/shop_process/mod.rs"]
mod shop_process;

/// What a client sees of an answer.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    body: String,
}

struct Twins {
    rocket: Client,
    axum: axum::Router,
    _sandbox: SandboxHandle,
}

/// One shop (as both `main`s build it, on an in-memory SQLite database)
/// served by both frameworks.
async fn twins() -> Twins {
    twins_with(None).await
}

/// [`twins`], with the admin view behind `admin`.
async fn twins_with(admin: Option<AdminToken>) -> Twins {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let store = SeaOrmStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let orders = OrderBook::open(store.connection().clone()).await.unwrap();
    let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));
    let store = std::sync::Arc::new(store);
    let config = sandbox_settings(&sandbox, "http://shop.test")
        .into_config()
        .unwrap();
    let checkout = Checkout::builder()
        .config(config)
        .store(store.clone())
        .fulfiller(std::sync::Arc::new(fulfiller))
        .build()
        .unwrap();
    let shop = Shop::new(checkout, orders, store).with_admin(admin);
    let rocket = rocket_shop::rocket_without_reconciler(shop.clone())
        .configure(rocket::Config::debug_default());
    Twins {
        rocket: Client::tracked(rocket).await.unwrap(),
        axum: axum_shop::app(shop),
        _sandbox: sandbox,
    }
}

/// A request: method, path, `Accept`, `Content-Type` and body.
#[derive(Clone, Copy)]
struct Ask<'a> {
    method: &'a str,
    path: &'a str,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    body: &'a str,
}

fn get<'a>(path: &'a str, accept: Option<&'a str>) -> Ask<'a> {
    Ask {
        method: "GET",
        path,
        accept,
        content_type: None,
        body: "",
    }
}

fn post<'a>(
    path: &'a str,
    accept: Option<&'a str>,
    content_type: &'a str,
    body: &'a str,
) -> Ask<'a> {
    Ask {
        method: "POST",
        path,
        accept,
        content_type: Some(content_type),
        body,
    }
}

const JSON: Option<&str> = Some("application/json");
const HTML: Option<&str> = Some("text/html,application/xhtml+xml,*/*;q=0.8");
const FORM: &str = "application/x-www-form-urlencoded";

impl Twins {
    async fn rocket(&self, ask: Ask<'_>) -> Seen {
        let method = ask.method.parse().unwrap();
        let mut request = self.rocket.req(method, ask.path.to_owned()).body(ask.body);
        if let Some(accept) = ask.accept {
            request = request.header(rocket::http::Header::new("Accept", accept.to_owned()));
        }
        if let Some(content_type) = ask.content_type {
            request = request.header(rocket::http::Header::new(
                "Content-Type",
                content_type.to_owned(),
            ));
        }
        let response = request.dispatch().await;
        let header = |name: &str| response.headers().get_one(name).map(str::to_owned);
        Seen {
            status: response.status().code,
            content_type: header("Content-Type"),
            location: header("Location"),
            body: response.into_string().await.unwrap_or_default(),
        }
    }

    async fn axum(&self, ask: Ask<'_>) -> Seen {
        let mut request = axum::http::Request::builder()
            .method(ask.method)
            .uri(ask.path);
        if let Some(accept) = ask.accept {
            request = request.header("accept", accept);
        }
        if let Some(content_type) = ask.content_type {
            request = request.header("content-type", content_type);
        }
        let request = request.body(Body::from(ask.body.to_owned())).unwrap();
        let response = self.axum.clone().oneshot(request).await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (status, content_type, location) = (
            response.status().as_u16(),
            header("content-type"),
            header("location"),
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Seen {
            status,
            content_type,
            location,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    /// Both shops answer `ask` alike; returns the answer.
    async fn same(&self, ask: Ask<'_>) -> Seen {
        let (axum, rocket) = (self.axum(ask).await, self.rocket(ask).await);
        assert_eq!(rocket, axum, "{} {}", ask.method, ask.path);
        rocket
    }

    /// Both shops answer `ask` with the same status (their error texts are
    /// their frameworks' own); returns the Rocket answer.
    async fn same_status(&self, ask: Ask<'_>) -> Seen {
        let (axum, rocket) = (self.axum(ask).await, self.rocket(ask).await);
        assert_eq!(
            rocket.status, axum.status,
            "{} {}: {rocket:?}",
            ask.method, ask.path
        );
        assert_eq!(
            rocket.content_type, axum.content_type,
            "{} {}",
            ask.method, ask.path
        );
        rocket
    }
}

#[rocket::async_test]
async fn the_catalogue_pages_and_json_are_the_same() {
    let twins = twins().await;
    let products = twins.same(get("/api/products", JSON)).await;
    assert_eq!(products.status, 200);
    let listed: serde_json::Value = serde_json::from_str(&products.body).unwrap();
    assert_eq!(listed[0]["currency"], "XOF");
    let page = twins.same(get("/", HTML)).await;
    assert!(page.body.contains("<form"), "{}", page.body);
}

#[rocket::async_test]
async fn orders_are_created_and_shown_alike() {
    let twins = twins().await;
    // A form, from a browser: 303 to the order page.
    let rocket = twins
        .rocket(post("/orders", HTML, FORM, "product_id=attieke"))
        .await;
    let axum = twins
        .axum(post("/orders", HTML, FORM, "product_id=attieke"))
        .await;
    for seen in [&rocket, &axum] {
        assert_eq!(seen.status, 303);
        assert!(
            seen.location
                .as_deref()
                .unwrap()
                .starts_with("/orders/ord-")
        );
    }
    // JSON in, JSON out: 201 with Location and the order.
    let created = twins
        .rocket(post(
            "/orders",
            JSON,
            "application/json",
            r#"{"product_id":"attieke"}"#,
        ))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.content_type.as_deref(), Some("application/json"));
    let order: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let path = format!("/orders/{}", order["order_ref"].as_str().unwrap());
    assert_eq!(created.location.as_deref(), Some(path.as_str()));
    assert_eq!(order["amount"], 2500);
    let form = twins
        .rocket(post("/orders", JSON, FORM, "product_id=attieke"))
        .await;
    assert_eq!(form.status, 201);

    // The same order, seen by both: JSON with deliveries, and the same page.
    let shown = twins.same(get(&path, JSON)).await;
    let view: serde_json::Value = serde_json::from_str(&shown.body).unwrap();
    assert_eq!(view["payment_status"], "unpaid");
    assert_eq!(view["deliveries"], serde_json::json!([]));
    let page = twins.same(get(&path, HTML)).await;
    assert!(page.body.contains(r#"action="/cinetpay/init""#));
}

/// Both shops' answers to `GET path` with `authorization`: status,
/// `WWW-Authenticate` and body.
async fn admin_seen(
    twins: &Twins,
    path: &str,
    authorization: Option<&str>,
    json: bool,
) -> [(u16, Option<String>, String); 2] {
    use rocket::http::Header;
    let mut request = twins.rocket.get(path.to_owned());
    let mut axum = axum::http::Request::get(path);
    if let Some(value) = authorization {
        request = request.header(Header::new("Authorization", value.to_owned()));
        axum = axum.header("authorization", value);
    }
    if json {
        request = request.header(Header::new("Accept", "application/json"));
        axum = axum.header("accept", "application/json");
    }
    let response = request.dispatch().await;
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .map(str::to_owned);
    let rocket = (
        response.status().code,
        challenge,
        response.into_string().await.unwrap_or_default(),
    );
    let response = twins
        .axum
        .clone()
        .oneshot(axum.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    [
        rocket,
        (status, challenge, String::from_utf8(body.to_vec()).unwrap()),
    ]
}

#[rocket::async_test]
async fn the_admin_view_is_off_by_default_and_the_same_behind_the_token() {
    let path = "/admin/cinetpay";
    let off = twins().await;
    for (status, _, _) in admin_seen(&off, path, Some("Bearer anything"), true).await {
        assert_eq!(status, 404, "not mounted without SHOP_ADMIN_TOKEN");
    }

    let twins = twins_with(AdminToken::new("ops-token")).await;
    for authorization in [None, Some("Bearer wrong"), Some("Basic b3BzOndyb25n")] {
        for (status, challenge, _) in admin_seen(&twins, path, authorization, false).await {
            assert_eq!(status, 401, "{authorization:?}");
            assert_eq!(challenge.as_deref(), Some(shop_common::admin::CHALLENGE));
        }
    }
    let [rocket, axum] = admin_seen(&twins, path, Some("Bearer ops-token"), true).await;
    assert_eq!(rocket, axum);
    assert_eq!(
        (rocket.0, rocket.2.as_str()),
        (200, r#"{"payments":[],"next":null}"#)
    );
    // ops:ops-token, as a browser sends it.
    let [rocket, axum] = admin_seen(&twins, path, Some("Basic b3BzOm9wcy10b2tlbg=="), false).await;
    assert_eq!(rocket, axum);
    assert!(rocket.2.contains("<h1>Payments</h1>"), "{}", rocket.2);
}

#[rocket::async_test]
async fn errors_are_the_same() {
    let twins = twins().await;
    twins.same(get("/orders/ord-nope", JSON)).await;
    twins.same(get("/orders/ord-nope", HTML)).await;
    let unknown = twins
        .same(post("/orders", JSON, FORM, "product_id=nope"))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, r#"{"error":"no such product"}"#);
    let missing = twins
        .same_status(post("/orders", JSON, FORM, "other=1"))
        .await;
    assert_eq!(missing.status, 400);
    let bad_json = twins
        .same_status(post("/orders", JSON, "application/json", "{"))
        .await;
    assert_eq!(bad_json.status, 400);
    let missing_html = twins.same_status(post("/orders", HTML, FORM, "")).await;
    assert_eq!(missing_html.status, 400);
}

#[rocket::async_test]
async fn the_payment_routes_are_the_same() {
    let twins = twins().await;
    let created = twins
        .rocket(post("/orders", JSON, FORM, "product_id=cafe-touba"))
        .await;
    let order: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let body = format!("order_ref={}", order["order_ref"].as_str().unwrap());
    // Pay on one, click again on the other: the same payment page.
    let first = twins.axum(post("/cinetpay/init", JSON, FORM, &body)).await;
    let again = twins
        .rocket(post("/cinetpay/init", JSON, FORM, &body))
        .await;
    assert_eq!((first.status, again.status), (200, 200));
    let (first, again): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&first.body).unwrap(),
        serde_json::from_str(&again.body).unwrap(),
    );
    assert_eq!(first["payment_url"], again["payment_url"]);
    assert_eq!(again["reused"], true);
    twins.same(get("/cinetpay/notify", None)).await;
    twins.same(get("/cinetpay/return", HTML)).await;
    twins.same(get("/cinetpay/init", HTML)).await;
    let order_ref = order["order_ref"].as_str().unwrap();
    let view = twins.same(get(&format!("/orders/{order_ref}"), JSON)).await;
    assert!(view.body.contains(r#""payment_status":"pending""#));
}

/// The shop as `main` builds it (`from_config`): `Rocket.toml`'s keys, the
/// payment store made on ignite by the CinetPay fairing on the database of
/// `[databases.shop]`, the shop's orders in the same database.
#[rocket::async_test]
async fn the_shop_from_rocket_toml_takes_a_payment() {
    use rocket::figment::Figment;
    use rocket::figment::providers::{Format, Toml};
    use rocket::http::{Accept, ContentType, Status};

    let sandbox = Sandbox::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("shop.db");
    let toml = format!(
        r#"
        [default.databases.shop]
        url = "sqlite://{database}?mode=rwc"
        [default.cinetpay]
        database = "shop"
        api_key = "{api_key}"
        site_id = "{site_id}"
        secret_key = "{secret_key}"
        api_url = "{api_url}"
        public_url = "http://shop.test"
        fulfil_timeout_ms = 20000
        [default.shutdown]
        grace = 20
        "#,
        database = database.display(),
        api_key = sandbox.api_key(),
        site_id = sandbox.site_id(),
        secret_key = sandbox.secret_key(),
        api_url = sandbox.url().as_str().trim_end_matches('/'),
    );
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(Toml::string(&toml).nested());
    let client = Client::tracked(rocket_shop::from_config(figment))
        .await
        .unwrap();
    assert!(database.exists());

    let created = client
        .post("/orders")
        .header(ContentType::JSON)
        .header(Accept::JSON)
        .body(r#"{"product_id":"attieke"}"#)
        .dispatch()
        .await;
    assert_eq!(created.status(), Status::Created);
    let order: serde_json::Value =
        serde_json::from_str(&created.into_string().await.unwrap()).unwrap();
    let order_ref = order["order_ref"].as_str().unwrap().to_owned();
    let page = client.get(format!("/orders/{order_ref}")).dispatch().await;
    assert!(
        page.into_string()
            .await
            .unwrap()
            .contains(r#"action="/cinetpay/init""#)
    );

    let pay = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .body(format!("order_ref={order_ref}"))
        .dispatch()
        .await;
    assert_eq!(pay.status(), Status::SeeOther);
    let payment = sandbox.last_payment().unwrap();
    assert_eq!(
        pay.headers().get_one("Location"),
        Some(payment.payment_url.as_str())
    );
    // The order page reads the payment from the fairing's store.
    let view = client
        .get(format!("/orders/{order_ref}"))
        .header(Accept::JSON)
        .dispatch()
        .await;
    let view: serde_json::Value = serde_json::from_str(&view.into_string().await.unwrap()).unwrap();
    assert_eq!(view["payment_status"], "pending");
}

/// Like the axum shop, the Rocket shop stops gracefully on SIGTERM (Rocket's
/// default `shutdown.signals` on Unix), and its fairing stores the delivery
/// log: exit status 0.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_rocket_shop_gracefully() {
    let mut shop = shop_process::ShopProcess::start(env!("CARGO_BIN_EXE_rocket-shop"));
    shop.wait_until_it_answers();
    let (status, took, log) = shop.terminate(std::time::Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{status}:\n{log}");
    assert!(took < std::time::Duration::from_secs(8), "{took:?}:\n{log}");
    assert!(log.contains("Received SIGTERM"), "{log}");
    assert!(log.contains("shop stopped, delivery log stored"), "{log}");
}
