//! API fidelity: `POST /v2/payment` validation (every refusal code, JSON and
//! form bodies) and the `/v2/payment/check` envelope in every state.

use super::common::*;
use cinetpay_sandbox::{Decision, Operator, SandboxError};
use serde_json::{Value, json};

const NOWHERE: &str = "http://127.0.0.1:9/notify";

async fn init_with(sandbox: &cinetpay_sandbox::Sandbox, body: &Value) -> (u16, Value) {
    post_json(sandbox.url().join("v2/payment").unwrap(), body).await
}

fn assert_refused(answer: &(u16, Value), code: &str, mentions: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 400, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let description = body["description"].as_str().unwrap_or_default();
    assert!(
        description.contains(mentions),
        "description {description:?} should mention {mentions:?}"
    );
    assert!(
        body.get("data").is_none(),
        "error envelopes carry no data: {body}"
    );
    assert!(body["api_response_id"].is_string());
}

#[tokio::test]
async fn json_init_answers_the_documented_envelope() {
    let sandbox = sandbox().await;
    let (status, body) = init_with(&sandbox, &init_body(&sandbox, "T-json", NOWHERE)).await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], "201");
    assert_eq!(body["message"], "CREATED");
    assert_eq!(body["description"], "Transaction created with success");
    let token = body["data"]["payment_token"].as_str().unwrap();
    assert!(token.len() >= 32);
    assert_eq!(
        body["data"]["payment_url"].as_str().unwrap(),
        format!("{}payment/{token}", sandbox.url())
    );
    let id = body["api_response_id"].as_str().unwrap();
    let (secs, frac) = id.split_once('.').unwrap();
    assert!(secs.parse::<u64>().is_ok() && frac.len() == 4, "{id}");
    let p = sandbox.payment("T-json").unwrap();
    assert_eq!((p.amount, p.currency.as_str()), (1000, "XOF"));
    assert_eq!(p.payment_token, token);
}

#[tokio::test]
async fn form_urlencoded_init_is_accepted_too() {
    let sandbox = sandbox().await;
    let (status, body) = post_form(
        sandbox.url().join("v2/payment").unwrap(),
        &[
            ("apikey", sandbox.api_key()),
            ("site_id", sandbox.site_id()),
            ("transaction_id", "T-form"),
            ("amount", "2500"),
            ("currency", "XAF"),
            ("description", "Commande 7"),
            ("notify_url", NOWHERE),
            ("return_url", "https://shop.example/return"),
            ("channels", "MOBILE_MONEY"),
            ("lang", "en"),
            ("metadata", "  order 7  "),
        ],
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (200, Some("201")),
        "{body}"
    );
    let p = sandbox.payment("T-form").unwrap();
    assert_eq!((p.amount, p.currency.as_str()), (2500, "XAF"));
    assert_eq!(p.channels, "MOBILE_MONEY");
    assert_eq!(p.lang, "en");
    assert_eq!(
        p.metadata.as_deref(),
        Some("  order 7  "),
        "metadata is echoed as sent"
    );
}

#[tokio::test]
async fn numbers_sent_as_strings_and_site_ids_sent_as_numbers_are_read() {
    let sandbox = cinetpay_sandbox::Sandbox::builder()
        .site_id("555001")
        .start()
        .await
        .unwrap();
    let mut body = init_body(&sandbox, "T-lenient", NOWHERE);
    body["site_id"] = json!(555001);
    body["amount"] = json!("1500");
    let (status, answer) = init_with(&sandbox, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(sandbox.payment("T-lenient").unwrap().amount, 1500);
}

#[tokio::test]
async fn credentials_are_checked_first() {
    let sandbox = sandbox().await;
    let good = init_body(&sandbox, "T-auth", NOWHERE);

    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("apikey");
    assert_refused(&init_with(&sandbox, &b).await, "608", "apikey");

    let mut b = good.clone();
    b["apikey"] = json!("not-the-key");
    let answer = init_with(&sandbox, &b).await;
    assert_refused(&answer, "609", "apikey");
    assert_eq!(answer.1["message"], "AUTH_NOT_FOUND");

    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("site_id");
    assert_refused(&init_with(&sandbox, &b).await, "608", "site_id");

    let mut b = good.clone();
    b["site_id"] = json!("000001");
    let answer = init_with(&sandbox, &b).await;
    assert_refused(&answer, "613", "site_id");
    assert_eq!(answer.1["message"], "ERROR_SITE_ID_NOTVALID");
    assert!(sandbox.payments().is_empty(), "nothing refused is created");
}

#[tokio::test]
async fn every_missing_required_field_is_named() {
    let sandbox = sandbox().await;
    for field in [
        "transaction_id",
        "amount",
        "currency",
        "description",
        "notify_url",
        "return_url",
    ] {
        let mut b = init_body(&sandbox, "T-missing", NOWHERE);
        b.as_object_mut().unwrap().remove(field);
        let answer = init_with(&sandbox, &b).await;
        assert_refused(&answer, "608", field);
        assert_eq!(answer.1["message"], "MINIMUM_REQUIRED_FIELDS");
        // Blank counts as missing.
        b[field] = json!("  ");
        assert_refused(&init_with(&sandbox, &b).await, "608", field);
    }
    // channels is optional and defaults to ALL.
    let mut b = init_body(&sandbox, "T-default-channels", NOWHERE);
    b.as_object_mut().unwrap().remove("channels");
    assert_eq!(init_with(&sandbox, &b).await.0, 200);
    assert_eq!(
        sandbox.payment("T-default-channels").unwrap().channels,
        "ALL"
    );
}

#[tokio::test]
async fn amounts_must_be_positive_integers_multiple_of_five() {
    let sandbox = sandbox().await;
    for (amount, code, mentions) in [
        (json!(1002), "608", "multiple of 5"),
        (json!(0), "641", "greater than 0"),
        (json!(-5), "641", "greater than 0"),
        (json!(12.5), "611", "integer"),
        (json!("abc"), "611", "integer"),
    ] {
        let mut b = init_body(&sandbox, "T-amount", NOWHERE);
        b["amount"] = amount.clone();
        assert_refused(&init_with(&sandbox, &b).await, code, mentions);
    }
    let mut b = init_body(&sandbox, "T-amount", NOWHERE);
    b["amount"] = json!(5);
    assert_eq!(init_with(&sandbox, &b).await.0, 200);
}

#[tokio::test]
async fn currency_channels_lang_description_and_urls_are_validated() {
    let sandbox = sandbox().await;
    let cases: [(&str, Value, &str, &str); 7] = [
        ("currency", json!("EUR"), "612", "currency"),
        ("currency", json!("xof"), "612", "currency"),
        ("channels", json!("PAYPAL"), "608", "channels"),
        ("lang", json!("de"), "615", "lang"),
        ("description", json!("Commande #42"), "608", "description"),
        (
            "notify_url",
            json!("ftp://shop.example/n"),
            "608",
            "notify_url",
        ),
        ("return_url", json!("not a url"), "608", "return_url"),
    ];
    for (field, value, code, mentions) in cases {
        let mut b = init_body(&sandbox, "T-fields", NOWHERE);
        b[field] = value;
        assert_refused(&init_with(&sandbox, &b).await, code, mentions);
    }
    let mut b = init_body(&sandbox, "T-fields", NOWHERE);
    b["invoice_data"] = json!({"a": "1", "b": "2", "c": "3", "d": "4"});
    assert_refused(&init_with(&sandbox, &b).await, "608", "invoice_data");
    let mut b = init_body(&sandbox, "T-fields", NOWHERE);
    b["lock_phone_number"] = json!(true);
    assert_refused(
        &init_with(&sandbox, &b).await,
        "608",
        "customer_phone_number",
    );
}

fn card_body(sandbox: &cinetpay_sandbox::Sandbox, tx: &str) -> Value {
    let mut b = init_body(sandbox, tx, NOWHERE);
    b["channels"] = json!("CREDIT_CARD");
    for (k, v) in [
        ("customer_email", "awa@example.ci"),
        ("customer_phone_number", "+2250707000002"),
        ("customer_address", "Rue des Jardins"),
        ("customer_city", "Abidjan"),
        ("customer_country", "CI"),
        ("customer_state", "CI"),
        ("customer_zip_code", "00225"),
    ] {
        b[k] = json!(v);
    }
    b
}

#[tokio::test]
async fn card_payments_need_every_card_field() {
    let sandbox = sandbox().await;
    for field in [
        "customer_email",
        "customer_phone_number",
        "customer_address",
        "customer_city",
        "customer_country",
        "customer_state",
        "customer_zip_code",
    ] {
        let mut b = card_body(&sandbox, "T-card");
        b.as_object_mut().unwrap().remove(field);
        assert_refused(&init_with(&sandbox, &b).await, "608", field);
    }
    assert_eq!(
        init_with(&sandbox, &card_body(&sandbox, "T-card")).await.0,
        200
    );
    // Card-only: mobile money is not offered, the card is.
    assert!(matches!(
        sandbox.pay("T-card", Operator::OrangeMoney),
        Err(SandboxError::OperatorNotOffered { .. })
    ));
    sandbox.pay("T-card", Operator::Card).unwrap();
    let (_, body) = check(&sandbox, "T-card").await;
    assert_eq!(body["data"]["payment_method"], "VISAM");
    assert_eq!(
        sandbox.payment("T-card").unwrap().phone.as_deref(),
        Some("0707000002"),
        "the payer number is the customer's, without the country prefix"
    );
}

#[tokio::test]
async fn a_reused_transaction_id_is_refused_and_changes_nothing() {
    let sandbox = sandbox().await;
    let token = init(&sandbox, "T-dup", NOWHERE).await;
    let mut b = init_body(&sandbox, "T-dup", NOWHERE);
    b["amount"] = json!(5000);
    let answer = init_with(&sandbox, &b).await;
    assert_refused(&answer, "608", "already used");
    let p = sandbox.payment("T-dup").unwrap();
    assert_eq!((p.amount, p.payment_token.as_str()), (1000, token.as_str()));
    assert_eq!(sandbox.payments().len(), 1);
}

#[tokio::test]
async fn check_refuses_bad_requests_with_an_error_envelope() {
    let sandbox = sandbox().await;
    let url = sandbox.url().join("v2/payment/check").unwrap();
    let answer = post_json(
        url.clone(),
        &json!({"apikey": sandbox.api_key(), "site_id": sandbox.site_id()}),
    )
    .await;
    assert_refused(&answer, "608", "transaction_id");
    let answer = post_json(
        url.clone(),
        &json!({"apikey": "nope", "site_id": sandbox.site_id(), "transaction_id": "x"}),
    )
    .await;
    assert_refused(&answer, "609", "apikey");
    let answer = post_json(
        url.clone(),
        &json!({"apikey": sandbox.api_key(), "site_id": "1", "transaction_id": "x"}),
    )
    .await;
    assert_refused(&answer, "613", "site_id");
    // Unknown transaction: 624 UNKNOWN_ERROR, "transaction not found".
    let answer = check(&sandbox, "never-initialised").await;
    assert_refused(&answer, "624", "not found");
    assert_eq!(answer.1["message"], "UNKNOWN_ERROR");
    let recorded: Vec<_> = sandbox.checks().iter().map(|c| c.code.clone()).collect();
    assert_eq!(
        recorded,
        ["608", "609", "613", "624"].map(|c| Some(c.to_owned()))
    );
}

#[tokio::test]
async fn check_finds_a_payment_by_token_or_payment_token_and_reads_forms() {
    let sandbox = sandbox().await;
    let token = init(&sandbox, "T-token", NOWHERE).await;
    let url = sandbox.url().join("v2/payment/check").unwrap();
    for field in ["token", "payment_token"] {
        let (status, body) = post_json(
            url.clone(),
            &json!({"apikey": sandbox.api_key(), "site_id": sandbox.site_id(), field: token}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (200, Some("662")),
            "{body}"
        );
    }
    let (status, body) = post_form(
        url,
        &[
            ("apikey", sandbox.api_key()),
            ("site_id", sandbox.site_id()),
            ("transaction_id", "T-token"),
        ],
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (200, Some("662")));
    assert_eq!(sandbox.checks_for("T-token").len(), 3);
    assert_eq!(sandbox.checks()[2].format, "form");
}

#[tokio::test]
async fn check_before_any_decision_reports_waiting_with_blank_payment_fields() {
    let sandbox = sandbox().await;
    init(&sandbox, "T-new", NOWHERE).await;
    let (status, body) = check(&sandbox, "T-new").await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], "662");
    assert_eq!(body["message"], "WAITING_CUSTOMER_PAYMENT");
    let data = &body["data"];
    assert_eq!(data["status"], "WAITING_FOR_CUSTOMER");
    assert_eq!(data["amount"], json!("1000"), "amounts are strings");
    assert_eq!(data["currency"], "XOF");
    assert_eq!(data["description"], "Commande 42");
    assert_eq!(data["metadata"], Value::Null);
    assert_eq!(data["operator_id"], Value::Null);
    assert_eq!(data["payment_method"], Value::Null);
    assert_eq!(data["payment_date"], " ");
    assert!(
        data["fund_availability_date"]
            .as_str()
            .unwrap()
            .ends_with(" 00:00:00")
    );
}

#[tokio::test]
async fn check_reports_each_decision_with_its_code() {
    let sandbox = sandbox().await;
    let cases: [(&str, Decision, &str, &str, &str); 6] = [
        (
            "T-paid",
            Decision::Pay {
                operator: Operator::OrangeMoney,
                phone: None,
            },
            "00",
            "SUCCES",
            "ACCEPTED",
        ),
        (
            "T-refused",
            Decision::Refuse {
                operator: Operator::MtnMomo,
                code: "600".into(),
            },
            "600",
            "PAYMENT_FAILED",
            "REFUSED",
        ),
        (
            "T-balance",
            Decision::Refuse {
                operator: Operator::MoovFlooz,
                code: "602".into(),
            },
            "602",
            "INSUFFICIENT_BALANCE",
            "REFUSED",
        ),
        (
            "T-cancel",
            Decision::Cancel,
            "627",
            "TRANSACTION_CANCEL",
            "REFUSED",
        ),
        (
            "T-wait",
            Decision::Wait {
                operator: Operator::Wave,
                code: "662".into(),
            },
            "662",
            "WAITING_CUSTOMER_PAYMENT",
            "WAITING_FOR_CUSTOMER",
        ),
        (
            "T-otp",
            Decision::Wait {
                operator: Operator::OrangeMoney,
                code: "663".into(),
            },
            "663",
            "WAITING_CUSTOMER_OTP_CODE",
            "WAITING_FOR_CUSTOMER",
        ),
    ];
    for (tx, decision, code, message, status) in cases {
        let mut b = init_body(&sandbox, tx, NOWHERE);
        b["metadata"] = json!(format!("meta-{tx}"));
        assert_eq!(init_with(&sandbox, &b).await.0, 200);
        sandbox
            .decide_with(
                tx,
                decision,
                cinetpay_sandbox::Scenario::new().never_send(true),
            )
            .unwrap();
        let (http, body) = check(&sandbox, tx).await;
        assert_eq!(http, 200, "{tx}: {body}");
        assert_eq!(body["code"], code, "{tx}: {body}");
        assert_eq!(body["message"], message, "{tx}");
        let data = &body["data"];
        assert_eq!(data["status"], status, "{tx}");
        assert_eq!(data["metadata"], json!(format!("meta-{tx}")));
        if code == "00" {
            assert_eq!(data["payment_method"], "OM");
            let op = data["operator_id"].as_str().unwrap();
            assert!(
                op.starts_with("MP") && op.len() == "MP220915.2257.A76307".len(),
                "{op}"
            );
            let date = data["payment_date"].as_str().unwrap();
            assert!(
                chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S").is_ok(),
                "{date}"
            );
        } else {
            assert_eq!(data["operator_id"], Value::Null, "{tx}");
            assert_eq!(data["payment_date"], " ", "{tx}");
        }
        if tx == "T-cancel" {
            assert_eq!(data["payment_method"], Value::Null);
        }
    }
}

#[tokio::test]
async fn decisions_are_validated() {
    let sandbox = sandbox().await;
    let mut b = init_body(&sandbox, "T-rules", NOWHERE);
    b["channels"] = json!("MOBILE_MONEY");
    assert_eq!(init_with(&sandbox, &b).await.0, 200);
    assert!(matches!(
        sandbox.pay("T-unknown", Operator::OrangeMoney),
        Err(SandboxError::UnknownTransaction(_))
    ));
    assert!(matches!(
        sandbox.pay("T-rules", Operator::Wave),
        Err(SandboxError::OperatorNotOffered { .. })
    ));
    for (decision, expected) in [
        (
            Decision::Refuse {
                operator: Operator::OrangeMoney,
                code: "00".into(),
            },
            "failure",
        ),
        (
            Decision::Refuse {
                operator: Operator::OrangeMoney,
                code: "662".into(),
            },
            "failure",
        ),
        (
            Decision::Wait {
                operator: Operator::OrangeMoney,
                code: "600".into(),
            },
            "pending",
        ),
    ] {
        match sandbox.decide("T-rules", decision) {
            Err(SandboxError::InvalidCode { expected: e, .. }) => assert_eq!(e, expected),
            other => panic!("expected InvalidCode, got {other:?}"),
        }
    }
    // A refusal may still become an acceptance (push operators); an acceptance is final.
    sandbox.refuse("T-rules", Operator::OrangeMoney).unwrap();
    sandbox.pay("T-rules", Operator::MtnMomo).unwrap();
    assert!(matches!(
        sandbox.cancel("T-rules"),
        Err(SandboxError::AlreadyAccepted(_))
    ));
    assert_eq!(check(&sandbox, "T-rules").await.1["code"], "00");
    // Card needs the card fields even when channels is ALL.
    init(&sandbox, "T-all", NOWHERE).await;
    assert!(matches!(
        sandbox.pay("T-all", Operator::Card),
        Err(SandboxError::OperatorNotOffered { .. })
    ));
    sandbox.wait_idle(WAIT).await.unwrap();
}
