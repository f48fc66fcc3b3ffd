//! The web frameworks a shop can run on, and how each one is served.
//!
//! **A new adapter plugs in here, and only here**: add a variant to
//! [`Adapter`], one arm to [`serve`], and one line per store to the matrix in
//! `tests/matrix.rs`. Every case then runs on it unchanged, because cases
//! only speak HTTP to the shop and Rust to the sandbox.

use std::fmt;

use shop_common::setup::Shop;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A web framework the example shop runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    /// `examples/axum-shop`: axum with `cinetpay_tower::router` merged in.
    Axum,
    /// `examples/rocket-shop`: Rocket with the `cinetpay_rocket::CinetPay` fairing.
    Rocket,
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Adapter::Axum => "axum",
            Adapter::Rocket => "rocket",
        })
    }
}

/// A shop being served; dropping it stops the server.
#[derive(Debug)]
pub struct Server {
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `shop` with `adapter` on `listener` (already bound, so that the
/// shop's public URL, which CinetPay notifies, is known before it is built).
///
/// A framework that cannot take a bound listener (Rocket 0.5 binds its own
/// socket) takes `listener.local_addr()`, drops the listener and binds that
/// port itself; it must then return only once the port accepts connections.
pub async fn serve(adapter: Adapter, shop: Shop, listener: TcpListener) -> Server {
    let task = match adapter {
        Adapter::Axum => tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, axum_shop::app(shop)).await {
                eprintln!("the axum shop stopped: {e}");
            }
        }),
        Adapter::Rocket => serve_rocket(shop, listener).await,
    };
    Server { task }
}

/// Rocket 0.5 binds its own socket: it gets the listener's port, without a
/// background reconciler (cases reconcile by hand, as with axum), and this
/// returns once it has lifted off on that port.
async fn serve_rocket(shop: Shop, listener: TcpListener) -> JoinHandle<()> {
    use rocket::fairing::AdHoc;

    let addr = listener.local_addr().expect("the shop's address");
    drop(listener);
    let (ready, lifted_off) = tokio::sync::oneshot::channel::<u16>();
    let ready = std::sync::Mutex::new(Some(ready));
    let rocket = rocket_shop::rocket_without_reconciler(shop);
    let figment = rocket
        .figment()
        .clone()
        .merge(("address", addr.ip()))
        .merge(("port", addr.port()))
        .merge(("log_level", "off"))
        .merge(("cli_colors", false))
        .merge(("shutdown.ctrlc", false));
    let rocket = rocket
        .configure(figment)
        .attach(AdHoc::on_liftoff("e2e: ready", move |rocket| {
            let port = rocket.config().port;
            let sender = ready
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            Box::pin(async move {
                if let Some(sender) = sender {
                    let _ = sender.send(port);
                }
            })
        }));
    let task = tokio::spawn(async move {
        if let Err(e) = rocket.launch().await {
            eprintln!("the rocket shop stopped: {e}");
        }
    });
    let port = lifted_off
        .await
        .expect("the rocket shop lifts off on its port");
    assert_eq!(port, addr.port(), "the rocket shop serves the shop's port");
    task
}
