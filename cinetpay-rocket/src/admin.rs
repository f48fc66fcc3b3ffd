//! The admin view ([`cinetpay_core::admin`]) as Rocket routes, behind the
//! application's own request guard.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::PaymentQueries;
use cinetpay_core::admin::AdminView;
use rocket::http::{Method, Status};
use rocket::outcome::Outcome;
use rocket::request::FromRequest;
use rocket::route::{self, Handler, Route};
use rocket::{Data, Orbit, Request, Rocket};

use crate::CinetPay;
use crate::convert::{self, EngineResponse};

/// How long the admin view waits for a request's (one-field) body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The store the admin view reads, as Rocket managed state:
/// `.manage(AdminQueries::new(store))`. Not needed with
/// [`CinetPay::fairing_with_store`], whose managed `SeaOrmStore` the view
/// reads when there is no `AdminQueries`.
#[derive(Clone)]
pub struct AdminQueries(Arc<dyn PaymentQueries>);

impl AdminQueries {
    /// The view reads `queries` (both stores of cinetpay-rs implement
    /// [`PaymentQueries`]).
    pub fn new(queries: Arc<dyn PaymentQueries>) -> Self {
        AdminQueries(queries)
    }
}

impl std::fmt::Debug for AdminQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminQueries").finish_non_exhaustive()
    }
}

/// The admin view's routes (the payments, one payment with its delivery
/// log, and its "sync now" action), to [`mount`](rocket::Rocket::mount)
/// at a path of the application's choosing, each behind the request guard
/// `G`: **the application's own authentication**, which runs first on
/// every request of the view. Its failure (`Error(status)`) goes to the
/// application's catcher for that status, and its `Forward` forwards, as
/// for a route of the application's own; the view itself checks nobody.
/// See [`cinetpay_core::admin`] for the pages, the CSRF protection of the
/// action and what is never shown.
///
/// The view syncs through the [`CinetPay`] fairing's checkout and reads the
/// store managed as [`AdminQueries`] (or, with the `store` feature, the
/// `SeaOrmStore` that [`CinetPay::fairing_with_store`] manages). Links,
/// redirects and the CSRF cookie's path follow the mount point.
///
/// | route | what |
/// |---|---|
/// | `GET {mount}` | the payments, with filters as query parameters |
/// | `GET {mount}/payments/<transaction_id>` | one payment and its delivery log |
/// | `POST {mount}/payments/<transaction_id>/sync` | "sync now", then `303` back |
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_rocket::cinetpay_core::*;
/// use cinetpay_rocket::{AdminQueries, CinetPay};
/// use rocket::http::Status;
/// use rocket::request::{FromRequest, Outcome, Request};
/// # struct Shop;
/// # #[cinetpay_rocket::async_trait]
/// # impl OrderFulfiller for Shop {
/// #     async fn quote(&self, _: &OrderRef) -> Result<OrderQuote, QuoteError> { Err(QuoteError::NotFound) }
/// #     async fn fulfil(&self, _: &Payment, _: u32) -> Result<(), FulfilError> { Ok(()) }
/// # }
///
/// /// Your authentication: here, a fixed bearer token.
/// struct Operator;
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for Operator {
///     type Error = ();
///     async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
///         match request.headers().get_one("Authorization") {
///             Some("Bearer let-me-in") => Outcome::Success(Operator),
///             _ => Outcome::Error((Status::Unauthorized, ())),
///         }
///     }
/// }
///
/// let store = Arc::new(MemoryStore::new());
/// let rocket = rocket::build()
///     .attach(CinetPay::fairing(store.clone(), Arc::new(Shop)))
///     .manage(AdminQueries::new(store))
///     .mount("/admin/cinetpay", cinetpay_rocket::admin_routes::<Operator>());
/// ```
pub fn admin_routes<G>() -> Vec<Route>
where
    G: for<'r> FromRequest<'r> + Send + Sync + 'static,
{
    let handler = AdminHandler::<G>(PhantomData);
    [
        (Method::Get, "/", "cinetpay_admin_payments"),
        (Method::Get, "/payments/<id>", "cinetpay_admin_payment"),
        (Method::Post, "/payments/<id>/sync", "cinetpay_admin_sync"),
    ]
    .into_iter()
    .map(|(method, path, name)| {
        let mut route = Route::new(method, path, handler.clone());
        route.name = Some(name.into());
        route
    })
    .collect()
}

/// Runs the guard `G`, then the view.
struct AdminHandler<G>(PhantomData<fn() -> G>);

impl<G> Clone for AdminHandler<G> {
    fn clone(&self) -> Self {
        AdminHandler(PhantomData)
    }
}

/// The view of this Rocket: the fairing's checkout and the managed store.
fn view(rocket: &Rocket<Orbit>) -> Option<AdminView> {
    let checkout = CinetPay::checkout(rocket)?.clone();
    let queries = match rocket.state::<AdminQueries>() {
        Some(queries) => queries.0.clone(),
        None => store_queries(rocket)?,
    };
    Some(AdminView::new(checkout, queries))
}

#[cfg(feature = "store")]
fn store_queries(rocket: &Rocket<Orbit>) -> Option<Arc<dyn PaymentQueries>> {
    let store = rocket.state::<cinetpay_store::SeaOrmStore>()?;
    Some(Arc::new(store.clone()))
}

#[cfg(not(feature = "store"))]
fn store_queries(_: &Rocket<Orbit>) -> Option<Arc<dyn PaymentQueries>> {
    None
}

#[rocket::async_trait]
impl<G> Handler for AdminHandler<G>
where
    G: for<'r> FromRequest<'r> + Send + Sync + 'static,
{
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        match request.guard::<G>().await {
            Outcome::Success(_) => {}
            Outcome::Error((status, _)) => return route::Outcome::Error(status),
            Outcome::Forward(status) => return route::Outcome::Forward((data, status)),
        }
        let Some(view) = view(request.rocket()) else {
            tracing::error!(
                "cinetpay admin: mounted without the CinetPay fairing, or without a store to \
                 read: attach the fairing and `.manage(AdminQueries::new(store))`"
            );
            return route::Outcome::Error(Status::InternalServerError);
        };
        let base = request.route().map_or("/", |route| route.uri.base());
        let mount = if base == "/" { "" } else { base };
        let response = match to_view_request(request, data, mount).await {
            Ok(view_request) => view.handle(mount, view_request).await,
            Err(refusal) => {
                let checkout = CinetPay::checkout(request.rocket());
                match checkout {
                    Some(checkout) => convert::refusal_response(checkout, &refusal),
                    None => return route::Outcome::Error(Status::BadRequest),
                }
            }
        };
        route::Outcome::from(request, EngineResponse(response))
    }
}

/// The request as the view reads it: the path below `mount`, the query
/// string, the headers and the body.
async fn to_view_request(
    request: &Request<'_>,
    data: Data<'_>,
    mount: &str,
) -> Result<http::Request<bytes::Bytes>, convert::Refusal> {
    let body = convert::read_body(request, data, AdminView::BODY_LIMIT, BODY_TIMEOUT).await?;
    let mut converted = convert::to_engine_request(request.method(), request, body)?;
    let path = request.uri().path().as_str();
    let below = path.strip_prefix(mount).unwrap_or(path);
    let below = if below.is_empty() { "/" } else { below };
    let uri = match request.uri().query() {
        Some(query) => format!("{below}?{query}"),
        None => below.to_owned(),
    };
    *converted.uri_mut() = uri
        .parse()
        .map_err(|_| convert::Refusal::Malformed("request URI".to_owned()))?;
    Ok(converted)
}
