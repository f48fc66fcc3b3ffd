//! A customer pays in a real browser: headless Chromium, driven through
//! chromedriver's WebDriver API with `thirtyfour`, opens the axum shop,
//! orders a product, clicks Pay, chooses an operator on the sandbox's
//! payment page, pays, and lands back on the order page, which shows the
//! payment `accepted` with one delivery. Then an operator opens the shop's
//! admin view (signed in with the stand-in token), filters the payments by
//! order to find one whose notification was lost, presses "sync now", and
//! sees it become `accepted` and delivered. Every page is saved as a
//! screenshot under `$CARGO_TARGET_DIR/browser/` (or `target/browser/`).
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! prints one line saying it was skipped and passes; with `CI=true` it fails
//! (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cinetpay_e2e::chromedriver::{self, BROWSER_PATIENCE, Chromedriver};
use cinetpay_e2e::shop::ADMIN_TOKEN;
use cinetpay_e2e::world::PRODUCT;
use cinetpay_e2e::{Adapter, StoreKind, World};
use cinetpay_sandbox::{Operator, Scenario};
use shop_common::admin::ADMIN_MOUNT;
use thirtyfour::prelude::*;

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

    async fn shoot(&mut self, browser: &WebDriver, name: &str) {
        let path = self
            .dir
            .join(format!("{:02}-{name}.png", self.taken.len() + 1));
        std::fs::create_dir_all(&self.dir)
            .unwrap_or_else(|e| panic!("creating {}: {e}", self.dir.display()));
        let png = browser.screenshot_as_png().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        self.taken.push(path);
    }
}

/// The current page's URL.
async fn url_of(browser: &WebDriver) -> String {
    browser
        .current_url()
        .await
        .expect("the current URL")
        .to_string()
}

/// The current page's HTML, for failure messages.
async fn source(browser: &WebDriver) -> String {
    browser.source().await.unwrap_or_default()
}

/// The first element matching the CSS `selector`, waiting for it up to
/// [`BROWSER_PATIENCE`].
async fn find(browser: &WebDriver, selector: &str) -> WebElement {
    match browser
        .query(By::Css(selector))
        .wait(BROWSER_PATIENCE, Duration::from_millis(50))
        .first()
        .await
    {
        Ok(element) => element,
        Err(e) => panic!(
            "no `{selector}` on {} within {BROWSER_PATIENCE:?} ({e}); page:\n{}",
            url_of(browser).await,
            source(browser).await
        ),
    }
}

/// The elements matching `selector` now (none is not an error).
async fn find_all(browser: &WebDriver, selector: &str) -> Vec<WebElement> {
    browser
        .find_all(By::Css(selector))
        .await
        .expect("a search of the page")
}

/// Finds `selector` (waiting for it) and clicks it.
async fn click_on(browser: &WebDriver, selector: &str) {
    find(browser, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking `{selector}`: {e}"));
}

/// The visible text of the first `selector`.
async fn text_of(browser: &WebDriver, selector: &str) -> String {
    find(browser, selector)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("the text of `{selector}`: {e}"))
}

/// Opens `url`.
async fn goto(browser: &WebDriver, url: &str) {
    browser
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
}

/// Polls the current URL until `done` holds; panics after
/// [`BROWSER_PATIENCE`] naming `what` was awaited.
async fn wait_url(browser: &WebDriver, what: &str, done: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let url = url_of(browser).await;
        if done(&url) {
            return url;
        }
        assert!(
            started.elapsed() < BROWSER_PATIENCE,
            "timed out after {BROWSER_PATIENCE:?} waiting for {what}; the browser is on {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The order page's payment status and number of deliveries.
async fn order_state(browser: &WebDriver) -> (String, usize) {
    let status = text_of(browser, "#payment-status").await;
    let deliveries = find_all(browser, "#deliveries li").await.len();
    (status, deliveries)
}

/// Reloads the order page until it shows the payment `accepted` with one
/// delivery (the notification may still be on its way).
async fn wait_paid(browser: &WebDriver, url: &str) -> (String, usize) {
    let started = Instant::now();
    loop {
        let state = order_state(browser).await;
        if state == ("accepted".to_owned(), 1) {
            return state;
        }
        assert!(
            started.elapsed() < BROWSER_PATIENCE,
            "the order page never showed `accepted` with one delivery; last seen: {state:?}; page:\n{}",
            source(browser).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        goto(browser, url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_in_chromium() {
    let started = Instant::now();
    let Some(installed) = chromedriver::installed() else {
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
    let browser = driver.browser(profile.path()).await;
    let mut camera = Camera::new();
    let mut pages = 0;

    // 1. The catalogue: order the product.
    goto(&browser, &world.url("/")).await;
    pages += 1;
    let order_button = format!("form:has(input[name='product_id'][value='{PRODUCT}']) button");
    find(&browser, &order_button).await;
    camera.shoot(&browser, "catalogue").await;
    click_on(&browser, &order_button).await;

    // 2. The new order's page: unpaid, no delivery; click Pay.
    let orders = world.url("/orders/");
    let order_url = wait_url(&browser, "the order page", |u| u.starts_with(&orders)).await;
    pages += 1;
    let order_ref = order_url[orders.len()..].to_owned();
    assert_eq!(
        order_state(&browser).await,
        ("unpaid".to_owned(), 0),
        "a new order"
    );
    find(&browser, "#pay").await;
    camera.shoot(&browser, "order").await;
    click_on(&browser, "#pay").await;

    // 3. The sandbox's payment page: choose the operator, pay.
    let sandbox = world.sandbox().url().to_string();
    let payment_url = wait_url(&browser, "the sandbox's payment page", |u| {
        u.starts_with(&sandbox)
    })
    .await;
    pages += 1;
    let operator = format!("input[name='operator'][value='{}']", OPERATOR.code());
    let choice = find(&browser, &operator).await;
    camera.shoot(&browser, "payment-page").await;
    choice.click().await.expect("choosing the operator");
    assert!(
        choice
            .is_selected()
            .await
            .expect("the radio button's state"),
        "{} is chosen",
        OPERATOR.label()
    );
    camera.shoot(&browser, "operator-chosen").await;
    click_on(&browser, "button[name='action'][value='pay']").await;

    // 4. The outcome page posts the return form by itself; 5. the order
    // page shows the payment accepted, with one delivery.
    let back = |u: &str| u == order_url || u.starts_with(&format!("{order_url}?"));
    let landed = wait_url(&browser, "the return to the order page", back).await;
    pages += 2;
    let (status, deliveries) = wait_paid(&browser, &landed).await;
    assert!(
        find_all(&browser, "#pay").await.is_empty(),
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
    goto(&browser, &payment_url).await;
    pages += 1;
    find(&browser, "#cinetpay-return button").await;
    camera.shoot(&browser, "payment-outcome").await;
    click_on(&browser, "#cinetpay-return button").await;
    let landed = wait_url(&browser, "the second return to the order page", back).await;
    pages += 1;
    assert_eq!(wait_paid(&browser, &landed).await, (status.clone(), 1));
    camera.shoot(&browser, "order-paid-again").await;
    let order = world.order(&order_ref).await;
    assert_eq!(order.payment_status, "accepted");
    assert_eq!(order.deliveries.len(), 1, "exactly one delivery: {order:?}");

    // 8. Another order is paid, but its notification is lost: still pending.
    let (lost, payment) = world.new_payment().await;
    world.pay_with(&payment, Scenario::new().never_send(true));
    assert_eq!(world.order(&lost.order_ref).await.payment_status, "pending");

    // 9. The operator opens the admin view (the stand-in login: the token as
    // Basic authentication's password, in the URL) and filters by order.
    let admin =
        world
            .url(ADMIN_MOUNT)
            .replacen("http://", &format!("http://operator:{ADMIN_TOKEN}@"), 1);
    goto(&browser, &admin).await;
    pages += 1;
    find(&browser, "table#payments").await;
    camera.shoot(&browser, "admin-payments").await;
    find(&browser, "input[name='order']")
        .await
        .send_keys(lost.order_ref.as_str())
        .await
        .expect("typing the order reference");
    click_on(&browser, "form.filters button").await;
    let filtered = wait_url(&browser, "the filtered list", |u| u.contains("order=")).await;
    pages += 1;
    assert!(filtered.contains(ADMIN_MOUNT), "{filtered}");
    let rows = find_all(&browser, "a.payment").await;
    assert_eq!(
        rows.len(),
        1,
        "one payment of that order: {}",
        source(&browser).await
    );
    assert_eq!(
        rows[0].text().await.expect("the link's text"),
        payment.transaction_id
    );
    camera.shoot(&browser, "admin-filtered").await;

    // 10. Its page: pending; "sync now" checks with CinetPay and delivers it.
    rows[0].click().await.expect("opening the payment");
    let payment_page = format!("{ADMIN_MOUNT}/payments/{}", payment.transaction_id);
    wait_url(&browser, "the payment's page", |u| {
        u.ends_with(&payment_page)
    })
    .await;
    pages += 1;
    assert_eq!(text_of(&browser, "#status").await, "pending");
    camera.shoot(&browser, "admin-payment").await;
    click_on(&browser, "#sync-now").await;
    wait_url(&browser, "the page after sync now", |u| {
        u.contains("synced=")
    })
    .await;
    pages += 1;
    let notice = text_of(&browser, "#sync-notice").await;
    assert!(
        notice.contains("pending → accepted"),
        "the outcome is shown: {notice}"
    );
    assert!(notice.contains("delivered now"), "{notice}");
    assert_eq!(text_of(&browser, "#status").await, "accepted");
    let log = text_of(&browser, "#deliveries").await;
    assert!(log.contains("operator"), "the log says who asked: {log}");
    camera.shoot(&browser, "admin-synced").await;
    let synced = world.order(&lost.order_ref).await;
    assert_eq!(synced.payment_status, "accepted");
    assert_eq!(synced.deliveries.len(), 1, "delivered once: {synced:?}");

    browser.quit().await.expect("Chromium quits");
    drop(driver);
    println!("browser: screenshots in {}", camera.dir.display());
    println!(
        "browser: {pages} pages, {} screenshots, payment {status}, {deliveries} delivery, one payment synced from the admin view, {:.1} s",
        camera.taken.len(),
        started.elapsed().as_secs_f64()
    );
}
