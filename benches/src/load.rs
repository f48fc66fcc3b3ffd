//! The load generator: a fixed number of HTTP/1.1 keep-alive connections
//! (hyper's client connections), each sending its next request as soon as the
//! previous answer is read (a closed loop at fixed concurrency, like `wrk`),
//! all on one thread of their own (like `wrk -t1`), so that the generator
//! never takes more than one of the machine's cores from the server.
//!
//! A run has a warm-up and a measured window. Throughput counts the answers
//! that *complete* inside the window, divided by the window's length (or by
//! the time up to the last answer when the requests ran out first); latency
//! is recorded in an HDR histogram (microseconds, 3 significant digits) for
//! the same answers, from the moment the request was handed to the
//! connection to the moment its whole body was read.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::{HeaderName, HeaderValue, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

/// One request to send, with its body ready.
#[derive(Debug, Clone)]
pub(crate) struct HttpRequest {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl HttpRequest {
    /// `GET path`.
    pub(crate) fn get(path: &str) -> Self {
        HttpRequest {
            method: Method::GET,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// `POST path` with a body of `content_type`.
    pub(crate) fn post(path: &str, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        HttpRequest {
            method: Method::POST,
            path: path.to_owned(),
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            )],
            body: body.into(),
        }
    }

    /// Adds a header; a value that is not a valid header value is left out.
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), value));
        }
        self
    }

    fn build(&self, host: &HeaderValue) -> Result<Request<Full<Bytes>>, http::Error> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(self.path.as_str())
            .header(http::header::HOST, host.clone());
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(Full::new(self.body.clone()))
    }
}

/// What the connections send.
#[derive(Debug)]
pub(crate) enum Requests {
    /// The same request, over and over.
    Same(HttpRequest),
    /// Each request once, in order; the run ends early when they are all sent.
    Once(Vec<HttpRequest>),
    /// The requests in order, starting over at the end.
    Cycle(Vec<HttpRequest>),
}

impl Requests {
    fn get(&self, index: usize) -> Option<&HttpRequest> {
        match self {
            Requests::Same(r) => Some(r),
            Requests::Once(list) => list.get(index),
            Requests::Cycle(list) if list.is_empty() => None,
            Requests::Cycle(list) => list.get(index % list.len()),
        }
    }
}

/// How to run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Connections, each with one request in flight.
    pub(crate) concurrency: usize,
    /// Answers completed before this much time are not counted.
    pub(crate) warmup: Duration,
    /// The measured window.
    pub(crate) measure: Duration,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    /// Answers completed in the measured window.
    pub(crate) answers: u64,
    /// Length of the measured window (shorter when the requests ran out).
    pub(crate) window: Duration,
    /// Latency of those answers, in microseconds.
    pub(crate) latency: Histogram<u64>,
    /// Their HTTP statuses.
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Requests sent in the whole run, warm-up included.
    pub(crate) sent: u64,
    /// Requests that failed at the transport level (whole run).
    pub(crate) failures: u64,
    /// A `Once` list ran out before the end of the window.
    pub(crate) ran_out: bool,
}

impl Measured {
    /// Answers per second in the measured window.
    pub(crate) fn rate(&self) -> f64 {
        let secs = self.window.as_secs_f64();
        if secs > 0.0 {
            self.answers as f64 / secs
        } else {
            0.0
        }
    }

    /// Answers in the window whose status is not `expected`.
    pub(crate) fn unexpected(&self, expected: u16) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| **s != expected)
            .map(|(_, n)| n)
            .sum()
    }
}

/// A latency histogram: 1 µs to 120 s, 3 significant digits.
pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3)
        .unwrap_or_else(|_| unreachable!("constant, valid histogram bounds"))
}

/// Runs `plan` against `addr` on a thread of its own and returns what it measured.
pub(crate) async fn run(
    addr: SocketAddr,
    requests: Arc<Requests>,
    plan: Plan,
) -> Result<Measured, String> {
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("load generator runtime: {e}"))?;
        runtime.block_on(drive(addr, requests, plan))
    })
    .await
    .map_err(|e| format!("load generator thread: {e}"))?
}

/// One connection's share of the results.
struct ConnectionResult {
    latency: Histogram<u64>,
    statuses: BTreeMap<u16, u64>,
    sent: u64,
    failures: u64,
    ran_out: bool,
    last_answer: Option<Instant>,
}

async fn drive(addr: SocketAddr, requests: Arc<Requests>, plan: Plan) -> Result<Measured, String> {
    let host = HeaderValue::from_str(&addr.to_string()).map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let window_start = start + plan.warmup;
    let deadline = window_start + plan.measure;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..plan.concurrency.max(1) {
        tasks.spawn(connection(
            addr,
            host.clone(),
            Arc::clone(&requests),
            Arc::clone(&next),
            window_start,
            deadline,
        ));
    }
    let mut latency = new_histogram();
    let mut statuses = BTreeMap::new();
    let (mut sent, mut failures, mut ran_out) = (0, 0, false);
    let mut last_answer: Option<Instant> = None;
    while let Some(done) = tasks.join_next().await {
        let r = done.map_err(|e| format!("load connection task: {e}"))?;
        latency
            .add(&r.latency)
            .map_err(|e| format!("merging histograms: {e}"))?;
        for (status, n) in r.statuses {
            *statuses.entry(status).or_insert(0) += n;
        }
        sent += r.sent;
        failures += r.failures;
        ran_out |= r.ran_out;
        last_answer = last_answer.max(r.last_answer);
    }
    let window_end = if ran_out {
        last_answer.unwrap_or(window_start).min(deadline)
    } else {
        deadline
    };
    Ok(Measured {
        answers: latency.len(),
        window: window_end.saturating_duration_since(window_start),
        latency,
        statuses,
        sent,
        failures,
        ran_out,
    })
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        // Ends when the sender is dropped or the server closes the connection.
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole answer; its status.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Result<u16, String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(status)
}

async fn connection(
    addr: SocketAddr,
    host: HeaderValue,
    requests: Arc<Requests>,
    next: Arc<AtomicUsize>,
    window_start: Instant,
    deadline: Instant,
) -> ConnectionResult {
    let mut result = ConnectionResult {
        latency: new_histogram(),
        statuses: BTreeMap::new(),
        sent: 0,
        failures: 0,
        ran_out: false,
        last_answer: None,
    };
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    let mut consecutive_failures = 0u32;
    while Instant::now() < deadline && consecutive_failures < 50 {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(template) = requests.get(index) else {
            result.ran_out = true;
            break;
        };
        let Ok(request) = template.build(&host) else {
            result.failures += 1;
            consecutive_failures += 1;
            continue;
        };
        let mut current = match sender.take() {
            Some(s) => s,
            None => match connect(addr).await {
                Ok(s) => s,
                Err(_) => {
                    result.failures += 1;
                    consecutive_failures += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        result.sent += 1;
        let sent_at = Instant::now();
        match exchange(&mut current, request).await {
            Ok(status) => {
                let answered_at = Instant::now();
                consecutive_failures = 0;
                if answered_at >= window_start && answered_at < deadline {
                    let micros = answered_at.duration_since(sent_at).as_micros();
                    result
                        .latency
                        .saturating_record(u64::try_from(micros).unwrap_or(u64::MAX).max(1));
                    *result.statuses.entry(status).or_insert(0) += 1;
                    result.last_answer = Some(answered_at);
                }
                sender = Some(current);
            }
            Err(_) => {
                result.failures += 1;
                consecutive_failures += 1;
            }
        }
    }
    result
}
