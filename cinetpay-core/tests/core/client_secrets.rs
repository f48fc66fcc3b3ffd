//! The API key and the secret key never show: not in `Debug`, not in any
//! error message, not in logs, even when CinetPay (or a proxy) echoes them.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use cinetpay_core::protocol::{CheckRequest, PaymentRequest};
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, ClientError, Credentials, Currency, Description, Money,
    SecretKey, SiteId, TransactionId,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "APIKEY-SENTINEL-8c1f2e";
const SECRET_KEY: &str = "SECRETKEY-SENTINEL-77ad90";

fn assert_clean(shown: &str) {
    assert!(!shown.contains(API_KEY), "api key leaked: {shown}");
    assert!(!shown.contains(SECRET_KEY), "secret key leaked: {shown}");
}

fn credentials() -> Credentials {
    Credentials::new(
        SiteId::new("123456").unwrap(),
        ApiKey::new(API_KEY).unwrap(),
        Some(SecretKey::new(SECRET_KEY).unwrap()),
    )
}

fn client(server: &MockServer) -> Client {
    let config = ClientConfig::default()
        .with_base_url(&server.uri())
        .unwrap()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .with_check_retries(1)
        .with_retry_delays(Duration::from_millis(1), Duration::from_millis(2));
    Client::new(credentials(), config).unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest::new(
        TransactionId::parse("ORDER-0001").unwrap(),
        Money::new(Amount::new(1000).unwrap(), Currency::Xof),
        Description::new("Commande 42").unwrap(),
        "https://shop.example/notify".parse().unwrap(),
        "https://shop.example/return".parse().unwrap(),
    )
}

#[test]
fn debug_and_display_never_show_the_secrets() {
    let creds = credentials();
    let wire = request().to_wire(&creds).unwrap();
    assert_eq!(wire.apikey, API_KEY, "the wire body does carry the key");
    let check = CheckRequest {
        apikey: API_KEY.into(),
        site_id: "123456".into(),
        transaction_id: Some("ORDER-0001".into()),
        token: None,
    };
    let config = ClientConfig::default();
    let client = Client::new(creds.clone(), config).unwrap();
    let shown = format!(
        "{creds:?} {creds:#?} {} {} {:?} {wire:?} {wire:#?} {check:?} {client:?} {client:#?}",
        creds.api_key,
        creds.secret_key.as_ref().unwrap(),
        creds.secret_key,
    );
    assert_clean(&shown);
    assert!(shown.contains("123456"), "the site id is not a secret");
}

/// Every error path, with CinetPay echoing both secrets back in every text.
#[tokio::test]
async fn errors_and_logs_never_show_the_secrets_even_when_echoed() {
    let logs = super::common::Logs::global();

    let echo = format!("apikey={API_KEY} secret={SECRET_KEY}");
    let responses = [
        ResponseTemplate::new(200).set_body_json(json!({
            "code": "608", "message": format!("MINIMUM_REQUIRED_FIELDS {API_KEY}"),
            "description": echo,
        })),
        ResponseTemplate::new(200).set_body_json(json!({
            "code": API_KEY, "message": SECRET_KEY,
        })),
        ResponseTemplate::new(502).set_body_raw(format!("<html>{echo}</html>"), "text/html"),
        ResponseTemplate::new(404).set_body_raw(format!("<html>{echo}</html>"), "text/html"),
        ResponseTemplate::new(200).set_body_raw(format!("<html>{echo}</html>"), "text/html"),
        ResponseTemplate::new(200).set_body_raw(format!("{{\"code\": {echo}"), "application/json"),
        ResponseTemplate::new(200).set_body_json(json!({
            "code": "201", "message": "CREATED",
            "data": {"payment_token": "t", "payment_url": format!("ftp://x/{API_KEY}/{SECRET_KEY}")},
        })),
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": "201"}))
            .set_delay(Duration::from_secs(2)),
    ];
    let mut errors = Vec::new();
    for response in responses {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/payment"))
            .respond_with(response.clone())
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/payment/check"))
            .respond_with(response)
            .mount(&server)
            .await;
        let c = client(&server);
        errors.push(c.init_payment(&request()).await.unwrap_err());
        if let Err(e) = c.check_payment(&request().transaction_id).await {
            errors.push(e);
        }
    }
    // An unreachable server.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = ClientConfig::default()
        .with_base_url(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .with_check_retries(0);
    let c = Client::new(credentials(), config).unwrap();
    errors.push(c.init_payment(&request()).await.unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            ClientError::Api { .. } => "api",
            ClientError::HttpStatus { .. } => "http",
            ClientError::Unparseable(_) => "unparseable",
            ClientError::NotJson { .. } => "not json",
            ClientError::Timeout => "timeout",
            ClientError::Transport(_) => "transport",
            _ => "other",
        })
        .collect();
    for kind in [
        "api",
        "http",
        "unparseable",
        "not json",
        "timeout",
        "transport",
    ] {
        assert!(kinds.contains(&kind), "no {kind} error in {kinds:?}");
    }
    for e in &errors {
        assert_clean(&format!("{e} {e:?} {e:#?}"));
    }
    assert!(
        errors.iter().any(|e| e.to_string().contains("<redacted>")),
        "the echoes were redacted, not dropped"
    );

    let logged = logs.text();
    assert!(logged.contains("CinetPay init failed"), "{logged}");
    assert!(logged.contains("CinetPay check failed"), "{logged}");
    assert_clean(&logged);
}
