//! The shops' stop signal: Ctrl-C, or SIGTERM (what `docker stop`,
//! Kubernetes and systemd send).

/// Resolves once the process is asked to stop: SIGINT (Ctrl-C) or, on Unix,
/// SIGTERM; logs which. Pass it to the server's graceful shutdown, then stop
/// the background work (`Background::shutdown`, which also stores the
/// delivery log).
///
/// A signal that cannot be listened for is logged and never fires (the
/// other one still does), rather than stopping the shop at once.
pub async fn shutdown_signal() {
    let signal = wait().await;
    tracing::info!("received {signal}: shutting down");
}

#[cfg(unix)]
async fn wait() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};

    let listen = |kind: SignalKind, name: &'static str| {
        let mut stream = signal(kind)
            .inspect_err(|e| tracing::warn!("cannot listen for {name}: {e}"))
            .ok();
        async move {
            match stream.as_mut() {
                Some(stream) => {
                    stream.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
            name
        }
    };
    let interrupt = listen(SignalKind::interrupt(), "SIGINT");
    let terminate = listen(SignalKind::terminate(), "SIGTERM");
    tokio::select! {
        name = interrupt => name,
        name = terminate => name,
    }
}

#[cfg(not(unix))]
async fn wait() -> &'static str {
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!("cannot listen for Ctrl-C: {e}");
        std::future::pending::<()>().await;
    }
    "Ctrl-C"
}
