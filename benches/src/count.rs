//! `cinetpay-bench count-requests --variant bare|layered --requests N`
//! (hidden): serves N keep-alive `GET /hello` requests to the bare router or to
//! the same router behind `CinetPayLayer`, over an in-memory connection, on
//! one thread, and exits. Run under `valgrind --tool=callgrind` by the layer
//! part, it gives instruction counts: the same for the same binary and inputs
//! whatever else the machine is doing, so a 1 % difference is resolvable where
//! wall-clock throughput on a shared machine is not.
//!
//! The server side is hyper's HTTP/1.1 connection over `tokio::io::duplex`
//! (parsing, routing, the handler, the response encoding); the client side is
//! a fixed request's bytes written and the answer read until its body, so
//! that nearly every instruction counted is the server's.

use std::process::ExitCode;

use std::convert::Infallible;

use bytes::Bytes;
use cinetpay_tower::CinetPayLayer;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::layer::util::Identity;
use tower::{Layer, Service, ServiceExt};

use crate::cli::{CountOptions, CountVariant, Transport};
use crate::serve::{BoxError, hello, idle_checkout};

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nhost: bench\r\n\r\n";
/// Every answer ends with its headers' blank line and the body `ok`.
const ANSWER_END: &[u8] = b"\r\n\r\nok";

/// Runs the requests; prints `served <n>` on success.
pub(crate) fn count(options: CountOptions) -> ExitCode {
    on_one_thread("count-requests", run(options))
}

/// Runs `work` on a current-thread runtime (what callgrind counts as the
/// server's thread 1); prints `served <n>` when it served n requests.
pub(crate) fn on_one_thread(
    command: &str,
    work: impl std::future::Future<Output = Result<u64, BoxError>>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{command}: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(served) => {
            println!("served {served}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{command}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: CountOptions) -> Result<u64, BoxError> {
    // Every variant builds the engine, used or not, so that all of them
    // start from the same heap (malloc's free lists differ otherwise).
    let checkout = idle_checkout()?;
    // What `axum::serve` does for each connection: handlers become routes
    // once, not on every request.
    let bare = hello().with_state(());
    match options.variant {
        CountVariant::Bare => serve(bare, options.requests, options.transport).await,
        CountVariant::Layered => {
            let layered = hello().layer(CinetPayLayer::new(checkout)).with_state(());
            serve(layered, options.requests, options.transport).await
        }
        CountVariant::Wrapped => {
            serve(
                CinetPayLayer::new(checkout).layer(bare),
                options.requests,
                options.transport,
            )
            .await
        }
        CountVariant::Routed => {
            let payments = cinetpay_tower::endpoint(checkout.clone());
            let mut routed = hello();
            for path in checkout.paths() {
                routed = routed.route_service(&path, payments.clone());
            }
            serve(routed.with_state(()), options.requests, options.transport).await
        }
        CountVariant::Identity => {
            let identity = hello().layer(Identity::new()).with_state(());
            serve(identity, options.requests, options.transport).await
        }
    }
}

/// Serves `requests` keep-alive requests to `service` over the chosen transport.
async fn serve<S, B>(service: S, requests: u64, transport: Transport) -> Result<u64, BoxError>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let service = hyper::service::service_fn(move |request| service.clone().oneshot(request));
    let http = http1::Builder::new();
    match transport {
        Transport::Memory => {
            let (mut client, server) = tokio::io::duplex(64 * 1024);
            let connection = tokio::spawn(http.serve_connection(TokioIo::new(server), service));
            let mut answer = Vec::with_capacity(512);
            let mut buf = [0u8; 512];
            for i in 0..requests {
                client.write_all(REQUEST).await?;
                answer.clear();
                while !answer.ends_with(ANSWER_END) {
                    let n = client.read(&mut buf).await?;
                    if n == 0 {
                        return Err(format!("connection closed after {i} answers").into());
                    }
                    answer.extend_from_slice(&buf[..n]);
                }
                check_answer(i, &answer)?;
            }
            drop(client);
            connection.await??;
        }
        Transport::Tcp => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            // The client is a plain blocking thread: callgrind's
            // `--separate-threads=yes` keeps its instructions apart.
            let client = std::thread::spawn(move || blocking_client(addr, requests));
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            http.serve_connection(TokioIo::new(stream), service).await?;
            client.join().map_err(|_| "the client thread panicked")??;
        }
    }
    Ok(requests)
}

/// Sends the requests one after the other on one keep-alive connection.
fn blocking_client(addr: std::net::SocketAddr, requests: u64) -> Result<(), String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut answer = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    for i in 0..requests {
        stream.write_all(REQUEST).map_err(|e| e.to_string())?;
        answer.clear();
        while !answer.ends_with(ANSWER_END) {
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(format!("connection closed after {i} answers"));
            }
            answer.extend_from_slice(&buf[..n]);
        }
        check_answer(i, &answer).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn check_answer(i: u64, answer: &[u8]) -> Result<(), BoxError> {
    if answer.starts_with(b"HTTP/1.1 200 ") {
        Ok(())
    } else {
        Err(format!("answer {i} is not 200: {}", String::from_utf8_lossy(answer)).into())
    }
}
