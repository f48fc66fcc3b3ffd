//! The mounted routes answer as the engine does: every method, the body limit,
//! form and JSON bodies, query strings and headers with several values.

use bytes::Bytes;
use cinetpay_core::engine::Checkout;
use cinetpay_rocket::CinetPay;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

use crate::common;

const LIMIT: usize = 4096;

async fn client(checkout: &Checkout) -> Client {
    let rocket = rocket::custom(rocket::Config::debug_default())
        .attach(CinetPay::from_checkout(checkout.clone()).without_reconciler());
    Client::tracked(rocket).await.unwrap()
}

async fn body(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

/// The launch banner lists three CinetPay routes, one per path (it listed 27:
/// one per path and method), and every method still reaches the engine.
#[rocket::async_test]
async fn the_three_routes_are_mounted_once_each_under_the_prefix() {
    let checkout = common::checkout("/pay", LIMIT);
    let client = client(&checkout).await;
    let mut mounted: Vec<String> = client
        .rocket()
        .routes()
        .filter(|r| r.uri.base().starts_with("/pay"))
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect();
    mounted.sort();
    assert_eq!(
        mounted,
        ["POST /pay/init", "POST /pay/notify", "POST /pay/return"]
    );
    let names: Vec<_> = client
        .rocket()
        .routes()
        .filter_map(|r| r.name.as_deref())
        .collect();
    assert!(
        names.contains(&"cinetpay_notify: every method"),
        "{names:?}"
    );

    let ping = client.get("/pay/notify").dispatch().await;
    assert_eq!(ping.status(), Status::Ok);
    assert_eq!(body(ping).await, "OK");
    let head = client.head("/pay/notify").dispatch().await;
    assert_eq!(head.status(), Status::Ok);
    assert_eq!(
        client.get("/cinetpay/notify").dispatch().await.status(),
        Status::NotFound
    );
}

/// Every method on every route gets the engine's own answer (status and
/// `Allow`), exactly as the tower adapter passes it on.
#[rocket::async_test]
async fn every_method_is_answered_as_the_engine_answers_it() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let client = client(&checkout).await;
    let methods = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
        Method::Options,
        Method::Trace,
    ];
    for route in ["init", "notify", "return"] {
        let path = format!("/cinetpay/{route}");
        for method in methods {
            let direct = http::Request::builder()
                .method(method.as_str())
                .uri(&path)
                .body(Bytes::new())
                .unwrap();
            let expected = checkout.handle(direct).await;
            let answer = client.req(method, &path).dispatch().await;
            assert_eq!(
                answer.status().code,
                expected.status().as_u16(),
                "{method} {path}"
            );
            let allow = answer.headers().get_one("Allow").map(str::to_owned);
            let expected_allow = expected
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(allow, expected_allow, "{method} {path}");
        }
    }
    let put = client.put("/cinetpay/init").dispatch().await;
    assert_eq!(put.status(), Status::MethodNotAllowed);
    assert_eq!(put.headers().get_one("Allow"), Some("POST"));
    let delete = client.delete("/cinetpay/notify").dispatch().await;
    assert_eq!(delete.headers().get_one("Allow"), Some("GET, HEAD, POST"));
    // HEAD is the engine's, not Rocket's GET fallback.
    let head = client.head("/cinetpay/return").dispatch().await;
    assert_eq!(head.status(), Status::MethodNotAllowed);
    assert_eq!(head.headers().get_one("Allow"), Some("GET, POST"));
    assert_eq!(body(head).await, "", "a HEAD answer has no body");
}

#[rocket::get("/cinetpay/elsewhere")]
fn elsewhere() -> &'static str {
    "the app's own"
}

/// Only the engine's three paths are routed whatever their method: the
/// app's own routes, under the prefix or not, keep theirs.
#[rocket::async_test]
async fn the_apps_own_routes_keep_their_method() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let rocket = rocket::custom(rocket::Config::debug_default())
        .mount("/", rocket::routes![elsewhere])
        .attach(CinetPay::from_checkout(checkout).without_reconciler());
    let client = Client::tracked(rocket).await.unwrap();
    let own = client.get("/cinetpay/elsewhere").dispatch().await;
    assert_eq!(own.status(), Status::Ok);
    assert_eq!(body(own).await, "the app's own");
    let posted = client.post("/cinetpay/elsewhere").dispatch().await;
    assert_eq!(posted.status(), Status::NotFound);
    let ping = client.get("/cinetpay/notify").dispatch().await;
    assert_eq!(body(ping).await, "OK");
}

#[rocket::async_test]
async fn a_body_at_the_limit_is_read_and_one_byte_more_is_refused() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let client = client(&checkout).await;
    // A form body of exactly LIMIT bytes: `order_ref=` and padding.
    let at_limit = format!("order_ref={}", "A".repeat(LIMIT - "order_ref=".len()));
    assert_eq!(at_limit.len(), LIMIT);
    let answer = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .body(&at_limit)
        .dispatch()
        .await;
    // Read whole and judged by the engine: an order_ref that long is invalid.
    assert_eq!(answer.status(), Status::BadRequest);
    assert!(body(answer).await.contains("order_ref is invalid"));

    let over = format!("{at_limit}A");
    let answer = client
        .post("/cinetpay/init")
        .header(ContentType::Form)
        .body(&over)
        .dispatch()
        .await;
    assert_eq!(answer.status(), Status::PayloadTooLarge);
    assert_eq!(
        body(answer).await,
        format!("request body is larger than {LIMIT} bytes")
    );

    // A declared length over the limit is refused before reading.
    let answer = client
        .post("/cinetpay/notify")
        .header(Header::new("Content-Length", (LIMIT + 1).to_string()))
        .body("cpm_trans_id=x")
        .dispatch()
        .await;
    assert_eq!(answer.status(), Status::PayloadTooLarge);
}

#[rocket::async_test]
async fn form_and_json_bodies_reach_the_engine() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let client = client(&checkout).await;
    let init = |content: ContentType, body: &'static str| {
        client
            .post("/cinetpay/init")
            .header(content)
            .body(body)
            .dispatch()
    };
    // The order is read from the body (form or JSON); this shop knows none.
    let form = init(ContentType::Form, "order_ref=ORDER-1&extra=1").await;
    assert_eq!(form.status(), Status::NotFound);
    let json = init(ContentType::JSON, r#"{"order_ref":"ORDER-1"}"#).await;
    assert_eq!(json.status(), Status::NotFound);
    let missing = init(ContentType::JSON, r#"{"other":"x"}"#).await;
    assert_eq!(missing.status(), Status::BadRequest);
    assert_eq!(body(missing).await, "order_ref is missing");
    let text = init(ContentType::Plain, "order_ref=ORDER-1").await;
    assert_eq!(text.status(), Status::UnsupportedMediaType);

    // The return route reads the transaction id from a form or JSON body.
    let payment = common::pending_payment(checkout.store().as_ref()).await;
    let id = payment.transaction_id.as_str();
    let expected = format!(
        "/orders/{}?payment=pending&transaction_id={id}",
        payment.order_ref
    );
    let form = client
        .post("/cinetpay/return")
        .header(ContentType::Form)
        .body(format!("transaction_id={id}&token=tok"))
        .dispatch()
        .await;
    assert_eq!(form.status(), Status::SeeOther);
    assert_eq!(form.headers().get_one("Location"), Some(expected.as_str()));
    let json = client
        .post("/cinetpay/return")
        .header(ContentType::JSON)
        .body(format!(r#"{{"transaction_id":"{id}","token":"tok"}}"#))
        .dispatch()
        .await;
    assert_eq!(json.headers().get_one("Location"), Some(expected.as_str()));
}

#[rocket::async_test]
async fn the_query_string_reaches_the_engine() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let client = client(&checkout).await;
    let payment = common::pending_payment(checkout.store().as_ref()).await;
    let id = payment.transaction_id.as_str();
    let back = client
        .get(format!("/cinetpay/return?token=t%20k&transaction_id={id}"))
        .dispatch()
        .await;
    assert_eq!(back.status(), Status::SeeOther);
    assert_eq!(
        back.headers().get_one("Location"),
        Some(
            format!(
                "/orders/{}?payment=pending&transaction_id={id}",
                payment.order_ref
            )
            .as_str()
        )
    );
    // Without the query: the fallback.
    let bare = client.get("/cinetpay/return").dispatch().await;
    assert_eq!(bare.headers().get_one("Location"), Some("/"));
}

#[rocket::async_test]
async fn every_value_of_a_repeated_header_reaches_the_engine() {
    let checkout = common::checkout("/cinetpay", LIMIT);
    let client = client(&checkout).await;
    let init = |accepts: &'static [&'static str]| {
        let mut request = client
            .post("/cinetpay/init")
            .header(ContentType::Form)
            .body("order_ref=ORDER-1");
        for accept in accepts {
            request = request.header(Header::new("Accept", *accept));
        }
        request.dispatch()
    };
    let text = init(&["text/html"]).await;
    assert_eq!(text.content_type(), Some(ContentType::Plain));
    // JSON is asked for in the second Accept header only.
    let json = init(&["text/html", "application/json"]).await;
    assert_eq!(json.status(), Status::NotFound);
    assert_eq!(json.content_type(), Some(ContentType::JSON));
    let error: serde_json::Value = serde_json::from_str(&body(json).await).unwrap();
    assert_eq!(error["error"], "no such order");
}
