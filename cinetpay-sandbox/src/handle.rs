//! [`SandboxHandle`]: owns the running server.

use std::net::SocketAddr;
use std::ops::Deref;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::sandbox::Sandbox;

/// The running sandbox, returned by [`SandboxBuilder::start`](crate::SandboxBuilder::start).
///
/// Derefs to [`Sandbox`] for every control and record method. Dropping the
/// handle stops the server and the notifications under way;
/// [`shutdown`](Self::shutdown) does it and waits.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::Sandbox;
/// let handle = Sandbox::builder().start().await?;
/// let controller: Sandbox = handle.sandbox(); // a clone to move into tasks
/// assert_eq!(controller.url(), handle.url());
/// assert_eq!(handle.url().port(), Some(handle.local_addr().port()));
/// handle.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SandboxHandle {
    sandbox: Sandbox,
    local_addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    pub(crate) fn new(sandbox: Sandbox, local_addr: SocketAddr, server: JoinHandle<()>) -> Self {
        SandboxHandle {
            sandbox,
            local_addr,
            server: Some(server),
        }
    }

    /// A clone of the controller, to move into other tasks.
    pub fn sandbox(&self) -> Sandbox {
        self.sandbox.clone()
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting requests, stops the notifications under way and waits
    /// (at most 5 s) for the server to finish.
    pub async fn shutdown(mut self) {
        self.sandbox.shared.shut_down();
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
        {
            tracing::warn!("sandbox server did not stop within 5 s; aborting it");
            server.abort();
        }
    }
}

impl Deref for SandboxHandle {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.sandbox.shared.shut_down();
    }
}
