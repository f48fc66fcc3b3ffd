//! A read-only admin view of the payments, with one action ("sync now"),
//! for the merchant to mount **behind their own authentication**: this
//! module authenticates nobody.
//!
//! [`AdminView`] is the framework-free part, written once: it reads the
//! store through [`PaymentQueries`], renders plain HTML (no JavaScript, every
//! value escaped) or the same data as JSON (`Accept: application/json`),
//! and runs [`Checkout::sync`] with [`DeliverySource::Operator`] for the
//! action. The adapters only mount it: `cinetpay_tower::admin_router` (axum)
//! and `cinetpay_rocket::admin_routes` (Rocket) hand it an
//! `http::Request<Bytes>` and the path it is mounted at, the same
//! request/response types the engine's own routes use. It lives here, beside
//! the engine whose types it shows, rather than in a crate of its own, so
//! that the two adapters share one version of it with nothing more to keep
//! in step.
//!
//! # Pages
//!
//! Paths are relative to where the view is mounted (`/admin/cinetpay`, say);
//! every link and form the pages hold is built from that mount, so the view
//! works under any prefix.
//!
//! | request | answer |
//! |---|---|
//! | `GET {mount}` | the payments, newest first, with filters as query parameters (see below) and a link to the next page |
//! | `GET {mount}/payments/{transaction_id}` | one payment: status, account, amounts, the last check, the fulfilment (attempts, last error, next attempt) and the delivery log; `404` for an unknown id |
//! | `POST {mount}/payments/{transaction_id}/sync` | "sync now" (CSRF-protected): [`Checkout::sync`], then `303` back to the payment's page, which shows the outcome (JSON: the outcome, `200`, or `503` when the sync failed) |
//!
//! Filters of the list: `status=<status>`, `needs_attention=1`, `failing=1`
//! (accepted, delivery failing), `refund=1` (duplicate or superseded
//! payments to refund), `since=2026-01-31` (or RFC 3339), `order=<order_ref>`,
//! `limit=<1..=200>` (default 50) and `before=<cursor>` (the next page's
//! link). An invalid one answers `400` naming it.
//!
//! # Security
//!
//! * **Authentication** is the merchant's: mount the view behind it (an
//!   axum middleware, a Rocket request guard, a proxy). Anyone who reaches
//!   the view sees every payment and can sync any of them.
//! * **CSRF**: a stateless double-submit token. Pages set the cookie
//!   `cinetpay_admin_csrf` (random, `HttpOnly; SameSite=Strict;
//!   Path={mount}`) and repeat it in the form's hidden `csrf` field; a
//!   `POST` without both, equal (compared in constant time), is refused with
//!   `403` and changes nothing. A `POST` the browser marks as cross-site
//!   (`Sec-Fetch-Site`), or whose `Origin` is not the request's host
//!   (`X-Forwarded-Host`, else `Host`), is refused too, token or not. A
//!   script sends the cookie's value back as the `csrf` field or the
//!   `X-CSRF-Token` header.
//! * **Nothing secret** is shown: not the payment token, the 2026 API's
//!   `notify_token`, the hosted page's URL (it carries the token) nor a
//!   claim's owner token; no credential is ever read. Pages are sent with
//!   `Cache-Control: no-store`, a `Content-Security-Policy` that allows no
//!   script and no framing, and `Referrer-Policy: same-origin`.
//!
//! # Example
//!
//! An adapter, or a test, calls [`AdminView::handle`] with the path below
//! the mount:
//!
//! ```
//! # use std::sync::Arc;
//! # use cinetpay_core::*;
//! # use cinetpay_core::engine::{Checkout, CheckoutSettings};
//! # struct Shop;
//! # #[async_trait]
//! # impl OrderFulfiller for Shop {
//! #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
//! #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let config = CheckoutSettings {
//! #     api_key: Some("key".into()), site_id: Some("123456".into()), secret_key: Some("s".into()),
//! #     public_url: Some("https://shop.example".into()), ..CheckoutSettings::default()
//! # }.into_config()?;
//! use cinetpay_core::admin::AdminView;
//!
//! let store = MemoryStore::new();
//! let checkout = Checkout::builder()
//!     .config(config)
//!     .store(Arc::new(store.clone()))
//!     .fulfiller(Arc::new(Shop))
//!     .build()?;
//! let admin = AdminView::new(checkout, Arc::new(store));
//!
//! let request = http::Request::get("/?status=accepted")
//!     .header("accept", "application/json")
//!     .body(bytes::Bytes::new())?;
//! let response = admin.handle("/admin/cinetpay", request).await;
//! assert_eq!(response.status(), 200);
//! let list: serde_json::Value = serde_json::from_slice(response.body())?;
//! assert_eq!(list["payments"], serde_json::json!([]));
//! # Ok(()) }
//! ```

mod csrf;
mod filter;
mod html;
mod pages;
mod view;

use std::sync::Arc;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::engine::Checkout;
use crate::model::DeliverySource;
use crate::store::PaymentQueries;
use crate::values::TransactionId;
use filter::ListQuery;
use view::{PaymentDetail, PaymentRow, SyncNotice};

/// Most delivery-log lines shown on a payment's page.
const LOG_LINES: usize = 200;

/// The admin view: the store's read side and the engine (for "sync now").
/// Cheap to clone.
///
/// See the [module documentation](self) for the pages, the security model
/// and an example.
#[derive(Clone)]
pub struct AdminView {
    checkout: Checkout,
    queries: Arc<dyn PaymentQueries>,
}

impl std::fmt::Debug for AdminView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminView")
            .field("checkout", &self.checkout)
            .finish_non_exhaustive()
    }
}

/// The links of the pages, under the mount.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    mount: String,
}

impl Links {
    /// `mount` as the client sees it, cleaned: no trailing `/`, no `//`, and
    /// only characters that are safe in a URL path and a cookie's `Path`
    /// (else the view is linked from the root, with a warning).
    fn new(mount: &str) -> Links {
        let safe = mount
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/%!$'()*+,=:@&".contains(&b));
        if !safe {
            tracing::warn!("cinetpay admin: mount path with unsafe characters; links use /");
            return Links {
                mount: String::new(),
            };
        }
        let mut clean = String::with_capacity(mount.len() + 1);
        for segment in mount.split('/').filter(|s| !s.is_empty()) {
            clean.push('/');
            clean.push_str(segment);
        }
        Links { mount: clean }
    }

    fn with_query(mut path: String, query: &str) -> String {
        if !query.is_empty() {
            path.push('?');
            path.push_str(query);
        }
        path
    }

    /// The list, with a query string (without `?`).
    pub(crate) fn list(&self, query: &str) -> String {
        let path = if self.mount.is_empty() {
            "/".to_owned()
        } else {
            self.mount.clone()
        };
        Self::with_query(path, query)
    }

    /// A payment's page, with a query string.
    pub(crate) fn payment(&self, id: &str, query: &str) -> String {
        Self::with_query(format!("{}/payments/{id}", self.mount), query)
    }

    /// Where its "sync now" form posts.
    pub(crate) fn sync(&self, id: &str) -> String {
        format!("{}/payments/{id}/sync", self.mount)
    }
}

/// What a request asks for, by path below the mount.
enum Target {
    List,
    Payment(String),
    Sync(String),
}

fn target(path: &str) -> Option<Target> {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Some(Target::List);
    }
    let rest = path.strip_prefix("/payments/")?;
    match rest.split_once('/') {
        None => Some(Target::Payment(rest.to_owned())),
        Some((id, "sync")) => Some(Target::Sync(id.to_owned())),
        Some(_) => None,
    }
}

/// One answer being built: HTML or JSON, with the view's headers.
struct Answer<'a> {
    json: bool,
    links: &'a Links,
}

impl Answer<'_> {
    fn response(
        &self,
        status: StatusCode,
        content_type: &'static str,
        body: String,
    ) -> Response<Bytes> {
        let mut response = Response::new(Bytes::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                 frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept"));
        response
    }

    fn html(&self, status: StatusCode, page: String) -> Response<Bytes> {
        self.response(status, "text/html; charset=utf-8", page)
    }

    fn json(&self, status: StatusCode, value: &impl Serialize) -> Response<Bytes> {
        match serde_json::to_string(value) {
            Ok(body) => self.response(status, "application/json", body),
            Err(e) => {
                tracing::error!(error = %e, "cinetpay admin: cannot serialize an answer");
                self.response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "application/json",
                    "{\"error\":\"cannot serialize the answer\"}".to_owned(),
                )
            }
        }
    }

    /// An error: `{"error": message}` or a short page.
    fn error(&self, status: StatusCode, message: &str) -> Response<Bytes> {
        if self.json {
            self.json(status, &serde_json::json!({ "error": message }))
        } else {
            let title = status.canonical_reason().unwrap_or("Error");
            self.html(status, pages::message_page(self.links, title, message))
        }
    }
}

fn wants_json(request: &Request<Bytes>) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The list as JSON.
#[derive(Serialize)]
struct ListJson<'a> {
    payments: &'a [PaymentRow],
    /// The next page's URL, when there is one.
    next: Option<&'a str>,
}

/// A payment as JSON, with the notice of a sync just made.
#[derive(Serialize)]
struct PaymentJson<'a> {
    #[serde(flatten)]
    payment: &'a PaymentDetail,
    sync: Option<SyncNotice>,
}

/// What "sync now" answers in JSON.
#[derive(Serialize)]
struct SyncJson {
    transaction_id: TransactionId,
    #[serde(flatten)]
    notice: SyncNotice,
    status: Option<crate::model::PaymentStatus>,
    message: String,
}

impl AdminView {
    /// Longest request body read (the "sync now" form is one field):
    /// adapters refuse a longer one with `413` before calling
    /// [`handle`](Self::handle).
    pub const BODY_LIMIT: usize = 4096;

    /// The view of `queries` (usually the engine's own store, which both
    /// stores of cinetpay-rs implement), syncing through `checkout`.
    pub fn new(checkout: Checkout, queries: Arc<dyn PaymentQueries>) -> Self {
        AdminView { checkout, queries }
    }

    /// Answers one request. `mount` is the path the view is mounted at, as
    /// the client sees it (`/admin/cinetpay`; `""` at the root): links,
    /// redirects and the CSRF cookie's `Path` are built from it. The
    /// request's URI path is the rest, below the mount (`/`,
    /// `/payments/{id}`, `/payments/{id}/sync`), with the query string.
    pub async fn handle(&self, mount: &str, request: Request<Bytes>) -> Response<Bytes> {
        let links = Links::new(mount);
        let answer = Answer {
            json: wants_json(&request),
            links: &links,
        };
        let Some(target) = target(request.uri().path()) else {
            return answer.error(StatusCode::NOT_FOUND, "no such page");
        };
        let method = request.method();
        let (read, post) = (
            method == Method::GET || method == Method::HEAD,
            method == Method::POST,
        );
        let mut response = match (&target, read, post) {
            (Target::List, true, _) => self.list(&answer, &request).await,
            (Target::Payment(id), true, _) => self.payment(&answer, &request, id).await,
            (Target::Sync(id), _, true) => return self.sync(&answer, &request, id).await,
            (Target::Sync(_), _, _) => {
                let mut response =
                    answer.error(StatusCode::METHOD_NOT_ALLOWED, "use POST to sync a payment");
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                return response;
            }
            _ => {
                let mut response = answer.error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "this page is read-only: GET it",
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                return response;
            }
        };
        // A page read: the CSRF cookie, unless the browser has one already
        // (which the payment page's form then holds).
        let page_token = response.extensions_mut().remove::<CsrfToken>().map(|t| t.0);
        if csrf::cookie_token(request.headers()).is_none() {
            let token = page_token.unwrap_or_else(csrf::new_token);
            let https = request.uri().scheme() == Some(&http::uri::Scheme::HTTPS);
            let cookie = csrf::set_cookie(&token, &links.mount, request.headers(), https);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }

    async fn list(&self, answer: &Answer<'_>, request: &Request<Bytes>) -> Response<Bytes> {
        let query = match ListQuery::parse(request.uri().query().unwrap_or("")) {
            Ok(query) => query,
            Err(message) => return answer.error(StatusCode::BAD_REQUEST, &message),
        };
        let mut payments = match self.queries.list_payments(&query.filter()).await {
            Ok(payments) => payments,
            Err(e) => {
                tracing::error!(error = %e, "cinetpay admin: cannot list payments");
                return answer.error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the payment store is unavailable; try again",
                );
            }
        };
        let next = if payments.len() > query.limit() {
            payments.truncate(query.limit());
            payments
                .last()
                .map(|last| answer.links.list(&query.to_query(Some(last))))
        } else {
            None
        };
        let rows: Vec<PaymentRow> = payments.iter().map(PaymentRow::from).collect();
        if answer.json {
            answer.json(
                StatusCode::OK,
                &ListJson {
                    payments: &rows,
                    next: next.as_deref(),
                },
            )
        } else {
            answer.html(
                StatusCode::OK,
                pages::list_page(answer.links, &query, &rows, next.as_deref()),
            )
        }
    }

    async fn payment(
        &self,
        answer: &Answer<'_>,
        request: &Request<Bytes>,
        id: &str,
    ) -> Response<Bytes> {
        let Ok(id) = TransactionId::parse(id) else {
            return answer.error(StatusCode::NOT_FOUND, "no such payment");
        };
        let found = match self.checkout.payment(&id).await {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "cinetpay admin: cannot read a payment");
                return answer.error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the payment store is unavailable; try again",
                );
            }
        };
        let Some(payment) = found else {
            return answer.error(StatusCode::NOT_FOUND, "no such payment");
        };
        let deliveries = match self.queries.deliveries(id.as_str(), LOG_LINES).await {
            Ok(lines) => lines,
            Err(e) => {
                tracing::error!(error = %e, "cinetpay admin: cannot read the delivery log");
                return answer.error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the payment store is unavailable; try again",
                );
            }
        };
        let detail = PaymentDetail::new(&payment, deliveries);
        let notice = SyncNotice::from_query(request.uri().query().unwrap_or(""));
        if answer.json {
            return answer.json(
                StatusCode::OK,
                &PaymentJson {
                    payment: &detail,
                    sync: notice,
                },
            );
        }
        let token = csrf::cookie_token(request.headers()).unwrap_or_else(csrf::new_token);
        let mut response = answer.html(
            StatusCode::OK,
            pages::payment_page(answer.links, &detail, notice, &token),
        );
        response.extensions_mut().insert(CsrfToken(token));
        response
    }

    async fn sync(
        &self,
        answer: &Answer<'_>,
        request: &Request<Bytes>,
        id: &str,
    ) -> Response<Bytes> {
        let form: Vec<(String, String)> =
            serde_urlencoded::from_bytes(request.body()).unwrap_or_default();
        let token = form
            .iter()
            .find(|(name, _)| name == csrf::FIELD)
            .map(|(_, value)| value.as_str());
        let authority = request.uri().authority().map(|a| a.as_str());
        if let Err(refused) = csrf::check(request.headers(), authority, token) {
            tracing::warn!(reason = ?refused, "cinetpay admin: refused a sync request (CSRF)");
            return answer.error(StatusCode::FORBIDDEN, refused.message());
        }
        let Ok(id) = TransactionId::parse(id) else {
            return answer.error(StatusCode::NOT_FOUND, "no such payment");
        };
        tracing::info!(transaction_id = %id, "cinetpay admin: sync now");
        let result = self.checkout.sync(&id, DeliverySource::Operator).await;
        if matches!(&result, Ok(outcome) if outcome.payment.is_none()) {
            return answer.error(StatusCode::NOT_FOUND, "no such payment");
        }
        if let Err(e) = &result {
            tracing::warn!(transaction_id = %id, error = %e, "cinetpay admin: sync now failed");
        }
        let notice = SyncNotice::of(&result);
        if answer.json {
            let status = result.as_ref().ok().and_then(|o| o.status());
            let code = if result.is_ok() {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let message = notice.describe(status.unwrap_or(crate::model::PaymentStatus::Pending));
            return answer.json(
                code,
                &SyncJson {
                    transaction_id: id,
                    notice,
                    status,
                    message,
                },
            );
        }
        let location = answer.links.payment(id.as_str(), &notice.to_query());
        let mut response = answer.html(StatusCode::SEE_OTHER, String::new());
        match HeaderValue::from_str(&location) {
            Ok(value) => {
                response.headers_mut().insert(header::LOCATION, value);
                response
            }
            Err(_) => answer.error(StatusCode::INTERNAL_SERVER_ERROR, "cannot redirect"),
        }
    }
}

/// The token a page's form holds, for [`AdminView::handle`] to set as the
/// cookie when the request had none.
#[derive(Clone)]
struct CsrfToken(String);
