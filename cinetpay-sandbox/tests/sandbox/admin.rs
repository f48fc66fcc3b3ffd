//! The admin API under `/_sandbox`: a whole payment driven over HTTP, the
//! settings, the records, and the errors.

use super::common::*;
use serde_json::{Value, json};

async fn admin(
    sandbox: &cinetpay_sandbox::Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = sandbox.url().join(&format!("_sandbox{path}")).unwrap();
    let mut request = http().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

use reqwest::Method;

#[tokio::test]
async fn info_tells_where_the_api_is_and_the_credentials() {
    let sandbox = sandbox().await;
    let (status, info) = admin(&sandbox, Method::GET, "", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        info["api_url"],
        sandbox.url().as_str().trim_end_matches('/')
    );
    assert_eq!(info["site_id"], sandbox.site_id());
    assert_eq!(info["api_key"], sandbox.api_key());
    assert_eq!(info["secret_key"], sandbox.secret_key());
    assert_eq!(info["scenario"]["copies"], 1);
}

#[tokio::test]
async fn a_payment_driven_entirely_over_http() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    init(&sandbox, "T-admin", &shop.notify_url()).await;

    let (status, scenario) = admin(
        &sandbox,
        Method::PUT,
        "/payments/T-admin/scenario",
        Some(json!({"copies": 2, "interval_ms": 10})),
    )
    .await;
    assert_eq!((status, scenario["copies"].as_u64()), (200, Some(2)));

    let (status, paid) = admin(
        &sandbox,
        Method::POST,
        "/payments/T-admin/pay",
        Some(json!({"operator": "MOMO", "phone": "0505999999"})),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["state"], "accepted");
    assert_eq!(paid["operator"], "MOMO");
    assert_eq!(paid["phone"], "0505999999");
    assert!(paid["operator_id"].as_str().unwrap().starts_with("MM"));

    let (status, sent) = admin(
        &sandbox,
        Method::GET,
        "/payments/T-admin/notifications/wait?timeout_ms=5000",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["kind"], "final");
    assert_eq!(sent[1]["kind"], "duplicate");
    assert_eq!(sent[0]["status"], 200);
    assert_eq!(sent[0]["fields"][1], json!(["cpm_trans_id", "T-admin"]));
    assert_eq!(sent[0]["x_token"].as_str().unwrap().len(), 64);
    assert_eq!(shop.posts().len(), 2);

    check(&sandbox, "T-admin").await;
    let (_, checks) = admin(&sandbox, Method::GET, "/payments/T-admin/checks", None).await;
    assert_eq!(checks[0]["code"], "00");
    assert_eq!(checks[0]["status"], "ACCEPTED");
    let (_, all) = admin(
        &sandbox,
        Method::GET,
        "/notifications?transaction_id=T-admin",
        None,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (_, one) = admin(&sandbox, Method::GET, "/payments/T-admin", None).await;
    assert_eq!(one["transaction_id"], "T-admin");
    let (_, list) = admin(&sandbox, Method::GET, "/payments", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // An acceptance is final.
    let (status, error) = admin(&sandbox, Method::POST, "/payments/T-admin/cancel", None).await;
    assert_eq!(status, 409);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("already accepted")
    );
}

#[tokio::test]
async fn refusals_waits_and_cancellations_with_their_codes() {
    let sandbox = sandbox().await;
    sandbox.set_scenario(cinetpay_sandbox::Scenario::new().never_send(true));
    for (tx, path, body, state, code) in [
        (
            "T-r",
            "refuse",
            json!({"operator": "OM", "code": "602"}),
            "refused",
            "602",
        ),
        ("T-w", "wait", json!({"code": "664"}), "waiting", "664"),
        ("T-c", "cancel", Value::Null, "cancelled", "627"),
    ] {
        init(&sandbox, tx, "http://127.0.0.1:9/n").await;
        let body = (!body.is_null()).then_some(body);
        let (status, snapshot) = admin(
            &sandbox,
            Method::POST,
            &format!("/payments/{tx}/{path}"),
            body,
        )
        .await;
        assert_eq!(status, 200, "{snapshot}");
        assert_eq!(snapshot["state"], state);
        assert_eq!(check(&sandbox, tx).await.1["code"], code);
    }
    let (status, error) = admin(
        &sandbox,
        Method::POST,
        "/payments/T-r/refuse",
        Some(json!({"code": "00"})),
    )
    .await;
    assert_eq!(status, 422, "{error}");
}

#[tokio::test]
async fn settings_can_be_read_and_changed() {
    let sandbox = sandbox().await;
    init(&sandbox, "T-set", "http://127.0.0.1:9/n").await;
    let (status, faults) = admin(
        &sandbox,
        Method::PUT,
        "/check-faults",
        Some(json!({"fail_next": 1, "amount": 10})),
    )
    .await;
    assert_eq!((status, faults["fail_next"].as_u64()), (200, Some(1)));
    assert_eq!(check_status(&sandbox, "T-set").await, 500);
    let (_, body) = check(&sandbox, "T-set").await;
    assert_eq!(body["data"]["amount"], "10");
    let (_, faults) = admin(&sandbox, Method::GET, "/check-faults", None).await;
    assert_eq!(faults["fail_next"], 0, "consumed");

    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/payments/T-set/check-faults",
        Some(json!({"latency_ms": 1})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(check(&sandbox, "T-set").await.1["data"]["amount"], "1000");
    let (status, _) = admin(
        &sandbox,
        Method::DELETE,
        "/payments/T-set/check-faults",
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(check(&sandbox, "T-set").await.1["data"]["amount"], "10");

    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/scenario",
        Some(json!({"waiting_first": true, "delay_ms": 5})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(sandbox.scenario().waiting_first);
    let (_, scenario) = admin(&sandbox, Method::GET, "/scenario", None).await;
    assert_eq!(scenario["delay_ms"], 5);
    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/payments/T-set/scenario",
        Some(json!({"copies": 3})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        sandbox.payment("T-set").unwrap().scenario.unwrap().copies,
        3
    );
    let (status, _) = admin(&sandbox, Method::DELETE, "/payments/T-set/scenario", None).await;
    assert_eq!(status, 204);
    assert!(sandbox.payment("T-set").unwrap().scenario.is_none());

    // Reset forgets payments and records and restores the start-up settings.
    let (status, _) = admin(&sandbox, Method::POST, "/reset", None).await;
    assert_eq!(status, 204);
    assert!(sandbox.payments().is_empty() && sandbox.checks().is_empty());
    assert!(!sandbox.scenario().waiting_first);
    assert_eq!(sandbox.check_faults().amount, None);
}

async fn check_status(sandbox: &cinetpay_sandbox::Sandbox, tx: &str) -> u16 {
    http()
        .post(sandbox.url().join("v2/payment/check").unwrap())
        .json(&json!({"apikey": sandbox.api_key(), "site_id": sandbox.site_id(), "transaction_id": tx}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn ping_and_notify_on_demand() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    init(&sandbox, "T-ping", &shop.notify_url()).await;
    let (status, ping) = admin(&sandbox, Method::POST, "/payments/T-ping/ping", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (ping["method"].as_str(), ping["status"].as_u64()),
        (Some("GET"), Some(200))
    );
    let (status, again) = admin(&sandbox, Method::POST, "/payments/T-ping/notify", None).await;
    assert_eq!(status, 200);
    assert_eq!(again["kind"], "manual");
    assert_eq!(again["state"], "created");
    let methods: Vec<String> = shop
        .received()
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(methods, ["GET", "POST"]);
}

#[tokio::test]
async fn errors_are_json_with_a_fitting_status() {
    let sandbox = sandbox().await;
    init(&sandbox, "T-err", "http://127.0.0.1:9/n").await;
    for (method, path, body, expected) in [
        (Method::POST, "/payments/nope/pay", None, 404),
        (Method::GET, "/payments/nope", None, 404),
        (Method::GET, "/payments/nope/notifications", None, 404),
        (
            Method::POST,
            "/payments/T-err/pay",
            Some(json!({"operator": "PAYPAL"})),
            400,
        ),
        (Method::PUT, "/scenario", Some(json!({"copiez": 2})), 400),
        (
            Method::PUT,
            "/check-faults",
            Some(json!({"fail_next": -1})),
            400,
        ),
    ] {
        let (status, body) = admin(&sandbox, method, path, body).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    // A wait that cannot finish in time answers 408.
    sandbox
        .set_scenario(cinetpay_sandbox::Scenario::new().delay(std::time::Duration::from_secs(5)));
    sandbox
        .pay("T-err", cinetpay_sandbox::Operator::OrangeMoney)
        .unwrap();
    let (status, body) = admin(
        &sandbox,
        Method::GET,
        "/payments/T-err/notifications/wait?timeout_ms=50",
        None,
    )
    .await;
    assert_eq!(status, 408, "{body}");
    let (status, _) = admin(&sandbox, Method::GET, "/wait?timeout_ms=50", None).await;
    assert_eq!(status, 408);
}
