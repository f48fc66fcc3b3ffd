//! `examples/axum-minimal`, the README's "Add it to your app": its `main.rs`
//! compiled here as a module, its router served against the sandbox (a
//! customer pays; the example's fulfiller runs once), and the README's
//! snippets checked against the file.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::engine::Checkout;
use cinetpay_e2e::world::{PATIENCE, location, test_settings};
use cinetpay_sandbox::{Operator, Sandbox};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::ScriptedFulfiller;
use reqwest::StatusCode;
use reqwest::header::ACCEPT;

// The example's `main` is not called here, and its items are `pub` for this.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/axum-minimal/src/main.rs"]
mod axum_minimal;

/// The example's file and the README, as they are in the repository.
const EXAMPLE: &str = include_str!("../../../examples/axum-minimal/src/main.rs");
const EXAMPLE_MANIFEST: &str = include_str!("../../../examples/axum-minimal/Cargo.toml");
const README: &str = include_str!("../../../README.md");

/// The README's section "Add it to your app".
fn readme_section() -> &'static str {
    let start = README
        .find("## Add it to your app")
        .expect("the README has a section \"Add it to your app\"");
    let rest = &README[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// The fenced blocks of `text` in `language`.
fn fenced<'a>(text: &'a str, language: &str) -> Vec<&'a str> {
    let open = format!("```{language}\n");
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let body = &rest[start + open.len()..];
        let end = body.find("```").expect("a fenced block is closed");
        blocks.push(&body[..end]);
        rest = &body[end..][3..];
    }
    blocks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_minimal_example_takes_a_payment() {
    let sandbox = Sandbox::builder()
        .start()
        .await
        .expect("the sandbox starts");
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("a port for the app");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());

    // As the example's `main` does, with its fulfiller behind a counting one.
    let store = SeaOrmStore::connect(&database)
        .await
        .expect("the store opens");
    store.migrate().await.expect("the store's tables");
    let merchant = ScriptedFulfiller::wrapping(Arc::new(axum_minimal::Fulfiller));
    let checkout = Checkout::builder()
        .config(
            test_settings(&sandbox, &base)
                .into_config()
                .expect("valid settings"),
        )
        .store(Arc::new(store))
        .fulfiller(merchant.clone())
        .build()
        .expect("the engine");
    let background = checkout.start_background();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = axum_minimal::app(checkout.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("an HTTP client");
    // The app's own page, with its Pay button.
    let page = http.get(&base).send().await.expect("GET / answers");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("the page");
    assert!(page.contains(r#"action="/cinetpay/init""#), "{page}");
    let order_ref = page
        .split(r#"name="order_ref" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form names its order");

    // Pay: 303 to the sandbox's payment page for the order.
    let pay = http
        .post(format!("{base}/cinetpay/init"))
        .header(ACCEPT, "text/html")
        .form(&[("order_ref", order_ref)])
        .send()
        .await
        .expect("POST /cinetpay/init answers");
    assert_eq!(pay.status(), StatusCode::SEE_OTHER);
    let payment_page = location(&pay);
    let payment = sandbox
        .payments()
        .into_iter()
        .find(|p| p.payment_url == payment_page)
        .unwrap_or_else(|| panic!("{payment_page} is not a sandbox payment page"));
    assert_eq!(payment.metadata.as_deref(), Some(order_ref));
    assert_eq!((payment.amount, payment.currency.as_str()), (1000, "XOF"));

    // The customer pays; CinetPay notifies; the fulfiller runs once.
    sandbox
        .pay(&payment.transaction_id, Operator::OrangeMoney)
        .expect("the sandbox takes the payment");
    let sent = sandbox
        .wait_notifications(&payment.transaction_id, PATIENCE)
        .await
        .expect("the notifications are answered");
    assert!(
        sent.iter().any(|n| n.status == Some(200)),
        "the notification is acknowledged: {sent:?}"
    );
    assert_eq!((merchant.calls(), merchant.successes()), (1, 1));

    // The customer comes back to the app's order page.
    let back = http
        .post(&payment.return_url)
        .header(ACCEPT, "text/html")
        .form(&[
            ("transaction_id", payment.transaction_id.as_str()),
            ("token", payment.payment_token.as_str()),
        ])
        .send()
        .await
        .expect("POST /cinetpay/return answers");
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let order_page = location(&back);
    assert!(
        order_page.starts_with(&format!("/orders/{order_ref}?")),
        "{order_page}"
    );
    let shown = http
        .get(format!("{base}{order_page}"))
        .send()
        .await
        .expect("the order page answers")
        .text()
        .await
        .expect("the order page");
    assert_eq!(shown, format!("Order {order_ref}: payment accepted"));

    let _ = stop.send(());
    server
        .await
        .expect("the server task")
        .expect("the server stops cleanly");
    background.shutdown().await;
    assert_eq!(merchant.calls(), 1, "nothing ran the fulfiller again");
    sandbox.shutdown().await;
}

/// Every Rust line the README shows under "Add it to your app" is a line of
/// the example, in the same order; its `[dependencies]` name every
/// dependency of the example.
#[test]
fn the_readme_shows_the_example_as_it_is() {
    let section = readme_section();
    let example: Vec<&str> = EXAMPLE.lines().collect();
    let snippets = fenced(section, "rust");
    assert!(snippets.len() >= 3, "the section shows the example's code");
    for snippet in snippets {
        let mut from = 0;
        for line in snippet.lines().filter(|l| !l.trim().is_empty()) {
            let found = example[from..].iter().position(|l| *l == line);
            let at = found.unwrap_or_else(|| {
                panic!(
                    "README line {line:?} is not in examples/axum-minimal/src/main.rs (in order)"
                )
            });
            from += at + 1;
        }
    }
    let tomls = fenced(section, "toml");
    let shown = tomls.first().expect("the section shows the dependencies");
    let dependencies = EXAMPLE_MANIFEST
        .split("[dependencies]\n")
        .nth(1)
        .expect("the example has dependencies");
    for line in dependencies.lines().take_while(|l| !l.starts_with('[')) {
        let Some(name) = line.split(['.', ' ', '=']).next().filter(|n| !n.is_empty()) else {
            continue;
        };
        assert!(
            shown.lines().any(|l| l.starts_with(&format!("{name} "))),
            "the README's [dependencies] lack {name}"
        );
    }
}
