//! Properties of the engine over arbitrary requests: the bounded, stable-Rust
//! companion of the cargo-fuzz targets in `fuzz/` (which drive the same
//! `Checkout::handle`), run by every `cargo test`.
//!
//! Each case gets a fresh `MemoryStore` holding two payments (one pending, one
//! accepted and delivered) and a CinetPay (wiremock) that answers nothing
//! useful and counts the calls, so that each property can say exactly when
//! CinetPay may be asked and that nothing else changes.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutConfig, CheckoutSettings};
use cinetpay_core::protocol::{Notification, NotificationError, sign};
use cinetpay_core::store::{Claim, Completion, StatusChange, Transition};
use cinetpay_core::{
    Amount, ApiKey, Client, ClientConfig, Credentials, Currency, Description, FulfilError,
    MemoryStore, Money, NewPayment, OrderFulfiller, OrderQuote, OrderRef, Payment, PaymentStatus,
    PaymentStore, QuoteError, SecretKey, SiteId, TransactionId,
};
use http::{Method, Request, Response};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;
use wiremock::MockServer;

const SITE_ID: &str = "123456";
const SECRET: &str = "property-secret-key";
const PENDING: &str = "cp-pending-0001";
const PAID: &str = "cp-paid-0002";
const SOLD: &str = "ord-sold";
const FALLBACK: &str = "/after-payment";
const RETURN_TO: &str = "/orders/{order_ref}?payment={status}&tx={transaction_id}";
const PENDING_LOCATION: &str = "/orders/ord-open?payment=pending&tx=cp-pending-0001";
const PAID_LOCATION: &str = "/orders/ord-paid?payment=accepted&tx=cp-paid-0002";

/// 256 cases per property (about a second each), more with `PROPTEST_CASES`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Sells one order (`ord-sold`, 1000 XOF); `closed` is not payable, `down`
/// is behind a failing database, the rest is unknown. Never delivers.
struct Shop;

#[async_trait]
impl OrderFulfiller for Shop {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        match order.as_str() {
            SOLD => Ok(OrderQuote::new(
                Money::new(Amount::new(1000).unwrap(), Currency::Xof),
                Description::new("Commande test").unwrap(),
            )),
            "closed" => Err(QuoteError::NotPayable("already paid".into())),
            "down" => Err(QuoteError::Unavailable("database down".into())),
            _ => Err(QuoteError::NotFound),
        }
    }

    async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        panic!("fulfil ran for {payment:?}");
    }
}

/// One per test thread, leaked (never dropped during the thread's teardown,
/// when the global log subscriber's thread-locals are already gone): a
/// runtime, a CinetPay that counts the calls it gets (and answers 404 to
/// each), and the engine's configuration.
struct World {
    runtime: tokio::runtime::Runtime,
    cinetpay: MockServer,
    config: CheckoutConfig,
    client: Client,
}

thread_local! {
    static WORLD: std::cell::OnceCell<&'static World> = const { std::cell::OnceCell::new() };
}

fn world() -> &'static World {
    WORLD.with(|w| {
        *w.get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let cinetpay = runtime.block_on(MockServer::start());
            let credentials = Credentials::new(
                SiteId::new(SITE_ID).unwrap(),
                ApiKey::new("property-api-key").unwrap(),
                Some(SecretKey::new(SECRET).unwrap()),
            );
            let client_config = ClientConfig::default()
                .with_base_url(&cinetpay.uri())
                .unwrap()
                .with_timeouts(Duration::from_secs(2), Duration::from_secs(2))
                .with_check_retries(0);
            let config = CheckoutSettings {
                api_key: Some("property-api-key".to_owned()),
                site_id: Some(SITE_ID.to_owned()),
                secret_key: Some(SECRET.to_owned()),
                api_url: Some(cinetpay.uri()),
                public_url: Some("https://shop.example".to_owned()),
                return_to: RETURN_TO.to_owned(),
                return_fallback: FALLBACK.to_owned(),
                http_timeout_ms: 2_000,
                http_connect_timeout_ms: 2_000,
                check_retries: 0,
                ..CheckoutSettings::default()
            }
            .into_config()
            .unwrap();
            let client = Client::new(credentials, client_config).unwrap();
            Box::leak(Box::new(World {
                runtime,
                cinetpay,
                config,
                client,
            }))
        })
    })
}

/// Whether a notification names the seeded paid payment (its duplicate
/// writes a log line).
fn n_is_paid(parsed: &Result<Notification, NotificationError>) -> bool {
    parsed.as_ref().is_ok_and(|n| n.cpm_trans_id == PAID)
}

/// What one request did.
struct Served {
    response: Response<Bytes>,
    /// Calls CinetPay received while serving it.
    calls: usize,
    before: Vec<Payment>,
    store: MemoryStore,
}

impl Served {
    fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    fn location(&self) -> Option<&str> {
        self.response
            .headers()
            .get(http::header::LOCATION)
            .map(|v| v.to_str().unwrap())
    }

    fn allow(&self) -> Option<&str> {
        self.response
            .headers()
            .get(http::header::ALLOW)
            .map(|v| v.to_str().unwrap())
    }

    /// The payments that existed before the request, unchanged.
    /// Every seeded payment as it was, but for when it was last checked (a
    /// check that answered nothing usable still records its attempt).
    fn seeded_unchanged(&self) -> bool {
        let bookkeeping = |p: &Payment| {
            let mut p = p.clone();
            p.checked_at = None;
            p.updated_at = p.created_at;
            p
        };
        let after = self.store.payments();
        self.before.iter().all(|p| {
            after
                .iter()
                .any(|q| q.transaction_id == p.transaction_id && bookkeeping(q) == bookkeeping(p))
        })
    }
}

async fn seed(store: &MemoryStore) {
    let at = chrono::Utc::now();
    for (id, order) in [(PENDING, "ord-open"), (PAID, "ord-paid")] {
        store
            .insert_payment(&NewPayment {
                transaction_id: TransactionId::parse(id).unwrap(),
                order_ref: OrderRef::new(order).unwrap(),
                amount: Amount::new(1000).unwrap(),
                currency: Currency::Xof,
                description: Description::new("Commande test").unwrap(),
                account: Default::default(),
                generation: Default::default(),
                created_at: at,
            })
            .await
            .unwrap();
    }
    let paid = TransactionId::parse(PAID).unwrap();
    let change = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Accepted,
        check: None,
        reason: None,
        attention: None,
        at,
    };
    assert_eq!(
        store.transition(&paid, &change).await.unwrap(),
        Transition::Applied
    );
    let claim = Claim {
        transaction_id: &paid,
        owner: "seed",
        now: at,
        lease: Duration::from_secs(300),
    };
    assert!(store.claim_fulfilment(&claim).await.unwrap().is_some());
    let done = Completion {
        transaction_id: &paid,
        owner: "seed",
        now: at,
    };
    assert!(store.complete_fulfilment(&done).await.unwrap());
}

fn serve(request: Request<Bytes>) -> Served {
    let w = world();
    w.runtime.block_on(async {
        let store = MemoryStore::new();
        seed(&store).await;
        let before = store.payments();
        let checkout = Checkout::builder()
            .config(w.config.clone())
            .store(Arc::new(store.clone()))
            .fulfiller(Arc::new(Shop))
            .client(w.client.clone())
            .build()
            .unwrap();
        let calls_before = w.cinetpay.received_requests().await.unwrap().len();
        let response = checkout.handle(request).await;
        let calls = w.cinetpay.received_requests().await.unwrap().len() - calls_before;
        Served {
            response,
            calls,
            before,
            store,
        }
    })
}

// ---- generators ----

/// Values an attacker would try, our own ids (also padded), and anything.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            PENDING, PAID, " cp-pending-0001 ", "cp-unknown-0003", SOLD, "closed", "down",
            "missing", " ord-sold", "//evil.example", "https://evil.example/x",
            "%2F%2Fevil.example", "/\\evil.example", "@evil.example", "\r\nLocation: //evil.example",
            "cp-pending-0001\r\nSet-Cookie: a=b", "javascript:alert(1)", "../../admin",
            "' OR 1=1 --", "", " ", "\u{0}", "é\u{202e}",
        ])
        .prop_map(str::to_owned),
        1 => ".{0,40}",
        1 => "[A-Za-z0-9-]{1,70}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "transaction_id", "token", "order_ref", "return_url", "redirect", "next", "url",
            "amount", "currency", "cpm_trans_id",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{0,12}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    vec((name(), value()), 0..5)
}

#[derive(Debug, Clone)]
enum Body {
    Form(Vec<(String, String)>),
    Json(Vec<(String, Value)>),
    JsonOther(Value),
    Raw(Vec<u8>),
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => value().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => vec(value(), 0..3).prop_map(Value::from),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        3 => pairs().prop_map(Body::Form),
        2 => vec((name(), json_value()), 0..5).prop_map(Body::Json),
        1 => json_value().prop_map(Body::JsonOther),
        1 => vec(any::<u8>(), 0..200).prop_map(Body::Raw),
    ]
}

impl Body {
    /// The body with the field `name` set to `value`, when a form or JSON object.
    fn with(mut self, name: &str, value: Option<String>) -> Self {
        if let Some(value) = value {
            match &mut self {
                Body::Form(pairs) => pairs.insert(0, (name.to_owned(), value)),
                Body::Json(pairs) => pairs.push((name.to_owned(), Value::from(value))),
                Body::JsonOther(_) | Body::Raw(_) => {}
            }
        }
        self
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Form(pairs) => encode(pairs).into_bytes(),
            Body::Json(pairs) => {
                let map: serde_json::Map<String, Value> = pairs.iter().cloned().collect();
                serde_json::to_vec(&map).unwrap()
            }
            Body::JsonOther(v) => serde_json::to_vec(v).unwrap(),
            Body::Raw(b) => b.clone(),
        }
    }
}

fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/x-www-form-urlencoded".to_owned())),
        Just(Some("application/json; charset=utf-8".to_owned())),
        Just(Some("APPLICATION/JSON".to_owned())),
        Just(Some("text/plain".to_owned())),
        Just(Some("multipart/form-data; boundary=x".to_owned())),
        "[a-z/+;= -]{0,30}".prop_map(Some),
    ]
}

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::POST,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ])
}

/// Headers that must never steer the engine.
fn hostile_headers() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    prop::sample::subsequence(
        vec![
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "http"),
            ("forwarded", "host=evil.example;proto=https"),
            ("referer", "https://evil.example/"),
            ("x-original-url", "//evil.example"),
        ],
        0..4,
    )
}

fn request(
    method: Method,
    path: &str,
    query: &[(String, String)],
    content_type: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Request<Bytes> {
    let query = encode(query);
    let uri = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        b = b.header(http::header::CONTENT_TYPE, ct);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Bytes::from(body)).unwrap()
}

/// The field `name` as the engine reads it: the first one of a UTF-8 form
/// (also without a content type), a string or number member of a JSON object.
fn read_field(content_type: Option<&str>, body: &[u8], name: &str) -> Option<String> {
    let mime = content_type
        .map(|c| c.split(';').next().unwrap().trim().to_ascii_lowercase())
        .unwrap_or_default();
    match mime.as_str() {
        "" | "application/x-www-form-urlencoded" if std::str::from_utf8(body).is_err() => None,
        "" | "application/x-www-form-urlencoded" => url::form_urlencoded::parse(body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned()),
        "application/json" => match serde_json::from_slice::<Value>(body).ok()?.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

proptest! {
    #![proptest_config(config())]

    /// The return redirect depends on the transaction id alone: the known
    /// payment's page (rendered from the configured template) or the fallback,
    /// whatever else the request holds (return_url, redirect, Host,
    /// X-Forwarded-Host...). CinetPay is asked only for the pending payment.
    #[test]
    fn return_goes_only_where_the_configuration_says(
        method in method(),
        query in pairs(),
        content_type in content_type(),
        body in body(),
        headers in hostile_headers(),
    ) {
        let bytes = body.bytes();
        let served = serve(request(
            method.clone(), "/cinetpay/return", &query, content_type.as_deref(), &headers, bytes.clone(),
        ));
        let from_query = || read_field(None, encode(&query).as_bytes(), "transaction_id");
        let id = match method {
            Method::GET => from_query(),
            // A form posted without the field may carry it in the query.
            Method::POST => read_field(content_type.as_deref(), &bytes, "transaction_id")
                .or_else(from_query),
            _ => {
                prop_assert_eq!(served.status(), 405);
                prop_assert_eq!(served.allow(), Some("GET, POST"));
                prop_assert_eq!(served.calls, 0);
                prop_assert!(served.store.all_deliveries().is_empty());
                return Ok(());
            }
        };
        let expected = match id.as_deref().map(str::trim) {
            Some(PENDING) => PENDING_LOCATION,
            Some(PAID) => PAID_LOCATION,
            _ => FALLBACK,
        };
        prop_assert_eq!(served.status(), 303);
        prop_assert_eq!(served.location(), Some(expected));
        // Only the pending payment is worth a check (it fails here: the status stays).
        prop_assert_eq!(served.calls, usize::from(expected == PENDING_LOCATION));
        prop_assert!(served.seeded_unchanged());
        prop_assert_eq!(served.store.payments().len(), 2);
    }

    /// Init reads only `order_ref`; only an order the shop sells creates a
    /// payment (with the shop's amount, whatever the request says) and calls
    /// CinetPay; every other request gets its documented error and changes nothing.
    #[test]
    fn init_creates_a_payment_only_for_an_order_the_shop_sells(
        method in prop_oneof![3 => Just(Method::POST), 1 => method()],
        query in pairs(),
        content_type in content_type(),
        body in body(),
        order_ref in proptest::option::of(prop_oneof![
            3 => prop::sample::select(vec![SOLD, "closed", "down", "missing", " ord-sold"])
                .prop_map(str::to_owned),
            1 => value(),
        ]),
        wants_json in any::<bool>(),
    ) {
        let bytes = body.with("order_ref", order_ref).bytes();
        let mut headers = vec![];
        if wants_json {
            headers.push(("accept", "text/html, application/json;q=0.9"));
        }
        let served = serve(request(
            method.clone(), "/cinetpay/init", &query, content_type.as_deref(), &headers, bytes.clone(),
        ));
        if method != Method::POST {
            prop_assert_eq!(served.status(), 405);
            prop_assert_eq!(served.allow(), Some("POST"));
        } else {
            let mime = content_type.as_deref()
                .map(|c| c.split(';').next().unwrap().trim().to_ascii_lowercase())
                .unwrap_or_default();
            let json_body = serde_json::from_slice::<Value>(&bytes);
            let expected: &[u16] = match mime.as_str() {
                "" | "application/x-www-form-urlencoded" if std::str::from_utf8(&bytes).is_err() => {
                    &[400]
                }
                "" | "application/x-www-form-urlencoded" | "application/json" => {
                    if mime == "application/json"
                        && !matches!(json_body, Ok(Value::Object(_)))
                    {
                        &[400]
                    } else {
                        match (mime == "application/json", &json_body) {
                            (true, Ok(Value::Object(m)))
                                if !matches!(m.get("order_ref"), None | Some(Value::Null | Value::String(_) | Value::Number(_))) => &[400],
                            _ => match read_field(content_type.as_deref(), &bytes, "order_ref").as_deref() {
                                None => &[400],
                                Some(SOLD) => &[502, 503],
                                Some("closed") => &[409],
                                Some("down") => &[503],
                                Some(r) if OrderRef::new(r).is_err() => &[400],
                                Some(_) => &[404],
                            },
                        }
                    }
                }
                _ => &[415],
            };
            prop_assert!(expected.contains(&served.status()), "{} not in {:?}", served.status(), expected);
            if wants_json {
                let answer: Value = serde_json::from_slice(served.response.body()).unwrap();
                prop_assert!(answer["error"].is_string());
            }
        }
        let created: Vec<Payment> = served.store.payments().into_iter()
            .filter(|p| p.transaction_id.as_str() != PENDING && p.transaction_id.as_str() != PAID)
            .collect();
        prop_assert!(served.seeded_unchanged());
        if served.calls > 0 {
            prop_assert_eq!(served.calls, 1);
            prop_assert_eq!(created.len(), 1);
            let p = &created[0];
            prop_assert_eq!(p.order_ref.as_str(), SOLD);
            prop_assert_eq!((p.amount.get(), p.currency), (1000, Currency::Xof));
            prop_assert_eq!(p.status, PaymentStatus::StartFailed);
        } else {
            prop_assert!(created.is_empty(), "{:?}", created);
        }
        prop_assert!(served.store.all_deliveries().is_empty());
    }

    /// A notification, signed or not, for our site or another, for any id:
    /// only a correctly signed one for our site and a payment we hold that is
    /// not yet delivered leads to a check; nothing else is changed or asked.
    #[test]
    fn notify_checks_only_signed_notifications_for_our_payments(
        site in prop::sample::select(vec![SITE_ID, "654321", " 123456", "1234567"]),
        id in value(),
        others in vec((prop::sample::select(vec![
            "cpm_amount", "cpm_currency", "cpm_trans_date", "cpm_designation", "cpm_error_message",
            "payment_method", "cel_phone_num", "cpm_custom", "signature", "extra",
        ]), value()), 0..6),
        token in prop_oneof![
            3 => Just(Token::Right),
            1 => Just(Token::RightUpper),
            1 => Just(Token::Absent),
            1 => Just(Token::ForAnother),
            1 => Just(Token::WrongKey),
            1 => "[0-9a-f]{64}".prop_map(Token::Random),
            1 => ".{0,70}".prop_map(Token::Random),
        ],
        json in any::<bool>(),
    ) {
        let mut fields: Vec<(String, String)> = vec![
            ("cpm_site_id".into(), site.into()),
            ("cpm_trans_id".into(), id.clone()),
        ];
        for (k, v) in others {
            if !fields.iter().any(|(name, _)| name == k) {
                fields.push((k.into(), v));
            }
        }
        let (body, content_type) = if json {
            let map: serde_json::Map<String, Value> =
                fields.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
            (serde_json::to_vec(&map).unwrap(), "application/json")
        } else {
            (encode(&fields).into_bytes(), "application/x-www-form-urlencoded")
        };
        let parsed = Notification::parse(Some(content_type), &body);
        let key = SecretKey::new(SECRET).unwrap();
        let header = match (&token, &parsed) {
            (Token::Right, Ok(n)) => Some(sign(&key, n)),
            (Token::RightUpper, Ok(n)) => Some(sign(&key, n).to_uppercase()),
            (Token::ForAnother, Ok(n)) => {
                let other = Notification::from_pairs(n.received().map(|(k, v)| {
                    let v = if k == "cpm_trans_id" { format!("{v}9") } else { v.to_owned() };
                    (k, v)
                }))
                .unwrap();
                Some(sign(&key, &other))
            }
            (Token::WrongKey, Ok(n)) => Some(sign(&SecretKey::new("another-key").unwrap(), n)),
            (Token::Random(t), _) => Some(t.clone()),
            _ => None,
        };
        let mut headers = vec![];
        if let Some(h) = header.as_deref().filter(|h| http::HeaderValue::from_str(h).is_ok()) {
            headers.push(("x-token", h));
        }
        let served = serve(request(
            Method::POST, "/cinetpay/notify", &[], Some(content_type), &headers, body,
        ));
        let signed = headers.iter().any(|(_, h)| {
            parsed.as_ref().is_ok_and(|n| h.eq_ignore_ascii_case(&sign(&key, n)))
        });
        let expected: &[u16] = match &parsed {
            // A POST without a transaction id is ignored, as CinetPay asks.
            Err(NotificationError::Missing("cpm_trans_id")) => &[200],
            Err(_) => &[400],
            Ok(_) if !signed => &[401],
            Ok(n) if n.cpm_site_id != SITE_ID => &[403],
            Ok(n) => match n.cpm_trans_id.as_str() {
                PENDING => &[503],
                PAID => &[200],
                other if TransactionId::parse(other).is_ok() => &[200],
                _ => &[400],
            },
        };
        prop_assert!(expected.contains(&served.status()), "{} not in {:?}", served.status(), expected);
        let checked = signed && parsed.as_ref().is_ok_and(|n| n.cpm_site_id == SITE_ID && n.cpm_trans_id == PENDING);
        prop_assert_eq!(served.calls, usize::from(checked));
        prop_assert!(served.seeded_unchanged());
        prop_assert_eq!(served.store.payments().len(), 2);
        for line in served.store.all_deliveries() {
            prop_assert!(line.transaction_id.chars().count() <= 64);
            // Refused and unknown notifications store nothing at all.
            prop_assert!(checked || n_is_paid(&parsed), "{:?}", line);
        }
    }

    /// Any method, path, content type, headers and body: no panic, a status
    /// from the documented set, `Allow` on every 405, redirects only to the
    /// configured places, and no change and no call for requests that name
    /// none of our payments.
    #[test]
    fn handle_answers_garbage_with_documented_statuses_and_changes_nothing(
        method in prop_oneof![method(), "[A-Z]{1,10}".prop_map(|m| Method::from_bytes(m.as_bytes()).unwrap())],
        path in prop_oneof![
            prop::sample::select(vec![
                "/cinetpay/init", "/cinetpay/notify", "/cinetpay/return", "/cinetpay",
                "/cinetpay/", "/cinetpay/init/", "/CINETPAY/notify", "/cinetpay//return",
                "/cinetpay/return/../init", "/", "/orders/1",
            ]).prop_map(str::to_owned),
            "/[a-z/.%]{0,30}",
        ],
        content_type in content_type(),
        body in prop_oneof![
            vec(any::<u8>(), 0..300),
            "[a-z_=&%+0-9]{0,200}".prop_map(String::into_bytes),
            Just(vec![b'x'; 17 * 1024]),
        ],
        x_token in proptest::option::of("[ -~]{0,80}"),
        headers in hostile_headers(),
    ) {
        let mut headers = headers;
        if let Some(t) = x_token.as_deref() {
            headers.push(("x-token", t));
        }
        let served = serve(request(method, &path, &[], content_type.as_deref(), &headers, body));
        let status = served.status();
        prop_assert!(
            [200, 303, 400, 401, 403, 404, 405, 409, 413, 415, 503].contains(&status),
            "answered {}", status
        );
        if status == 405 {
            prop_assert!(served.allow().is_some());
        }
        if status == 303 {
            prop_assert_eq!(served.location(), Some(FALLBACK));
        }
        prop_assert_eq!(served.calls, 0);
        prop_assert!(served.seeded_unchanged());
        prop_assert_eq!(served.store.payments().len(), 2);
    }
}

#[derive(Debug, Clone)]
enum Token {
    Right,
    RightUpper,
    Absent,
    ForAnother,
    WrongKey,
    Random(String),
}
