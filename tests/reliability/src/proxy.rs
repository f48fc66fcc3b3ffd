//! [`TcpProxy`]: a TCP relay in front of a server (a database, CinetPay) that
//! a test can cut, reset and restore, without touching the shared server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A relay from an ephemeral local port to `target`.
///
/// * [`reset`](Self::reset): every open connection is dropped (the server
///   "killed" them), new ones are accepted;
/// * [`cut`](Self::cut): every open connection is dropped and new ones are
///   refused (the server is unreachable) ...
/// * ... until [`restore`](Self::restore), on the same port.
#[derive(Debug)]
pub struct TcpProxy {
    addr: SocketAddr,
    target: String,
    accept: Mutex<Option<JoinHandle<()>>>,
    pipes: Arc<Mutex<JoinSet<()>>>,
    accepted: Arc<AtomicU64>,
}

impl TcpProxy {
    /// Starts relaying `127.0.0.1:<ephemeral>` to `target` (`host:port`).
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start(target: impl Into<String>) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port for the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let proxy = TcpProxy {
            addr,
            target: target.into(),
            accept: Mutex::new(None),
            pipes: Arc::new(Mutex::new(JoinSet::new())),
            accepted: Arc::new(AtomicU64::new(0)),
        };
        proxy.serve(listener);
        proxy
    }

    /// The address to connect to instead of the target.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    fn accept_task(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        self.accept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let pipes = Arc::clone(&self.pipes);
        let accepted = Arc::clone(&self.accepted);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::Relaxed);
                let target = target.clone();
                let mut pipes = pipes.lock().unwrap_or_else(PoisonError::into_inner);
                while pipes.try_join_next().is_some() {}
                pipes.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.accept_task() = Some(task);
    }

    /// Drops every open connection; new ones are still accepted.
    pub fn reset(&self) {
        self.pipes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .abort_all();
    }

    /// The target becomes unreachable: open connections dropped, new ones refused.
    pub async fn cut(&self) {
        let task = self.accept_task().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.reset();
    }

    /// The target is reachable again, on the same address.
    ///
    /// # Panics
    /// When the port cannot be bound again.
    pub async fn restore(&self) {
        if self.accept_task().is_some() {
            return;
        }
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("the proxy's port again");
        self.serve(listener);
    }

    /// `url` with its `host:port` (the target's) replaced by the proxy's.
    pub fn relay_url(&self, url: &str) -> String {
        url.replacen(&self.target, &self.addr.to_string(), 1)
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        if let Some(task) = self.accept_task().take() {
            task.abort();
        }
        self.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// An echo server: what the proxy relays comes back.
    async fn echo() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = socket.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn round_trip(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(b"ping").await?;
        let mut buf = vec![0; 4];
        stream.read_exact(&mut buf).await?;
        Ok(buf)
    }

    #[tokio::test]
    async fn relays_cuts_resets_and_restores() {
        let target = echo().await;
        let proxy = TcpProxy::start(target.to_string()).await;
        assert_eq!(round_trip(proxy.addr()).await.unwrap(), b"ping");

        let mut open = TcpStream::connect(proxy.addr()).await.unwrap();
        open.write_all(b"a").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        proxy.reset();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            open.read_to_end(&mut rest),
        )
        .await;
        assert!(closed.is_ok(), "the open connection is closed by the reset");
        assert_eq!(
            round_trip(proxy.addr()).await.unwrap(),
            b"ping",
            "new ones pass"
        );

        proxy.cut().await;
        assert!(round_trip(proxy.addr()).await.is_err(), "refused while cut");
        proxy.restore().await;
        assert_eq!(round_trip(proxy.addr()).await.unwrap(), b"ping");
        assert_eq!(proxy.accepted(), 4);
    }

    #[tokio::test]
    async fn relay_urls_point_at_the_proxy() {
        let proxy = TcpProxy::start("127.0.0.1:5432").await;
        let url = proxy.relay_url("postgres://postgres@127.0.0.1:5432/test");
        assert_eq!(url, format!("postgres://postgres@{}/test", proxy.addr()));
    }
}
