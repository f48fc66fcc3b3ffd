//! The bad input catalogue: hostile and malformed requests to `init`,
//! `notify` and `return`, over raw HTTP/1.1, on both adapters (axum and
//! Rocket) on SQLite.
//!
//! For every case: the documented status (and `Allow` on `405`, the fallback
//! `Location` on `303`), a clear, bounded message that holds no secret, no
//! state change (every payment row, the shop's orders and deliveries), no call
//! to `/v2/payment/check` or `/v2/payment` unless the case is a legitimate
//! one, a server that still answers afterwards, the same answer on both
//! adapters, and log lines that stay short and hold no secret.
//!
//! The last line printed gives the figures.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cinetpay_core::SecretKey;
use cinetpay_e2e::world::XToken;
use cinetpay_e2e::{Adapter, StoreKind, World};
use cinetpay_testing::TestNotification as Notice;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use shop_common::dev::SandboxMode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest log line allowed, in bytes.
const LOG_LINE_BOUND: usize = 2048;
/// The longest error message allowed in an answer, in bytes.
const MESSAGE_BOUND: usize = 512;
/// Bigger than the engine's body limit (16 KiB).
const MIB: usize = 1024 * 1024;

// ---- a global subscriber writing to a shared buffer ----

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let filter = tracing_subscriber::EnvFilter::new(
            "info,cinetpay_core=debug,cinetpay_tower=debug,cinetpay_rocket=debug,\
             cinetpay_store=debug,sqlx=warn,sea_orm=warn,hyper=warn,h2=warn,rustls=warn,rocket=warn",
        );
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(buffer.clone())
            .try_init()
            .expect("the bad-input test installs the global subscriber first");
        buffer
    })
}

fn log_text() -> String {
    let bytes = logs()
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---- raw HTTP/1.1 ----

/// A request exactly as written on the wire.
#[derive(Debug, Clone)]
struct Raw {
    method: &'static str,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    chunked: bool,
}

impl Raw {
    fn new(method: &'static str, target: impl Into<String>) -> Self {
        Raw {
            method,
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
        }
    }
    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    fn form(self, body: impl Into<Vec<u8>>) -> Self {
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    }
    fn json(self, body: impl Into<Vec<u8>>) -> Self {
        self.header("Content-Type", "application/json").body(body)
    }
    fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` on a new connection (`Connection: close`), writing and
/// reading at once so that an early answer (`413`) is read even when the
/// server stops reading the body.
async fn send(addr: &str, raw: &Raw) -> Result<Reply, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
        raw.method, raw.target
    )
    .into_bytes();
    for (k, v) in &raw.headers {
        head.extend_from_slice(k.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v);
        head.extend_from_slice(b"\r\n");
    }
    let mut wire = head;
    if raw.chunked {
        wire.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for chunk in raw.body.chunks(8 * 1024) {
            wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            wire.extend_from_slice(chunk);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
    } else {
        if !raw.body.is_empty() || raw.method == "POST" || raw.method == "PUT" {
            wire.extend_from_slice(format!("Content-Length: {}\r\n", raw.body.len()).as_bytes());
        }
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(&raw.body);
    }
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&wire).await;
        let _ = writer.flush().await;
        // Keep the write half open until the answer is read.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(writer);
    });
    let mut received = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if received.is_empty() => return Err(format!("read: {e}")),
                Err(_) => break,
            }
        }
        Ok(())
    })
    .await;
    write.abort();
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err("no complete answer within 20 s".to_owned()),
    }
    parse_reply(&received, raw.method == "HEAD")
}

fn parse_reply(bytes: &[u8], head: bool) -> Result<Reply, String> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no answer head in {} bytes", bytes.len()))?;
    let head_text = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &bytes[end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if head {
        Vec::new()
    } else if chunked {
        dechunk(rest)
    } else {
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(rest.len());
        rest[..len.min(rest.len())].to_vec()
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(rest.len());
        out.extend_from_slice(&rest[start..stop]);
        rest = &rest[(stop + 2).min(rest.len())..];
    }
    out
}

// ---- the fixture: what each world holds before the cases run ----

struct Fixture {
    site_id: String,
    key: SecretKey,
    /// An order with a pending payment (a payment page, never paid).
    pending_order: String,
    pending_tx: String,
    /// An order paid, notified and delivered once.
    paid_order: String,
    paid_tx: String,
    /// The genuine notification of the paid payment and its x-token.
    paid_notice: Notice,
    paid_token: String,
    /// An order nobody tried to pay.
    unpaid_order: String,
    /// An order with a pending payment on the 2026 account (`cm`, XAF), its
    /// notify token and CinetPay's id of it.
    rest_order: String,
    rest_tx: String,
    rest_token: String,
    rest_cinetpay_id: String,
}

async fn fixture(world: &World) -> Fixture {
    let pending = world.new_order(cinetpay_e2e::world::PRODUCT).await;
    let pending_payment = world.open_payment_page(&pending.order_ref).await;
    let (paid, paid_payment) = world.new_payment().await;
    world.pay(&paid_payment);
    let notes = world.notifications(&paid_payment).await;
    world
        .wait_order(&paid.order_ref, |o| o.deliveries.len() == 1)
        .await;
    let record = notes.first().expect("the sandbox notified the payment");
    let paid_notice = Notice::from_fields(record.fields.clone());
    let secret = world.sandbox().secret_key().to_owned();
    let key = SecretKey::new(&secret).expect("the sandbox's secret key is valid");
    let paid_token = paid_notice.x_token(&key);
    // The genuine notification, re-posted, is a duplicate: 200.
    let (status, _) = world.post_notice(&paid_notice, XToken::Signed).await;
    assert_eq!(status, 200, "the genuine notification is accepted again");
    let unpaid = world.new_order("attieke").await;
    let rest = world.new_order("ndole").await;
    let rest_payment = world.open_payment_page(&rest.order_ref).await;
    let details = rest_payment
        .rest
        .clone()
        .expect("ndole is paid on the 2026 account");
    Fixture {
        rest_order: rest.order_ref,
        rest_tx: rest_payment.transaction_id,
        rest_token: details.notify_token,
        rest_cinetpay_id: details.transaction_id,
        site_id: world.sandbox().site_id().to_owned(),
        key,
        pending_order: pending.order_ref,
        pending_tx: pending_payment.transaction_id,
        paid_order: paid.order_ref,
        paid_tx: paid_payment.transaction_id,
        paid_notice,
        paid_token,
        unpaid_order: unpaid.order_ref,
    }
}

/// Everything a bad request must not change: every payment row in full, the
/// shop's orders and deliveries.
async fn snapshot(world: &World, db: &DatabaseConnection) -> String {
    let rows =
        |sql: &str| db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql.to_owned()));
    let mut out = String::new();
    let ids = rows("SELECT transaction_id FROM cinetpay_payments ORDER BY transaction_id")
        .await
        .expect("the payments table reads");
    for row in ids {
        let id: String = row.try_get("", "transaction_id").expect("a transaction id");
        let payment = world.payment(&id).await;
        out.push_str(&format!("{payment:?}\n"));
    }
    let deliveries = rows(
        "SELECT order_ref, transaction_id, attempt, delivered_at FROM shop_deliveries ORDER BY id",
    )
    .await
    .expect("the shop's deliveries read");
    for row in deliveries {
        let order: String = row.try_get("", "order_ref").unwrap_or_default();
        let tx: String = row.try_get("", "transaction_id").unwrap_or_default();
        let attempt: i64 = row.try_get("", "attempt").unwrap_or_default();
        let at: i64 = row.try_get("", "delivered_at").unwrap_or_default();
        out.push_str(&format!("delivery {order} {tx} {attempt} {at}\n"));
    }
    let orders = rows("SELECT order_ref, product_id, amount FROM shop_orders ORDER BY order_ref")
        .await
        .expect("the shop's orders read");
    for row in orders {
        let order: String = row.try_get("", "order_ref").unwrap_or_default();
        let product: String = row.try_get("", "product_id").unwrap_or_default();
        let amount: i64 = row.try_get("", "amount").unwrap_or_default();
        out.push_str(&format!("order {order} {product} {amount}\n"));
    }
    out
}

// ---- the catalogue ----

/// What a case must answer.
#[derive(Debug, Clone)]
enum Expect {
    /// This status, with a non-empty, bounded message.
    Refused(u16),
    /// `405` with exactly this `Allow`.
    NotAllowed(&'static str),
    /// `303` to exactly this location.
    SeeOther(String),
    /// `200` (a ping, a duplicate, an unknown transaction...).
    Ok,
    /// `200` without a body (`HEAD`).
    EmptyOk,
    /// Not one of the engine's paths: the shop's own `404`, whatever its
    /// wording (axum's default fallback has none).
    NotOurs,
}

impl Expect {
    fn status(&self) -> u16 {
        match self {
            Expect::Refused(s) => *s,
            Expect::NotAllowed(_) => 405,
            Expect::SeeOther(_) => 303,
            Expect::Ok | Expect::EmptyOk => 200,
            Expect::NotOurs => 404,
        }
    }
}

struct Case {
    name: &'static str,
    request: Raw,
    expect: Expect,
    /// A legitimate request may ask CinetPay (none of those below needs to).
    may_check: bool,
    /// Why the two adapters may word this answer differently (same status).
    wording_may_differ: Option<&'static str>,
}

const INIT: &str = "/cinetpay/init";
const NOTIFY: &str = "/cinetpay/notify";
const RETURN: &str = "/cinetpay/return";

fn case(name: &'static str, request: Raw, expect: Expect) -> Case {
    Case {
        name,
        request,
        expect,
        may_check: false,
        wording_may_differ: None,
    }
}

fn form_pairs(pairs: &[(&str, &str)]) -> String {
    Notice::from_fields(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .form_body()
}

/// A 2026 notification body: `notify_token` and `merchant_transaction_id`.
fn rest_json(token: &str, id: &str) -> String {
    serde_json::json!({"notify_token": token, "merchant_transaction_id": id}).to_string()
}

fn catalogue(fx: &Fixture) -> Vec<Case> {
    use Expect::*;
    let fallback = || SeeOther("/".to_owned());
    // A notification of the pending payment, as an attacker would build it.
    let pending_notice = Notice::success(&fx.site_id, &fx.pending_tx);
    let signed = |n: &Notice| {
        let token = n.x_token(&fx.key);
        Raw::new("POST", NOTIFY)
            .form(n.form_body())
            .header("x-token", token)
    };
    let signed_with_id = |id: &str| signed(&Notice::success(&fx.site_id, id));
    let valid_token = pending_notice.x_token(&fx.key);
    let big = |n: usize| "x".repeat(n);
    let nesting_bomb = |field: &str| format!("{{\"{field}\":{}", "[".repeat(10_000));

    vec![
        // ---------------- init ----------------
        case(
            "init: empty body, no content type",
            Raw::new("POST", INIT),
            Refused(400),
        ),
        case(
            "init: empty form",
            Raw::new("POST", INIT).form(""),
            Refused(400),
        ),
        case(
            "init: empty order_ref",
            Raw::new("POST", INIT).form("order_ref="),
            Refused(400),
        ),
        case(
            "init: unknown order_ref",
            Raw::new("POST", INIT).form("order_ref=ord-does-not-exist"),
            Refused(404),
        ),
        case(
            "init: another shop's order_ref format (WooCommerce)",
            Raw::new("POST", INIT).form("order_ref=wc_order_5f3a1b2c9d8e7"),
            Refused(404),
        ),
        case(
            "init: order_ref with SQL",
            Raw::new("POST", INIT).form(form_pairs(&[("order_ref", "x' OR '1'='1' --")])),
            Refused(404),
        ),
        case(
            "init: huge order_ref (10 KB)",
            Raw::new("POST", INIT).form(format!("order_ref={}", big(10_000))),
            Refused(400),
        ),
        case(
            "init: order_ref with a NUL byte",
            Raw::new("POST", INIT).form(format!("order_ref={}%00", fx.unpaid_order)),
            Refused(400),
        ),
        case(
            "init: order_ref with CR LF",
            Raw::new("POST", INIT).form(format!(
                "order_ref={}%0D%0ASet-Cookie:+a=1",
                fx.unpaid_order
            )),
            Refused(400),
        ),
        case(
            "init: order_ref with surrounding white space",
            Raw::new("POST", INIT).form(format!("order_ref=+{}+", fx.unpaid_order)),
            Refused(400),
        ),
        case(
            "init: invalid UTF-8",
            Raw::new("POST", INIT).form(b"order_ref=\xff\xfe\xfd".to_vec()),
            Refused(400),
        ),
        case(
            "init: repeated order_ref, unknown first",
            Raw::new("POST", INIT)
                .form(format!("order_ref=ord-nope&order_ref={}", fx.unpaid_order)),
            Refused(404),
        ),
        case(
            "init: text/plain",
            Raw::new("POST", INIT)
                .header("Content-Type", "text/plain")
                .body(format!("order_ref={}", fx.unpaid_order)),
            Refused(415),
        ),
        case(
            "init: XML",
            Raw::new("POST", INIT)
                .header("Content-Type", "application/xml")
                .body(format!("<order_ref>{}</order_ref>", fx.unpaid_order)),
            Refused(415),
        ),
        case(
            "init: JSON order_ref of the wrong type",
            Raw::new("POST", INIT).json(format!("{{\"order_ref\":[\"{}\"]}}", fx.unpaid_order)),
            Refused(400),
        ),
        case(
            "init: JSON not an object",
            Raw::new("POST", INIT).json("[1,2,3]"),
            Refused(400),
        ),
        case(
            "init: JSON truncated",
            Raw::new("POST", INIT).json("{\"order_ref\":"),
            Refused(400),
        ),
        case(
            "init: JSON nesting bomb",
            Raw::new("POST", INIT).json(nesting_bomb("order_ref")),
            Refused(400),
        ),
        case(
            "init: JSON order_ref with a NUL",
            Raw::new("POST", INIT)
                .json(format!("{{\"order_ref\":\"{}\\u0000\"}}", fx.unpaid_order)),
            Refused(400),
        ),
        case(
            "init: 1 MiB body",
            Raw::new("POST", INIT).form(format!("order_ref={}&pad={}", fx.unpaid_order, big(MIB))),
            Refused(413),
        ),
        case(
            "init: 100 KB field",
            Raw::new("POST", INIT).form(format!("order_ref={}", big(100_000))),
            Refused(413),
        ),
        case(
            "init: chunked body over the limit",
            Raw::new("POST", INIT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!(
                    "order_ref={}&pad={}",
                    fx.unpaid_order,
                    big(64 * 1024)
                ))
                .chunked(),
            Refused(413),
        ),
        case(
            "init: order already paid",
            Raw::new("POST", INIT).form(format!("order_ref={}", fx.paid_order)),
            Refused(409),
        ),
        case(
            "init: GET",
            Raw::new("GET", format!("{INIT}?order_ref={}", fx.unpaid_order)),
            NotAllowed("POST"),
        ),
        case(
            "init: PUT",
            Raw::new("PUT", INIT).form(format!("order_ref={}", fx.unpaid_order)),
            NotAllowed("POST"),
        ),
        case("init: DELETE", Raw::new("DELETE", INIT), NotAllowed("POST")),
        case("init: HEAD", Raw::new("HEAD", INIT), NotAllowed("POST")),
        // ---------------- notify ----------------
        // A POST without a transaction id is ignored with a 200, as
        // CinetPay's documentation asks.
        case("notify: empty body", Raw::new("POST", NOTIFY).form(""), Ok),
        case(
            "notify: invalid UTF-8",
            Raw::new("POST", NOTIFY)
                .form(b"cpm_site_id=\xff\xfe&cpm_trans_id=\xc3\x28".to_vec())
                .header("x-token", &valid_token),
            Refused(400),
        ),
        case(
            "notify: cpm_trans_id missing",
            signed(&pending_notice.clone().without("cpm_trans_id")),
            Ok,
        ),
        case(
            "notify: cpm_trans_id empty",
            signed(&pending_notice.clone().with("cpm_trans_id", "")),
            Ok,
        ),
        case(
            "notify: cpm_trans_id repeated",
            Raw::new("POST", NOTIFY)
                .form(format!(
                    "{}&cpm_trans_id={}",
                    pending_notice.form_body(),
                    fx.paid_tx
                ))
                .header("x-token", &valid_token),
            Refused(400),
        ),
        case(
            "notify: a 5 KB field",
            signed(&pending_notice.clone().with("cpm_custom", big(5_000))),
            Refused(400),
        ),
        case(
            "notify: a 100 KB field",
            signed(&pending_notice.clone().with("cpm_custom", big(100_000))),
            Refused(413),
        ),
        case(
            "notify: 1 MiB body",
            signed(&pending_notice.clone().with("padding", big(MIB))),
            Refused(413),
        ),
        case(
            "notify: chunked body over the limit",
            Raw::new("POST", NOTIFY)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("x-token", &valid_token)
                .body(
                    pending_notice
                        .clone()
                        .with("padding", big(64 * 1024))
                        .form_body(),
                )
                .chunked(),
            Refused(413),
        ),
        // ---------------- notify, 2026 API (JSON) ----------------
        case(
            "notify 2026: token of the wrong type",
            Raw::new("POST", NOTIFY).json(format!(
                "{{\"notify_token\":12345,\"merchant_transaction_id\":\"{}\"}}",
                fx.rest_tx
            )),
            Refused(400),
        ),
        case(
            "notify 2026: transaction id of the wrong type",
            Raw::new("POST", NOTIFY).json(format!(
                "{{\"notify_token\":\"{}\",\"merchant_transaction_id\":[\"{}\"]}}",
                fx.rest_token, fx.rest_tx
            )),
            Refused(400),
        ),
        case(
            "notify 2026: token as an object",
            Raw::new("POST", NOTIFY).json(format!(
                "{{\"notify_token\":{{\"$ne\":null}},\"merchant_transaction_id\":\"{}\"}}",
                fx.rest_tx
            )),
            Refused(400),
        ),
        case(
            "notify 2026: empty token",
            Raw::new("POST", NOTIFY).json(rest_json("", &fx.rest_tx)),
            Refused(401),
        ),
        case(
            "notify 2026: huge token (12 KB)",
            Raw::new("POST", NOTIFY).json(rest_json(&big(12_000), &fx.rest_tx)),
            Refused(401),
        ),
        case(
            "notify 2026: token over the body limit",
            Raw::new("POST", NOTIFY).json(rest_json(&big(MIB), &fx.rest_tx)),
            Refused(413),
        ),
        case(
            "notify 2026: the genuine token with surrounding junk",
            Raw::new("POST", NOTIFY).json(rest_json(&format!("{}x", fx.rest_token), &fx.rest_tx)),
            Refused(401),
        ),
        case(
            "notify 2026: not JSON, JSON content type",
            Raw::new("POST", NOTIFY).json(
                format!(
                    "notify_token={}&merchant_transaction_id={}",
                    fx.rest_token, fx.rest_tx
                )
                .replace('=', ":"),
            ),
            Refused(400),
        ),
        case(
            "notify 2026: truncated JSON",
            Raw::new("POST", NOTIFY).json(format!(
                "{{\"notify_token\":\"{}\",\"merchant_tra",
                fx.rest_token
            )),
            Refused(400),
        ),
        // A well-formed id that names no payment (ids are case-sensitive):
        // the unknown transaction's 200, so that CinetPay stops; nothing
        // changes and nothing is asked.
        case(
            "notify 2026: id in lower case",
            Raw::new("POST", NOTIFY)
                .json(rest_json(&fx.rest_token, &fx.rest_tx.to_ascii_lowercase())),
            Ok,
        ),
        case(
            "notify 2026: id with a space",
            Raw::new("POST", NOTIFY).json(rest_json(&fx.rest_token, &format!("{} x", fx.rest_tx))),
            Refused(400),
        ),
        case(
            "notify 2026: id too long",
            Raw::new("POST", NOTIFY).json(rest_json(
                &fx.rest_token,
                &format!("{}{}", fx.rest_tx, "X".repeat(40)),
            )),
            Refused(400),
        ),
        case(
            "notify 2026: CinetPay's id in place of ours",
            Raw::new("POST", NOTIFY).json(rest_json(&fx.rest_token, &fx.rest_cinetpay_id)),
            Ok,
        ),
        case(
            "notify 2026: the 2026 payment's token on a v2 payment",
            Raw::new("POST", NOTIFY).json(rest_json(&fx.rest_token, &fx.pending_tx)),
            Refused(401),
        ),
        case(
            "notify: text/plain",
            Raw::new("POST", NOTIFY)
                .header("Content-Type", "text/plain")
                .header("x-token", &valid_token)
                .body(pending_notice.form_body()),
            Refused(400),
        ),
        case(
            "notify: JSON of the wrong types",
            Raw::new("POST", NOTIFY)
                .json(format!(
                    "{{\"cpm_site_id\":{{\"id\":\"{}\"}},\"cpm_trans_id\":[\"{}\"]}}",
                    fx.site_id, fx.pending_tx
                ))
                .header("x-token", &valid_token),
            Refused(400),
        ),
        case(
            "notify: JSON nesting bomb",
            Raw::new("POST", NOTIFY)
                .json(nesting_bomb("cpm_trans_id"))
                .header("x-token", &valid_token),
            Refused(400),
        ),
        case(
            "notify: real payment, x-token missing",
            Raw::new("POST", NOTIFY).form(pending_notice.form_body()),
            Refused(401),
        ),
        case(
            "notify: real payment, x-token too short",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", &valid_token[..32]),
            Refused(401),
        ),
        case(
            "notify: real payment, x-token too long",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", format!("{valid_token}00")),
            Refused(401),
        ),
        case(
            "notify: real payment, x-token not hex",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", "z".repeat(64)),
            Refused(401),
        ),
        Case {
            // Rocket drops a header value that is not UTF-8 before any handler
            // sees it: the engine then reads "missing", axum "malformed".
            wording_may_differ: Some("Rocket drops non-UTF-8 header values"),
            ..case(
                "notify: real payment, x-token not text",
                Raw::new("POST", NOTIFY)
                    .form(pending_notice.form_body())
                    .header("x-token", b"\xff\xfe\x80".repeat(21)),
                Refused(401),
            )
        },
        case(
            "notify: real payment, x-token of another transaction (replay)",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", &fx.paid_token),
            Refused(401),
        ),
        case(
            "notify: real payment, signed with another secret",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header(
                    "x-token",
                    pending_notice.x_token(&SecretKey::new("not-the-secret").expect("a valid key")),
                ),
            Refused(401),
        ),
        case(
            "notify: genuine body, amount changed after signing",
            Raw::new("POST", NOTIFY)
                .form(fx.paid_notice.clone().with("cpm_amount", "5").form_body())
                .header("x-token", &fx.paid_token),
            Refused(401),
        ),
        case(
            "notify: x-token twice (garbage, then valid)",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", "0".repeat(64))
                .header("x-token", &valid_token),
            Refused(401),
        ),
        case(
            "notify: x-token twice (valid, then garbage)",
            Raw::new("POST", NOTIFY)
                .form(pending_notice.form_body())
                .header("x-token", &valid_token)
                .header("x-token", "0".repeat(64)),
            Refused(401),
        ),
        case(
            "notify: foreign site id (signed)",
            signed(&pending_notice.clone().with("cpm_site_id", "999999")),
            Refused(403),
        ),
        case(
            "notify: foreign site id (unsigned)",
            Raw::new("POST", NOTIFY).form(
                pending_notice
                    .clone()
                    .with("cpm_site_id", "999999")
                    .form_body(),
            ),
            Refused(401),
        ),
        case(
            "notify: transaction id with SQL",
            signed_with_id("cp-1' OR '1'='1"),
            Refused(400),
        ),
        case(
            "notify: transaction id with a path",
            signed_with_id("../../etc/passwd"),
            Refused(400),
        ),
        case(
            "notify: transaction id in unicode",
            signed_with_id("cp-é中文🙂"),
            Refused(400),
        ),
        case(
            "notify: transaction id with CR LF",
            signed_with_id("cp-abc\r\nX-Injected: 1"),
            Refused(400),
        ),
        case(
            "notify: transaction id with a NUL",
            signed_with_id("cp-abc\0def"),
            Refused(400),
        ),
        case(
            "notify: transaction id too long",
            signed_with_id(&"A".repeat(65)),
            Refused(400),
        ),
        case(
            "notify: transaction id double percent-encoded",
            Raw::new("POST", NOTIFY)
                .form(
                    pending_notice
                        .form_body()
                        .replace(&fx.pending_tx, &format!("{}%252D", fx.pending_tx)),
                )
                .header(
                    "x-token",
                    Notice::success(&fx.site_id, &format!("{}%2D", fx.pending_tx)).x_token(&fx.key),
                ),
            Refused(400),
        ),
        case(
            "notify: unknown transaction (valid form, signed)",
            signed_with_id("cp-NoSuchTransaction0001"),
            Ok,
        ),
        case(
            "notify: genuine duplicate, X-TOKEN upper-case name and hex",
            Raw::new("POST", NOTIFY)
                .form(fx.paid_notice.form_body())
                .header("X-TOKEN", fx.paid_token.to_uppercase()),
            Ok,
        ),
        case(
            "notify: genuine duplicate as JSON",
            Raw::new("POST", NOTIFY)
                .json(
                    serde_json::Value::Object(
                        fx.paid_notice
                            .fields()
                            .iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                            .collect(),
                    )
                    .to_string(),
                )
                .header("x-token", &fx.paid_token),
            Ok,
        ),
        case("notify: GET ping", Raw::new("GET", NOTIFY), Ok),
        case("notify: HEAD", Raw::new("HEAD", NOTIFY), EmptyOk),
        case(
            "notify: PUT",
            Raw::new("PUT", NOTIFY).form(fx.paid_notice.form_body()),
            NotAllowed("GET, HEAD, POST"),
        ),
        case(
            "notify: DELETE",
            Raw::new("DELETE", NOTIFY),
            NotAllowed("GET, HEAD, POST"),
        ),
        case(
            "notify: PATCH",
            Raw::new("PATCH", NOTIFY).form(""),
            NotAllowed("GET, HEAD, POST"),
        ),
        Case {
            wording_may_differ: Some("each shop words its own 404 page"),
            ..case(
                "notify: percent-encoded path",
                Raw::new("POST", "/cinetpay/%6Eotify")
                    .form(fx.paid_notice.form_body())
                    .header("x-token", &fx.paid_token),
                NotOurs,
            )
        },
        Case {
            wording_may_differ: Some("each shop words its own 404 page"),
            ..case(
                "init: path with a dot segment",
                Raw::new("POST", "/cinetpay/x/../init")
                    .form(format!("order_ref={}", fx.unpaid_order)),
                NotOurs,
            )
        },
        // ---------------- return ----------------
        case(
            "return: empty POST",
            Raw::new("POST", RETURN).form(""),
            fallback(),
        ),
        case(
            "return: token but no transaction_id",
            Raw::new("POST", RETURN).form("token=abcdef0123456789"),
            fallback(),
        ),
        case(
            "return: transaction_id with SQL",
            Raw::new("POST", RETURN).form(form_pairs(&[
                ("transaction_id", "cp-1' OR '1'='1"),
                ("token", "t"),
            ])),
            fallback(),
        ),
        case(
            "return: transaction_id with a path",
            Raw::new("GET", format!("{RETURN}?transaction_id=..%2F..%2Fadmin")),
            fallback(),
        ),
        case(
            "return: transaction_id in unicode",
            Raw::new("POST", RETURN).form(form_pairs(&[("transaction_id", "cp-é中文🙂")])),
            fallback(),
        ),
        case(
            "return: transaction_id with CR LF (header injection)",
            Raw::new("POST", RETURN)
                .form("transaction_id=cp-abc%0D%0ALocation:+https://evil.example/"),
            fallback(),
        ),
        case(
            "return: unknown transaction",
            Raw::new("POST", RETURN).form("transaction_id=cp-NoSuchTransaction0001&token=t"),
            fallback(),
        ),
        case(
            "return: an open redirect attempt",
            Raw::new(
                "GET",
                format!(
                    "{RETURN}?transaction_id=cp-NoSuchTransaction0002&return_url=https%3A%2F%2Fevil.example%2F&next=//evil.example"
                ),
            ),
            fallback(),
        ),
        case(
            "return: paid payment with a redirect attempt",
            Raw::new(
                "POST",
                format!("{RETURN}?return_url=https%3A%2F%2Fevil.example%2F"),
            )
            .form(form_pairs(&[
                ("transaction_id", &fx.paid_tx),
                ("return_url", "https://evil.example/"),
            ])),
            SeeOther(format!(
                "/orders/{}?payment=accepted&transaction_id={}",
                fx.paid_order, fx.paid_tx
            )),
        ),
        case(
            "return: text/plain",
            Raw::new("POST", RETURN)
                .header("Content-Type", "text/plain")
                .body("transaction_id=cp-NoSuchTransaction0003"),
            fallback(),
        ),
        case(
            "return: JSON of the wrong type",
            Raw::new("POST", RETURN).json("{\"transaction_id\":{\"$ne\":null}}"),
            fallback(),
        ),
        case(
            "return: invalid UTF-8",
            Raw::new("POST", RETURN).form(b"transaction_id=\xff\xfe".to_vec()),
            fallback(),
        ),
        case(
            "return: 1 MiB body",
            Raw::new("POST", RETURN).form(format!(
                "transaction_id={}&pad={}",
                fx.paid_tx,
                big(MIB)
            )),
            Refused(413),
        ),
        case(
            "return: PUT",
            Raw::new("PUT", RETURN).form(""),
            NotAllowed("GET, POST"),
        ),
        case(
            "return: DELETE",
            Raw::new("DELETE", RETURN),
            NotAllowed("GET, POST"),
        ),
        case(
            "return: HEAD",
            Raw::new("HEAD", RETURN),
            NotAllowed("GET, POST"),
        ),
    ]
}

// ---- running the catalogue on one adapter ----

/// One case's answer on one adapter.
struct Answer {
    name: &'static str,
    reply: Reply,
    wording_may_differ: bool,
}

impl Answer {
    /// Status, `Allow`, `Location` and body, with this world's ids replaced
    /// by placeholders so that the two adapters' answers compare.
    fn comparable(&self, ids: &[String], wording: bool) -> String {
        let mut text = format!(
            "{} allow={:?} location={:?}",
            self.reply.status,
            self.reply.header("allow"),
            self.reply.header("location")
        );
        if wording {
            text.push_str(&format!(" body={:?}", self.reply.text()));
        }
        for (i, id) in ids.iter().enumerate() {
            text = text.replace(id.as_str(), &format!("<id{i}>"));
        }
        text
    }
}

#[derive(Default)]
struct Tally {
    requests: usize,
    state_changes: usize,
    unexpected_checks: usize,
    panics: usize,
    failures: Vec<String>,
}

/// Runs the catalogue on `adapter`: the answers, this world's ids (for
/// comparison) and its secrets (to search the logs for).
async fn run_on(adapter: Adapter, tally: &mut Tally) -> (Vec<Answer>, Vec<String>, Vec<String>) {
    let name = format!("bad_input::{adapter}");
    // The shop with a Checkout v2 account (XOF) and a 2026 one (XAF), so
    // that both notification shapes reach a payment of their own.
    let world = World::start_with(adapter, StoreKind::Sqlite, SandboxMode::Mixed, &name)
        .await
        .expect("SQLite is always available");
    let fx = fixture(&world).await;
    let db = Database::connect(world.database_url())
        .await
        .expect("the shop's SQLite database opens");
    let addr = world.base.trim_start_matches("http://").to_owned();
    let secrets = vec![
        world.sandbox().secret_key().to_owned(),
        world.sandbox().api_key().to_owned(),
        world.sandbox().credentials_2026().api_password().to_owned(),
        fx.rest_token.clone(),
    ];
    let mut replies = Vec::new();
    for case in catalogue(&fx) {
        let before = snapshot(&world, &db).await;
        let checks_before = world.sandbox().checks().len() + status_calls(&world);
        let inits_before = world.sandbox().payments().len();
        tally.requests += 1;
        let mut fail = |why: String| {
            tally
                .failures
                .push(format!("{adapter}: {}: {why}", case.name))
        };
        let reply = match send(&addr, &case.request).await {
            Ok(reply) => reply,
            Err(e) => {
                fail(format!("no answer: {e}"));
                continue;
            }
        };
        let text = reply.text();
        if reply.status != case.expect.status() {
            fail(format!(
                "status {} instead of {} (body {:?})",
                reply.status,
                case.expect.status(),
                text.chars().take(200).collect::<String>()
            ));
        }
        // A HEAD answer has no body, by definition.
        let wants_message = match &case.expect {
            Expect::Refused(_) | Expect::NotAllowed(_) => case.request.method != "HEAD",
            Expect::Ok => true,
            Expect::EmptyOk | Expect::SeeOther(_) | Expect::NotOurs => false,
        };
        if wants_message && text.trim().is_empty() {
            fail("an empty message".to_owned());
        }
        if text.len() > MESSAGE_BOUND {
            fail(format!("a message of {} bytes", text.len()));
        }
        let allow = reply.header("allow");
        let location = reply.header("location");
        match &case.expect {
            Expect::NotAllowed(expected) if allow != Some(*expected) => {
                fail(format!("Allow {allow:?} instead of {expected:?}"));
            }
            Expect::SeeOther(expected) if location != Some(expected.as_str()) => {
                fail(format!("Location {location:?} instead of {expected:?}"));
            }
            _ => {}
        }
        for secret in &secrets {
            if text.contains(secret.as_str())
                || reply
                    .headers
                    .iter()
                    .any(|(_, v)| v.contains(secret.as_str()))
            {
                fail("a secret in the answer".to_owned());
            }
        }
        // The server still answers (no panic took it down).
        match send(&addr, &Raw::new("GET", NOTIFY)).await {
            Ok(ping) if ping.status == 200 => {}
            other => {
                tally.panics += 1;
                fail(format!("the server stopped answering: {other:?}"));
            }
        }
        let after = snapshot(&world, &db).await;
        if before != after {
            tally.state_changes += 1;
            fail(format!(
                "state changed:\n--- before\n{before}--- after\n{after}"
            ));
        }
        let checks = world.sandbox().checks().len() + status_calls(&world) - checks_before;
        let inits = world.sandbox().payments().len() - inits_before;
        if (checks > 0 || inits > 0) && !case.may_check {
            tally.unexpected_checks += checks + inits;
            fail(format!(
                "{checks} check call(s) and {inits} payment creation(s)"
            ));
        }
        replies.push(Answer {
            name: case.name,
            reply,
            wording_may_differ: case.wording_may_differ.is_some(),
        });
    }
    // The fixture itself is intact: one delivery of the paid order, the
    // pending payment still pending.
    let paid = world.order(&fx.paid_order).await;
    assert_eq!(paid.deliveries.len(), 1, "the paid order has one delivery");
    let pending = world.order(&fx.pending_order).await;
    assert_eq!(pending.payment_status, "pending");
    let rest = world.order(&fx.rest_order).await;
    assert_eq!(
        rest.payment_status, "pending",
        "the 2026 payment is still pending"
    );
    db.close().await.ok();
    let ids = vec![
        fx.pending_tx,
        fx.paid_tx,
        fx.pending_order,
        fx.paid_order,
        fx.unpaid_order,
        fx.rest_tx,
        fx.rest_order,
    ];
    (replies, ids, secrets)
}

/// The 2026 API's status calls so far.
fn status_calls(world: &World) -> usize {
    usize::try_from(world.sandbox().rest_counters().status_calls).unwrap_or(usize::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_catalogue() {
    let _ = logs();
    let mut tally = Tally::default();
    let (axum, axum_ids, mut secrets) = run_on(Adapter::Axum, &mut tally).await;
    let (rocket, rocket_ids, more) = run_on(Adapter::Rocket, &mut tally).await;
    secrets.extend(more);
    let cases = axum.len().max(rocket.len());

    // The same answer on both adapters.
    for (a, r) in axum.iter().zip(rocket.iter()) {
        assert_eq!(a.name, r.name, "both adapters ran the same catalogue");
        let wording = !a.wording_may_differ;
        let (a_text, r_text) = (
            a.comparable(&axum_ids, wording),
            r.comparable(&rocket_ids, wording),
        );
        if a_text != r_text {
            tally.failures.push(format!(
                "{}: axum answered {a_text}, rocket {r_text}",
                a.name
            ));
        }
    }

    let logs = log_text();
    let longest = logs.lines().map(str::len).max().unwrap_or(0);
    if longest >= LOG_LINE_BOUND {
        let line = logs.lines().max_by_key(|l| l.len()).unwrap_or_default();
        tally.failures.push(format!(
            "a log line of {longest} bytes: {}...",
            line.chars().take(300).collect::<String>()
        ));
    }
    for secret in &secrets {
        if logs.contains(secret.as_str()) {
            tally.failures.push("a secret in the logs".to_owned());
        }
    }
    assert!(
        tally.failures.is_empty(),
        "{} failure(s):\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(cases >= 40, "at least 40 cases");
    println!(
        "bad input: {cases} cases x 2 adapters = {} requests, {} state changes, {} unexpected check calls, {} panics, longest log line {longest} bytes",
        tally.requests, tally.state_changes, tally.unexpected_checks, tally.panics
    );
}
