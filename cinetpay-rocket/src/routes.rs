//! The hand-built routes: one handler struct holding the [`Checkout`],
//! mounted once per path (`init`, `notify`, `return`) under the checkout's
//! prefix, for every method.
//!
//! A Rocket 0.5 route has exactly one method, and the engine answers every
//! method itself (`405` with `Allow`, `HEAD` its own): mounting each path for
//! each of the 9 methods Rocket knows listed 27 routes in the launch banner.
//! Instead each path is mounted once, for [`ROUTE_METHOD`], and the fairing's
//! request callback ([`route_to_engine`]) gives a request to one of the three
//! paths that method, remembering the method it came with; the handler hands
//! that original method to the engine. The answers are the same as with one
//! route per method, and the same as with the tower adapter.

use std::time::Duration;

use cinetpay_core::engine::{Checkout, CustomerError};
use rocket::http::{Method, Status};
use rocket::route::{self, Handler, Route};
use rocket::{Data, Request};

use crate::convert::{self, EngineResponse};
use crate::shutdown::InFlight;

/// The three paths, relative to the prefix, and their route names.
const PATHS: [(&str, &str); 3] = [
    ("/init", "cinetpay_init: every method"),
    ("/notify", "cinetpay_notify: every method"),
    ("/return", "cinetpay_return: every method"),
];

/// The one method the routes are mounted for: what CinetPay and the pay
/// button send (a notification, the customer's return and the init are all
/// `POST`s), so that most requests keep their own method in Rocket's log.
pub(crate) const ROUTE_METHOD: Method = Method::Post;

/// The method a request to one of the engine's paths came with, before
/// [`route_to_engine`] routed it as [`ROUTE_METHOD`].
#[derive(Debug, Clone, Copy)]
struct OriginalMethod(Method);

/// The fairing's request callback: a request to one of `checkout`'s paths
/// is routed to its route whatever its method, which the handler then gives
/// to the engine.
pub(crate) fn route_to_engine(checkout: &Checkout, request: &mut Request<'_>) {
    let method = request.method();
    if method == ROUTE_METHOD || !checkout.is_own_path(request.uri().path().as_str()) {
        return;
    }
    request.local_cache(|| OriginalMethod(method));
    request.set_method(ROUTE_METHOD);
}

/// The method the client sent.
fn original_method(request: &Request<'_>) -> Method {
    request.local_cache(|| OriginalMethod(request.method())).0
}

/// Hands each request to the engine.
#[derive(Clone)]
pub(crate) struct EngineHandler {
    pub(crate) checkout: Checkout,
    pub(crate) in_flight: InFlight,
    /// Answer customer errors with their status only, for the app's catchers.
    pub(crate) to_catchers: bool,
}

#[rocket::async_trait]
impl Handler for EngineHandler {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let method = original_method(request);
        let mut response = self.serve(method, request, data).await;
        if self.to_catchers
            && let Some(error) = response.extensions_mut().remove::<CustomerError>()
        {
            let status = Status::new(error.status().as_u16());
            request.local_cache(|| Some(error));
            return route::Outcome::Error(status);
        }
        if method == Method::Head {
            // Rocket strips the body of what it routed as HEAD; this was
            // routed as ROUTE_METHOD.
            *response.body_mut() = bytes::Bytes::new();
        }
        route::Outcome::from(request, EngineResponse(response))
    }
}

impl EngineHandler {
    /// Reads the body up to the engine's limit, converts, and lets the
    /// engine answer.
    async fn serve(
        &self,
        method: Method,
        request: &Request<'_>,
        data: Data<'_>,
    ) -> http::Response<bytes::Bytes> {
        let checkout = &self.checkout;
        let converted = match convert::read_body(
            request,
            data,
            checkout.body_limit(),
            checkout.body_read_timeout(),
        )
        .await
        {
            Ok(body) => convert::to_engine_request(method, request, body),
            Err(refusal) => Err(refusal),
        };
        match converted {
            Ok(engine_request) => self.answer(request, engine_request).await,
            Err(refusal) => {
                if matches!(refusal, convert::Refusal::TooLarge) {
                    tracing::warn!(path = %request.uri().path(), "cinetpay: request body over the limit");
                }
                convert::refusal_response(checkout, &refusal)
            }
        }
    }

    /// The engine's answer. The engine runs in a task of its own, counted in
    /// `in_flight`: once Rocket has been asked to shut down and its
    /// `shutdown.grace` has passed, the handler stops waiting and answers
    /// `503`, while the engine finishes (a delivery, its record) in that
    /// task, which the fairing's shutdown waits for. A handler still running
    /// after `grace + mercy` would make Rocket's launch fail ("outstanding
    /// background I/O"), an error that panics when it is dropped unread.
    async fn answer(
        &self,
        request: &Request<'_>,
        engine_request: http::Request<bytes::Bytes>,
    ) -> http::Response<bytes::Bytes> {
        let checkout = self.checkout.clone();
        let running = self.in_flight.start();
        let mut task = rocket::tokio::spawn(async move {
            let _running = running;
            checkout.handle(engine_request).await
        });
        let rocket = request.rocket();
        let shutdown = rocket.shutdown();
        let grace = Duration::from_secs(rocket.config().shutdown.grace.into());
        rocket::tokio::select! {
            biased;
            joined = &mut task => match joined {
                Ok(response) => response,
                Err(e) => {
                    tracing::error!(error = %e, "cinetpay: the engine's task failed");
                    unavailable("the payment service failed; please try again\n")
                }
            },
            () = async {
                shutdown.await;
                rocket::tokio::time::sleep(grace).await;
            } => {
                tracing::warn!(
                    path = %request.uri().path(),
                    "cinetpay: shutting down: shutdown.grace ({}s) has passed, answering 503; \
                     the engine finishes this request in the background",
                    grace.as_secs()
                );
                unavailable("the shop is restarting; please try again in a moment\n")
            }
        }
    }
}

/// A `503` with a short text: CinetPay sends a notification again, a
/// customer clicks again.
fn unavailable(text: &'static str) -> http::Response<bytes::Bytes> {
    let mut response = http::Response::new(bytes::Bytes::from_static(text.as_bytes()));
    *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("5"),
    );
    response
}

/// The routes, to be mounted at `checkout.config().prefix()`: one per path.
pub(crate) fn routes(handler: &EngineHandler) -> Vec<Route> {
    PATHS
        .iter()
        .map(|(path, name)| {
            let mut route = Route::new(ROUTE_METHOD, path, handler.clone());
            route.name = Some((*name).into());
            route
        })
        .collect()
}

/// The customer error the engine answered this request with, when the
/// fairing hands such answers to the app's catchers.
pub(crate) fn customer_error<'r>(request: &'r Request<'_>) -> Option<&'r CustomerError> {
    request.local_cache(|| None::<CustomerError>).as_ref()
}
