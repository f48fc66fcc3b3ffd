//! `POST /v1/payment`: the answer, then every validation rule of
//! docs/rest-api-2026.md §3.1, and `1200` for a reused id.

use cinetpay_sandbox::{Generation, Sandbox};
use serde_json::{Value, json};

use super::helpers::*;

const SHOP: &str = "https://m.test";

#[tokio::test]
async fn init_answers_the_documented_fields() {
    let sandbox = sandbox().await;
    let (_, answer) = init(&sandbox, "ORDER-123", SHOP).await;
    assert_eq!(answer["status"], "OK");
    assert_eq!(answer["merchant_transaction_id"], "ORDER-123");
    let token = answer["payment_token"].as_str().unwrap();
    assert_eq!(
        answer["payment_url"],
        format!("{}payment/{token}", sandbox.url())
    );
    assert!(answer["notify_token"].as_str().unwrap().len() >= 32);
    let transaction_id = answer["transaction_id"].as_str().unwrap();
    assert!(transaction_id.len() >= 16 && transaction_id != "ORDER-123");
    assert_eq!(
        answer["details"],
        json!({"code": 2001, "status": "INITIATED", "message": answer["details"]["message"], "must_be_redirected": true})
    );
    let p = sandbox.payment("ORDER-123").unwrap();
    assert_eq!(p.generation, Generation::Rest2026);
    assert_eq!(
        (p.amount, p.currency.as_str(), p.description.as_str()),
        (1000, "XOF", "Test payment")
    );
    let rest = p.rest.unwrap();
    assert_eq!(rest.transaction_id, transaction_id);
    assert_eq!(rest.notify_token, answer["notify_token"].as_str().unwrap());
    assert_eq!(
        (rest.success_url.as_str(), rest.failed_url.as_str()),
        ("https://m.test/success", "https://m.test/failed")
    );
    let c = sandbox.rest_counters();
    assert_eq!((c.inits, c.payments_created), (1, 1));
    sandbox.shutdown().await;
}

/// `body` with `field` set to `value` (`Value::Null`: removed).
fn with(field: &str, value: Value) -> Value {
    let mut b = body("ORDER-1", SHOP);
    if value.is_null() {
        b.as_object_mut().unwrap().remove(field);
    } else {
        b[field] = value;
    }
    b
}

#[tokio::test]
async fn every_rule_refuses_with_1004_naming_the_field() {
    let sandbox = sandbox().await;
    let token = login(&sandbox).await;
    let long_url = format!("https://m.test/{}", "a".repeat(110));
    assert!(long_url.len() > 120);
    let cases: Vec<(&str, Value)> = vec![
        ("currency", Value::Null),
        ("currency", json!("EUR")),
        ("currency", json!("XAF")), // not this account's country's currency
        ("merchant_transaction_id", Value::Null),
        ("merchant_transaction_id", json!("A".repeat(31))),
        ("merchant_transaction_id", json!("order-1")),
        ("merchant_transaction_id", json!("ORDER_1")),
        ("amount", Value::Null),
        ("amount", json!("1000")),
        ("amount", json!(12.5)),
        ("amount", json!(99)),
        ("amount", json!(2_500_001)),
        ("lang", Value::Null),
        ("lang", json!("de")),
        ("designation", Value::Null),
        ("designation", json!("x".repeat(256))),
        ("client_first_name", json!(" J ")),
        ("client_last_name", Value::Null),
        ("client_last_name", json!("D".repeat(256))),
        ("client_email", Value::Null),
        ("client_email", json!("not-an-email")),
        ("client_email", json!("a b@example.com")),
        ("client_phone_number", json!("0707070700")),
        ("client_phone_number", json!("+0707070700")),
        ("client_phone_number", json!("+2217070707")), // another country
        ("client_phone_number", json!("+2250707070700123")),
        ("success_url", Value::Null),
        ("success_url", json!("ftp://m.test/s")),
        ("success_url", json!(long_url)),
        ("failed_url", json!(long_url)),
        ("notify_url", Value::Null),
        ("notify_url", json!(long_url)),
        ("channel", json!("SMS")),
        ("payment_method", json!("OM_SN")),
        ("payment_method", json!("PAYPAL")),
        ("direct_pay", json!("yes")),
        ("otp_code", json!("12")),
        ("otp_code", json!("12a4")),
    ];
    let refused = cases.len() as u64 + 3;
    for (field, value) in cases {
        let (status, answer) = init_with(&sandbox, Some(&token), &with(field, value.clone())).await;
        assert_eq!(
            (status, &answer["code"], &answer["status"]),
            (422, &json!(1004), &json!("INVALID_PARAMS")),
            "{field} = {value}: {answer}"
        );
        let description = answer["description"].as_str().unwrap();
        assert!(
            description.contains(field),
            "{field} = {value}: {description}"
        );
    }
    // direct_pay needs a phone and a payment method.
    let mut b = with("direct_pay", json!(true));
    let (_, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert!(
        answer["description"]
            .as_str()
            .unwrap()
            .contains("client_phone_number"),
        "{answer}"
    );
    b["client_phone_number"] = json!("+2250707070700");
    let (_, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert!(
        answer["description"]
            .as_str()
            .unwrap()
            .contains("payment_method"),
        "{answer}"
    );
    // Not JSON at all.
    let r = crate::common::http()
        .post(url(&sandbox, "v1/payment"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(sandbox.payments().is_empty());
    assert_eq!(sandbox.rest_counters().invalid_inits, refused);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn what_the_rules_accept() {
    let sandbox = sandbox().await;
    let token = login(&sandbox).await;
    let mut b = body("A", SHOP);
    b["amount"] = json!(100);
    b["lang"] = json!("en");
    b["designation"] = json!("x");
    b["client_first_name"] = json!("  Jo  "); // trimmed, then 2 characters
    b["client_phone_number"] = json!("+2250707070700");
    b["channel"] = json!("PUSH");
    b["payment_method"] = json!("WAVE_CI");
    b["otp_code"] = json!("123456");
    b["success_url"] = json!(format!("https://m.test/{}", "s".repeat(120 - 15)));
    b["unknown_field"] = json!("ignored");
    assert_eq!(b["success_url"].as_str().unwrap().len(), 120);
    let (status, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert_eq!((status, &answer["code"]), (200, &json!(200)), "{answer}");
    let mut b = body(&"9".repeat(30), SHOP);
    b["amount"] = json!(2_500_000);
    b.as_object_mut().unwrap().remove("channel"); // absent: accepted (the PHP SDK never sends it)
    let (status, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert_eq!(status, 200, "{answer}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_reused_merchant_transaction_id_is_1200() {
    let sandbox = sandbox().await;
    let (token, _) = init(&sandbox, "ORDER-DUP", SHOP).await;
    let (status, answer) = init_with(&sandbox, Some(&token), &body("ORDER-DUP", SHOP)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["code"], &answer["status"]),
        (&json!(1200), &json!("TRANSACTION_EXIST"))
    );
    assert_eq!(answer["description"], "La transaction existe déjà");
    assert_eq!(sandbox.payments().len(), 1);
    assert_eq!(sandbox.rest_counters().duplicates, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_country_fixes_the_currency_and_calling_code() {
    let sandbox = Sandbox::builder().rest_country("CM").start().await.unwrap();
    let token = login(&sandbox).await;
    let mut b = body("CM-1", SHOP);
    let (_, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert_eq!(answer["code"], 1004, "XOF is not Cameroon's");
    b["currency"] = json!("XAF");
    b["client_phone_number"] = json!("+237650000000");
    b["payment_method"] = json!("MTN_CM");
    let (status, answer) = init_with(&sandbox, Some(&token), &b).await;
    assert_eq!(status, 200, "{answer}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_two_generations_do_not_see_each_others_payments() {
    let sandbox = sandbox().await;
    init(&sandbox, "ORDER-REST", SHOP).await;
    let (status, body) = crate::common::check(&sandbox, "ORDER-REST").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("624")),
        "{body}"
    );
    crate::common::init(&sandbox, "T-v2", "http://127.0.0.1:9/notify").await;
    let token = login(&sandbox).await;
    let (status, _) = status_of(&sandbox, &token, "T-v2").await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}
