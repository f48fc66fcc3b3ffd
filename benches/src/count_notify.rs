//! `cinetpay-bench count-notifications --kind shop|naive --database-url …
//! --requests N` (hidden): serves N duplicate notifications of seeded,
//! fulfilled payments (drawn at random, the same draw for both kinds) to the
//! example shop (ours) or to the naive handler, on one current-thread
//! runtime over loopback TCP, and exits. Run under `valgrind
//! --tool=callgrind --separate-threads=yes`, it tells how many instructions
//! a duplicate costs each server and where they go: every thread but the
//! client's (thread 2, started first) is the server's (its runtime, SQLite's
//! worker threads). On PostgreSQL that is the server process's share; the
//! database's own work runs in PostgreSQL's processes and is not counted.

use std::io::{Read, Write};
use std::process::ExitCode;

use cinetpay_sandbox::{DEFAULT_SECRET_KEY, DEFAULT_SITE_ID};
use cinetpay_testing::TestNotification;
use rand::{Rng, SeedableRng};

use crate::api::Api;
use crate::cli::{CountNotificationsOptions, ServeOptions, ServerKind};
use crate::naive::Naive;
use crate::seed;
use crate::serve::BoxError;

/// Nobody answers there: a duplicate of a fulfilled payment asks CinetPay nothing.
const NO_API: &str = "http://127.0.0.1:9";

/// Runs the notifications; prints `served <n>` on success.
pub(crate) fn count(options: CountNotificationsOptions) -> ExitCode {
    crate::count::on_one_thread("count-notifications", run(options))
}

async fn run(options: CountNotificationsOptions) -> Result<u64, BoxError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // The client first, so that it is callgrind's thread 2; it signs its
    // requests itself, so that none of that is counted as the server's.
    let (done, finished) = tokio::sync::oneshot::channel::<Result<(), String>>();
    let (go, start) = std::sync::mpsc::channel::<()>();
    let (level, count) = (options.level, options.requests);
    std::thread::spawn(move || {
        let result = notifications(level, count)
            .map_err(|e| e.to_string())
            .and_then(|requests| {
                start.recv().map_err(|e| e.to_string())?;
                client(addr, &requests)
            });
        let _ = done.send(result);
    });
    let app = match options.kind {
        ServerKind::Shop => {
            let serve = ServeOptions {
                kind: ServerKind::Shop,
                database_url: Some(options.database_url.clone()),
                api_url: Some(NO_API.to_owned()),
                workers: 1,
            };
            crate::serve::shop(&serve, &format!("http://{addr}"), Api::V2).await?
        }
        ServerKind::Naive => Naive::connect(&options.database_url, NO_API)
            .await?
            .router(),
        other => {
            return Err(format!("count-notifications serves shop or naive, not {other:?}").into());
        }
    };
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    go.send(())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let result = finished.await.map_err(|_| "the client thread ended")?;
    let _ = stop.send(());
    server.await??;
    result?;
    Ok(options.requests)
}

/// `n` signed duplicate notifications of fulfilled seeded payments, raw
/// HTTP/1.1 (keep-alive), from a fixed random draw.
fn notifications(level: u64, n: u64) -> Result<Vec<Vec<u8>>, BoxError> {
    let secret = cinetpay_core::SecretKey::new(DEFAULT_SECRET_KEY)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let mut out = Vec::new();
    while (out.len() as u64) < n {
        let k = rng.random_range(1..=level.max(2));
        if !seed::seeded_fulfilled(k) {
            continue;
        }
        let notice = TestNotification::success(DEFAULT_SITE_ID, &seed::seeded_id(k))
            .with("cpm_amount", seed::seeded_amount(k).to_string())
            .with("cpm_designation", seed::seeded_description(k));
        let body = notice.form_body();
        let head = format!(
            "POST /cinetpay/notify HTTP/1.1\r\nhost: bench\r\ncontent-type: application/x-www-form-urlencoded\r\nx-token: {}\r\ncontent-length: {}\r\n\r\n",
            notice.x_token(&secret),
            body.len()
        );
        let mut request = head.into_bytes();
        request.extend_from_slice(body.as_bytes());
        out.push(request);
    }
    Ok(out)
}

/// Sends the requests one after the other on one keep-alive connection;
/// every answer must be 200.
fn client(addr: std::net::SocketAddr, requests: &[Vec<u8>]) -> Result<(), String> {
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    for (i, request) in requests.iter().enumerate() {
        stream.write_all(request).map_err(|e| e.to_string())?;
        buf.clear();
        // Headers, then Content-Length bytes of body.
        let (head_end, length) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                if !head.starts_with("http/1.1 200") {
                    return Err(format!("answer {i} is not 200: {head}"));
                }
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length);
            }
            let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(format!("connection closed after {i} answers"));
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        while buf.len() < head_end + length {
            let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(format!("connection closed in answer {i}"));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(())
}
