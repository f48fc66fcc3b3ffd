//! The admin view's Rocket routes mounted at `/admin/cinetpay` behind an
//! application guard: the guard runs first, the view reads the managed
//! store, escapes what it shows, refuses a "sync now" without its CSRF
//! token, and syncs a paid but pending payment to accepted on the sandbox.

use std::sync::Arc;

use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::*;
use cinetpay_rocket::{AdminQueries, CinetPay, admin_routes};
use cinetpay_sandbox::{Operator as Wallet, Sandbox, SandboxHandle, Scenario};
use cinetpay_testing::{ScriptedFulfiller, fixtures};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::request::{FromRequest, Outcome, Request};

const MOUNT: &str = "/admin/cinetpay";
const AUTH: (&str, &str) = ("Authorization", "Bearer let-me-in");

/// The application's authentication, as the view's guard.
struct Operator;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Operator {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match request.headers().get_one(AUTH.0) {
            Some(value) if value == AUTH.1 => Outcome::Success(Operator),
            _ => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

struct Rig {
    sandbox: SandboxHandle,
    store: MemoryStore,
    checkout: Checkout,
    merchant: Arc<ScriptedFulfiller>,
    client: Client,
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
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(CinetPay::from_checkout(checkout.clone()).without_reconciler())
        .manage(AdminQueries::new(Arc::new(store.clone())))
        .mount(MOUNT, admin_routes::<Operator>());
    let client = Client::untracked(rocket).await.unwrap();
    Rig {
        sandbox,
        store,
        checkout,
        merchant,
        client,
    }
}

async fn text(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

impl Rig {
    async fn get(&self, path: &str, json: bool) -> (Status, Option<String>, String) {
        let mut request = self
            .client
            .get(path.to_owned())
            .header(Header::new(AUTH.0, AUTH.1));
        if json {
            request = request.header(Header::new("Accept", "application/json"));
        }
        let response = request.dispatch().await;
        let cookie = response
            .headers()
            .get_one("Set-Cookie")
            .map(|c| c.split(';').next().unwrap().to_owned());
        (response.status(), cookie, text(response).await)
    }

    async fn paid_but_pending(&self, order: &str) -> TransactionId {
        let started = self
            .checkout
            .start_payment(&OrderRef::new(order).unwrap())
            .await
            .unwrap();
        self.sandbox
            .pay(started.transaction_id.as_str(), Wallet::MtnMomo)
            .unwrap();
        started.transaction_id
    }

    async fn status(&self, id: &TransactionId) -> PaymentStatus {
        self.checkout.payment(id).await.unwrap().unwrap().status
    }
}

#[rocket::async_test]
async fn the_applications_guard_runs_before_the_view() {
    let rig = rig().await;
    let id = rig.paid_but_pending("rocket-admin-guard").await;
    for path in [MOUNT.to_owned(), format!("{MOUNT}/payments/{id}")] {
        let response = rig.client.get(path.clone()).dispatch().await;
        assert_eq!(response.status(), Status::Unauthorized, "{path}");
    }
    let response = rig
        .client
        .post(format!("{MOUNT}/payments/{id}/sync"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(rig.sandbox.checks_for(id.as_str()).is_empty());

    let (status, _, body) = rig.get(&format!("{MOUNT}?status=pending"), true).await;
    assert_eq!(status, Status::Ok, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["payments"][0]["transaction_id"], id.as_str());
    let (status, _, _) = rig
        .get(&format!("{MOUNT}/payments/cp-unknown"), false)
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _, _) = rig.get(&format!("{MOUNT}?limit=0"), false).await;
    assert_eq!(status, Status::BadRequest);
}

#[rocket::async_test]
async fn sync_now_needs_the_pages_token_and_accepts_a_paid_payment() {
    let rig = rig().await;
    let hostile = OrderRef::new("<script>alert('x')</script>").unwrap();
    let new = fixtures::new_payment(&hostile, 1000, fixtures::at(0));
    rig.store.insert_payment(&new).await.unwrap();
    let id = rig.paid_but_pending("rocket-admin-sync").await;

    let (_, _, list) = rig.get(MOUNT, false).await;
    assert!(!list.contains("<script"), "{list}");
    assert!(list.contains("&lt;script&gt;alert(&#39;x&#39;)"), "{list}");
    assert!(
        list.contains(&format!("href=\"{MOUNT}/payments/{id}\"")),
        "{list}"
    );

    let page = format!("{MOUNT}/payments/{id}");
    let (status, cookie, body) = rig.get(&page, false).await;
    assert_eq!(status, Status::Ok);
    let cookie = cookie.expect("the page sets the CSRF cookie");
    let start = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &body[start..start + 64];
    let payment_token = rig
        .checkout
        .payment(&id)
        .await
        .unwrap()
        .unwrap()
        .payment_token
        .unwrap();
    assert!(
        !body.contains(&payment_token),
        "no payment token on the page"
    );

    let sync = |form: String, cookie: Option<&str>| {
        let mut request = rig
            .client
            .post(format!("{MOUNT}/payments/{id}/sync"))
            .header(Header::new(AUTH.0, AUTH.1))
            .header(Header::new("Host", "shop.example"))
            .header(Header::new("Origin", "http://shop.example"))
            .header(ContentType::Form)
            .body(form);
        if let Some(cookie) = cookie {
            request = request.header(Header::new("Cookie", cookie.to_owned()));
        }
        request.dispatch()
    };
    let refused = sync(format!("csrf={token}"), None).await;
    assert_eq!(refused.status(), Status::Forbidden);
    let refused = sync("csrf=forged".to_owned(), Some(&cookie)).await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert_eq!(rig.status(&id).await, PaymentStatus::Pending);
    assert!(rig.sandbox.checks_for(id.as_str()).is_empty());

    let done = sync(format!("csrf={token}"), Some(&cookie)).await;
    assert_eq!(done.status(), Status::SeeOther);
    let location = done.headers().get_one("Location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{page}?synced=delivered")),
        "{location}"
    );
    assert_eq!(rig.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(rig.merchant.fulfilled(), std::slice::from_ref(&id));
    let (_, _, after) = rig.get(&location, false).await;
    assert!(after.contains("status pending → accepted"), "{after}");
    assert!(
        after.contains("<td>operator</td>"),
        "the log says who asked: {after}"
    );
}

/// With `fairing_with_store` and no `AdminQueries`, the view reads the
/// `SeaOrmStore` the fairing manages.
#[rocket::async_test]
async fn the_view_reads_the_store_the_fairing_built() {
    let toml = r#"
        [default.cinetpay]
        api_key = "k"
        site_id = 123456
        api_url = "http://127.0.0.1:9"
        public_url = "https://shop.example"
        database_url = "sqlite::memory:"
    "#;
    let fairing =
        CinetPay::fairing_with_store(|_: &cinetpay_rocket::cinetpay_store::SeaOrmStore| {
            crate::common::Counting::default()
        })
        .without_reconciler();
    let rocket = rocket::custom(crate::common::figment(toml))
        .attach(fairing)
        .mount(MOUNT, admin_routes::<Operator>());
    let client = Client::untracked(rocket).await.unwrap();
    let store = client
        .rocket()
        .state::<cinetpay_rocket::cinetpay_store::SeaOrmStore>()
        .unwrap()
        .clone();
    let payment = crate::common::pending_payment(&store).await;
    let response = client
        .get(format!("{MOUNT}/payments/{}", payment.transaction_id))
        .header(Header::new(AUTH.0, AUTH.1))
        .header(Header::new("Accept", "application/json"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let json: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(json["order_ref"], payment.order_ref.as_str());
    assert_eq!(json["status"], "pending");
}
