//! `cinetpay-bench serve --kind ...`: one server under test, in a process of
//! its own. Prints `listening <addr>` once it accepts connections.
//!
//! No tracing subscriber is installed, in any server: logging is off for ours
//! and for the naive handler alike (the example shop's binary logs at `info`,
//! which a benchmark would mostly measure as terminal output).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::routing::get;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{
    FulfilError, MemoryStore, OrderFulfiller, OrderQuote, OrderRef, Payment, QuoteError,
};
use cinetpay_sandbox::{
    DEFAULT_API_KEY, DEFAULT_REST_API_KEY, DEFAULT_REST_API_PASSWORD, DEFAULT_SECRET_KEY,
    DEFAULT_SITE_ID,
};
use cinetpay_store::SeaOrmStore;
use cinetpay_tower::CinetPayLayer;
use shop_common::fulfiller::ShopFulfiller;
use shop_common::orders::OrderBook;
use shop_common::setup::Shop;

use crate::api::Api;
use crate::cli::{ServeOptions, ServerKind};
use crate::naive::Naive;
use crate::naive_2026::Naive2026;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs one server until killed.
pub(crate) fn serve(options: ServeOptions) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers.max(1))
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("serve: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: ServeOptions) -> Result<(), BoxError> {
    if options.kind == ServerKind::Passthrough {
        return passthrough().await;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = match options.kind {
        ServerKind::Bare | ServerKind::Passthrough => hello(),
        ServerKind::Shop => shop(&options, &format!("http://{addr}"), Api::V2).await?,
        ServerKind::Shop2026 => shop(&options, &format!("http://{addr}"), Api::Rest2026).await?,
        ServerKind::Naive2026 => {
            let naive = Naive2026::connect(required(&options.database_url, "--database-url")?, {
                required(&options.api_url, "--api-url")?
            })
            .await?;
            naive.router()
        }
        ServerKind::Naive => {
            let naive = Naive::connect(required(&options.database_url, "--database-url")?, {
                required(&options.api_url, "--api-url")?
            })
            .await?;
            naive.router()
        }
    };
    let mut out = std::io::stdout();
    writeln!(out, "listening {addr}")?;
    out.flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Three listeners in one runtime: bare, layered, bare again (the control).
/// The same process, threads and allocator serve all three, so that the only
/// difference between the first two is the layer, and the third shows how
/// far two identical servers measure apart.
async fn passthrough() -> Result<(), BoxError> {
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await?);
    }
    let addrs = listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut routers = vec![
        hello(),
        hello().layer(CinetPayLayer::new(idle_checkout()?)),
        hello(),
    ]
    .into_iter();
    let mut servers = tokio::task::JoinSet::new();
    for listener in listeners {
        let app = routers.next().ok_or("three routers")?;
        servers.spawn(async move { axum::serve(listener, app).await });
    }
    let mut out = std::io::stdout();
    writeln!(out, "listening {}", addrs.join(" "))?;
    out.flush()?;
    while let Some(done) = servers.join_next().await {
        done??;
    }
    Ok(())
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, BoxError> {
    value
        .as_deref()
        .ok_or_else(|| format!("{name} is required for this server").into())
}

/// A plain axum route: `GET /hello` answers `200 ok`.
pub(crate) fn hello() -> Router {
    Router::new().route("/hello", get(|| async { "ok" }))
}

/// An engine whose routes are never called: the pass-through comparison only
/// sends `GET /hello`.
pub(crate) fn idle_checkout() -> Result<Checkout, BoxError> {
    let config = CheckoutSettings {
        api_key: Some("idle".to_owned()),
        site_id: Some(DEFAULT_SITE_ID.to_owned()),
        api_url: Some("http://127.0.0.1:9".to_owned()),
        public_url: Some("http://127.0.0.1:1".to_owned()),
        ..CheckoutSettings::default()
    }
    .into_config()?;
    Ok(Checkout::builder()
        .config(config)
        .store(Arc::new(MemoryStore::new()))
        .fulfiller(Arc::new(Unused))
        .build()?)
}

/// The fulfiller of the idle engine.
struct Unused;

#[async_trait]
impl OrderFulfiller for Unused {
    async fn quote(&self, _order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        Err(QuoteError::NotFound)
    }

    async fn fulfil(&self, _payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        Ok(())
    }
}

/// The axum example shop on `--database-url`, talking to the sandbox at
/// `--api-url` with its default credentials: what `cargo run -p axum-shop`
/// serves, without its reconciler (which would add background checks).
pub(crate) async fn shop(
    options: &ServeOptions,
    public_url: &str,
    api: Api,
) -> Result<Router, BoxError> {
    let api_url = Some(required(&options.api_url, "--api-url")?.to_owned());
    let settings = match api {
        Api::V2 => CheckoutSettings {
            api_key: Some(DEFAULT_API_KEY.to_owned()),
            site_id: Some(DEFAULT_SITE_ID.to_owned()),
            secret_key: Some(DEFAULT_SECRET_KEY.to_owned()),
            api_url,
            public_url: Some(public_url.to_owned()),
            ..CheckoutSettings::default()
        },
        // The 2026 API: the same shop, the credentials decide.
        Api::Rest2026 => CheckoutSettings {
            api_key: Some(DEFAULT_REST_API_KEY.to_owned()),
            api_password: Some(DEFAULT_REST_API_PASSWORD.to_owned()),
            api_url,
            public_url: Some(public_url.to_owned()),
            ..CheckoutSettings::default()
        },
    };
    // Assembled as axum-shop's `main` does.
    let store = SeaOrmStore::connect(required(&options.database_url, "--database-url")?).await?;
    store.migrate().await?;
    let orders = OrderBook::open(store.connection().clone()).await?;
    let fulfiller = store.fulfil_in_transaction(ShopFulfiller::new(orders.clone()));
    let store = Arc::new(store);
    let checkout = Checkout::builder()
        .config(settings.into_config()?)
        .store(store.clone())
        .fulfiller(Arc::new(fulfiller))
        .build()?;
    Ok(axum_shop::app(Shop::new(checkout, orders, store)))
}
