//! The hosted payment page, driven with a plain HTTP client as a browser
//! would: GET the page, POST the form, follow the return auto-post; the
//! notification lands on a tiny shop that verifies its x-token with
//! `cinetpay_core::protocol::verify_x_token`.

use super::common::*;
use cinetpay_core::protocol::{Lang, XTokenMatch};
use cinetpay_sandbox::{NotificationKind, Operator, Sandbox};
use serde_json::json;

/// The value of the hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("hidden input") + marker.len();
    let end = html[start..].find('"').expect("end of value") + start;
    html[start..end].to_owned()
}

/// The `action` of the return form.
fn return_action(html: &str) -> String {
    let marker = "id=\"cinetpay-return\" method=\"post\" action=\"";
    let start = html.find(marker).expect("return form") + marker.len();
    let end = html[start..].find('"').expect("end of action") + start;
    html[start..end].replace("&amp;", "&")
}

async fn get_page(url: &str) -> (u16, String, String) {
    let r = http().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    (status, ct, r.text().await.unwrap())
}

async fn submit(url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = http().post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_payment_from_init_to_notification_through_the_html_page() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key())
        .await
        .checking_with(client(&sandbox));
    let req = request(&shop, 1000).metadata("order-42");
    let tx = req.transaction_id.as_str().to_owned();
    let init = client(&sandbox).init_payment(&req).await.unwrap();

    // The customer's browser opens the page.
    let (status, content_type, page) = get_page(&init.payment_url).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    assert!(page.contains("<html lang=\"fr\">"), "French by default");
    assert!(page.contains("Commande 42"));
    assert!(page.contains("1\u{202f}000\u{a0}XOF"));
    assert!(page.contains("Boutique de test") && page.contains(sandbox.site_id()));
    for code in ["OM", "MOMO", "FLOOZ", "WAVECI"] {
        assert!(
            page.contains(&format!("value=\"{code}\"")),
            "{code} offered"
        );
    }
    assert!(
        !page.contains("value=\"VISAM\""),
        "no card without the card fields"
    );
    assert!(
        page.contains("<form method=\"post\">"),
        "the form posts back to the page"
    );
    assert!(
        !page.contains("<script"),
        "the payment page needs no JavaScript"
    );

    // It pays with MTN MoMo, as a browser posts the form.
    let (status, outcome) = submit(
        &init.payment_url,
        &[
            ("operator", "MOMO"),
            ("phone", "0505123456"),
            ("action", "pay"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(outcome.contains("Paiement réussi"));
    // The return auto-post: transaction_id and token, a button without JavaScript.
    assert_eq!(return_action(&outcome), shop.return_url());
    assert_eq!(hidden(&outcome, "transaction_id"), tx);
    assert_eq!(hidden(&outcome, "token"), init.payment_token);
    assert!(outcome.contains("<button class=\"primary\" type=\"submit\">"));
    assert!(outcome.contains("document.getElementById('cinetpay-return').submit();"));

    // The notification reached the shop, signed.
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, NotificationKind::Final);
    let got = shop.posts();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].verified, Some(Ok(XTokenMatch::Documented)));
    assert_eq!(got[0].check_code.as_deref(), Some("00"));
    let n = got[0].notification.as_ref().unwrap();
    assert_eq!(n.cpm_trans_id, tx);
    assert_eq!(n.field("payment_method"), Some("MOMO"));
    assert_eq!(n.field("cel_phone_num"), Some("0505123456"));
    assert_eq!(n.field("cpm_custom"), Some("order-42"));

    // The browser runs the auto-post.
    let action = return_action(&outcome);
    let (status, _) = submit(
        &action,
        &[
            ("transaction_id", &hidden(&outcome, "transaction_id")),
            ("token", &hidden(&outcome, "token")),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let returned = shop.returns.lock().unwrap().clone();
    assert_eq!(
        returned,
        [vec![
            ("transaction_id".to_owned(), tx.clone()),
            ("token".to_owned(), init.payment_token.clone()),
        ]]
    );

    // Coming back to the page later shows the outcome, without auto-post.
    let (_, _, again) = get_page(&init.payment_url).await;
    assert!(again.contains("Paiement réussi") && !again.contains("<script"));
    assert_eq!(hidden(&again, "token"), init.payment_token);
}

#[tokio::test]
async fn the_page_speaks_english_when_asked() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    let req = request(&shop, 1_250_000).lang(Lang::En);
    let init = client(&sandbox).init_payment(&req).await.unwrap();
    let (_, _, page) = get_page(&init.payment_url).await;
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Choose how to pay") && page.contains("1,250,000\u{a0}XOF"));
    let (_, outcome) = submit(
        &init.payment_url,
        &[("operator", "OM"), ("action", "refuse")],
    )
    .await;
    assert!(outcome.contains("Payment refused"));
    let sent = sandbox
        .wait_notifications(req.transaction_id.as_str(), WAIT)
        .await
        .unwrap();
    assert_eq!(sent[0].field("cpm_language"), Some("en"));
}

#[tokio::test]
async fn everything_from_the_merchant_is_escaped() {
    let sandbox = sandbox().await;
    let mut body = init_body(&sandbox, "T<x>", "http://127.0.0.1:9/notify");
    body["description"] = json!("Commande <img src=x onerror=alert(1)> \"vite\"");
    body["return_url"] = json!("http://127.0.0.1:9/r?a=1&b=\"><script>alert(2)<");
    let (status, answer) = post_json(sandbox.url().join("v2/payment").unwrap(), &body).await;
    assert_eq!(status, 200, "{answer}");
    let url = answer["data"]["payment_url"].as_str().unwrap().to_owned();
    let (_, _, page) = get_page(&url).await;
    assert!(!page.contains("<img"), "{page}");
    assert!(page.contains("Commande &lt;img src=x onerror=alert(1)&gt; &quot;vite&quot;"));
    assert!(page.contains("T&lt;x&gt;"));
    let (_, outcome) = submit(&url, &[("action", "cancel")]).await;
    assert!(!outcome.contains("<script>alert"), "{outcome}");
    assert!(outcome.contains(
        "action=\"http://127.0.0.1:9/r?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(2)&lt;\""
    ));
    assert_eq!(hidden(&outcome, "transaction_id"), "T&lt;x&gt;");
    sandbox.wait_idle(WAIT).await.unwrap();
}

#[tokio::test]
async fn refuse_cancel_and_wait_from_the_page() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    for (form, code, title) in [
        (
            vec![("operator", "FLOOZ"), ("action", "refuse")],
            "600",
            "Paiement refusé",
        ),
        (vec![("action", "cancel")], "627", "Paiement annulé"),
    ] {
        let req = request(&shop, 500);
        let init = client(&sandbox).init_payment(&req).await.unwrap();
        let (status, outcome) = submit(&init.payment_url, &form).await;
        assert_eq!(status, 200);
        assert!(outcome.contains(title), "{title}");
        assert!(
            outcome.contains(".submit();"),
            "final outcomes go back automatically"
        );
        assert_eq!(
            check(&sandbox, req.transaction_id.as_str()).await.1["code"],
            code
        );
    }

    // Waiting: no automatic return; the customer can come back and pay.
    let req = request(&shop, 500);
    let tx = req.transaction_id.as_str();
    let init = client(&sandbox).init_payment(&req).await.unwrap();
    let (_, outcome) = submit(&init.payment_url, &[("operator", "OM"), ("action", "wait")]).await;
    assert!(outcome.contains("Paiement en attente de confirmation"));
    assert!(!outcome.contains("<script"));
    assert!(outcome.contains(&format!("href=\"{}\"", init.payment_url)));
    assert_eq!(check(&sandbox, tx).await.1["code"], "662");
    let (_, _, page) = get_page(&init.payment_url).await;
    assert!(
        page.contains("value=\"OM\" checked"),
        "the chosen operator is kept"
    );
    let (_, outcome) = submit(&init.payment_url, &[("operator", "OM"), ("action", "pay")]).await;
    assert!(outcome.contains("Paiement réussi"));
    let sent = sandbox.wait_notifications(tx, WAIT).await.unwrap();
    let messages: Vec<_> = sent.iter().map(|r| r.field("cpm_error_message")).collect();
    assert_eq!(messages, [Some("WAITING_CUSTOMER_PAYMENT"), Some("SUCCES")]);
    // Paying again (a double click) changes nothing and shows the outcome.
    let (status, outcome) =
        submit(&init.payment_url, &[("operator", "OM"), ("action", "pay")]).await;
    assert_eq!(status, 200);
    assert!(outcome.contains("Paiement réussi"));
    assert_eq!(sandbox.wait_notifications(tx, WAIT).await.unwrap().len(), 2);
}

#[tokio::test]
async fn bad_submissions_and_unknown_tokens() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    let req = request(&shop, 500);
    let init = client(&sandbox).init_payment(&req).await.unwrap();
    let (status, page) = submit(&init.payment_url, &[("action", "pay")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("Choisissez un moyen de paiement.") && page.contains("<form"));
    let (status, page) = submit(
        &init.payment_url,
        &[("operator", "PAYPAL"), ("action", "pay")],
    )
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(
        sandbox
            .payment(req.transaction_id.as_str())
            .unwrap()
            .operator
            .is_none()
    );
    let (status, page) = submit(
        &init.payment_url,
        &[("operator", "VISAM"), ("action", "pay")],
    )
    .await;
    assert_eq!(status, 400, "an operator the payment does not offer");
    assert!(page.contains("VISAM"));

    let unknown = sandbox.url().join("payment/not-a-token").unwrap();
    let (status, _, page) = get_page(unknown.as_str()).await;
    assert_eq!(status, 404);
    assert!(page.contains("Paiement introuvable"));
    assert_eq!(
        submit(unknown.as_str(), &[("action", "cancel")]).await.0,
        404
    );
}

#[tokio::test]
async fn channels_decide_which_operators_are_offered() {
    let sandbox = sandbox().await;
    let offered = |page: &str| -> Vec<&'static str> {
        Operator::ALL
            .into_iter()
            .map(|o| o.code())
            .filter(|c| page.contains(&format!("value=\"{c}\"")))
            .collect()
    };
    let page_for = |s: &Sandbox, body: serde_json::Value| {
        let s = s.clone();
        async move {
            let (_, answer) = post_json(s.url().join("v2/payment").unwrap(), &body).await;
            get_page(answer["data"]["payment_url"].as_str().unwrap())
                .await
                .2
        }
    };
    let mut b = init_body(&sandbox, "T-mm", "http://127.0.0.1:9/n");
    b["channels"] = json!("MOBILE_MONEY");
    assert_eq!(
        offered(&page_for(&sandbox, b).await),
        ["OM", "MOMO", "FLOOZ"]
    );
    let mut b = init_body(&sandbox, "T-wallet", "http://127.0.0.1:9/n");
    b["channels"] = json!("WALLET");
    assert_eq!(offered(&page_for(&sandbox, b).await), ["WAVECI"]);
    let mut b = init_body(&sandbox, "T-all-card", "http://127.0.0.1:9/n");
    for (k, v) in [
        ("customer_email", "a@b.ci"),
        ("customer_phone_number", "+2250707000009"),
        ("customer_address", "Rue 1"),
        ("customer_city", "Abidjan"),
        ("customer_country", "CI"),
        ("customer_state", "CI"),
        ("customer_zip_code", "00225"),
    ] {
        b[k] = json!(v);
    }
    b["lock_phone_number"] = json!(true);
    let page = page_for(&sandbox, b).await;
    assert_eq!(offered(&page), ["OM", "MOMO", "FLOOZ", "WAVECI", "VISAM"]);
    assert!(page.contains("value=\"+2250707000009\" placeholder=\"07 07 00 00 01\" readonly"));
}
