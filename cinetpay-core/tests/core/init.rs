//! `POST {prefix}/init` and `Checkout::start_payment`: the page, reuse on a
//! double click, every refusal, and `start_failed` when CinetPay says no.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::common::*;
use bytes::Bytes;
use cinetpay_core::engine::InitError;
use cinetpay_core::{
    Channels, Customer, Description, NewPayment, OrderQuote, OrderRef, PaymentStatus, PaymentStore,
    TransactionId,
};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn init_form(order: &str) -> Request<Bytes> {
    post_form("/cinetpay/init", &format!("order_ref={order}"))
}

fn init_json(body: Value) -> Request<Bytes> {
    Request::post("/cinetpay/init")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_form_post_is_303_to_the_payment_page_with_everything_cinetpay_needs() {
    let h = Harness::new().await;
    // The amount in the request is ignored: the quote says 1000.
    let r = h
        .handle(post_form(
            "/cinetpay/init",
            "order_ref=ord-1&amount=5&currency=XAF",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body_text(&r));
    let page = location(&r);
    assert!(page.starts_with(PAGE_BASE), "{page}");
    let id: TransactionId = page.trim_start_matches(PAGE_BASE).parse().unwrap();
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Pending);
    assert_eq!(p.amount.get(), 1000);
    assert_eq!(p.payment_url.as_deref(), Some(page.as_str()));
    assert_eq!(
        p.payment_token.as_deref(),
        Some(format!("tok-{id}").as_str())
    );
    assert!(p.open);

    let bodies = h.init_bodies().await;
    assert_eq!(bodies.len(), 1);
    let b = &bodies[0];
    assert_eq!(b["transaction_id"], id.as_str());
    assert_eq!(b["amount"], 1000);
    assert_eq!(b["currency"], "XOF");
    assert_eq!(b["site_id"], SITE_ID);
    assert_eq!(b["notify_url"], "https://shop.example/cinetpay/notify");
    assert_eq!(b["return_url"], "https://shop.example/cinetpay/return");
    assert_eq!(b["metadata"], "ord-1");
    assert_eq!(b["channels"], "ALL");
}

#[tokio::test]
async fn accept_json_gets_200_json_and_json_bodies_are_read() {
    let h = Harness::new().await;
    let r = h.handle(init_json(json!({ "order_ref": "ord-2" }))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    let id = v["transaction_id"].as_str().unwrap();
    assert_eq!(v["payment_url"], format!("{PAGE_BASE}{id}"));
    assert_eq!(v["reused"], false);
}

#[tokio::test]
async fn a_double_click_reuses_the_open_payment() {
    let h = Harness::new().await;
    let first = h.handle(init_form("ord-1")).await;
    let second = h.handle(init_form("ord-1")).await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), location(&second));
    assert_eq!(h.init_calls().await, 1);
    assert_eq!(h.store.payments().len(), 1);
    let again = h
        .checkout
        .start_payment(&OrderRef::new("ord-1").unwrap())
        .await
        .unwrap();
    assert!(again.reused);
}

#[tokio::test]
async fn concurrent_double_clicks_create_one_payment_and_both_reach_its_page() {
    let h = Harness::new().await;
    // A slow CinetPay, so that the second click arrives during the first init.
    let _slow = Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code":"201","message":"CREATED",
                    "data":{"payment_token":"t","payment_url":"https://checkout.cinetpay.example/pay/slow"}}))
                .set_delay(Duration::from_millis(300)),
        )
        .mount_as_scoped(&h.server)
        .await;
    let (a, b) = tokio::join!(h.handle(init_form("ord-1")), h.handle(init_form("ord-1")));
    // The second click waits for the first click's page instead of showing an error.
    assert_eq!(a.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&b), location(&a));
    assert_eq!(h.store.payments().len(), 1);
}

#[tokio::test]
async fn an_abandoned_init_or_a_new_amount_gets_a_new_payment() {
    let h = Harness::new().await;
    // An init that crashed before it stored its page.
    let stuck = NewPayment {
        transaction_id: TransactionId::generate(),
        order_ref: OrderRef::new("ord-1").unwrap(),
        amount: xof(1000).amount,
        currency: xof(1000).currency,
        description: Description::new("Commande test").unwrap(),
        account: Default::default(),
        generation: Default::default(),
        created_at: cinetpay_core::engine::Clock::now(&*h.clock),
    };
    h.store.insert_payment(&stuck).await.unwrap();
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    h.clock.advance(Duration::from_secs(61));
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!location(&r).ends_with(stuck.transaction_id.as_str()));
    assert!(!h.payment(&stuck.transaction_id).await.open);

    // The order's price changes: the open payment is replaced.
    let before = location(&r);
    h.shop.price("ord-1", xof(1500));
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(location(&r), before);
    let payments = h.store.payments();
    let open: Vec<_> = payments.iter().filter(|p| p.open).collect();
    assert_eq!(open.len(), 1, "one open payment");
    assert_eq!(open[0].amount.get(), 1500);
    assert_eq!(payments.len(), 3);
    // The replaced ones are superseded: never fulfilled, whatever CinetPay says.
    assert_eq!(
        payments
            .iter()
            .filter(|p| p.superseded_at.is_some())
            .count(),
        2
    );
}

#[tokio::test]
async fn order_problems_map_to_404_409_503_and_bad_input_to_400_415_405() {
    let h = Harness::new().await;
    let cases = [
        ("order_ref=missing", StatusCode::NOT_FOUND, "no such order"),
        // The merchant's own texts ("already paid", "orders database
        // down") stay in the log: the customer sees fixed ones.
        (
            "order_ref=closed",
            StatusCode::CONFLICT,
            "this order cannot be paid now",
        ),
        (
            "order_ref=down",
            StatusCode::SERVICE_UNAVAILABLE,
            "this order cannot be priced right now",
        ),
        ("", StatusCode::BAD_REQUEST, "order_ref is missing"),
        (
            "order_ref=",
            StatusCode::BAD_REQUEST,
            "order_ref is invalid",
        ),
        (
            "order_ref=%20padded",
            StatusCode::BAD_REQUEST,
            "order_ref is invalid",
        ),
    ];
    for (body, status, text) in cases {
        let r = h.handle(post_form("/cinetpay/init", body)).await;
        assert_eq!(r.status(), status, "{body}");
        assert!(body_text(&r).contains(text), "{body}: {}", body_text(&r));
        for internal in ["already paid", "database"] {
            assert!(
                !body_text(&r).contains(internal),
                "{body}: {}",
                body_text(&r)
            );
        }
    }
    let r = h.handle(init_json(json!({ "order_ref": ["x"] }))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(v["error"], "order_ref must be a string");

    let xml = Request::post("/cinetpay/init")
        .header("content-type", "text/xml")
        .body(Bytes::from_static(b"<order/>"))
        .unwrap();
    assert_eq!(
        h.handle(xml).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let r = h.handle(get("/cinetpay/init?order_ref=ord-1")).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "POST");
    assert_eq!(h.init_calls().await, 0);
    assert!(h.store.payments().is_empty());
}

#[tokio::test]
async fn cinetpay_refusing_is_502_with_its_code_and_the_payment_start_failed() {
    let h = Harness::new().await;
    h.server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "608", "message": "MINIMUM_REQUIRED_FIELDS",
            "description": "customer_name is required", "api_response_id": "1"
        })))
        .mount(&h.server)
        .await;
    let r = h.handle(init_json(json!({ "order_ref": "ord-1" }))).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    // The customer sees a fixed text; CinetPay's detail is in the log and
    // the payment's status_reason.
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(
        v,
        json!({ "error": "CinetPay refused to create the payment" })
    );
    let payments = h.store.payments();
    assert_eq!(payments.len(), 1);
    let p = &payments[0];
    assert_eq!(p.status, PaymentStatus::StartFailed);
    assert!(!p.open, "a failed start frees the order for a new attempt");
    assert!(
        p.status_reason
            .as_deref()
            .unwrap()
            .contains("608 MINIMUM_REQUIRED_FIELDS")
    );
    assert_eq!(h.init_calls().await, 1, "init is never retried silently");

    let text = h
        .handle(post_form("/cinetpay/init", "order_ref=ord-1"))
        .await;
    assert_eq!(text.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_text(&text), "CinetPay refused to create the payment");
    // A start_failed payment is left alone by notify and return: no check.
    let n = notification(p.transaction_id.as_str(), SITE_ID);
    assert_eq!(
        h.handle(notify_request(&n, Some(&signed(&n))))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(h.check_calls().await, 0);
}

#[tokio::test]
async fn cinetpay_unreachable_is_503_and_start_failed() {
    // A port where nothing listens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let h = Harness::with(Options {
        api_url: Some(dead),
        ..Options::default()
    })
    .await;
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(
        r.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        body_text(&r)
    );
    assert_eq!(
        body_text(&r),
        "CinetPay cannot be reached right now; try again in a moment"
    );
    let p = &h.store.payments()[0];
    assert_eq!(p.status, PaymentStatus::StartFailed);
    assert!(
        p.status_reason
            .as_deref()
            .unwrap()
            .contains("cannot reach CinetPay")
    );
}

#[tokio::test]
async fn an_unusable_payment_url_is_502_and_start_failed() {
    let h = Harness::new().await;
    h.server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "201", "message": "CREATED",
            "data": { "payment_token": "t", "payment_url": "javascript:alert(1)" }
        })))
        .mount(&h.server)
        .await;
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(h.store.payments()[0].status, PaymentStatus::StartFailed);
}

#[tokio::test]
async fn a_quote_cinetpay_would_refuse_is_500_before_anything_is_stored() {
    let h = Harness::new().await;
    let mut quote = OrderQuote::new(xof(1000), Description::new("Carte").unwrap());
    quote.channels = Some(Channels::CreditCard);
    quote.customer = Some(Customer::default());
    h.shop.quote_with("ord-card", Ok(quote));
    let err = h
        .checkout
        .start_payment(&OrderRef::new("ord-card").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, InitError::InvalidQuote(_)), "{err:?}");
    assert_eq!(err.http_status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(h.store.payments().is_empty());
    assert_eq!(h.init_calls().await, 0);
}

#[tokio::test]
async fn the_store_down_is_503() {
    let h = Harness::new().await;
    h.store.set_unavailable(true);
    let r = h.handle(init_form("ord-1")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.init_calls().await, 0);
}

#[tokio::test]
async fn page_errors_carry_a_typed_customer_error_for_the_shops_layout_and_json_does_not() {
    use cinetpay_core::engine::{CustomerError, CustomerErrorKind};
    let h = Harness::new().await;
    type IsKind = fn(&CustomerErrorKind) -> bool;
    let cases: [(&str, StatusCode, IsKind); 4] = [
        ("order_ref=missing", StatusCode::NOT_FOUND, |k| {
            *k == CustomerErrorKind::UnknownOrder
        }),
        // The merchant's reason reaches the shop's renderer, not the default page.
        (
            "order_ref=closed",
            StatusCode::CONFLICT,
            |k| matches!(k, CustomerErrorKind::NotPayable { reason } if reason == "already paid"),
        ),
        ("order_ref=down", StatusCode::SERVICE_UNAVAILABLE, |k| {
            *k == CustomerErrorKind::Unavailable
        }),
        ("order_ref=", StatusCode::BAD_REQUEST, |k| {
            *k == CustomerErrorKind::BadRequest
        }),
    ];
    for (body, status, kind) in cases {
        let r = h.handle(post_form("/cinetpay/init", body)).await;
        let error = r
            .extensions()
            .get::<CustomerError>()
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(error.status(), status, "{body}");
        assert_eq!(r.status(), status, "{body}");
        assert!(kind(error.kind()), "{body}: {:?}", error.kind());
        assert_eq!(
            body_text(&r),
            error.message(),
            "the default page is the message"
        );
    }
    let r = h.handle(init_json(json!({ "order_ref": "missing" }))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.extensions().get::<CustomerError>().is_none());
    // A refusal by CinetPay is a page that could not be created.
    h.server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code":"608","message":"MINIMUM_REQUIRED_FIELDS","description":"x"}),
        ))
        .mount(&h.server)
        .await;
    let r = h.handle(init_form("ord-9")).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    let error = r.extensions().get::<CustomerError>().unwrap();
    assert_eq!(*error.kind(), CustomerErrorKind::PaymentPageNotCreated);
    assert!(!error.retry_later());
}
