//! `GET /v1/payment/{id}`: the status codes of docs/rest-api-2026.md §5 for
//! every state, by each of the three ids, and `404` for an unknown one.

use cinetpay_sandbox::{Decision, Operator};
use serde_json::json;

use super::helpers::*;

const SHOP: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn the_status_follows_the_payment_through_every_code() {
    let sandbox = sandbox().await;
    let (token, answer) = init(&sandbox, "ORDER-ST", SHOP).await;
    let (status, body) = status_of(&sandbox, &token, "ORDER-ST").await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 2001);
    assert_eq!(body["status"], "INITIATED");
    assert_eq!(body["merchant_transaction_id"], "ORDER-ST");
    assert_eq!(body["transaction_id"], answer["transaction_id"]);
    assert_eq!(
        body["user"],
        json!({"name": "Jane Doe", "email": "test@example.com", "phone_number": ""})
    );
    assert!(
        body.get("amount").is_none() && body.get("currency").is_none(),
        "no SDK models them"
    );
    assert!(
        body.get("description").is_none(),
        "the Python SDK would raise on it"
    );

    let steps: Vec<(Decision, i64, &str)> = vec![
        (
            Decision::Wait {
                operator: Operator::OrangeMoney,
                code: "2002".into(),
            },
            2002,
            "PENDING",
        ),
        (
            Decision::Wait {
                operator: Operator::OrangeMoney,
                code: "662".into(),
            },
            2002,
            "PENDING",
        ),
        (
            Decision::Refuse {
                operator: Operator::OrangeMoney,
                code: "2005".into(),
            },
            2005,
            "INSUFFICIENT_BALANCE",
        ),
        (
            Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "2010".into(),
            },
            2010,
            "FAILED",
        ),
        (
            Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "2004".into(),
            },
            2004,
            "OTP_ERROR",
        ),
        (
            Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "2011".into(),
            },
            2011,
            "NOT_ALLOWED",
        ),
        (
            Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "602".into(),
            },
            2005,
            "INSUFFICIENT_BALANCE",
        ),
        (Decision::Cancel, 2010, "FAILED"),
        (
            Decision::Pay {
                operator: Operator::Wave,
                phone: Some("+2250707070700".into()),
            },
            100,
            "SUCCESS",
        ),
    ];
    for (decision, code, word) in steps {
        sandbox.decide("ORDER-ST", decision.clone()).unwrap();
        let (status, body) = status_of(&sandbox, &token, "ORDER-ST").await;
        assert_eq!(
            (status, &body["code"], &body["status"]),
            (200, &json!(code), &json!(word)),
            "{decision:?}"
        );
    }
    let (_, body) = status_of(&sandbox, &token, "ORDER-ST").await;
    assert_eq!(body["user"]["phone_number"], "+2250707070700");
    // A code of the wrong kind is refused, as for v2.
    let (_, _) = init_with(&sandbox, Some(&token), &body_for("ORDER-ST2")).await;
    assert!(
        sandbox
            .decide(
                "ORDER-ST2",
                Decision::Refuse {
                    operator: Operator::OrangeMoney,
                    code: "2002".into()
                }
            )
            .is_err()
    );
    assert!(
        sandbox
            .decide(
                "ORDER-ST2",
                Decision::Wait {
                    operator: Operator::OrangeMoney,
                    code: "100".into()
                }
            )
            .is_err()
    );
    sandbox.shutdown().await;
}

fn body_for(tx: &str) -> serde_json::Value {
    body(tx, SHOP)
}

#[tokio::test]
async fn expired_payments_answer_2003() {
    let sandbox = sandbox().await;
    let (token, _) = init(&sandbox, "ORDER-EXP", SHOP).await;
    let expired = sandbox.expire("ORDER-EXP").unwrap();
    assert_eq!(
        expired.state,
        cinetpay_sandbox::PaymentState::Refused {
            code: "2003".into()
        }
    );
    let (_, body) = status_of(&sandbox, &token, "ORDER-EXP").await;
    assert_eq!(
        (&body["code"], &body["status"]),
        (&json!(2003), &json!("EXPIRED"))
    );
    // Over the admin API as well.
    let (token, _) = init(&sandbox, "ORDER-EXP2", SHOP).await;
    let r = crate::common::http()
        .post(url(&sandbox, "_sandbox/payments/ORDER-EXP2/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, body) = status_of(&sandbox, &token, "ORDER-EXP2").await;
    assert_eq!(body["code"], 2003);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn any_of_the_three_ids_names_the_payment() {
    let sandbox = sandbox().await;
    let (token, answer) = init(&sandbox, "ORDER-IDS", SHOP).await;
    for id in [
        "ORDER-IDS",
        answer["transaction_id"].as_str().unwrap(),
        answer["payment_token"].as_str().unwrap(),
    ] {
        let (status, body) = status_of(&sandbox, &token, id).await;
        assert_eq!(
            (status, &body["merchant_transaction_id"]),
            (200, &json!("ORDER-IDS")),
            "{id}"
        );
    }
    let (status, body) = status_of(&sandbox, &token, "ORDER-NONE").await;
    assert_eq!(
        (status, &body["code"], &body["status"]),
        (404, &json!(404), &json!("NOT_FOUND"))
    );
    assert_eq!(sandbox.rest_counters().status_calls, 4);
    sandbox.shutdown().await;
}
