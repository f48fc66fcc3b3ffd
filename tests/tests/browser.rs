//! A customer pays in a real browser: headless Chromium, driven through
//! chromedriver's WebDriver API, opens the axum shop, orders a product,
//! clicks Pay, chooses an operator on the sandbox's payment page, pays, and
//! lands back on the order page, which shows the payment `accepted` with one
//! delivery. Every page is saved as a screenshot under
//! `$CARGO_TARGET_DIR/browser/` (or `target/browser/`).
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! prints one line saying it was skipped and passes; with `CI=true` it fails
//! (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cinetpay_e2e::webdriver::{self, BROWSER_PATIENCE, Chromedriver, Session};
use cinetpay_e2e::world::PRODUCT;
use cinetpay_e2e::{Adapter, StoreKind, World};
use cinetpay_sandbox::Operator;

/// The operator the customer picks (not the one checked by default).
const OPERATOR: Operator = Operator::MtnMomo;

/// Where the screenshots go: `$CARGO_TARGET_DIR/browser`, else the
/// workspace's `target/browser`.
fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_TARGET_DIR").map(PathBuf::from))
        .map(|dir| workspace.join(dir))
        .unwrap_or_else(|| workspace.join("target"));
    target.join("browser")
}

/// Takes numbered screenshots.
struct Camera {
    dir: PathBuf,
    taken: Vec<PathBuf>,
}

impl Camera {
    fn new() -> Camera {
        let dir = screenshot_dir();
        // Only this run's screenshots.
        if let Ok(old) = std::fs::read_dir(&dir) {
            for file in old.flatten() {
                if file.path().extension().is_some_and(|e| e == "png") {
                    let _ = std::fs::remove_file(file.path());
                }
            }
        }
        Camera { dir, taken: vec![] }
    }

    async fn shoot(&mut self, browser: &Session, name: &str) {
        let path = self
            .dir
            .join(format!("{:02}-{name}.png", self.taken.len() + 1));
        browser.screenshot(&path).await;
        self.taken.push(path);
    }
}

/// The order page's payment status and number of deliveries.
async fn order_state(browser: &Session) -> (String, usize) {
    let status = browser.find("#payment-status").await;
    let status = browser.text(&status).await;
    let deliveries = browser.find_all("#deliveries li").await.len();
    (status, deliveries)
}

/// Reloads the order page until it shows the payment `accepted` with one
/// delivery (the notification may still be on its way).
async fn wait_paid(browser: &Session, url: &str) -> (String, usize) {
    let started = Instant::now();
    loop {
        let state = order_state(browser).await;
        if state == ("accepted".to_owned(), 1) {
            return state;
        }
        assert!(
            started.elapsed() < BROWSER_PATIENCE,
            "the order page never showed `accepted` with one delivery; last seen: {state:?}; page:\n{}",
            browser.source().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        browser.goto(url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_in_chromium() {
    let started = Instant::now();
    let Some(installed) = webdriver::installed() else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "chromium and chromedriver are not installed and CI=true: CI must run the browser test \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "browser: skipped (no chromium/chromedriver); enable with `apt-get install chromium chromium-driver`"
        );
        return;
    };
    let world = World::start(Adapter::Axum, StoreKind::Memory, "browser")
        .await
        .expect("the memory store always runs");
    let driver = Chromedriver::start(&installed).await;
    let profile = tempfile::tempdir().expect("a fresh Chromium profile");
    let browser = driver.session(profile.path()).await;
    let mut camera = Camera::new();
    let mut pages = 0;

    // 1. The catalogue: order the product.
    browser.goto(&world.url("/")).await;
    pages += 1;
    let order_button = format!("form:has(input[name='product_id'][value='{PRODUCT}']) button");
    browser.find(&order_button).await;
    camera.shoot(&browser, "catalogue").await;
    browser.click_on(&order_button).await;

    // 2. The new order's page: unpaid, no delivery; click Pay.
    let orders = world.url("/orders/");
    let order_url = browser
        .wait_url("the order page", |u| u.starts_with(&orders))
        .await;
    pages += 1;
    let order_ref = order_url[orders.len()..].to_owned();
    assert_eq!(
        order_state(&browser).await,
        ("unpaid".to_owned(), 0),
        "a new order"
    );
    browser.find("#pay").await;
    camera.shoot(&browser, "order").await;
    browser.click_on("#pay").await;

    // 3. The sandbox's payment page: choose the operator, pay.
    let sandbox = world.sandbox().url().to_string();
    let payment_url = browser
        .wait_url("the sandbox's payment page", |u| u.starts_with(&sandbox))
        .await;
    pages += 1;
    let operator = format!("input[name='operator'][value='{}']", OPERATOR.code());
    let choice = browser.find(&operator).await;
    camera.shoot(&browser, "payment-page").await;
    browser.click(&choice).await;
    assert!(
        browser.is_selected(&choice).await,
        "{} is chosen",
        OPERATOR.label()
    );
    camera.shoot(&browser, "operator-chosen").await;
    browser.click_on("button[name='action'][value='pay']").await;

    // 4. The outcome page posts the return form by itself; 5. the order
    // page shows the payment accepted, with one delivery.
    let back = |u: &str| u == order_url || u.starts_with(&format!("{order_url}?"));
    let landed = browser.wait_url("the return to the order page", back).await;
    pages += 2;
    let (status, deliveries) = wait_paid(&browser, &landed).await;
    assert!(
        browser.find_all("#pay").await.is_empty(),
        "no Pay button on a paid order"
    );
    camera.shoot(&browser, "order-paid").await;

    // The sandbox agrees, and every notification was answered.
    let payment = world
        .sandbox()
        .payments()
        .into_iter()
        .find(|p| p.payment_url == payment_url)
        .expect("the sandbox made the payment page the browser was on");
    assert_eq!(payment.metadata.as_deref(), Some(order_ref.as_str()));
    assert_eq!(payment.operator, Some(OPERATOR), "the operator chosen");
    world.notifications(&payment).await;

    // 6. Back on the sandbox's page after paying: the outcome, with a button
    // back to the merchant; 7. which lands on the same order, still paid once.
    browser.goto(&payment_url).await;
    pages += 1;
    browser.find("#cinetpay-return button").await;
    camera.shoot(&browser, "payment-outcome").await;
    browser.click_on("#cinetpay-return button").await;
    let landed = browser
        .wait_url("the second return to the order page", back)
        .await;
    pages += 1;
    assert_eq!(wait_paid(&browser, &landed).await, (status.clone(), 1));
    camera.shoot(&browser, "order-paid-again").await;
    let order = world.order(&order_ref).await;
    assert_eq!(order.payment_status, "accepted");
    assert_eq!(order.deliveries.len(), 1, "exactly one delivery: {order:?}");

    browser.quit().await;
    drop(driver);
    println!("browser: screenshots in {}", camera.dir.display());
    println!(
        "browser: {pages} pages, {} screenshots, payment {status}, {deliveries} delivery, {:.1} s",
        camera.taken.len(),
        started.elapsed().as_secs_f64()
    );
}
