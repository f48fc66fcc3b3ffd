//! rocket-minimal, run as its binary with its own `Rocket.toml`, against an
//! embedded sandbox on the sandbox's default credentials: the menu's "pay"
//! button (`POST /cinetpay/init`) sends the customer to the sandbox's
//! payment page.

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cinetpay_sandbox::Sandbox;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The app's process, killed when dropped.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends `request` and reads the whole answer (the request says `Connection: close`).
async fn exchange(port: u16, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pay_button_leads_to_the_sandbox_payment_page() {
    // The sandbox's defaults are the credentials in Rocket.toml; only its port differs.
    let sandbox = Sandbox::builder().start().await.unwrap();
    let port = free_port();
    let mut app = App(Command::new(env!("CARGO_BIN_EXE_rocket-minimal"))
        .env(
            "ROCKET_CONFIG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/Rocket.toml"),
        )
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_CINETPAY_API_URL", sandbox.url().as_str())
        .env(
            "ROCKET_CINETPAY_PUBLIC_URL",
            format!("http://127.0.0.1:{port}"),
        )
        .env("ROCKET_CINETPAY_DATABASE_URL", "sqlite::memory:")
        .env("ROCKET_LOG_LEVEL", "critical")
        .env_remove("ROCKET_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let menu = loop {
        let get = "GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";
        match exchange(port, get).await {
            Ok(answer) => break answer,
            Err(_) if Instant::now() < deadline => {
                assert!(app.0.try_wait().unwrap().is_none(), "rocket-minimal exited");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("rocket-minimal never answered: {e}"),
        }
    };
    assert!(menu.starts_with("HTTP/1.1 200"), "{menu}");
    assert!(menu.contains(r#"action="/cinetpay/init""#), "{menu}");

    let body = "order_ref=tea-1";
    let pay = format!(
        "POST /cinetpay/init HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = exchange(port, &pay).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    let location = answer
        .lines()
        .find_map(|line| {
            line.strip_prefix("location: ")
                .or_else(|| line.strip_prefix("Location: "))
        })
        .unwrap_or_default();
    let page = format!("{}payment/", sandbox.url());
    assert!(
        location.starts_with(&page),
        "{location} is not under {page}"
    );
    let payment = sandbox.last_payment().unwrap();
    assert_eq!(location, payment.payment_url);
    assert_eq!((payment.amount, payment.currency.as_str()), (500, "XOF"));

    // An unknown item is the app's 404, not a payment.
    let body = "order_ref=coffee-1";
    let unknown = pay.replace("order_ref=tea-1", body).replace(
        "Content-Length: 15",
        &format!("Content-Length: {}", body.len()),
    );
    let answer = exchange(port, &unknown).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}
