//! `POST /v1/oauth/login`, token lifetimes, forced expiry, logging in again,
//! and every form of a token error.

use std::time::Duration;

use cinetpay_sandbox::{Sandbox, TokenErrorForm};
use serde_json::json;

use super::helpers::*;

#[tokio::test]
async fn login_answers_a_bearer_token_with_its_lifetime() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials_2026();
    assert!(c.api_key().starts_with("sk_test_"));
    let (status, body) = login_with(
        &sandbox,
        &json!({"api_key": c.api_key(), "api_password": c.api_password()}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 200);
    assert_eq!(body["status"], "OK");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_400);
    let token = body["access_token"].as_str().unwrap();
    assert!(
        token.starts_with("eyJ") && token.split('.').count() == 3,
        "{token}"
    );
    assert_eq!(sandbox.rest_counters().logins, 1);
    // Each login is a new token.
    assert_ne!(login(&sandbox).await, token);
    assert_eq!(sandbox.rest_counters().logins, 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_refused() {
    let sandbox = sandbox().await;
    let c = sandbox.credentials_2026();
    let (status, body) = login_with(
        &sandbox,
        &json!({"api_key": c.api_key(), "api_password": "wrong"}),
    )
    .await;
    assert_eq!(
        (status, &body["code"], &body["status"]),
        (401, &json!(1005), &json!("INVALID_CREDENTIALS")),
        "{body}"
    );
    assert!(body["description"].is_string() && body["message"].is_string());
    assert!(body.get("access_token").is_none());
    let (status, body) = login_with(
        &sandbox,
        &json!({"api_key": "sk_test_other", "api_password": c.api_password()}),
    )
    .await;
    assert_eq!((status, &body["code"]), (401, &json!(1005)));
    let (status, body) = login_with(&sandbox, &json!({"api_key": c.api_key()})).await;
    assert_eq!((status, &body["code"]), (422, &json!(1004)));
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("api_password")
    );
    // The v2 credentials are not 2026 ones.
    let (status, _) = login_with(
        &sandbox,
        &json!({"api_key": sandbox.api_key(), "api_password": sandbox.secret_key()}),
    )
    .await;
    assert_eq!(status, 401);
    let counters = sandbox.rest_counters();
    assert_eq!((counters.logins, counters.failed_logins), (0, 4));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn calls_without_a_valid_token_are_1002() {
    let sandbox = sandbox().await;
    let shop = "http://127.0.0.1:9";
    for token in [
        None,
        Some("not-a-token"),
        Some("eyJhbGciOiJIUzI1NiJ9.e30.AAAA"),
    ] {
        let (status, body) =
            init_with(&sandbox, token, &super::helpers::body("T-1002", shop)).await;
        assert_eq!(
            (status, &body["code"], &body["status"]),
            (401, &json!(1002), &json!("INVALID_TOKEN")),
            "{token:?}: {body}"
        );
    }
    let (status, body) = status_of(&sandbox, "nope", "T-1002").await;
    assert_eq!((status, &body["code"]), (401, &json!(1002)));
    assert_eq!(sandbox.rest_counters().invalid_tokens, 4);
    assert!(sandbox.payments().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_expires_at_its_lifetime_and_a_new_login_works() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let (status, body) = login_with(
        &sandbox,
        &json!({"api_key": sandbox.credentials_2026().api_key(), "api_password": sandbox.credentials_2026().api_password()}),
    )
    .await;
    assert_eq!(
        (status, &body["expires_in"]),
        (200, &json!(1)),
        "rounded up to whole seconds"
    );
    let token = body["access_token"].as_str().unwrap().to_owned();
    let (status, _) = status_of(&sandbox, &token, "UNKNOWN").await;
    assert_eq!(status, 404, "valid token, unknown payment");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, body) = status_of(&sandbox, &token, "UNKNOWN").await;
    assert_eq!(
        (status, &body["code"], &body["status"]),
        (401, &json!(1003), &json!("EXPIRED_TOKEN")),
        "{body}"
    );
    let fresh = login(&sandbox).await;
    let (status, _) = status_of(&sandbox, &fresh, "UNKNOWN").await;
    assert_eq!(status, 404);
    assert_eq!(sandbox.rest_counters().expired_tokens, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn forced_expiry_then_login_again_and_retry() {
    let sandbox = sandbox().await;
    let shop = "http://127.0.0.1:9";
    let (token, _) = init(&sandbox, "T-EXP-1", shop).await;
    assert_eq!(sandbox.expire_tokens(), 1);
    let (status, body) = status_of(&sandbox, &token, "T-EXP-1").await;
    assert_eq!((status, &body["code"]), (401, &json!(1003)));
    // As the SDKs do: log in again, retry once.
    let token = login(&sandbox).await;
    let (status, body) = status_of(&sandbox, &token, "T-EXP-1").await;
    assert_eq!((status, &body["code"]), (200, &json!(2001)), "{body}");
    let c = sandbox.rest_counters();
    assert_eq!((c.logins, c.expired_tokens, c.status_calls), (2, 1, 1));

    // Over the admin API too.
    let r = crate::common::http()
        .post(url(&sandbox, "_sandbox/rest/tokens/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["expired"], 2);
    let (_, body) = status_of(&sandbox, &token, "T-EXP-1").await;
    assert_eq!(body["code"], 1003);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn token_errors_in_every_documented_form() {
    let sandbox = sandbox().await;
    let token = login(&sandbox).await;
    sandbox.expire_tokens();
    let cases = [
        (TokenErrorForm::http_401(), 401, false),
        (TokenErrorForm::in_body_200(), 200, false),
        (TokenErrorForm::http_422(), 422, false),
        (TokenErrorForm::in_details_422(), 422, true),
        (TokenErrorForm::in_details_200(), 200, true),
    ];
    for (form, http, nested) in cases {
        sandbox.set_rest_faults(sandbox.rest_faults().token_error(form));
        for (label, answer) in [
            (
                "init",
                init_with(
                    &sandbox,
                    Some(&token),
                    &super::helpers::body("T-FORM", "http://127.0.0.1:9"),
                )
                .await,
            ),
            ("status", status_of(&sandbox, &token, "T-FORM").await),
        ] {
            let (status, body) = answer;
            assert_eq!(status, http, "{form:?} {label}: {body}");
            let error = if nested {
                assert_eq!(
                    (&body["code"], &body["status"]),
                    (&json!(1004), &json!("INVALID_PARAMS")),
                    "{body}"
                );
                &body["details"]
            } else {
                &body
            };
            assert_eq!(
                (&error["code"], &error["status"]),
                (&json!(1003), &json!("EXPIRED_TOKEN")),
                "{form:?} {label}: {body}"
            );
            assert!(error["message"].is_string());
            // The fixtures' HTTP 200 form carries `message` only.
            if http == 200 && !nested {
                assert!(body.get("description").is_none(), "{body}");
            }
        }
    }
    // An invalid token in a nested form.
    let (_, body) = status_of(&sandbox, "garbage", "T-FORM").await;
    assert_eq!(body["details"]["code"], 1002);
    sandbox.shutdown().await;
}
