//! `Client::init_payment` against a local mock of CinetPay (wiremock).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cinetpay_core::client::BodyKind;
use cinetpay_core::protocol::PaymentRequest;
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, ClientError, Credentials, Currency, Description, Money,
    SiteId, TransactionId,
};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "test-api-key-0001";

fn client(server: &MockServer) -> Client {
    let config = ClientConfig::default()
        .with_base_url(&server.uri())
        .unwrap()
        .with_timeouts(Duration::from_secs(2), Duration::from_secs(2))
        .with_retry_delays(Duration::from_millis(1), Duration::from_millis(5));
    let creds = Credentials::new(
        SiteId::new("123456").unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        None,
    );
    Client::new(creds, config).unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest::new(
        TransactionId::parse("ORDER-0001").unwrap(),
        Money::new(Amount::new(1000).unwrap(), Currency::Xof),
        Description::new("Commande 42").unwrap(),
        "https://shop.example/cinetpay/notify".parse().unwrap(),
        "https://shop.example/cinetpay/return".parse().unwrap(),
    )
}

async fn mount(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn requests_received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn success_returns_the_token_and_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "apikey": API_KEY, "site_id": "123456", "transaction_id": "ORDER-0001",
            "amount": 1000, "currency": "XOF", "description": "Commande 42",
            "notify_url": "https://shop.example/cinetpay/notify",
            "return_url": "https://shop.example/cinetpay/return", "channels": "ALL",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "201", "message": "CREATED", "description": "Transaction created with success",
            "data": {"payment_token": "tok-123", "payment_url": "https://checkout.cinetpay.com/payment/tok-123"},
            "api_response_id": "1663323067.7677", "unexpected": {"extra": true},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server).init_payment(&request()).await.unwrap();
    assert_eq!(created.payment_token, "tok-123");
    assert_eq!(
        created.payment_url,
        "https://checkout.cinetpay.com/payment/tok-123"
    );
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sandbox/v2/payment"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 201, "message": "CREATED",
            "data": {"payment_token": "t", "payment_url": "http://127.0.0.1/pay/t"},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let config = client(&server)
        .config()
        .clone()
        .with_base_url(&format!("{}/sandbox/", server.uri()))
        .unwrap();
    let c = Client::new(client(&server).credentials().clone(), config).unwrap();
    assert_eq!(c.init_payment(&request()).await.unwrap().payment_token, "t");
}

#[tokio::test]
async fn error_code_608_keeps_the_description() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({
            "code": "608", "message": "MINIMUM_REQUIRED_FIELDS",
            "description": "Le champ customer_name est requis", "api_response_id": "1.2",
        })),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Api {
            code: "608".into(),
            message: "MINIMUM_REQUIRED_FIELDS".into(),
            description: Some("Le champ customer_name est requis".into()),
        }
    );
    assert_eq!(
        err.to_string(),
        "CinetPay refused: 608 MINIMUM_REQUIRED_FIELDS (Le champ customer_name est requis)"
    );
    assert!(!err.is_retryable());
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn error_code_609_bad_api_key_even_with_http_401() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(401).set_body_json(json!({
            "code": "609", "message": "AUTH_NOT_FOUND", "data": null,
        })),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Api { code, message, description: None }
            if code == "609" && message == "AUTH_NOT_FOUND"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "CinetPay refused: 609 AUTH_NOT_FOUND");
}

#[tokio::test]
async fn a_created_body_with_an_http_error_status_is_an_error() {
    for status in [400, 401, 403, 409, 422, 302] {
        let server = MockServer::start().await;
        mount(
            &server,
            ResponseTemplate::new(status).set_body_json(json!({
                "code": "201", "message": "CREATED",
                "data": {"payment_token": "tok-123", "payment_url": "https://checkout.cinetpay.com/payment/tok-123"},
            })),
        )
        .await;
        let err = client(&server).init_payment(&request()).await.unwrap_err();
        assert!(
            matches!(&err, ClientError::HttpStatus { status: s, excerpt }
                if *s == status && excerpt.contains("CREATED")),
            "{status}: {err:?}"
        );
        assert_eq!(requests_received(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn error_code_624_sent_as_a_number() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 624, "message": "UNKNOWN_ERROR",
            "description": "An error occurred while processing the request", "data": [],
        })),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Api { code, .. } if code == "624"),
        "{err:?}"
    );
    assert!(err.to_string().contains("An error occurred"));
}

#[tokio::test]
async fn failure_codes_and_unknown_codes_are_errors_too() {
    for code in ["627", "600", "999", "00"] {
        let server = MockServer::start().await;
        mount(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"code": code, "message": "X"})),
        )
        .await;
        let err = client(&server).init_payment(&request()).await.unwrap_err();
        assert!(
            matches!(&err, ClientError::Api { code: c, .. } if c == code),
            "{code}: {err:?}"
        );
    }
}

#[tokio::test]
async fn malformed_json_is_unparseable_with_an_excerpt() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200)
            .set_body_raw(r#"{"code":"201","message":"CREA"#, "application/json"),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    match &err {
        ClientError::Unparseable(why) => assert!(why.contains(r#"{"code":"201""#), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn created_without_usable_data_is_unparseable() {
    for data in [
        json!(null),
        json!({"payment_token": "t"}),
        json!({"payment_token": " ", "payment_url": "https://x.example/p"}),
        json!({"payment_token": "t", "payment_url": "javascript:alert(1)"}),
        json!({"payment_token": "t", "payment_url": "not a url"}),
    ] {
        let server = MockServer::start().await;
        mount(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": "201", "message": "CREATED", "data": data})),
        )
        .await;
        let err = client(&server).init_payment(&request()).await.unwrap_err();
        assert!(
            matches!(&err, ClientError::Unparseable(why) if why.contains("201")),
            "{data}: {err:?}"
        );
    }
}

#[tokio::test]
async fn an_html_error_page_gives_the_status_and_an_excerpt_and_is_not_retried() {
    let server = MockServer::start().await;
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    mount(
        &server,
        ResponseTemplate::new(502).set_body_raw(page, "text/html"),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    match &err {
        ClientError::HttpStatus { status, excerpt } => {
            assert_eq!(*status, 502);
            assert!(excerpt.contains("502 Bad Gateway"), "{excerpt}");
            assert!(!excerpt.contains('\n'));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("CinetPay answered HTTP 502: <html>")
    );
    // init is never retried, even on a retryable error.
    assert!(err.is_retryable());
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn an_html_page_with_status_200_is_not_json() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200)
            .set_body_raw("<html><body>Maintenance</body></html>", "text/html"),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::NotJson { status: 200, body: BodyKind::Html, excerpt }
            if excerpt.contains("Maintenance")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_404_page_is_an_http_status() {
    let server = MockServer::start().await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(307)
            .insert_header("location", "https://elsewhere.example/v2/payment"),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn a_huge_body_is_refused() {
    let server = MockServer::start().await;
    let huge = format!(
        r#"{{"code":"201","message":"{}"}}"#,
        "x".repeat(ClientConfig::MAX_BODY_BYTES)
    );
    mount(
        &server,
        ResponseTemplate::new(200).set_body_raw(huge, "application/json"),
    )
    .await;
    let err = client(&server).init_payment(&request()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Unparseable(why) if why.contains("longer than")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_timeout_is_reported_and_init_is_not_retried() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": "201", "message": "CREATED",
                "data": {"payment_token": "t", "payment_url": "https://x.example/p"}}))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let config = client(&server)
        .config()
        .clone()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(200));
    let c = Client::new(client(&server).credentials().clone(), config).unwrap();
    let started = std::time::Instant::now();
    let err = c.init_payment(&request()).await.unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn an_invalid_request_is_refused_before_sending() {
    let server = MockServer::start().await;
    let card = request().channels(cinetpay_core::Channels::CreditCard);
    let err = client(&server).init_payment(&card).await.unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid payment request: card payments require customer_email"
    );
    assert_eq!(requests_received(&server).await, 0);
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = ClientConfig::default()
        .with_base_url(&format!("http://127.0.0.1:{port}"))
        .unwrap();
    let creds = Credentials::new(
        SiteId::new("1").unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        None,
    );
    let err = Client::new(creds, config)
        .unwrap()
        .init_payment(&request())
        .await
        .unwrap_err();
    assert!(matches!(&err, ClientError::Transport(_)), "{err:?}");
    assert!(err.to_string().starts_with("cannot reach CinetPay: "));
    assert!(err.is_retryable());
}
