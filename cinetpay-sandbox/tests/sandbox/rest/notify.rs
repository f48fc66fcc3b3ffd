//! 2026 notifications: a JSON `POST` to `notify_url` with the payment's
//! `notify_token`, sent when the payment reaches a final state.

use cinetpay_sandbox::{Operator, Scenario};
use serde_json::json;

use super::helpers::*;
use crate::common::WAIT;

#[tokio::test]
async fn a_final_state_posts_json_with_the_notify_token() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    let (_, answer) = init(&sandbox, "ORDER-N1", &shop.base).await;
    sandbox
        .leave_waiting("ORDER-N1", Operator::OrangeMoney)
        .unwrap();
    assert!(
        sandbox
            .wait_notifications("ORDER-N1", WAIT)
            .await
            .unwrap()
            .is_empty(),
        "pending: nothing sent"
    );
    sandbox.pay("ORDER-N1", Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications("ORDER-N1", WAIT).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].delivered(), "{:?}", sent[0]);
    assert_eq!(sent[0].x_token, None, "no signature header in 2026");
    assert_eq!(
        sent[0].field("notify_token"),
        answer["notify_token"].as_str()
    );

    let hits = shop.hits("/notify");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].method, "POST");
    assert_eq!(hits[0].content_type.as_deref(), Some("application/json"));
    let body = hits[0].json();
    assert_eq!(Some(&body), sent[0].json.as_ref());
    assert_eq!(body["notify_token"], answer["notify_token"]);
    assert_eq!(body["merchant_transaction_id"], "ORDER-N1");
    assert_eq!(body["transaction_id"], answer["transaction_id"]);
    assert_eq!(body["user"]["name"], "Jane Doe");
    assert_eq!(body["user"]["email"], "test@example.com");
    assert!(body.get("status").is_none());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn failures_are_notified_too_and_scenarios_apply() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    init(&sandbox, "ORDER-N2", &shop.base).await;
    sandbox
        .decide_with(
            "ORDER-N2",
            cinetpay_sandbox::Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "2010".into(),
            },
            Scenario::new()
                .copies(2)
                .waiting_first(true)
                .interval(std::time::Duration::from_millis(10)),
        )
        .unwrap();
    let sent = sandbox.wait_notifications("ORDER-N2", WAIT).await.unwrap();
    let kinds: Vec<_> = sent.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            cinetpay_sandbox::NotificationKind::Final,
            cinetpay_sandbox::NotificationKind::Duplicate
        ],
        "the pending step is not notified"
    );
    assert_eq!(shop.hits("/notify").len(), 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn forged_and_missing_notify_tokens() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    let (_, answer) = init(&sandbox, "ORDER-N3", &shop.base).await;
    sandbox
        .set_payment_scenario("ORDER-N3", Some(Scenario::new().bad_notify_token(true)))
        .unwrap();
    sandbox.pay("ORDER-N3", Operator::Wave).unwrap();
    sandbox.wait_notifications("ORDER-N3", WAIT).await.unwrap();
    let forged = shop.hits("/notify")[0].json();
    let token = forged["notify_token"].as_str().unwrap();
    assert_ne!(token, answer["notify_token"].as_str().unwrap());
    assert_eq!(token.len(), answer["notify_token"].as_str().unwrap().len());

    init(&sandbox, "ORDER-N4", &shop.base).await;
    sandbox
        .set_payment_scenario("ORDER-N4", Some(Scenario::new().omit_notify_token(true)))
        .unwrap();
    sandbox.pay("ORDER-N4", Operator::Wave).unwrap();
    sandbox.wait_notifications("ORDER-N4", WAIT).await.unwrap();
    let missing = shop.hits("/notify")[1].json();
    assert!(missing.get("notify_token").is_none());
    assert_eq!(missing["merchant_transaction_id"], "ORDER-N4");

    // On demand: the current state, correctly tokened.
    let again = sandbox.notify_again("ORDER-N4").await.unwrap();
    assert_eq!(
        again.json.as_ref().unwrap()["notify_token"],
        json!(
            sandbox
                .payment("ORDER-N4")
                .unwrap()
                .rest
                .unwrap()
                .notify_token
        )
    );
    sandbox.shutdown().await;
}
