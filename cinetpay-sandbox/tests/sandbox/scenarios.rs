//! Notification scenarios: duplicates, WAITING then final, REFUSED then
//! ACCEPTED, never sent, foreign site id, bad or missing x-token, extra after
//! final, delay, ping, and delivery failures — all seen by a shop that checks
//! each notification like a real one.

use std::time::{Duration, Instant};

use super::common::*;
use cinetpay_core::protocol::{XTokenError, XTokenMatch};
use cinetpay_sandbox::{NotificationKind, Operator, Sandbox, SandboxError, Scenario};

/// A sandbox, a shop that checks every notification, and one initialised payment.
async fn setup() -> (cinetpay_sandbox::SandboxHandle, Shop, String) {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key())
        .await
        .checking_with(client(&sandbox));
    let tx = fresh_payment(&sandbox, &shop).await;
    (sandbox, shop, tx)
}

async fn fresh_payment(sandbox: &Sandbox, shop: &Shop) -> String {
    let req = request(shop, 1500).metadata("order-9");
    client(sandbox).init_payment(&req).await.expect("init");
    req.transaction_id.as_str().to_owned()
}

fn kinds(records: &[cinetpay_sandbox::NotificationRecord]) -> Vec<NotificationKind> {
    records.iter().map(|r| r.kind).collect()
}

fn messages(records: &[cinetpay_sandbox::NotificationRecord]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r.field("cpm_error_message").unwrap_or("-"))
        .collect()
}

#[tokio::test]
async fn a_plain_payment_sends_one_notification_with_all_sixteen_fields() {
    let (sandbox, shop, tx) = setup().await;
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(kinds(&sent), [NotificationKind::Final]);
    let r = &sent[0];
    assert_eq!(
        (r.method, r.status, r.state.as_str()),
        ("POST", Some(200), "accepted")
    );
    assert_eq!(r.body.as_deref(), Some("OK"));
    assert_eq!(r.url, shop.notify_url());
    let names: Vec<&str> = r.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, cinetpay_sandbox::SIGNED_FIELDS);
    let date = r.field("cpm_trans_date").unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S").is_ok());
    for (field, value) in [
        ("cpm_site_id", sandbox.site_id()),
        ("cpm_trans_id", tx.as_str()),
        ("cpm_amount", "1500"),
        ("cpm_currency", "XOF"),
        ("payment_method", "OM"),
        ("cel_phone_num", "0707000001"),
        ("cpm_phone_prefixe", "225"),
        ("cpm_language", "fr"),
        ("cpm_version", "V4"),
        ("cpm_payment_config", "Single"),
        ("cpm_page_action", "Payment"),
        ("cpm_custom", "order-9"),
        ("cpm_designation", "Commande 42"),
        ("cpm_error_message", "SUCCES"),
    ] {
        assert_eq!(r.field(field), Some(value), "{field}");
    }
    assert!(!r.field("signature").unwrap().is_empty());
    let got = shop.posts();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].verified, Some(Ok(XTokenMatch::Documented)));
    assert_eq!(got[0].check_code.as_deref(), Some("00"));
    assert!(
        got[0].body.starts_with("cpm_site_id="),
        "form body in documented order"
    );
}

#[tokio::test]
async fn duplicates_are_sent_one_after_the_other() {
    let (sandbox, shop, tx) = setup().await;
    let shop = shop.answering_after(Duration::from_millis(100));
    sandbox
        .decide_with(
            &tx,
            cinetpay_sandbox::Decision::Pay {
                operator: Operator::MtnMomo,
                phone: None,
            },
            Scenario::new().copies(3),
        )
        .unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(
        kinds(&sent),
        [
            NotificationKind::Final,
            NotificationKind::Duplicate,
            NotificationKind::Duplicate
        ]
    );
    for pair in sent.windows(2) {
        let gap = pair[1].sent_at - pair[0].sent_at;
        assert!(
            gap >= chrono::Duration::milliseconds(100),
            "sequential: {gap}"
        );
        assert_eq!(pair[0].fields, pair[1].fields, "copies are identical");
        assert_eq!(pair[0].x_token, pair[1].x_token);
    }
    assert_eq!(shop.max_in_flight(), 1);
    assert_eq!(shop.posts().len(), 3);
}

#[tokio::test]
async fn duplicates_can_be_sent_concurrently() {
    let (sandbox, shop, tx) = setup().await;
    let shop = shop.answering_after(Duration::from_millis(300));
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().copies(4).concurrent(true)))
        .unwrap();
    let started = Instant::now();
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(sent.len(), 4);
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "sent at once, not one by one"
    );
    assert_eq!(
        shop.max_in_flight(),
        4,
        "the shop saw all four at the same time"
    );
    assert!(sent.iter().all(|r| r.delivered()));
}

#[tokio::test]
async fn waiting_first_then_the_final_state() {
    let (sandbox, shop, tx) = setup().await;
    sandbox.set_scenario(
        Scenario::new()
            .waiting_first(true)
            .interval(Duration::from_millis(300)),
    );
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    // Until the final step, the check says WAITING.
    assert_eq!(check(&sandbox, &tx).await.1["code"], "662");
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(
        kinds(&sent),
        [NotificationKind::Intermediate, NotificationKind::Final]
    );
    assert_eq!(messages(&sent), ["WAITING_CUSTOMER_PAYMENT", "SUCCES"]);
    let codes: Vec<_> = shop.posts().into_iter().map(|r| r.check_code).collect();
    assert_eq!(codes, [Some("662".to_owned()), Some("00".to_owned())]);
}

#[tokio::test]
async fn refused_first_then_accepted_like_push_operators() {
    let (sandbox, shop, tx) = setup().await;
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().refused_first(true)))
        .unwrap();
    sandbox.pay(&tx, Operator::MtnMomo).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(messages(&sent), ["PAYMENT_FAILED", "SUCCES"]);
    let states: Vec<_> = sent.iter().map(|r| r.state.as_str()).collect();
    assert_eq!(states, ["refused", "accepted"]);
    let codes: Vec<_> = shop.posts().into_iter().map(|r| r.check_code).collect();
    assert_eq!(codes, [Some("600".to_owned()), Some("00".to_owned())]);
    // refused_first has no effect on a refusal.
    let other = fresh_payment(&sandbox, &shop).await;
    sandbox
        .set_payment_scenario(&other, Some(Scenario::new().refused_first(true)))
        .unwrap();
    sandbox.refuse(&other, Operator::MtnMomo).unwrap();
    assert_eq!(
        sandbox
            .wait_notifications(&other, WAIT)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn never_sent_changes_the_state_but_posts_nothing() {
    let (sandbox, shop, tx) = setup().await;
    sandbox.set_scenario(Scenario::new().never_send(true).waiting_first(true));
    sandbox.pay(&tx, Operator::Wave).unwrap();
    assert!(
        sandbox
            .wait_notifications(&tx, WAIT)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(check(&sandbox, &tx).await.1["code"], "00");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(shop.received().is_empty());
}

#[tokio::test]
async fn a_foreign_site_id_is_correctly_signed() {
    let (sandbox, shop, tx) = setup().await;
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().wrong_site_id(true)))
        .unwrap();
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    let site = sent[0].field("cpm_site_id").unwrap();
    assert_ne!(site, sandbox.site_id());
    let got = shop.posts();
    assert_eq!(got[0].notification.as_ref().unwrap().cpm_site_id, site);
    assert_eq!(got[0].verified, Some(Ok(XTokenMatch::Documented)));
}

#[tokio::test]
async fn bad_and_missing_x_tokens() {
    let (sandbox, shop, tx) = setup().await;
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().bad_x_token(true)))
        .unwrap();
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    let token = sent[0].x_token.as_deref().unwrap();
    assert_eq!(token.len(), 64, "well formed, wrong key");
    assert_eq!(shop.posts()[0].verified, Some(Err(XTokenError::Mismatch)));

    let other = fresh_payment(&sandbox, &shop).await;
    sandbox
        .set_payment_scenario(&other, Some(Scenario::new().omit_x_token(true)))
        .unwrap();
    sandbox.refuse(&other, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&other, WAIT).await.unwrap();
    assert_eq!(sent[0].x_token, None);
    assert_eq!(shop.posts()[1].x_token, None);
    assert_eq!(shop.posts()[1].verified, Some(Err(XTokenError::Missing)));
}

#[tokio::test]
async fn an_extra_notification_after_the_final_one() {
    let (sandbox, shop, tx) = setup().await;
    sandbox.set_scenario(
        Scenario::new()
            .extra_after_final(true)
            .interval(Duration::from_millis(50)),
    );
    sandbox.cancel(&tx).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(
        kinds(&sent),
        [NotificationKind::Final, NotificationKind::Extra]
    );
    assert_eq!(
        messages(&sent),
        ["TRANSACTION_CANCEL", "TRANSACTION_CANCEL"]
    );
    assert!(sent[1].sent_at - sent[0].sent_at >= chrono::Duration::milliseconds(50));
    assert_eq!(shop.posts().len(), 2);
}

#[tokio::test]
async fn a_delayed_notification_arrives_after_the_check_already_says_paid() {
    let (sandbox, _shop, tx) = setup().await;
    sandbox.set_scenario(Scenario::new().delay(Duration::from_millis(400)));
    let decided = chrono::Utc::now();
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    assert_eq!(check(&sandbox, &tx).await.1["code"], "00");
    assert!(sandbox.notifications_for(&tx).is_empty());
    // Waiting less than the delay times out, saying what is still running.
    match sandbox
        .wait_notifications(&tx, Duration::from_millis(50))
        .await
    {
        Err(SandboxError::Timeout { pending: 1, .. }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].sent_at - decided >= chrono::Duration::milliseconds(400));
}

#[tokio::test]
async fn pings_are_get_requests_without_data() {
    let (sandbox, shop, tx) = setup().await;
    let ping = sandbox.notify_ping(&tx).await.unwrap();
    assert_eq!(
        (ping.kind, ping.method, ping.status),
        (NotificationKind::Ping, "GET", Some(200))
    );
    assert!(ping.fields.is_empty() && ping.x_token.is_none());
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().ping_first(true)))
        .unwrap();
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(
        kinds(&sent),
        [
            NotificationKind::Ping,
            NotificationKind::Ping,
            NotificationKind::Final
        ]
    );
    let methods: Vec<String> = shop
        .received()
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(methods, ["GET", "GET", "POST"]);
}

#[tokio::test]
async fn notify_again_resends_the_current_state() {
    let (sandbox, shop, tx) = setup().await;
    sandbox.leave_waiting(&tx, Operator::OrangeMoney).unwrap();
    sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    let again = sandbox.notify_again(&tx).await.unwrap();
    assert_eq!(again.kind, NotificationKind::Manual);
    assert_eq!(
        again.field("cpm_error_message"),
        Some("WAITING_CUSTOMER_PAYMENT")
    );
    assert_eq!(shop.posts()[1].verified, Some(Ok(XTokenMatch::Documented)));
    assert!(matches!(
        sandbox.notify_again("nope").await,
        Err(SandboxError::UnknownTransaction(_))
    ));
}

#[tokio::test]
async fn a_newer_decision_stops_the_plan_of_an_older_one() {
    let (sandbox, shop, tx) = setup().await;
    sandbox
        .set_payment_scenario(&tx, Some(Scenario::new().delay(Duration::from_millis(300))))
        .unwrap();
    sandbox.leave_waiting(&tx, Operator::OrangeMoney).unwrap();
    sandbox
        .decide_with(
            &tx,
            cinetpay_sandbox::Decision::Pay {
                operator: Operator::OrangeMoney,
                phone: None,
            },
            Scenario::new(),
        )
        .unwrap();
    let sent = sandbox.wait_notifications(&tx, WAIT).await.unwrap();
    assert_eq!(
        messages(&sent),
        ["SUCCES"],
        "the waiting notification was superseded"
    );
    assert_eq!(shop.posts().len(), 1);
}

#[tokio::test]
async fn delivery_failures_are_recorded() {
    let sandbox = Sandbox::builder()
        .notify_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let shop = Shop::start(sandbox.secret_key()).await;
    // The shop answers 500.
    *shop.status.lock().unwrap() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    let tx = fresh_payment(&sandbox, &shop).await;
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let r = &sandbox.wait_notifications(&tx, WAIT).await.unwrap()[0];
    assert_eq!(
        (r.status, r.body.as_deref(), r.delivered()),
        (Some(500), Some("OK"), false)
    );
    // The shop is too slow.
    let slow = Shop::start(sandbox.secret_key())
        .await
        .answering_after(Duration::from_secs(2));
    let tx = fresh_payment(&sandbox, &slow).await;
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let r = &sandbox.wait_notifications(&tx, WAIT).await.unwrap()[0];
    assert_eq!(r.status, None);
    assert!(
        r.error.as_deref().unwrap().contains("in time"),
        "{:?}",
        r.error
    );
    // Nobody listens.
    let req = cinetpay_core::protocol::PaymentRequest::new(
        cinetpay_core::TransactionId::generate(),
        cinetpay_core::Money::new(
            cinetpay_core::Amount::new(100).unwrap(),
            cinetpay_core::Currency::Xof,
        ),
        cinetpay_core::Description::new("x").unwrap(),
        "http://127.0.0.1:9/notify".parse().unwrap(),
        "http://127.0.0.1:9/return".parse().unwrap(),
    );
    client(&sandbox).init_payment(&req).await.unwrap();
    let tx = req.transaction_id.as_str();
    sandbox.pay(tx, Operator::OrangeMoney).unwrap();
    let r = &sandbox.wait_notifications(tx, WAIT).await.unwrap()[0];
    assert!(
        r.error.as_deref().unwrap().contains("connect"),
        "{:?}",
        r.error
    );
}

#[tokio::test]
async fn shutdown_stops_scheduled_notifications() {
    let (sandbox, shop, tx) = setup().await;
    let controller = sandbox.sandbox();
    sandbox.set_scenario(Scenario::new().delay(Duration::from_secs(30)));
    sandbox.pay(&tx, Operator::OrangeMoney).unwrap();
    let started = Instant::now();
    sandbox.shutdown().await;
    controller.wait_idle(Duration::from_secs(2)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(shop.received().is_empty());
}
