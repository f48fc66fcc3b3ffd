//! The hosted page of a 2026 payment, driven as a browser would: each of
//! CinetPay's test numbers (docs/rest-api-2026.md §8), the redirect to
//! `success_url` / `failed_url`, and direct payments decided by the number.

use std::time::Duration;

use cinetpay_sandbox::PaymentState;
use serde_json::json;

use super::helpers::*;
use crate::common::{WAIT, http};

/// The `<meta http-equiv="refresh">` of a page: (seconds, url).
fn refresh(html: &str) -> Option<(u32, Option<String>)> {
    let marker = "<meta http-equiv=\"refresh\" content=\"";
    let start = html.find(marker)? + marker.len();
    let content = &html[start..start + html[start..].find('"')?];
    Some(match content.split_once(";url=") {
        Some((s, url)) => (s.parse().ok()?, Some(url.replace("&amp;", "&"))),
        None => (content.parse().ok()?, None),
    })
}

async fn pay_on_page(page_url: &str, phone: &str) -> (u16, String) {
    let r = http()
        .post(page_url)
        .form(&[("action", "pay"), ("operator", "OM"), ("phone", phone)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Follows the page's redirect as a browser does; answers where it went.
async fn follow(shop: &RestShop, html: &str) -> String {
    let (_, url) = refresh(html).expect("a refresh");
    let url = url.expect("a redirect");
    let r = http().get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let path = url::Url::parse(&url).unwrap().path().to_owned();
    assert_eq!(shop.hits(&path).last().unwrap().method, "GET");
    path
}

#[tokio::test]
async fn the_page_of_a_2026_payment_lists_the_test_numbers_in_its_language() {
    let sandbox = sandbox().await;
    let token = login(&sandbox).await;
    let mut b = body("ORDER-EN", "https://m.test");
    b["lang"] = json!("en");
    b["client_phone_number"] = json!("+2250707070701");
    let (_, answer) = init_with(&sandbox, Some(&token), &b).await;
    let html = http()
        .get(answer["payment_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Test numbers") && html.contains("pending then success"));
    assert!(
        html.contains("value=\"+2250707070701\""),
        "the client's phone is filled in"
    );
    assert!(html.contains("account CI"));
    assert!(!html.contains("value=\"VISAM\""), "no card in 2026");
    let (_, answer) = init(&sandbox, "ORDER-FR", "https://m.test").await;
    let html = http()
        .get(answer["payment_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"fr\">")
            && html.contains("Numéros de test")
            && html.contains("succès immédiat")
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn immediate_success_and_immediate_failure() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    for (tx, phone, state, path, code) in [
        (
            "ORDER-P00",
            "+2250707070700",
            PaymentState::Accepted,
            "/success",
            100,
        ),
        (
            "ORDER-P03",
            "07 07 07 07 03",
            PaymentState::Refused {
                code: "2010".into(),
            },
            "/failed",
            2010,
        ),
    ] {
        let (token, answer) = init(&sandbox, tx, &shop.base).await;
        let (status, html) = pay_on_page(answer["payment_url"].as_str().unwrap(), phone).await;
        assert_eq!(status, 200);
        assert_eq!(sandbox.payment(tx).unwrap().state, state, "{phone}");
        assert_eq!(follow(&shop, &html).await, path);
        let (_, body) = status_of(&sandbox, &token, tx).await;
        assert_eq!(body["code"], code);
        assert_eq!(
            body["user"]["phone_number"],
            if phone.starts_with('+') {
                phone
            } else {
                "+2250707070703"
            }
        );
        let sent = sandbox.wait_notifications(tx, WAIT).await.unwrap();
        assert_eq!(sent.len(), 1, "{phone}");
        // The page of an ended payment sends the browser on again.
        let html = http()
            .get(answer["payment_url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(follow(&shop, &html).await, path);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pending_then_success_and_pending_then_failure() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    for (tx, phone, code, path) in [
        ("ORDER-P01", "+2250707070701", 100, "/success"),
        ("ORDER-P04", "+2250707070704", 2010, "/failed"),
    ] {
        let (token, answer) = init(&sandbox, tx, &shop.base).await;
        let page = answer["payment_url"].as_str().unwrap();
        let (_, html) = pay_on_page(page, phone).await;
        assert_eq!(
            refresh(&html),
            Some((2, None)),
            "pending: the page reloads itself"
        );
        let (_, body) = status_of(&sandbox, &token, tx).await;
        assert_eq!(
            (&body["code"], &body["status"]),
            (&json!(2002), &json!("PENDING"))
        );
        let sent = sandbox.wait_notifications(tx, WAIT).await.unwrap();
        assert_eq!(sent.len(), 1, "only the final state is notified");
        let (_, body) = status_of(&sandbox, &token, tx).await;
        assert_eq!(body["code"], code, "{phone}");
        let html = http().get(page).send().await.unwrap().text().await.unwrap();
        assert_eq!(follow(&shop, &html).await, path);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pending_forever_and_an_ordinary_number() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    let (token, answer) = init(&sandbox, "ORDER-P06", &shop.base).await;
    let (_, html) = pay_on_page(answer["payment_url"].as_str().unwrap(), "+2250707070706").await;
    assert_eq!(refresh(&html), Some((2, None)));
    tokio::time::sleep(TEST_NUMBER_DELAY * 3).await;
    let (_, body) = status_of(&sandbox, &token, "ORDER-P06").await;
    assert_eq!(body["code"], 2002);
    assert!(sandbox.notifications_for("ORDER-P06").is_empty());

    // Any other number: the button decides ("pay" pays).
    let (_, answer) = init(&sandbox, "ORDER-PX", &shop.base).await;
    let (_, html) = pay_on_page(answer["payment_url"].as_str().unwrap(), "+2250707000001").await;
    assert_eq!(follow(&shop, &html).await, "/success");
    // The other buttons.
    let (_, answer) = init(&sandbox, "ORDER-PC", &shop.base).await;
    let r = http()
        .post(answer["payment_url"].as_str().unwrap())
        .form(&[("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(follow(&shop, &r.text().await.unwrap()).await, "/failed");
    let (_, body) = status_of(&sandbox, &token, "ORDER-PC").await;
    assert_eq!(body["code"], 2010);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn direct_payments_are_decided_by_the_number_at_init() {
    let sandbox = sandbox().await;
    let shop = RestShop::start().await;
    let token = login(&sandbox).await;
    for (tx, phone, code) in [
        ("ORDER-D00", "+2250707070700", 100),
        ("ORDER-D03", "+2250707070703", 2010),
        ("ORDER-D01", "+2250707070701", 2002),
        ("ORDER-DX", "+2250102030405", 2002),
    ] {
        let mut b = body(tx, &shop.base);
        b["direct_pay"] = json!(true);
        b["client_phone_number"] = json!(phone);
        b["payment_method"] = json!("OM_CI");
        b["channel"] = json!("PUSH");
        let (status, answer) = init_with(&sandbox, Some(&token), &b).await;
        assert_eq!((status, &answer["code"]), (200, &json!(200)), "{answer}");
        assert_eq!(answer["details"]["code"], code, "{phone}: {answer}");
        assert_eq!(answer["details"]["must_be_redirected"], false);
    }
    sandbox.wait_notifications("ORDER-D01", WAIT).await.unwrap();
    let (_, body) = status_of(&sandbox, &token, "ORDER-D01").await;
    assert_eq!(body["code"], 100, "pending, then success");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (_, body) = status_of(&sandbox, &token, "ORDER-DX").await;
    assert_eq!(body["code"], 2002, "a real phone's push waits for the test");
    sandbox
        .pay("ORDER-DX", cinetpay_sandbox::Operator::OrangeMoney)
        .unwrap();
    let (_, body) = status_of(&sandbox, &token, "ORDER-DX").await;
    assert_eq!(body["code"], 100);
    sandbox.shutdown().await;
}
