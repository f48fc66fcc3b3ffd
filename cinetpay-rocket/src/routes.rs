//! The hand-built routes: one handler struct holding the [`Checkout`], mounted
//! for `init`, `notify` and `return` under the checkout's prefix.

use cinetpay_core::engine::Checkout;
use rocket::http::Method;
use rocket::route::{self, Handler, Route};
use rocket::{Data, Request};

use crate::convert::{self, EngineResponse};

/// The three paths, relative to the prefix.
const PATHS: [(&str, &str); 3] = [
    ("/init", "cinetpay_init"),
    ("/notify", "cinetpay_notify"),
    ("/return", "cinetpay_return"),
];

/// Every method Rocket can route. Each route is mounted for all of them so
/// that the engine answers the ones it does not serve (`405` with `Allow`),
/// and `HEAD` is the engine's to answer rather than Rocket's `GET` fallback:
/// the same answers as the tower adapter.
const METHODS: [Method; 9] = [
    Method::Get,
    Method::Head,
    Method::Post,
    Method::Put,
    Method::Delete,
    Method::Patch,
    Method::Options,
    Method::Trace,
    Method::Connect,
];

/// Hands each request to the engine.
#[derive(Clone)]
pub(crate) struct EngineHandler {
    checkout: Checkout,
}

#[rocket::async_trait]
impl Handler for EngineHandler {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let response = serve(&self.checkout, request, data).await;
        route::Outcome::from(request, EngineResponse(response))
    }
}

/// Reads the body up to the engine's limit, converts, and lets the engine answer.
async fn serve(
    checkout: &Checkout,
    request: &Request<'_>,
    data: Data<'_>,
) -> http::Response<bytes::Bytes> {
    let converted = match convert::read_body(
        request,
        data,
        checkout.body_limit(),
        checkout.body_read_timeout(),
    )
    .await
    {
        Ok(body) => convert::to_engine_request(request, body),
        Err(refusal) => Err(refusal),
    };
    match converted {
        Ok(engine_request) => checkout.handle(engine_request).await,
        Err(refusal) => {
            if matches!(refusal, convert::Refusal::TooLarge) {
                tracing::warn!(path = %request.uri().path(), "cinetpay: request body over the limit");
            }
            convert::refusal_response(checkout, &refusal)
        }
    }
}

/// The routes, to be mounted at `checkout.config().prefix()`.
pub(crate) fn routes(checkout: &Checkout) -> Vec<Route> {
    let handler = EngineHandler {
        checkout: checkout.clone(),
    };
    PATHS
        .iter()
        .flat_map(|(path, name)| {
            let handler = handler.clone();
            METHODS.iter().map(move |method| {
                let mut route = Route::new(*method, path, handler.clone());
                route.name = Some((*name).into());
                route
            })
        })
        .collect()
}
