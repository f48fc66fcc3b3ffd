//! `SHOP_METRICS`: with it on, a paid notification shows on `GET /metrics`
//! in Prometheus' text format; off (the default), there is no such route.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::shop_process::ShopProcess;

/// One HTTP/1.1 exchange (`Connection: close`): the status and the body.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status:?}"));
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    let mut raw = Vec::new();
    reader.read_to_end(&mut raw).expect("body");
    let body = if chunked { unchunk(&raw) } else { raw };
    (code, String::from_utf8_lossy(&body).into_owned())
}

/// A chunked body's bytes.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        body.extend_from_slice(&raw[start..start + size]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    body
}

fn field(json: &str, name: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {json}"))
        .to_owned()
}

#[test]
fn with_shop_metrics_on_a_paid_notification_shows_on_metrics() {
    let mut shop = ShopProcess::start_with(
        env!("CARGO_BIN_EXE_axum-shop"),
        &[("SHOP_METRICS", "1"), ("SHOP_SANDBOX_GENERATION", "v2")],
    );
    shop.wait_until_it_answers();
    let line = shop.wait_for_line("embedded CinetPay sandbox at http://");
    let sandbox: SocketAddr = line
        .split("embedded CinetPay sandbox at http://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ' ']).next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no sandbox address in {line:?}"));

    // Before any notification: the route answers, the counter is not there yet.
    let (status, before) = http(shop.addr, "GET", "/metrics", "");
    assert_eq!(status, 200, "{before}");
    assert!(
        !before.contains("cinetpay_notifications_total{"),
        "{before}"
    );

    let (status, order) = http(shop.addr, "POST", "/orders", "product_id=attieke");
    assert_eq!(status, 201, "{order}");
    let order_ref = field(&order, "order_ref");
    let (status, page) = http(
        shop.addr,
        "POST",
        "/cinetpay/init",
        &format!("order_ref={order_ref}"),
    );
    assert_eq!(status, 200, "{page}");
    let id = field(&page, "transaction_id");
    let (status, paid) = http(
        sandbox,
        "POST",
        &format!("/_sandbox/payments/{id}/pay"),
        "{}",
    );
    assert_eq!(status, 200, "{paid}");

    // The sandbox notifies the shop, which checks and delivers.
    let wanted = [
        "cinetpay_notifications_total{outcome=\"processed\"} 1",
        "cinetpay_status_checks_total{generation=\"v2\",result=\"accepted\"} 1",
        "cinetpay_fulfilments_total{kind=\"delivery\",result=\"ok\"} 1",
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let (status, text) = http(shop.addr, "GET", "/metrics", "");
        assert_eq!(status, 200);
        if wanted.iter().all(|line| text.lines().any(|l| l == *line)) {
            break text;
        }
        assert!(Instant::now() < deadline, "never counted:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        text.contains("# TYPE cinetpay_notifications_total counter"),
        "{text}"
    );
    assert!(
        text.contains("# HELP cinetpay_notifications_total "),
        "{text}"
    );
    assert!(
        text.contains("cinetpay_status_check_duration_seconds_bucket{generation=\"v2\",result=\"accepted\",le=\"+Inf\"} 1"),
        "{text}"
    );
    let (status, _, log) = shop.terminate(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{log}");
}

#[test]
fn without_shop_metrics_there_is_no_metrics_route() {
    let mut shop =
        ShopProcess::start_with(env!("CARGO_BIN_EXE_axum-shop"), &[("SHOP_METRICS", "0")]);
    shop.wait_until_it_answers();
    let (status, body) = http(shop.addr, "GET", "/metrics", "");
    assert_eq!(status, 404, "{body}");
    let (status, _) = http(shop.addr, "GET", "/", "");
    assert_eq!(status, 200);
    let (status, _, log) = shop.terminate(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{log}");
}
