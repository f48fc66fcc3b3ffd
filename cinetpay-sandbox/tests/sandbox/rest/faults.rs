//! 2026 faults: HTTP 500s, an init that times out after creating the payment
//! (its retry gets `1200`), status answers with foreign ids, and the admin API
//! that sets them and reads the counters.

use std::time::Duration;

use cinetpay_sandbox::RestFaults;
use serde_json::{Value, json};

use super::helpers::*;
use crate::common::http;

const SHOP: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn http_500s_on_login_init_and_status() {
    let sandbox = sandbox().await;
    sandbox.set_rest_faults(
        RestFaults::new()
            .fail_next_login(1)
            .fail_next_init(1)
            .fail_next_status(2),
    );
    let c = sandbox.credentials_2026();
    let r = http()
        .post(url(&sandbox, "v1/oauth/login"))
        .json(&json!({"api_key": c.api_key(), "api_password": c.api_password()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("500 Internal Server Error")
    );
    let token = login(&sandbox).await;
    let (status, _) = init_with(&sandbox, Some(&token), &body("ORDER-500", SHOP)).await;
    assert_eq!(status, 500);
    assert!(
        sandbox.payment("ORDER-500").is_none(),
        "a failed init creates nothing"
    );
    let (status, _) = init_with(&sandbox, Some(&token), &body("ORDER-500", SHOP)).await;
    assert_eq!(status, 200);
    for expected in [500, 500, 200] {
        let (status, _) = status_of(&sandbox, &token, "ORDER-500").await;
        assert_eq!(status, expected);
    }
    assert_eq!(sandbox.rest_counters().http_500, 4);
    assert!(sandbox.rest_faults().is_none());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_init_that_timed_out_created_the_payment_so_the_retry_is_1200() {
    let sandbox = sandbox().await;
    sandbox.set_rest_faults(
        RestFaults::new()
            .init_timeout_next(1)
            .hang_for(Duration::from_secs(5)),
    );
    let token = login(&sandbox).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let sent = client
        .post(url(&sandbox, "v1/payment"))
        .bearer_auth(&token)
        .json(&body("ORDER-TMO", SHOP))
        .send()
        .await;
    assert!(sent.unwrap_err().is_timeout());
    assert!(sandbox.payment("ORDER-TMO").is_some(), "the payment exists");
    let (status, answer) = init_with(&sandbox, Some(&token), &body("ORDER-TMO", SHOP)).await;
    assert_eq!((status, &answer["code"]), (200, &json!(1200)), "{answer}");
    // The way out: ask its status.
    let (_, status) = status_of(&sandbox, &token, "ORDER-TMO").await;
    assert_eq!(status["code"], 2001);
    let c = sandbox.rest_counters();
    assert_eq!(
        (c.init_timeouts, c.duplicates, c.payments_created),
        (1, 1, 1)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn status_answers_with_ids_that_are_not_the_payments() {
    let sandbox = sandbox().await;
    let (token, answer) = init(&sandbox, "ORDER-IDS", SHOP).await;
    sandbox.set_rest_faults(RestFaults::new().foreign_merchant_transaction_id(true));
    let (_, body) = status_of(&sandbox, &token, "ORDER-IDS").await;
    assert_ne!(body["merchant_transaction_id"], "ORDER-IDS");
    assert_eq!(body["transaction_id"], answer["transaction_id"]);
    sandbox.set_rest_faults(RestFaults::new().foreign_transaction_id(true));
    let (_, body) = status_of(&sandbox, &token, "ORDER-IDS").await;
    assert_eq!(body["merchant_transaction_id"], "ORDER-IDS");
    assert_ne!(body["transaction_id"], answer["transaction_id"]);
    assert!(body["transaction_id"].as_str().unwrap().len() >= 16);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn faults_and_counters_over_the_admin_api() {
    let sandbox = sandbox().await;
    let r = http()
        .put(url(&sandbox, "_sandbox/rest/faults"))
        .json(&json!({"fail_next_status": 1, "token_error": {"http_status": 422, "in_details": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(sandbox.rest_faults().fail_next_status, 1);
    assert_eq!(sandbox.rest_faults().token_error.http_status, 422);
    let r = http()
        .put(url(&sandbox, "_sandbox/rest/faults"))
        .json(&json!({"nope": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let token = login(&sandbox).await;
    let (status, _) = status_of(&sandbox, &token, "X").await;
    assert_eq!(status, 500);
    let counters: Value = http()
        .get(url(&sandbox, "_sandbox/rest/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            &counters["logins"],
            &counters["status_calls"],
            &counters["http_500"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
    let info: Value = http()
        .get(url(&sandbox, "_sandbox/rest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["api_key"], sandbox.credentials_2026().api_key());
    assert_eq!(
        (&info["country"], &info["currency"]),
        (&json!("CI"), &json!("XOF"))
    );
    assert_eq!(info["counters"]["logins"], 1);
    let all: Value = http()
        .get(url(&sandbox, "_sandbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["generation"], "v2");
    assert_eq!(
        all["rest"]["api_password"],
        sandbox.credentials_2026().api_password()
    );
    // A reset zeroes the counters and restores the start-up faults; tokens stay valid.
    http()
        .post(url(&sandbox, "_sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sandbox.rest_counters(),
        cinetpay_sandbox::RestCounters::default()
    );
    assert!(sandbox.rest_faults().is_none());
    let (status, _) = status_of(&sandbox, &token, "X").await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}
