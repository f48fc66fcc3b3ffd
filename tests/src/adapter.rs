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
    /// `examples/axum-shop`: axum with `cinetpay_tower::CinetPayLayer`.
    Axum,
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Adapter::Axum => "axum",
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
    };
    Server { task }
}
