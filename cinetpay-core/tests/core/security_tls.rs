//! TLS certificate verification cannot be turned off: a CinetPay impostor on
//! 127.0.0.1 with a self-signed certificate (say, a proxy intercepting the
//! traffic) gets no request through, its "ACCEPTED" never reaches the engine,
//! and no setting, config key or environment variable changes that.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::protocol::{Notification, sign};
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, ClientError, Credentials, Currency, Description,
    FulfilError, MemoryStore, NewPayment, OrderFulfiller, OrderQuote, OrderRef, Payment,
    PaymentStatus, PaymentStore, QuoteError, SecretKey, SiteId, TransactionId,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{ServerConfig, crypto::aws_lc_rs};

const SITE_ID: &str = "123456";

/// An HTTPS server on 127.0.0.1 with a fresh self-signed certificate for
/// `localhost` and `127.0.0.1`. Whoever completes a handshake with it gets
/// a perfect "paid" answer, so a client that skipped verification would be
/// fooled, and this counts the handshakes that succeeded.
struct Impostor {
    url: String,
    port: u16,
    cert: CertificateDer<'static>,
    handshakes: Arc<AtomicUsize>,
    attempts: Arc<AtomicUsize>,
}

async fn impostor() -> Impostor {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let attempts = Arc::new(AtomicUsize::new(0));
    let (h, a) = (handshakes.clone(), attempts.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            a.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let h = h.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                h.fetch_add(1, Ordering::SeqCst);
                let mut buf = vec![0u8; 16 * 1024];
                let _ = tls.read(&mut buf).await;
                let body = r#"{"code":"00","message":"SUCCES","data":{"amount":"1000","currency":"XOF","status":"ACCEPTED","payment_method":"OM","operator_id":"x","payment_date":"2025-01-01 10:00:00"},"api_response_id":"1"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Impostor {
        url: format!("https://localhost:{port}"),
        port,
        cert,
        handshakes,
        attempts,
    }
}

fn credentials() -> Credentials {
    Credentials::new(
        SiteId::new(SITE_ID).unwrap(),
        ApiKey::new("tls-test-api-key").unwrap(),
        Some(SecretKey::new("tls-test-secret").unwrap()),
    )
}

fn assert_certificate_error(e: &ClientError) {
    let ClientError::Transport(message) = e else {
        panic!("expected a transport error, got {e:?}");
    };
    eprintln!("refused as expected: {message}");
    let lower = message.to_lowercase();
    assert!(
        lower.contains("certificate") || lower.contains("unknownissuer"),
        "the error does not say why: {message}"
    );
}

#[tokio::test]
async fn a_self_signed_cinetpay_is_refused_by_the_client() {
    let impostor = impostor().await;
    for base in [
        impostor.url.clone(),
        impostor.url.replace("localhost", "127.0.0.1"),
    ] {
        let config = ClientConfig::default()
            .with_base_url(&base)
            .unwrap()
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(5))
            .with_check_retries(0);
        let client = Client::new(credentials(), config).unwrap();
        let id = TransactionId::parse("cp-tls-0001").unwrap();
        let e = client.check_payment(&id).await.unwrap_err();
        assert_certificate_error(&e);
    }
    assert!(
        impostor.attempts.load(Ordering::SeqCst) >= 2,
        "the client never connected"
    );
    assert_eq!(impostor.handshakes.load(Ordering::SeqCst), 0);

    // Control: the impostor is a working HTTPS server for a client that trusts
    // its certificate, so the refusals above are the verification's doing.
    let answer = trusting_get(&impostor).await;
    assert!(answer.contains("\"ACCEPTED\""), "{answer}");
    assert_eq!(impostor.handshakes.load(Ordering::SeqCst), 1);
}

/// A TLS client that trusts the impostor's certificate, as a fooled one would.
async fn trusting_get(impostor: &Impostor) -> String {
    use tokio_rustls::rustls::{ClientConfig as TlsClientConfig, RootCertStore};
    let mut roots = RootCertStore::empty();
    roots.add(impostor.cert.clone()).unwrap();
    let config = TlsClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", impostor.port))
        .await
        .unwrap();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(b"POST /v2/payment/check HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

struct Shop;

#[async_trait]
impl OrderFulfiller for Shop {
    async fn quote(&self, _order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Err(QuoteError::NotFound)
    }

    async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        panic!("delivered on the impostor's word: {payment:?}");
    }
}

/// The engine, configured from settings with the impostor as `api_url`:
/// a correctly signed notification leads to a check that fails on the
/// certificate; the payment stays pending and nothing is delivered.
#[tokio::test]
async fn the_engine_never_takes_an_impostors_word() {
    let impostor = impostor().await;
    let settings: CheckoutSettings = serde_json::from_value(serde_json::json!({
        "api_key": "tls-test-api-key",
        "site_id": SITE_ID,
        "secret_key": "tls-test-secret",
        "api_url": impostor.url,
        "public_url": "https://shop.example",
        "check_retries": 1,
        "http_timeout_ms": 5000,
    }))
    .unwrap();
    let store = MemoryStore::new();
    let id = TransactionId::parse("cp-tls-0002").unwrap();
    store
        .insert_payment(&NewPayment {
            transaction_id: id.clone(),
            order_ref: OrderRef::new("ord-1").unwrap(),
            amount: Amount::new(1000).unwrap(),
            currency: Currency::Xof,
            description: Description::new("Commande").unwrap(),
            account: Default::default(),
            generation: Default::default(),
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    let checkout = Checkout::builder()
        .config(settings.into_config().unwrap())
        .store(Arc::new(store.clone()))
        .fulfiller(Arc::new(Shop))
        .build()
        .unwrap();
    let notification = Notification::from_pairs(
        [
            ("cpm_site_id", SITE_ID),
            ("cpm_trans_id", id.as_str()),
            ("cpm_amount", "1000"),
            ("cpm_currency", "XOF"),
            ("cpm_error_message", "SUCCES"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    )
    .unwrap();
    let token = sign(&SecretKey::new("tls-test-secret").unwrap(), &notification);
    let request = http::Request::post("/cinetpay/notify")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-token", token)
        .body(Bytes::from(notification.to_form()))
        .unwrap();
    let response = checkout.handle(request).await;
    assert_eq!(response.status(), 503, "{:?}", response.body());
    let payment = store.find_payment(&id).await.unwrap().unwrap();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert!(payment.check.is_none());
    let e = checkout.client().check_payment(&id).await.unwrap_err();
    assert_certificate_error(&e);
    assert!(impostor.attempts.load(Ordering::SeqCst) >= 2);
    assert_eq!(impostor.handshakes.load(Ordering::SeqCst), 0);
}

/// No key of the settings (config file, Rocket figment table) can turn TLS
/// verification off or bring a certificate of its own: unknown keys are refused
/// with their name, and no known key is about TLS.
#[test]
fn no_setting_turns_verification_off() {
    let base = serde_json::json!({
        "api_key": "k", "site_id": "1", "public_url": "https://shop.example",
    });
    for key in [
        "danger_accept_invalid_certs",
        "danger_accept_invalid_hostnames",
        "accept_invalid_certs",
        "insecure",
        "tls_verify",
        "verify_tls",
        "verify_ssl",
        "ssl_verify",
        "ca_cert",
        "root_certificate",
        "tls_built_in_root_certs",
        "proxy",
    ] {
        for value in [serde_json::json!(true), serde_json::json!("/tmp/ca.pem")] {
            let mut table = base.clone();
            table[key] = value;
            let err = serde_json::from_value::<CheckoutSettings>(table).unwrap_err();
            assert!(err.to_string().contains(key), "{key}: {err}");
        }
    }
    // The one setting whose name says "insecure" is about unsigned
    // notifications (no secret key), not about TLS.
    let known = format!("{:?}", CheckoutSettings::default())
        .to_lowercase()
        .replace("insecure_unsigned_notifications", "");
    for word in [
        "tls", "cert", "insecure", "verify", "ssl", "danger", "proxy",
    ] {
        assert!(
            !known.contains(word),
            "a setting about {word} appeared: {known}"
        );
    }
}

/// Environment variables of that kind are simply not read: the config is the
/// same with or without them.
#[test]
fn no_environment_variable_turns_verification_off() {
    let base = [
        ("CINETPAY_API_KEY", "k"),
        ("CINETPAY_SITE_ID", "1"),
        ("CINETPAY_SECRET_KEY", "s"),
        ("CINETPAY_PUBLIC_URL", "https://shop.example"),
    ];
    let hostile = [
        ("CINETPAY_INSECURE", "1"),
        ("CINETPAY_DANGER_ACCEPT_INVALID_CERTS", "true"),
        ("CINETPAY_TLS_VERIFY", "false"),
        ("CINETPAY_VERIFY_SSL", "0"),
        ("CINETPAY_CA_CERT", "/tmp/ca.pem"),
    ];
    let lookup = |vars: Vec<(&'static str, &'static str)>| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let plain = CheckoutSettings::from_lookup(lookup(base.to_vec())).unwrap();
    let with_hostile =
        CheckoutSettings::from_lookup(lookup(base.iter().chain(&hostile).copied().collect()))
            .unwrap();
    assert_eq!(plain, with_hostile);
    assert_eq!(
        format!("{:?}", plain.into_config().unwrap()),
        format!("{:?}", with_hostile.into_config().unwrap())
    );
}

/// The client's settings, spelled out field by field: this stops compiling
/// when a field is added, so that a field that could weaken TLS is reviewed here.
#[test]
fn the_client_settings_hold_nothing_about_tls() {
    let ClientConfig {
        base_url,
        connect_timeout,
        timeout,
        check_retries,
        check_retry_base,
        check_retry_max,
    } = ClientConfig::default();
    assert_eq!(base_url.scheme(), "https");
    let _ = (
        connect_timeout,
        timeout,
        check_retries,
        check_retry_base,
        check_retry_max,
    );
}
