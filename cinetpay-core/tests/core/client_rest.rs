//! `rest::RestClient` (CinetPay's 2026 API) against wiremock: one login per
//! token lifetime whatever the burst, a refused token in each form it comes
//! in (re-login once, retry once), init never retried, `1200`, status retries,
//! and no secret in any error.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cinetpay_core::client::BodyKind;
use cinetpay_core::protocol::CheckOutcome;
use cinetpay_core::rest::{RestClient, RestCredentials, RestPaymentRequest};
use cinetpay_core::{
    Amount, ApiKey, ApiPassword, ClientConfig, ClientError, Currency, Description, Money,
    TransactionId,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_test_rest-key-0003";
const PASSWORD: &str = "rest-password-0004";
const ID: &str = "CP-ORDER-0001";

fn client(server: &MockServer) -> RestClient {
    let config = ClientConfig::default()
        .with_base_url(&server.uri())
        .unwrap()
        .with_timeouts(Duration::from_secs(2), Duration::from_millis(500))
        .with_check_retries(3)
        .with_retry_delays(Duration::from_millis(1), Duration::from_millis(5));
    let creds = RestCredentials::new(
        ApiKey::new(KEY).unwrap(),
        ApiPassword::new(PASSWORD).unwrap(),
    );
    RestClient::new(creds, config).unwrap()
}

async fn login_answers(server: &MockServer, tokens: &[&str]) {
    for (i, token) in tokens.iter().enumerate() {
        Mock::given(method("POST"))
            .and(path("/v1/oauth/login"))
            .and(body_partial_json(
                json!({"api_key": KEY, "api_password": PASSWORD}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "code": 200, "status": "OK", "access_token": token,
                "token_type": "bearer", "expires_in": 86400})))
            .up_to_n_times(1)
            .with_priority(u8::try_from(i + 1).unwrap())
            .mount(server)
            .await;
    }
}

fn success() -> Value {
    json!({"code": 100, "status": "SUCCESS", "merchant_transaction_id": ID, "transaction_id": "27ba"})
}

async fn status_with_token(server: &MockServer, token: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/v1/payment/{ID}")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn count(server: &MockServer, p: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests.iter().filter(|r| r.url.path() == p).count()
}

fn id() -> TransactionId {
    TransactionId::parse(ID).unwrap()
}

fn request() -> RestPaymentRequest {
    RestPaymentRequest::new(
        id(),
        Money::new(Amount::new(1000).unwrap(), Currency::Xof),
        Description::new("Commande").unwrap(),
        "Awa Koné",
        "awa@example.ci",
        "https://s.example/cinetpay/return".parse().unwrap(),
        "https://s.example/cinetpay/return".parse().unwrap(),
        "https://s.example/cinetpay/notify".parse().unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_a_thousand_status_calls_makes_one_login() {
    let server = MockServer::start().await;
    login_answers(&server, &["tok-1"]).await;
    status_with_token(
        &server,
        "tok-1",
        ResponseTemplate::new(200).set_body_json(success()),
    )
    .await;
    let client = client(&server);
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let client = client.clone();
        tasks.push(tokio::spawn(
            async move { client.payment_status(&id()).await },
        ));
    }
    for t in tasks {
        let answer = t.await.unwrap().unwrap();
        assert_eq!(answer.outcome(ID, Some("27ba")), CheckOutcome::Accepted);
    }
    assert_eq!(client.logins(), 1);
    assert_eq!(count(&server, "/v1/oauth/login").await, 1);
}

#[tokio::test]
async fn a_refused_token_in_each_form_makes_one_new_login_and_one_retry() {
    let forms = [
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 1003, "status": "EXPIRED_TOKEN", "message": "expired"})),
        ResponseTemplate::new(401).set_body_json(json!({"code": 1002, "status": "INVALID_TOKEN"})),
        ResponseTemplate::new(401).set_body_string("Unauthorized"),
        ResponseTemplate::new(422).set_body_json(json!({"code": 1004, "status": "INVALID_PARAMS",
            "details": {"code": 1002, "status": "INVALID_TOKEN"}})),
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": "1003", "status": "expired_token"})),
    ];
    for (i, refused) in forms.into_iter().enumerate() {
        let server = MockServer::start().await;
        login_answers(&server, &["old", "new"]).await;
        status_with_token(&server, "old", refused).await;
        status_with_token(
            &server,
            "new",
            ResponseTemplate::new(200).set_body_json(success()),
        )
        .await;
        let client = client(&server);
        let answer = client.payment_status(&id()).await.unwrap();
        assert_eq!(answer.outcome(ID, None), CheckOutcome::Accepted, "form {i}");
        assert_eq!(client.logins(), 2, "form {i}");
        assert_eq!(
            count(&server, &format!("/v1/payment/{ID}")).await,
            2,
            "form {i}"
        );
    }
}

#[tokio::test]
async fn a_token_refused_twice_is_an_error_after_two_logins_not_a_loop() {
    let server = MockServer::start().await;
    login_answers(&server, &["a", "b", "c"]).await;
    for token in ["a", "b", "c"] {
        status_with_token(
            &server,
            token,
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 1003, "status": "EXPIRED_TOKEN"})),
        )
        .await;
    }
    let client = client(&server);
    match client.payment_status(&id()).await.unwrap_err() {
        ClientError::Api { code, .. } => assert_eq!(code, "1003"),
        other => panic!("{other:?}"),
    }
    assert_eq!(client.logins(), 2);
}

#[tokio::test]
async fn wrong_credentials_are_an_api_error_without_the_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/login"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"code": 1005,
            "status": "INVALID_CREDENTIALS", "description": format!("bad {KEY} / {PASSWORD}")})),
        )
        .mount(&server)
        .await;
    let e = client(&server).payment_status(&id()).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        matches!(&e, ClientError::Api { code, .. } if code == "1005"),
        "{shown}"
    );
    assert!(!shown.contains(KEY) && !shown.contains(PASSWORD), "{shown}");
}

#[tokio::test]
async fn init_sends_every_field_and_keeps_the_notify_token_secret() {
    let server = MockServer::start().await;
    login_answers(&server, &["tok"]).await;
    Mock::given(method("POST"))
        .and(path("/v1/payment"))
        .and(header("authorization", "Bearer tok"))
        .and(body_partial_json(
            json!({"merchant_transaction_id": ID, "amount": 1000,
            "currency": "XOF", "client_first_name": "Awa", "client_last_name": "Koné",
            "designation": "Commande", "lang": "fr"}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 200, "status": "OK",
            "payment_token": "pt-1", "notify_token": "nt-secret-77", "transaction_id": "27ba",
            "merchant_transaction_id": ID, "payment_url": "https://secure.cinetpay.net/pay/pt-1",
            "details": {"code": 2001, "status": "INITIATED", "must_be_redirected": true}})),
        )
        .mount(&server)
        .await;
    let created = client(&server).init_payment(&request()).await.unwrap();
    assert_eq!(created.payment_url, "https://secure.cinetpay.net/pay/pt-1");
    assert_eq!(created.transaction_id.as_deref(), Some("27ba"));
    assert!(created.notify_token.matches("nt-secret-77"));
    assert!(!format!("{created:?}").contains("nt-secret-77"));
    assert!(created.must_be_redirected);
}

#[tokio::test]
async fn init_is_never_retried_and_1200_is_an_api_error() {
    let server = MockServer::start().await;
    login_answers(&server, &["tok"]).await;
    Mock::given(method("POST"))
        .and(path("/v1/payment"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payment"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 1200,
            "status": "TRANSACTION_EXIST", "description": "La transaction existe déjà"})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.init_payment(&request()).await.unwrap_err(),
        ClientError::Timeout
    );
    assert_eq!(
        count(&server, "/v1/payment").await,
        1,
        "a timed-out init is not sent again"
    );
    match client.init_payment(&request()).await.unwrap_err() {
        ClientError::Api { code, message, .. } => {
            assert_eq!(
                (code.as_str(), message.as_str()),
                ("1200", "TRANSACTION_EXIST")
            )
        }
        other => panic!("{other:?}"),
    }
    for status in [500, 502] {
        let server = MockServer::start().await;
        login_answers(&server, &["tok"]).await;
        Mock::given(method("POST"))
            .and(path("/v1/payment"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let e = self::client(&server)
            .init_payment(&request())
            .await
            .unwrap_err();
        assert!(matches!(e, ClientError::HttpStatus { .. }), "{e:?}");
        assert_eq!(count(&server, "/v1/payment").await, 1);
    }
}

#[tokio::test]
async fn status_is_retried_on_server_errors_and_a_coded_404_is_an_answer() {
    let server = MockServer::start().await;
    login_answers(&server, &["tok"]).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/payment/{ID}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    status_with_token(
        &server,
        "tok",
        ResponseTemplate::new(200).set_body_json(json!({
        "code": 2001, "status": "INITIATED", "merchant_transaction_id": ID})),
    )
    .await;
    let client = client(&server);
    let answer = client.payment_status(&id()).await.unwrap();
    assert_eq!(answer.outcome(ID, None), CheckOutcome::Pending);
    assert_eq!(count(&server, &format!("/v1/payment/{ID}")).await, 3);

    let server = MockServer::start().await;
    login_answers(&server, &["tok"]).await;
    status_with_token(
        &server,
        "tok",
        ResponseTemplate::new(404).set_body_json(json!({
        "code": 404, "status": "NOT_FOUND"})),
    )
    .await;
    let answer = self::client(&server).payment_status(&id()).await.unwrap();
    assert_eq!(answer.outcome(ID, None), CheckOutcome::Unknown);

    let server = MockServer::start().await;
    login_answers(&server, &["tok"]).await;
    status_with_token(
        &server,
        "tok",
        ResponseTemplate::new(200).set_body_string("<html>WAF</html>"),
    )
    .await;
    let e = self::client(&server)
        .payment_status(&id())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::NotJson {
                status: 200,
                body: BodyKind::Html,
                ..
            }
        ),
        "{e:?}"
    );

    // A login answered by a page (a proxy in front of the API) says so too.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/login"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<!DOCTYPE html><p>proxy</p>"))
        .mount(&server)
        .await;
    let e = self::client(&server)
        .payment_status(&id())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ClientError::NotJson { status: 200, body: BodyKind::Html, excerpt }
            if excerpt.contains("proxy")),
        "{e:?}"
    );
}

/// The client against the local CinetPay's 2026 API (an implementation of its
/// own): login, init, a pending status, a payment, a token expired on the
/// server side (one new login), the success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_sandbox_a_payment_goes_from_initiated_to_success() {
    let handle = cinetpay_sandbox::Sandbox::builder().start().await.unwrap();
    let sandbox = handle.sandbox();
    let creds = sandbox.credentials_2026();
    let config = ClientConfig::default()
        .with_base_url(sandbox.url().as_str())
        .unwrap();
    let client = RestClient::new(
        RestCredentials::parse(creds.api_key(), creds.api_password()).unwrap(),
        config,
    )
    .unwrap();
    let id = TransactionId::generate_upper();
    let request = RestPaymentRequest::new(
        id.clone(),
        Money::new(Amount::new(1000).unwrap(), Currency::Xof),
        Description::new("Commande").unwrap(),
        "Awa Koné",
        "awa@example.ci",
        "https://shop.example/cinetpay/return".parse().unwrap(),
        "https://shop.example/cinetpay/return".parse().unwrap(),
        "https://shop.example/cinetpay/notify".parse().unwrap(),
    )
    .unwrap();
    let created = client.init_payment(&request).await.unwrap();
    assert!(
        created.payment_url.starts_with(sandbox.url().as_str()),
        "{}",
        created.payment_url
    );
    let cinetpay_id = created.transaction_id.clone();
    let status = client.payment_status(&id).await.unwrap();
    assert_eq!(
        status.outcome(id.as_str(), cinetpay_id.as_deref()),
        CheckOutcome::Pending
    );
    assert!(matches!(
        client.init_payment(&request).await.unwrap_err(),
        ClientError::Api { code, .. } if code == "1200"
    ));
    sandbox
        .pay(id.as_str(), cinetpay_sandbox::Operator::OrangeMoney)
        .unwrap();
    assert_eq!(sandbox.expire_tokens(), 1);
    let status = client.payment_status(&id).await.unwrap();
    assert_eq!(
        status.outcome(id.as_str(), cinetpay_id.as_deref()),
        CheckOutcome::Accepted
    );
    assert_eq!(client.logins(), 2);
    assert_eq!(sandbox.rest_counters().logins, 2);
    handle.shutdown().await;
}
