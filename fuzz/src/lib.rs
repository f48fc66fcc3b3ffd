//! What the engine targets share: fuzzer-shaped HTTP requests, and a
//! [`Checkout`] over a fresh [`MemoryStore`] for every input, whose shop never
//! quotes a price (so no input can reach CinetPay) and whose CinetPay is a
//! closed port on 127.0.0.1.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bytes::Bytes;
use cinetpay_core::engine::{Checkout, CheckoutConfig, CheckoutSettings};
use cinetpay_core::{
    ApiKey, Client, ClientConfig, Credentials, FulfilError, MemoryStore, OrderFulfiller,
    OrderQuote, OrderRef, Payment, QuoteError, SecretKey, SiteId,
};
use libfuzzer_sys::arbitrary::{self, Arbitrary};

/// The engine's API key, secret key and CinetPay base URL (nobody answers there).
const API_KEY: &str = "fuzz-api-key";
const SECRET_KEY: &str = "fuzz-secret-key";
const API_URL: &str = "http://127.0.0.1:9";
pub const SITE_ID: &str = "123456";
pub const FALLBACK: &str = "/after-payment";
pub const RETURN_TO: &str = "/orders/{order_ref}?payment={status}&tx={transaction_id}";
pub const INIT: &str = "/cinetpay/init";
pub const NOTIFY: &str = "/cinetpay/notify";
pub const RETURN: &str = "/cinetpay/return";

/// A shop that knows no order it would sell: `c...` is closed (409),
/// `u...` is behind a database that is down (503), the rest unknown (404).
struct Shop;

#[async_trait]
impl OrderFulfiller for Shop {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        match order.as_str().as_bytes().first() {
            Some(b'c') => Err(QuoteError::NotPayable("already paid".into())),
            Some(b'u') => Err(QuoteError::Unavailable("orders database down".into())),
            _ => Err(QuoteError::NotFound),
        }
    }

    async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        panic!("fulfil ran on fuzz input: {payment:?}");
    }
}

struct Engine {
    runtime: tokio::runtime::Runtime,
    config: CheckoutConfig,
    client: Client,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let credentials = Credentials::new(
            SiteId::new(SITE_ID).expect("site id"),
            ApiKey::new(API_KEY).expect("api key"),
            Some(SecretKey::new(SECRET_KEY).expect("secret key")),
        );
        let client_config = ClientConfig::default()
            .with_base_url(API_URL)
            .expect("base url")
            .with_check_retries(0);
        // One configuration path, as an app takes it: settings into a checked config.
        let config = CheckoutSettings {
            api_key: Some(API_KEY.to_owned()),
            site_id: Some(SITE_ID.to_owned()),
            secret_key: Some(SECRET_KEY.to_owned()),
            api_url: Some(API_URL.to_owned()),
            public_url: Some("https://shop.example".to_owned()),
            return_to: RETURN_TO.to_owned(),
            return_fallback: FALLBACK.to_owned(),
            check_retries: 0,
            ..CheckoutSettings::default()
        }
        .into_config()
        .expect("config");
        let client = Client::new(credentials, client_config).expect("client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Engine {
            runtime,
            config,
            client,
        }
    })
}

/// Serves one request on an engine over a new, empty store; returns the
/// answer and the store, to look at what changed.
pub fn serve(request: http::Request<Bytes>) -> (http::Response<Bytes>, MemoryStore) {
    let e = engine();
    let store = MemoryStore::new();
    let checkout = Checkout::builder()
        .config(e.config.clone())
        .store(Arc::new(store.clone()))
        .fulfiller(Arc::new(Shop))
        .client(e.client.clone())
        .build()
        .expect("checkout");
    let response = e.runtime.block_on(checkout.handle(request));
    (response, store)
}

/// A field name, mostly one the engine or an attacker cares about.
#[derive(Arbitrary, Debug)]
pub enum Name {
    TransactionId,
    Token,
    OrderRef,
    ReturnUrl,
    Redirect,
    Next,
    Other(String),
}

impl Name {
    pub fn as_str(&self) -> &str {
        match self {
            Name::TransactionId => "transaction_id",
            Name::Token => "token",
            Name::OrderRef => "order_ref",
            Name::ReturnUrl => "return_url",
            Name::Redirect => "redirect",
            Name::Next => "next",
            Name::Other(s) => s,
        }
    }
}

/// A JSON value of a field.
#[derive(Arbitrary, Debug)]
pub enum JsonValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<String>),
}

impl JsonValue {
    fn to_json(&self) -> serde_json::Value {
        match self {
            JsonValue::Text(s) => serde_json::Value::from(s.as_str()),
            JsonValue::Int(i) => serde_json::Value::from(*i),
            JsonValue::Float(f) => serde_json::Value::from(*f),
            JsonValue::Bool(b) => serde_json::Value::from(*b),
            JsonValue::Null => serde_json::Value::Null,
            JsonValue::List(l) => serde_json::Value::from(l.clone()),
        }
    }
}

/// A body: raw bytes, or shaped as a form or a JSON object.
#[derive(Arbitrary, Debug)]
pub enum Body {
    Raw(Vec<u8>),
    Form(Vec<(Name, String)>),
    Json(Vec<(Name, JsonValue)>),
}

impl Body {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Raw(b) => b.clone(),
            Body::Form(pairs) => form(pairs).into_bytes(),
            Body::Json(pairs) => {
                let mut out = String::from("{");
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    // Written by hand so that repeated keys survive.
                    out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                    out.push(':');
                    out.push_str(&v.to_json().to_string());
                }
                out.push('}');
                out.into_bytes()
            }
        }
    }
}

pub fn form(pairs: &[(Name, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish()
}

#[derive(Arbitrary, Debug)]
pub enum Method {
    Get,
    Post,
    Head,
    Put,
    Other(String),
}

#[derive(Arbitrary, Debug)]
pub enum ContentType {
    Absent,
    Form,
    FormCharset,
    Json,
    JsonCharset,
    Other(String),
}

#[derive(Arbitrary, Debug)]
pub enum HeaderName {
    Host,
    XForwardedHost,
    XForwardedProto,
    Forwarded,
    Referer,
    Accept,
    XToken,
    Other(String),
}

/// A whole request to one of the routes.
#[derive(Arbitrary, Debug)]
pub struct HttpInput {
    pub method: Method,
    pub content_type: ContentType,
    pub wants_json: bool,
    /// A query string: raw text (percent-encoded where the URI forbids it) or pairs.
    pub query: Result<Vec<(Name, String)>, String>,
    pub headers: Vec<(HeaderName, String)>,
    pub body: Body,
}

impl HttpInput {
    /// The request to `path`, or `None` when the fuzzer's method name or
    /// query cannot be part of an HTTP request at all.
    pub fn request(&self, path: &str) -> Option<http::Request<Bytes>> {
        let method = match &self.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Head => http::Method::HEAD,
            Method::Put => http::Method::PUT,
            Method::Other(m) => http::Method::from_bytes(m.as_bytes()).ok()?,
        };
        let query = match &self.query {
            Ok(pairs) => form(pairs),
            Err(raw) => uri_safe(raw),
        };
        let uri = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        let mut builder = http::Request::builder().method(method).uri(uri);
        let content_type = match &self.content_type {
            ContentType::Absent => None,
            ContentType::Form => Some("application/x-www-form-urlencoded"),
            ContentType::FormCharset => Some("application/x-www-form-urlencoded; charset=UTF-8"),
            ContentType::Json => Some("application/json"),
            ContentType::JsonCharset => Some("Application/JSON ; charset=utf-8"),
            ContentType::Other(s) => Some(s.as_str()),
        };
        if let Some(ct) = content_type
            && let Ok(value) = http::HeaderValue::from_str(ct)
        {
            builder = builder.header(http::header::CONTENT_TYPE, value);
        }
        if self.wants_json {
            builder = builder.header(http::header::ACCEPT, "application/json");
        }
        for (name, value) in &self.headers {
            let name = match name {
                HeaderName::Host => "host",
                HeaderName::XForwardedHost => "x-forwarded-host",
                HeaderName::XForwardedProto => "x-forwarded-proto",
                HeaderName::Forwarded => "forwarded",
                HeaderName::Referer => "referer",
                HeaderName::Accept => "accept",
                HeaderName::XToken => "x-token",
                HeaderName::Other(s) => s.as_str(),
            };
            let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value.as_bytes()),
            ) else {
                continue;
            };
            builder = builder.header(name, value);
        }
        builder.body(Bytes::from(self.body.bytes())).ok()
    }
}

/// Keeps what a query may hold as is (including `%`, `&`, `=`, `/`, `:`) and
/// percent-encodes the rest.
fn uri_safe(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `Location` header, as text.
pub fn location(response: &http::Response<Bytes>) -> Option<&str> {
    response
        .headers()
        .get(http::header::LOCATION)
        .map(|v| v.to_str().expect("Location is ASCII"))
}
