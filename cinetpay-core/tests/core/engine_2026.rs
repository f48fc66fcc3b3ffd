//! The engine on the 2026 REST API, against the sandbox: init keeps the
//! notify token and CinetPay's id, a notification is authenticated by the
//! payment's token (a forged, missing or foreign one asks CinetPay nothing),
//! the delivery runs once in the background, returns sync; and one engine
//! with a Checkout v2 account (XOF) and a 2026 account (XAF).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{
    AccountName, Amount, Currency, Customer, Description, Generation, MemoryStore, Money,
    OrderQuote, OrderRef, PaymentStatus, TransactionId,
};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle};
use http::{Request, StatusCode};
use serde_json::json;

use crate::common::{Shop, TestNotification, body_text, location};

const WAIT: Duration = Duration::from_secs(10);
const SHOP_URL: &str = "http://127.0.0.1:9";

fn customer() -> Customer {
    Customer {
        name: Some("Koné".into()),
        surname: Some("Awa".into()),
        email: Some("awa@example.ci".into()),
        ..Customer::default()
    }
}

fn quote(amount: i64, currency: Currency) -> OrderQuote {
    OrderQuote::new(
        Money::new(Amount::new(amount).unwrap(), currency),
        Description::new("Sac de riz").unwrap(),
    )
    .with_customer(customer())
}

struct World {
    handle: SandboxHandle,
    sandbox: Sandbox,
    checkout: Checkout,
    shop: Arc<Shop>,
}

/// One 2026 account (the sandbox's), the shop unreachable: notifications
/// are replayed from what the sandbox sent.
async fn world() -> World {
    let handle = Sandbox::builder().start().await.unwrap();
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_2026(SHOP_URL)
        .checkout_settings()
        .unwrap();
    settings.poll_after_ms = 0;
    let shop = Shop::new();
    shop.quote_with("ord-1", Ok(quote(1000, Currency::Xof)));
    shop.quote_with("ord-2", Ok(quote(2500, Currency::Xof)));
    shop.quote_with(
        "no-customer",
        Ok(OrderQuote::new(
            Money::new(Amount::new(1000).unwrap(), Currency::Xof),
            Description::new("Sac").unwrap(),
        )),
    );
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(shop.clone())
        .build()
        .unwrap();
    World {
        handle,
        sandbox,
        checkout,
        shop,
    }
}

fn notify(body: serde_json::Value) -> Request<Bytes> {
    Request::post("/cinetpay/notify")
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

/// What the sandbox sent for `id` (its delivery to the shop failed).
async fn sent(sandbox: &Sandbox, id: &TransactionId) -> serde_json::Value {
    let records = sandbox.wait_notifications(id.as_str(), WAIT).await.unwrap();
    records
        .last()
        .and_then(|r| r.json.clone())
        .expect("a JSON notification")
}

async fn until_fulfilled(checkout: &Checkout, id: &TransactionId) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let payment = checkout.payment(id).await.unwrap().unwrap();
        if payment.is_fulfilled() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered: {payment:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_2026_payment_is_created_notified_and_delivered_once() {
    let w = world().await;
    let started = w
        .checkout
        .start_payment(&OrderRef::new("ord-1").unwrap())
        .await
        .unwrap();
    let id = started.transaction_id.clone();
    assert!(id.as_str().starts_with("CP-") && id.as_str().len() <= 30);
    assert!(started.payment_url.starts_with(w.sandbox.url().as_str()));
    let payment = w.checkout.payment(&id).await.unwrap().unwrap();
    assert_eq!(payment.generation, Generation::Rest2026);
    assert_eq!(payment.account.as_str(), "default");
    assert!(payment.notify_token.is_some() && payment.cinetpay_id.is_some());
    assert!(!format!("{payment:?}").contains(payment.notify_token.as_ref().unwrap().expose()));

    w.sandbox.pay(id.as_str(), Operator::OrangeMoney).unwrap();
    let body = sent(&w.sandbox, &id).await;
    let before = w.sandbox.rest_counters().status_calls;
    let answer = w.checkout.handle(notify(body.clone())).await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", body_text(&answer));
    assert_eq!(w.sandbox.rest_counters().status_calls, before + 1);
    until_fulfilled(&w.checkout, &id).await;
    assert_eq!(
        w.checkout.payment(&id).await.unwrap().unwrap().status,
        PaymentStatus::Accepted
    );
    // Duplicates: one read, no status call, no second delivery.
    for _ in 0..3 {
        assert_eq!(
            w.checkout.handle(notify(body.clone())).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(w.sandbox.rest_counters().status_calls, before + 1);
    assert_eq!(w.shop.fulfilled(), vec![id.clone()]);
    assert_eq!(w.checkout.rest_client().unwrap().logins(), 1);

    // success_url and failed_url lead to the return route with our id.
    let back = w
        .checkout
        .handle(
            Request::get(format!(
                "/cinetpay/return?transaction_id={id}&status=REFUSED"
            ))
            .body(Bytes::new())
            .unwrap(),
        )
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&back).contains("payment=accepted"),
        "{}",
        location(&back)
    );
    w.handle.shutdown().await;
}

#[tokio::test]
async fn forged_missing_or_foreign_tokens_change_nothing_and_ask_nothing() {
    let w = world().await;
    let one = w
        .checkout
        .start_payment(&OrderRef::new("ord-1").unwrap())
        .await
        .unwrap();
    let two = w
        .checkout
        .start_payment(&OrderRef::new("ord-2").unwrap())
        .await
        .unwrap();
    w.sandbox
        .pay(one.transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    w.sandbox
        .pay(two.transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    let real_one = sent(&w.sandbox, &one.transaction_id).await;
    let real_two = sent(&w.sandbox, &two.transaction_id).await;
    let before = w.sandbox.rest_counters().status_calls;
    let id = one.transaction_id.as_str();
    let forged = [
        json!({"notify_token": "forged", "merchant_transaction_id": id}),
        json!({"merchant_transaction_id": id, "transaction_id": real_one["transaction_id"]}),
        json!({"notify_token": "", "merchant_transaction_id": id}),
        // The token of another payment.
        json!({"notify_token": real_two["notify_token"], "merchant_transaction_id": id}),
    ];
    for body in forged {
        let answer = w.checkout.handle(notify(body.clone())).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{body}");
    }
    // A Checkout v2 form about this payment, even correctly signed for no account.
    let v2 = TestNotification::success("123456", id);
    let secret = cinetpay_core::SecretKey::new("whatever").unwrap();
    let answer = w
        .checkout
        .handle(v2.request("/cinetpay/notify", Some(&secret)))
        .await;
    assert!(answer.status().is_client_error(), "{}", answer.status());
    assert_eq!(
        w.sandbox.rest_counters().status_calls,
        before,
        "no status call"
    );
    let payment = w
        .checkout
        .payment(&one.transaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert!(w.shop.fulfilled().is_empty());
    // The same token as form fields, whatever the content type: accepted.
    let form = format!(
        "notify_token={}&merchant_transaction_id={id}",
        real_one["notify_token"].as_str().unwrap()
    );
    let answer = w
        .checkout
        .handle(
            Request::post("/cinetpay/notify")
                .header("content-type", "text/plain")
                .body(Bytes::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    until_fulfilled(&w.checkout, &one.transaction_id).await;
    // GET on the notify path answers 200.
    let ping = Request::get("/cinetpay/notify").body(Bytes::new()).unwrap();
    assert_eq!(w.checkout.handle(ping).await.status(), StatusCode::OK);
    w.handle.shutdown().await;
}

/// With the account's country set, a customer's phone must carry its
/// calling code; a wrong one fails the init before anything is stored or sent.
#[tokio::test]
async fn a_phone_of_another_country_is_refused_at_init() {
    let handle = Sandbox::builder().start().await.unwrap();
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_2026(SHOP_URL)
        .checkout_settings()
        .unwrap();
    settings.country = Some("CI".into());
    let shop = Shop::new();
    let with_phone = |phone: &str| {
        let mut c = customer();
        c.phone_number = Some(phone.into());
        quote(1000, Currency::Xof).with_customer(c)
    };
    shop.quote_with("cameroon", Ok(with_phone("+237690000000")));
    shop.quote_with("ivory", Ok(with_phone("+2250707070700")));
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(shop)
        .build()
        .unwrap();
    let err = checkout
        .start_payment(&OrderRef::new("cameroon").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("+225"), "{err}");
    assert_eq!(sandbox.rest_counters().inits, 0);
    let ok = checkout
        .start_payment(&OrderRef::new("ivory").unwrap())
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    handle.shutdown().await;
}

#[tokio::test]
async fn a_quote_without_the_customer_the_2026_api_requires_is_refused_before_anything() {
    let w = world().await;
    let err = w
        .checkout
        .start_payment(&OrderRef::new("no-customer").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("client_email"), "{err}");
    assert_eq!(w.sandbox.rest_counters().inits, 0);
    w.handle.shutdown().await;
}

/// One engine, two accounts on the same sandbox: `ci` on Checkout v2 (XOF),
/// `cm` on the 2026 API (XAF, a Cameroon account).
#[tokio::test]
async fn two_accounts_each_payment_on_its_own_and_notifications_checked_against_it() {
    let handle = Sandbox::builder().rest_country("CM").start().await.unwrap();
    let sandbox = handle.sandbox();
    let rest = sandbox.credentials_2026();
    let api = sandbox.url().to_string();
    let vars = [
        ("CINETPAY_PUBLIC_URL", SHOP_URL.to_owned()),
        ("CINETPAY_ACCOUNTS", "ci,cm".to_owned()),
        ("CINETPAY_CI_API_KEY", sandbox.api_key().to_owned()),
        ("CINETPAY_CI_SITE_ID", sandbox.site_id().to_owned()),
        ("CINETPAY_CI_SECRET_KEY", sandbox.secret_key().to_owned()),
        ("CINETPAY_CI_API_URL", api.clone()),
        ("CINETPAY_CI_CURRENCY", "XOF".to_owned()),
        ("CINETPAY_CM_API_KEY", rest.api_key().to_owned()),
        ("CINETPAY_CM_API_PASSWORD", rest.api_password().to_owned()),
        ("CINETPAY_CM_API_URL", api),
        ("CINETPAY_CM_CURRENCY", "XAF".to_owned()),
        ("CINETPAY_POLL_AFTER_MS", "0".to_owned()),
    ];
    let config = CheckoutSettings::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
    .into_config()
    .unwrap();
    let shop = Shop::new();
    shop.quote_with("xof", Ok(quote(1000, Currency::Xof)));
    shop.quote_with("xaf", Ok(quote(5000, Currency::Xaf)));
    shop.quote_with(
        "named",
        Ok(quote(5000, Currency::Xaf).on_account(AccountName::new("ci").unwrap())),
    );
    let checkout = Checkout::builder()
        .config(config)
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(shop.clone())
        .build()
        .unwrap();

    let xof = checkout
        .start_payment(&OrderRef::new("xof").unwrap())
        .await
        .unwrap();
    let xaf = checkout
        .start_payment(&OrderRef::new("xaf").unwrap())
        .await
        .unwrap();
    let p_xof = checkout
        .payment(&xof.transaction_id)
        .await
        .unwrap()
        .unwrap();
    let p_xaf = checkout
        .payment(&xaf.transaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (p_xof.account.as_str(), p_xof.generation),
        ("ci", Generation::CheckoutV2)
    );
    assert_eq!(
        (p_xaf.account.as_str(), p_xaf.generation),
        ("cm", Generation::Rest2026)
    );
    // A quote naming an account that does not take its currency.
    let err = checkout
        .start_payment(&OrderRef::new("named").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("takes XOF only"), "{err}");

    // A v2 notification signed with ci's key about the cm payment: refused.
    let ci_secret = cinetpay_core::SecretKey::new(sandbox.secret_key()).unwrap();
    let forged = TestNotification::success(sandbox.site_id(), xaf.transaction_id.as_str());
    let answer = checkout
        .handle(forged.request("/cinetpay/notify", Some(&ci_secret)))
        .await;
    assert_eq!(
        answer.status(),
        StatusCode::FORBIDDEN,
        "{}",
        body_text(&answer)
    );

    sandbox
        .pay(xof.transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    sandbox
        .pay(xaf.transaction_id.as_str(), Operator::MtnMomo)
        .unwrap();
    let v2 = TestNotification::success(sandbox.site_id(), xof.transaction_id.as_str());
    let answer = checkout
        .handle(v2.request("/cinetpay/notify", Some(&ci_secret)))
        .await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", body_text(&answer));
    let body = sent(&sandbox, &xaf.transaction_id).await;
    assert_eq!(checkout.handle(notify(body)).await.status(), StatusCode::OK);
    until_fulfilled(&checkout, &xaf.transaction_id).await;
    let mut delivered = shop.fulfilled();
    delivered.sort();
    let mut expected = vec![xof.transaction_id.clone(), xaf.transaction_id.clone()];
    expected.sort();
    assert_eq!(delivered, expected);
    handle.shutdown().await;
}

/// Payments of an account that is no longer configured (a shop that moved
/// from Checkout v2 to the 2026 API) are not checked, and do not keep the
/// reconciler from the others: each is recorded as looked at, so a batch
/// of them does not fill every pass.
#[tokio::test]
async fn payments_of_a_removed_account_do_not_starve_the_reconciler() {
    let handle = Sandbox::builder().start().await.unwrap();
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_2026(SHOP_URL)
        .checkout_settings()
        .unwrap();
    settings.poll_after_ms = 1;
    settings.reconcile_batch = 2;
    let shop = Shop::new();
    shop.quote_with("ord-1", Ok(quote(1000, Currency::Xof)));
    let store = Arc::new(MemoryStore::new());
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(store.clone())
        .fulfiller(shop.clone())
        .build()
        .unwrap();
    let gone = AccountName::new("old_v2").unwrap();
    for i in 0..4 {
        let new = cinetpay_core::NewPayment {
            transaction_id: TransactionId::generate(),
            order_ref: OrderRef::new(format!("old-{i}")).unwrap(),
            amount: Amount::new(1000).unwrap(),
            currency: Currency::Xof,
            description: Description::new("d").unwrap(),
            account: gone.clone(),
            generation: Generation::CheckoutV2,
            created_at: chrono::Utc::now() - chrono::TimeDelta::seconds(10),
        };
        cinetpay_core::PaymentStore::insert_payment(store.as_ref(), &new)
            .await
            .unwrap();
        let page = cinetpay_core::PaymentPage {
            payment_token: "t",
            payment_url: "https://checkout.example/p",
            notify_token: None,
            cinetpay_id: None,
            at: new.created_at,
        };
        cinetpay_core::PaymentStore::attach_payment_page(
            store.as_ref(),
            &new.transaction_id,
            &page,
        )
        .await
        .unwrap();
    }
    let started = checkout
        .start_payment(&OrderRef::new("ord-1").unwrap())
        .await
        .unwrap();
    // Paid, but its notification is lost: only the reconciler finds it.
    sandbox
        .decide_with(
            started.transaction_id.as_str(),
            cinetpay_sandbox::Decision::Pay {
                operator: Operator::OrangeMoney,
                phone: None,
            },
            cinetpay_sandbox::Scenario::new().never_send(true),
        )
        .unwrap();
    let mut passes = 0;
    while shop.fulfilled().is_empty() {
        passes += 1;
        assert!(passes <= 4, "the reconciler never reached the paid payment");
        tokio::time::sleep(Duration::from_millis(20)).await;
        checkout.reconcile_once().await.unwrap();
    }
    assert_eq!(shop.fulfilled(), vec![started.transaction_id.clone()]);
    handle.shutdown().await;
}

/// An init that timed out may have created the payment at CinetPay: it is
/// `start_failed` (never retried with the same id, which would only meet
/// `1200 TRANSACTION_EXIST`), its page was never shown, and the customer's
/// next click creates a fresh payment that is delivered once; a late
/// success of the first one could not be delivered a second time.
#[tokio::test]
async fn an_init_that_timed_out_is_start_failed_and_the_next_click_pays_once() {
    let handle = Sandbox::builder()
        .rest_faults(
            cinetpay_sandbox::RestFaults::new()
                .init_timeout_next(1)
                .hang_for(Duration::from_secs(3)),
        )
        .start()
        .await
        .unwrap();
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_2026(SHOP_URL)
        .checkout_settings()
        .unwrap();
    settings.http_timeout_ms = 500;
    settings.init_abandoned_after_ms = 2_000;
    settings.poll_after_ms = 0;
    let shop = Shop::new();
    shop.quote_with("ord-1", Ok(quote(1000, Currency::Xof)));
    let store = Arc::new(MemoryStore::new());
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(store.clone())
        .fulfiller(shop.clone())
        .build()
        .unwrap();
    let order = OrderRef::new("ord-1").unwrap();
    let err = checkout.start_payment(&order).await.unwrap_err();
    assert_eq!(err.http_status(), StatusCode::SERVICE_UNAVAILABLE, "{err}");
    let first = cinetpay_core::PaymentQueries::payments_for_order(store.as_ref(), &order, 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].status, PaymentStatus::StartFailed);
    assert!(first[0].payment_url.is_none());
    assert_eq!(
        sandbox.rest_counters().payments_created,
        1,
        "CinetPay has it"
    );
    assert_eq!(sandbox.rest_counters().duplicates, 0, "never sent again");

    let second = checkout.start_payment(&order).await.unwrap();
    assert_ne!(second.transaction_id, first[0].transaction_id);
    sandbox
        .pay(second.transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    let body = sent(&sandbox, &second.transaction_id).await;
    assert_eq!(checkout.handle(notify(body)).await.status(), StatusCode::OK);
    until_fulfilled(&checkout, &second.transaction_id).await;
    // The first one paid late anyway: it is not delivered (start_failed is
    // left for a human), and the order stays delivered once.
    sandbox
        .pay(first[0].transaction_id.as_str(), Operator::OrangeMoney)
        .unwrap();
    let late = checkout
        .sync(
            &first[0].transaction_id,
            cinetpay_core::DeliverySource::Reconcile,
        )
        .await
        .unwrap();
    assert_eq!(late.status(), Some(PaymentStatus::StartFailed));
    assert_eq!(shop.fulfilled(), vec![second.transaction_id.clone()]);
    handle.shutdown().await;
}

/// `fulfil_in_background` on Checkout v2: the notification is answered once
/// the verified status is stored, while the fulfiller still runs; the
/// delivery then happens once.
#[tokio::test]
async fn v2_can_answer_before_the_fulfiller_runs() {
    let handle = Sandbox::builder().start().await.unwrap();
    let sandbox = handle.sandbox();
    let mut settings = sandbox
        .shop_settings_v2(SHOP_URL)
        .checkout_settings()
        .unwrap();
    settings.fulfil_in_background = true;
    settings.poll_after_ms = 0;
    let shop = Shop::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    shop.script([cinetpay_testing::Act::WaitFor(gate.clone())]);
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(shop.clone())
        .build()
        .unwrap();
    let started = checkout
        .start_payment(&OrderRef::new("ord-1").unwrap())
        .await
        .unwrap();
    let id = started.transaction_id.clone();
    sandbox.pay(id.as_str(), Operator::OrangeMoney).unwrap();
    let secret = cinetpay_core::SecretKey::new(sandbox.secret_key()).unwrap();
    let notice = TestNotification::success(sandbox.site_id(), id.as_str());
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        checkout.handle(notice.request("/cinetpay/notify", Some(&secret))),
    )
    .await
    .expect("answered while the fulfiller waits");
    assert_eq!(answer.status(), StatusCode::OK);
    let payment = checkout.payment(&id).await.unwrap().unwrap();
    assert_eq!(
        payment.status,
        PaymentStatus::Accepted,
        "stored before the answer"
    );
    assert!(!payment.is_fulfilled());
    gate.add_permits(1);
    until_fulfilled(&checkout, &id).await;
    assert_eq!(shop.fulfilled(), vec![id]);
    handle.shutdown().await;
}
