//! `Client::check_payment` against a local mock of CinetPay (wiremock):
//! every payment state, the shapes the real API sends, and the retry budget.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cinetpay_core::protocol::CheckOutcome;
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, ClientError, Credentials, Currency, Money, SiteId,
    TransactionId,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "test-api-key-0002";

fn config(server: &MockServer, retries: u32) -> ClientConfig {
    ClientConfig::default()
        .with_base_url(&server.uri())
        .unwrap()
        .with_timeouts(Duration::from_secs(2), Duration::from_secs(2))
        .with_check_retries(retries)
        .with_retry_delays(Duration::from_millis(1), Duration::from_millis(10))
}

fn client_with(config: ClientConfig) -> Client {
    let creds = Credentials::new(
        SiteId::new("123456").unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        None,
    );
    Client::new(creds, config).unwrap()
}

fn client(server: &MockServer) -> Client {
    client_with(config(server, 3))
}

fn id() -> TransactionId {
    TransactionId::parse("ORDER-0001").unwrap()
}

fn price() -> Money {
    Money::new(Amount::new(100).unwrap(), Currency::Xof)
}

async fn answer(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v2/payment/check"))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn answer_json(server: &MockServer, body: Value) {
    answer(server, ResponseTemplate::new(200).set_body_json(body)).await;
}

async fn requests_received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn accepted_with_the_documented_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment/check"))
        .and(body_json(json!({
            "apikey": API_KEY, "site_id": "123456", "transaction_id": "ORDER-0001",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "00", "message": "SUCCES",
            "data": {
                "amount": "100", "currency": "XOF", "status": "ACCEPTED",
                "payment_method": "OM", "description": "Commande 42", "metadata": null,
                "operator_id": "MP220915.2257.A76307", "payment_date": "2022-09-15 22:57:15",
                "fund_availability_date": "2022-09-17 00:00:00",
            },
            "api_response_id": "1663323067.7677",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.message, "SUCCES");
    assert_eq!(check.outcome(price()), CheckOutcome::Accepted);
    assert!(matches!(
        check.outcome(Money::new(Amount::new(100).unwrap(), Currency::Xaf)),
        CheckOutcome::Mismatch { .. }
    ));
    let data = check.data.unwrap();
    assert_eq!(data.operator_id.as_deref(), Some("MP220915.2257.A76307"));
    assert_eq!(data.payment_date.as_deref(), Some("2022-09-15 22:57:15"));
    assert_eq!(data.metadata, None);
}

#[tokio::test]
async fn accepted_with_numbers_as_numbers() {
    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({"code": "00", "message": "SUCCES",
               "data": {"amount": 100, "currency": "XOF", "status": "ACCEPTED",
                        "metadata": {"order": 42}}}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Accepted);
    assert_eq!(
        check.data.unwrap().metadata.as_deref(),
        Some(r#"{"order":42}"#)
    );
}

#[tokio::test]
async fn refused_627_with_a_blank_date_and_no_operator_id() {
    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({
            "code": "627", "message": "TRANSACTION_CANCEL",
            "data": {
                "amount": "100", "currency": "XOF", "status": "REFUSED", "payment_method": "OM",
                "description": "Commande 42", "metadata": null, "operator_id": null,
                "payment_date": " ", "fund_availability_date": "2022-09-17 00:00:00",
            },
            "api_response_id": "1663323067.7677",
        }),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Cancelled);

    let data = check.data.unwrap();
    assert_eq!(data.payment_date, None);
    assert_eq!(data.operator_id, None);
    assert_eq!(data.status.as_deref(), Some("REFUSED"));
}

#[tokio::test]
async fn pending_662_with_or_without_data() {
    for body in [
        json!({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT",
               "data": {"amount": "100", "currency": "XOF", "status": "WAITING_FOR_CUSTOMER",
                        "payment_date": "", "operator_id": null}}),
        json!({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT"}),
        json!({"code": 623, "message": "WAITING_CUSTOMER_TO_VALIDATE", "data": null}),
    ] {
        let server = MockServer::start().await;
        answer_json(&server, body.clone()).await;
        let check = client(&server).check_payment(&id()).await.unwrap();
        assert_eq!(check.outcome(price()), CheckOutcome::Pending, "{body}");
    }
}

#[tokio::test]
async fn push_operators_report_a_failure_code_while_still_waiting() {
    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({"code": "600", "message": "PAYMENT_FAILED",
               "data": {"status": "WAITING_FOR_CUSTOMER", "amount": "100", "currency": "XOF"}}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Pending);
}

#[tokio::test]
async fn the_2021_data_shape() {
    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({"code": "00", "message": "SUCCES",
               "data": {"operator_id": "MP210805.1010.A00001", "payment_method": "OM",
                        "payment_date": "2021-08-05 10:10:10", "phone_number": "0700000000",
                        "phone_prefix": "225"},
               "api_response_id": "1628158210.1234"}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    // No status, no amount: success cannot be verified, so it is not success.
    assert_eq!(check.outcome(price()), CheckOutcome::Unknown);
    let data = check.data.unwrap();
    assert_eq!(data.phone_number.as_deref(), Some("0700000000"));
    assert_eq!(data.phone_prefix.as_deref(), Some("225"));

    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({"code": "600", "message": "PAYMENT_FAILED",
               "data": {"operator_id": null, "payment_method": "OM", "payment_date": "",
                        "phone_number": "0700000000", "phone_prefix": 225}}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Refused);
}

#[tokio::test]
async fn request_errors_with_http_200_are_answers_not_failures() {
    let server = MockServer::start().await;
    answer_json(
        &server,
        json!({"code": "609", "message": "AUTH_NOT_FOUND", "description": "apikey not found"}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::RequestError);
    assert_eq!(check.description.as_deref(), Some("apikey not found"));
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn request_errors_with_an_http_error_status_are_api_errors_not_retried() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(403).set_body_json(json!({
            "code": "609", "message": "AUTH_NOT_FOUND", "description": "apikey not found",
        })),
    )
    .await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Api {
            code: "609".into(),
            message: "AUTH_NOT_FOUND".into(),
            description: Some("apikey not found".into()),
        }
    );
    assert_eq!(requests_received(&server).await, 1);
}

fn accepted_body() -> Value {
    json!({"code": "00", "message": "SUCCES",
           "data": {"amount": "100", "currency": "XOF", "status": "ACCEPTED"}})
}

#[tokio::test]
async fn an_accepted_body_with_an_http_client_error_is_never_a_payment() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = MockServer::start().await;
        answer(
            &server,
            ResponseTemplate::new(status).set_body_json(accepted_body()),
        )
        .await;
        let err = client(&server).check_payment(&id()).await.unwrap_err();
        assert!(
            matches!(&err, ClientError::HttpStatus { status: s, excerpt }
                if *s == status && excerpt.contains("ACCEPTED")),
            "{status}: {err:?}"
        );
        assert!(!err.is_retryable(), "{status}");
        assert_eq!(requests_received(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn an_accepted_body_with_a_redirect_status_is_never_a_payment() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(302)
            .insert_header("location", "https://elsewhere.example/")
            .set_body_json(accepted_body()),
    )
    .await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn an_accepted_body_with_a_retryable_status_is_retried_not_read() {
    for status in [429, 408, 500, 503] {
        let server = MockServer::start().await;
        answer(
            &server,
            ResponseTemplate::new(status).set_body_json(accepted_body()),
        )
        .await;
        let err = client(&server).check_payment(&id()).await.unwrap_err();
        assert!(
            matches!(err, ClientError::HttpStatus { status: s, .. } if s == status),
            "{status}: {err:?}"
        );
        // The first try and the 3 configured retries.
        assert_eq!(requests_received(&server).await, 4, "{status}");
    }
}

#[tokio::test]
async fn an_accepted_body_with_http_200_and_other_2xx_is_read() {
    for status in [200, 202] {
        let server = MockServer::start().await;
        answer(
            &server,
            ResponseTemplate::new(status).set_body_json(accepted_body()),
        )
        .await;
        let check = client(&server).check_payment(&id()).await.unwrap();
        assert_eq!(check.outcome(price()), CheckOutcome::Accepted, "{status}");
        assert_eq!(requests_received(&server).await, 1);
    }
}

#[tokio::test]
async fn server_errors_that_recover_within_the_budget() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment/check"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    answer_json(
        &server,
        json!({"code": "00", "message": "SUCCES",
               "data": {"amount": "100", "currency": "XOF", "status": "ACCEPTED"}}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Accepted);
    assert_eq!(requests_received(&server).await, 3);
}

#[tokio::test]
async fn server_errors_that_outlast_the_budget() {
    let server = MockServer::start().await;
    let page =
        "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n</html>";
    answer(
        &server,
        ResponseTemplate::new(503).set_body_raw(page, "text/html"),
    )
    .await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    match &err {
        ClientError::HttpStatus { status, excerpt } => {
            assert_eq!(*status, 503);
            assert!(excerpt.contains("503 Service Temporarily Unavailable"));
        }
        other => panic!("{other:?}"),
    }
    // The first try and the 3 configured retries.
    assert_eq!(requests_received(&server).await, 4);
}

#[tokio::test]
async fn the_retry_budget_is_configurable() {
    for retries in [0, 1, 5] {
        let server = MockServer::start().await;
        answer(&server, ResponseTemplate::new(500)).await;
        let err = client_with(config(&server, retries))
            .check_payment(&id())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ClientError::HttpStatus { status: 500, .. }),
            "{err:?}"
        );
        assert_eq!(requests_received(&server).await, retries as usize + 1);
    }
}

#[tokio::test]
async fn too_many_requests_is_retried_but_other_client_errors_are_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment/check"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer_json(
        &server,
        json!({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT"}),
    )
    .await;
    let check = client(&server).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Pending);
    assert_eq!(requests_received(&server).await, 2);

    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(400).set_body_raw("<h1>Bad Request</h1>", "text/html"),
    )
    .await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn malformed_json_is_not_retried() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_raw("{\"code\":\"00\",", "application/json"),
    )
    .await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Unparseable(why) if why.contains("{\"code\":\"00\",")),
        "{err:?}"
    );
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn json_without_a_code_is_unparseable() {
    let server = MockServer::start().await;
    answer_json(&server, json!({"status": "ok"})).await;
    let err = client(&server).check_payment(&id()).await.unwrap_err();
    assert!(matches!(err, ClientError::Unparseable(_)), "{err:?}");
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT"}))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let config =
        config(&server, 2).with_timeouts(Duration::from_secs(1), Duration::from_millis(150));
    let started = std::time::Instant::now();
    let err = client_with(config).check_payment(&id()).await.unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert_eq!(err.to_string(), "CinetPay did not answer in time");
    assert_eq!(requests_received(&server).await, 3);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_timeout_that_recovers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment/check"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT"}))
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer_json(
        &server,
        json!({"code": "627", "message": "TRANSACTION_CANCEL", "data": {"status": "REFUSED"}}),
    )
    .await;
    let config =
        config(&server, 2).with_timeouts(Duration::from_secs(1), Duration::from_millis(150));
    let check = client_with(config).check_payment(&id()).await.unwrap();
    assert_eq!(check.outcome(price()), CheckOutcome::Cancelled);
    assert_eq!(requests_received(&server).await, 2);
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = ClientConfig::default()
        .with_base_url(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .with_retry_delays(Duration::from_millis(1), Duration::from_millis(2));
    let err = client_with(config).check_payment(&id()).await.unwrap_err();
    assert!(matches!(&err, ClientError::Transport(_)), "{err:?}");
}
