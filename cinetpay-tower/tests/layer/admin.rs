//! The admin view nested in an axum app at `/admin/cinetpay`: filters and
//! paging, JSON, escaping, the CSRF protection of "sync now", a paid but
//! pending payment synced to accepted through the sandbox, `404`s, and no
//! secret in any answer.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::*;
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle, Scenario};
use cinetpay_testing::{Act, ScriptedFulfiller, fixtures};
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const MOUNT: &str = "/admin/cinetpay";
const XSS: &str = "<script>alert(\"o'k\")</script>";

/// A shop on the sandbox whose notifications never arrive (so that a paid
/// payment stays pending until synced), with the admin view nested.
struct Rig {
    sandbox: SandboxHandle,
    store: MemoryStore,
    checkout: Checkout,
    merchant: Arc<ScriptedFulfiller>,
    app: Router,
}

async fn rig() -> Rig {
    let sandbox = Sandbox::builder().start().await.unwrap();
    sandbox.set_scenario(Scenario::new().never_send(true));
    // The sandbox's own settings for a shop, as a shop reads them.
    let config = CheckoutSettings {
        check_retries: 0,
        ..sandbox
            .shop_settings_v2("http://127.0.0.1:9")
            .checkout_settings()
            .unwrap()
    }
    .into_config()
    .unwrap();
    let store = MemoryStore::new();
    let merchant = ScriptedFulfiller::new();
    let checkout = Checkout::builder()
        .config(config)
        .store(Arc::new(store.clone()))
        .fulfiller(merchant.clone())
        .build()
        .unwrap();
    let app = Router::new().nest(
        MOUNT,
        cinetpay_tower::admin_router(checkout.clone(), Arc::new(store.clone())),
    );
    Rig {
        sandbox,
        store,
        checkout,
        merchant,
        app,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The CSRF cookie it sets, as a `Cookie` header value.
    fn cookie(&self) -> String {
        let set = self.headers[header::SET_COOKIE].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    /// The token of the page's form.
    fn form_token(&self) -> String {
        let start = self.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        self.body[start..start + 64].to_owned()
    }
}

impl Rig {
    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::get(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    async fn json(&self, path: &str) -> Value {
        let answer = self.get(path, &[("accept", "application/json")]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        answer.json()
    }

    async fn post(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "shop.example");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// A payment paid on CinetPay's page whose notification was lost.
    async fn paid_but_pending(&self, order: &str) -> TransactionId {
        let started = self
            .checkout
            .start_payment(&OrderRef::new(order).unwrap())
            .await
            .unwrap();
        self.sandbox
            .pay(started.transaction_id.as_str(), Operator::OrangeMoney)
            .unwrap();
        started.transaction_id
    }

    async fn status(&self, id: &TransactionId) -> PaymentStatus {
        self.checkout.payment(id).await.unwrap().unwrap().status
    }

    /// The payment page's cookie and form token.
    async fn csrf(&self, id: &TransactionId) -> (String, String) {
        let page = self.get(&format!("{MOUNT}/payments/{id}"), &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        (page.cookie(), page.form_token())
    }
}

fn ids(list: &Value) -> Vec<String> {
    list["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["transaction_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_pages_and_links_under_its_mount() {
    let rig = rig().await;
    let order = fixtures::order_ref("admin-list");
    for (ms, order) in [(0, order.clone()), (1, fixtures::order_ref("admin-other"))] {
        let new = fixtures::new_payment(&order, 1000, fixtures::at(ms));
        rig.store.insert_payment(&new).await.unwrap();
    }
    let paid = rig.paid_but_pending("admin-paid").await;
    rig.checkout
        .sync(&paid, DeliverySource::Reconcile)
        .await
        .unwrap();

    assert_eq!(
        ids(&rig.json(&format!("{MOUNT}?status=accepted")).await),
        [paid.to_string()]
    );
    assert_eq!(
        ids(&rig.json(&format!("{MOUNT}?status=pending")).await).len(),
        2
    );
    assert_eq!(ids(&rig.json(MOUNT).await).len(), 3);
    for empty in [
        "needs_attention=1",
        "refund=1",
        "failing=1",
        "since=2999-01-01",
    ] {
        assert!(
            ids(&rig.json(&format!("{MOUNT}?{empty}")).await).is_empty(),
            "{empty}"
        );
    }
    let order_query = format!("{MOUNT}?order={order}");
    assert_eq!(ids(&rig.json(&order_query).await).len(), 1);

    // Pages of one: the cursor links go on where the last page stopped.
    let mut seen = vec![];
    let mut next = Some(format!("{MOUNT}?limit=1"));
    while let Some(url) = next {
        let page = rig.json(&url).await;
        seen.extend(ids(&page));
        next = page["next"].as_str().map(str::to_owned);
        if let Some(next) = &next {
            assert!(
                next.starts_with(&format!("{MOUNT}?limit=1&before=")),
                "{next}"
            );
        }
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], paid.to_string(), "newest first");

    let html = rig.get(&format!("{MOUNT}?status=accepted"), &[]).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        html.body
            .contains(&format!("href=\"{MOUNT}/payments/{paid}\"")),
        "{}",
        html.body
    );
    assert!(html.body.contains("<option value=\"accepted\" selected>"));
    assert!(!html.body.contains("<script"), "no script at all");

    let bad = rig.get(&format!("{MOUNT}?status=paid"), &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("`status`"), "{}", bad.body);
}

#[tokio::test]
async fn every_value_from_the_store_or_the_request_is_escaped() {
    let rig = rig().await;
    let hostile = OrderRef::new(XSS).unwrap();
    let new = fixtures::new_payment(&hostile, 1000, fixtures::at(0));
    rig.store.insert_payment(&new).await.unwrap();
    // A delivery that fails with markup in its error.
    let failing = rig.paid_but_pending("admin-failing").await;
    rig.merchant.script_order(
        "admin-failing",
        [Act::Fail("<script>alert(\"boom\")</script>")],
    );
    rig.checkout
        .sync(&failing, DeliverySource::Reconcile)
        .await
        .unwrap();
    assert_eq!(
        ids(&rig.json(&format!("{MOUNT}?failing=1")).await),
        [failing.to_string()]
    );

    let query = format!("{MOUNT}?order=%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E");
    for path in [
        MOUNT.to_owned(),
        format!("{MOUNT}/payments/{}", new.transaction_id),
        format!("{MOUNT}/payments/{failing}"),
        query,
    ] {
        let page = rig.get(&path, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script"), "{path}: {}", page.body);
        assert!(
            page.body.contains("&lt;script&gt;alert(&quot;"),
            "{path}: {}",
            page.body
        );
    }
    let page = rig
        .get(&format!("{MOUNT}/payments/{}", new.transaction_id), &[])
        .await;
    assert!(
        page.body
            .contains("&lt;script&gt;alert(&quot;o&#39;k&quot;)&lt;/script&gt;")
    );
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    // JSON carries the text as it is, as JSON.
    let json = rig.json(&format!("{MOUNT}/payments/{failing}")).await;
    assert_eq!(
        json["fulfilment"]["last_error"],
        "<script>alert(\"boom\")</script>"
    );
}

#[tokio::test]
async fn sync_now_with_the_pages_token_accepts_a_paid_payment_and_shows_the_outcome() {
    let rig = rig().await;
    let id = rig.paid_but_pending("admin-sync").await;
    assert_eq!(rig.status(&id).await, PaymentStatus::Pending);
    let (cookie, token) = rig.csrf(&id).await;
    let page = rig.get(&format!("{MOUNT}/payments/{id}"), &[]).await;
    let set = page.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains(&format!("Path={MOUNT}")) && set.contains("HttpOnly"),
        "{set}"
    );
    assert!(set.contains("SameSite=Strict"), "{set}");

    let sync = format!("{MOUNT}/payments/{id}/sync");
    let posted = rig
        .post(
            &sync,
            &format!("csrf={token}"),
            &[("cookie", &cookie), ("origin", "http://shop.example")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let location = posted.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with(&format!("{MOUNT}/payments/{id}?synced=delivered")),
        "{location}"
    );
    assert_eq!(rig.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(rig.merchant.fulfilled(), std::slice::from_ref(&id));

    let after = rig.get(&location, &[("cookie", &cookie)]).await;
    assert!(after.body.contains("id=\"sync-notice\""), "{}", after.body);
    assert!(
        after.body.contains("status pending → accepted"),
        "{}",
        after.body
    );
    assert!(
        after.headers.get(header::SET_COOKIE).is_none(),
        "the cookie is kept"
    );
    assert_eq!(
        after.form_token(),
        token,
        "the page's form reuses the cookie's token"
    );
    let json = rig.json(&location).await;
    assert_eq!(json["status"], "accepted");
    assert_eq!(json["sync"]["result"], "done");
    let sources: Vec<&str> = json["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["source"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"operator"), "{sources:?}");

    // A script: the token in a header, the outcome as JSON.
    let again = rig
        .post(
            &sync,
            "",
            &[
                ("cookie", &cookie),
                ("x-csrf-token", &token),
                ("accept", "application/json"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["fulfilment"], "already_delivered");
    assert_eq!(rig.merchant.fulfilled().len(), 1, "delivered once");
}

#[tokio::test]
async fn sync_now_without_a_matching_token_or_from_another_site_is_refused_and_changes_nothing() {
    let rig = rig().await;
    let id = rig.paid_but_pending("admin-csrf").await;
    let (cookie, token) = rig.csrf(&id).await;
    let sync = format!("{MOUNT}/payments/{id}/sync");
    let form = format!("csrf={token}");
    let other_cookie = format!("cinetpay_admin_csrf={}", "0".repeat(64));
    let refused = [
        rig.post(&sync, &form, &[]).await,
        rig.post(&sync, "", &[("cookie", &cookie)]).await,
        rig.post(&sync, &form, &[("cookie", &other_cookie)]).await,
        rig.post(
            &sync,
            &form,
            &[("cookie", &cookie), ("sec-fetch-site", "cross-site")],
        )
        .await,
        rig.post(
            &sync,
            &form,
            &[("cookie", &cookie), ("origin", "https://evil.example")],
        )
        .await,
        rig.post(&sync, &form, &[("cookie", &cookie), ("origin", "null")])
            .await,
    ];
    for (i, answer) in refused.iter().enumerate() {
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "case {i}: {}",
            answer.body
        );
        assert!(answer.headers.get(header::LOCATION).is_none());
    }
    assert_eq!(
        rig.status(&id).await,
        PaymentStatus::Pending,
        "nothing changed"
    );
    assert!(
        rig.sandbox.checks_for(id.as_str()).is_empty(),
        "CinetPay was not asked"
    );
    assert!(rig.merchant.fulfilled().is_empty());

    // GET does not act either.
    assert_eq!(
        rig.get(&sync, &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(rig.status(&id).await, PaymentStatus::Pending);
}

#[tokio::test]
async fn unknown_payments_and_pages_are_404() {
    let rig = rig().await;
    let id = rig.paid_but_pending("admin-404").await;
    let (cookie, token) = rig.csrf(&id).await;
    for path in [
        format!("{MOUNT}/payments/cp-nothing-here"),
        format!("{MOUNT}/payments/not%20an%20id"),
    ] {
        assert_eq!(
            rig.get(&path, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let json = rig
        .get(
            &format!("{MOUNT}/payments/cp-nothing-here"),
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(json.json()["error"], "no such payment");
    let posted = rig
        .post(
            &format!("{MOUNT}/payments/cp-nothing-here/sync"),
            &format!("csrf={token}"),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rig.get("/admin/other", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn no_secret_reaches_a_page_or_its_json() {
    let rig = rig().await;
    let id = rig.paid_but_pending("admin-secrets").await;
    let payment = rig.checkout.payment(&id).await.unwrap().unwrap();
    let token = payment
        .payment_token
        .clone()
        .expect("init stored a payment token");
    let url = payment
        .payment_url
        .clone()
        .expect("init stored the page's URL");
    let secrets = [
        token.as_str(),
        url.as_str(),
        rig.sandbox.api_key(),
        rig.sandbox.secret_key(),
    ];
    let (cookie, csrf) = rig.csrf(&id).await;
    let synced = rig
        .post(
            &format!("{MOUNT}/payments/{id}/sync"),
            &format!("csrf={csrf}"),
            &[("cookie", &cookie)],
        )
        .await;
    let location = synced.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let json = [("accept", "application/json")];
    for (path, headers) in [
        (MOUNT.to_owned(), &[][..]),
        (MOUNT.to_owned(), &json[..]),
        (location.clone(), &[][..]),
        (location, &json[..]),
    ] {
        let answer = rig.get(&path, headers).await;
        assert_eq!(answer.status, StatusCode::OK);
        for secret in secrets {
            assert!(
                !answer.body.contains(secret),
                "{path} shows a secret: {}",
                answer.body
            );
        }
        assert!(!answer.body.contains("payment_token") && !answer.body.contains("payment_url"));
        assert!(!answer.body.contains("claim_owner"));
    }
}
