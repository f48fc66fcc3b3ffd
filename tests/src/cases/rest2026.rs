//! The cases on the 2026 REST API (a [`World`] started with
//! [`SandboxMode::Rest2026`](shop_common::dev::SandboxMode::Rest2026)): the
//! sandbox posts its JSON notifications (`notify_token`,
//! `merchant_transaction_id`, `transaction_id`) to the shop for real. The
//! shop answers `200` once the verified status is stored and delivers in the
//! background, so the cases wait for deliveries; a notification whose token
//! is forged, missing or another payment's is refused with `401`, and asks
//! CinetPay nothing (the sandbox's `status_calls`). The browser comes back
//! through the payment's `success_url` (a `GET`).
//!
//! Also here, [`mixed_accounts`]: the shop as `SHOP_SANDBOX_GENERATION=mixed`
//! runs it, an XOF product paid on the Checkout v2 account and the XAF one on
//! the 2026 account.

use std::time::Duration;

use cinetpay_core::{Generation as PaymentGeneration, TransactionId};
use cinetpay_sandbox::{Generation, Operator, PaymentSnapshot, Scenario};
use serde_json::json;

use super::{answers, assert_attempts, assert_order, order_page};
use crate::World;
use crate::world::OrderJson;

/// The JSON content type of 2026 notifications.
const JSON: &str = "application/json";

/// A new order of the world's product and its 2026 payment page.
async fn new_2026_payment(w: &World) -> (OrderJson, PaymentSnapshot) {
    let (order, payment) = w.new_payment().await;
    assert_eq!(payment.generation, Generation::Rest2026, "a 2026 payment");
    (order, payment)
}

/// Waits until the order is delivered (`accepted`, `deliveries` entries),
/// then a little longer, and asserts no further delivery came.
async fn delivered(w: &World, order_ref: &str, tx: &str) -> OrderJson {
    w.wait_order(order_ref, |o| !o.deliveries.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let order = w.order(order_ref).await;
    assert_order(&order, "accepted", 1, tx);
    order
}

/// The payment's notify token, as the sandbox holds it.
fn notify_token(payment: &PaymentSnapshot) -> String {
    payment
        .rest
        .as_ref()
        .expect("a 2026 payment has its 2026 details")
        .notify_token
        .clone()
}

/// CinetPay's own id of the payment.
fn cinetpay_id(payment: &PaymentSnapshot) -> String {
    payment
        .rest
        .as_ref()
        .expect("a 2026 payment has its 2026 details")
        .transaction_id
        .clone()
}

/// The customer pays: one JSON notification, answered `200`; one status
/// call; the order is delivered once, in the background; the browser's
/// return through `success_url` lands on the order page and costs no
/// further call.
pub async fn success(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let tx = payment.transaction_id.as_str();
    let stored = w.payment(tx).await.expect("the payment is stored");
    assert_eq!(stored.generation, PaymentGeneration::Rest2026);
    assert!(stored.notify_token.is_some(), "the notify token is kept");
    assert_eq!(
        stored.cinetpay_id.as_deref(),
        Some(cinetpay_id(&payment).as_str())
    );

    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(
        answers(&sent),
        [Some(200)],
        "one notification, answered 200"
    );
    assert!(
        sent[0].json.is_some() && sent[0].x_token.is_none(),
        "a JSON notification"
    );
    delivered(w, &order.order_ref, tx).await;
    assert_eq!(
        w.checks(&payment),
        1,
        "one status call for one notification"
    );
    assert_attempts(w, tx, 1).await;

    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    let (html, json) = w.follow(&location).await;
    assert!(
        html.contains(r#"id="payment-status" class="status accepted""#),
        "the order page shows the payment accepted: {html}"
    );
    assert_order(&json, "accepted", 1, tx);
    assert_eq!(
        w.checks(&payment),
        1,
        "a delivered payment is not checked again"
    );
}

/// The operator refuses: `refused`, nothing delivered, the return (through
/// the same URL: `failed_url` is `success_url`) says so.
pub async fn refused(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let tx = payment.transaction_id.as_str();
    w.sandbox()
        .refuse(tx, Operator::OrangeMoney)
        .expect("the sandbox refuses");
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)], "the refusal is acknowledged");
    assert_order(&w.order(&order.order_ref).await, "refused", 0, tx);
    assert_eq!(w.checks(&payment), 1);
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "refused", tx));
}

/// The browser comes back before CinetPay notifies: the return alone asks
/// and delivers; the late notification is acknowledged and changes nothing.
pub async fn return_before_notification(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().never_send(true));
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), 1);

    let late = w
        .sandbox()
        .notify_again(tx)
        .await
        .expect("the late notification is sent");
    assert_eq!(
        late.status,
        Some(200),
        "the late notification is acknowledged"
    );
    delivered(w, &order.order_ref, tx).await;
    assert_eq!(
        w.checks(&payment),
        1,
        "a delivered payment is not asked about again"
    );
    assert_attempts(w, tx, 1).await;
}

/// CinetPay posts the notification 10 times at once: every copy is
/// acknowledged, the order is delivered exactly once.
pub async fn duplicate_notifications(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().copies(10).concurrent(true));
    let sent = w.notifications(&payment).await;
    assert_eq!(
        answers(&sent),
        [Some(200); 10],
        "every copy is acknowledged"
    );
    delivered(w, &order.order_ref, tx).await;
    let checks = w.checks(&payment);
    assert!(
        (1..=10).contains(&checks),
        "at most one status call per copy, got {checks}"
    );
    // And once more, one after the other.
    for _ in 0..3 {
        let again = w.sandbox().notify_again(tx).await.expect("sent");
        assert_eq!(again.status, Some(200));
    }
    delivered(w, &order.order_ref, tx).await;
    assert_attempts(w, tx, 1).await;
}

/// A notification is refused with `401`: the order stays pending and
/// undelivered, and the shop asks CinetPay nothing.
async fn refused_notification(w: &World, scenario: Scenario) -> (OrderJson, PaymentSnapshot) {
    let (order, payment) = new_2026_payment(w).await;
    w.pay_with(&payment, scenario);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(401)], "{:?}", sent[0].body);
    unchanged(w, &order, &payment).await;
    (order, payment)
}

/// Nothing changed: the order pending and undelivered, no status call, the
/// stored payment pending.
async fn unchanged(w: &World, order: &OrderJson, payment: &PaymentSnapshot) {
    let tx = payment.transaction_id.as_str();
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(
        w.checks(payment),
        0,
        "a refused notification asks CinetPay nothing"
    );
    let stored = w.payment(tx).await.expect("the payment is stored");
    assert_eq!(stored.status.as_str(), "pending", "{stored:?}");
    assert_eq!(stored.fulfilment.attempts, 0);
}

/// A notification whose `notify_token` is forged: `401`, nothing changed.
pub async fn forged_notify_token(w: &World) {
    let (order, payment) = refused_notification(w, Scenario::new().bad_notify_token(true)).await;
    let body = json!({
        "notify_token": "A".repeat(notify_token(&payment).len()),
        "merchant_transaction_id": payment.transaction_id,
        "transaction_id": cinetpay_id(&payment),
    });
    let (status, text) = w.post_notify_as(JSON, body.to_string()).await;
    assert_eq!(status, 401, "{text}");
    unchanged(w, &order, &payment).await;
}

/// A notification without a `notify_token` (or an empty one): `401`.
pub async fn missing_notify_token(w: &World) {
    let (order, payment) = refused_notification(w, Scenario::new().omit_notify_token(true)).await;
    for body in [
        json!({"merchant_transaction_id": payment.transaction_id, "transaction_id": cinetpay_id(&payment)}),
        json!({"notify_token": "", "merchant_transaction_id": payment.transaction_id}),
    ] {
        let (status, text) = w.post_notify_as(JSON, body.to_string()).await;
        assert_eq!(status, 401, "{body}: {text}");
    }
    unchanged(w, &order, &payment).await;
}

/// A notification about one payment carrying another payment's (genuine)
/// token: `401`, neither payment changes.
pub async fn token_of_another_payment(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let (other_order, other) = new_2026_payment(w).await;
    w.pay_with(&payment, Scenario::new().never_send(true));
    w.pay_with(&other, Scenario::new().never_send(true));
    let body = json!({
        "notify_token": notify_token(&other),
        "merchant_transaction_id": payment.transaction_id,
        "transaction_id": cinetpay_id(&payment),
    });
    let (status, text) = w.post_notify_as(JSON, body.to_string()).await;
    assert_eq!(status, 401, "{text}");
    unchanged(w, &order, &payment).await;
    unchanged(w, &other_order, &other).await;
}

/// CinetPay's `GET` ping on the 2026 notify URL: `200`, nothing happens.
pub async fn ping(w: &World) {
    let (order, payment) = new_2026_payment(w).await;
    let ping = w
        .sandbox()
        .notify_ping(&payment.transaction_id)
        .await
        .expect("the ping is sent");
    assert_eq!((ping.method, ping.status), ("GET", Some(200)));
    unchanged(w, &order, &payment).await;
}

/// A notification about a transaction the shop never created: `200` (so that
/// CinetPay stops), no status call, nothing created.
pub async fn unknown_transaction(w: &World) {
    let id = TransactionId::generate();
    let body = json!({
        "notify_token": "0123456789abcdef0123456789abcdef",
        "merchant_transaction_id": id.as_str(),
        "transaction_id": "0123456789",
    });
    let (status, text) = w.post_notify_as(JSON, body.to_string()).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        w.sandbox().rest_counters().status_calls,
        0,
        "no status call"
    );
    assert!(w.payment(id.as_str()).await.is_none(), "no payment created");
}

/// The shop with `SHOP_SANDBOX_GENERATION=mixed`'s accounts: an XOF product
/// is paid on the Checkout v2 account `ci` (a signed form notification, one
/// `/v2/payment/check`), the XAF product on the 2026 account `cm` (a JSON
/// notification, one status call); each is delivered once.
pub async fn mixed_accounts(w: &World) {
    let xof = w.new_order(crate::world::PRODUCT).await;
    let xaf = w.new_order("ndole").await;
    assert_eq!(
        (xof.currency.as_str(), xaf.currency.as_str()),
        ("XOF", "XAF")
    );
    let p_xof = w.open_payment_page(&xof.order_ref).await;
    let p_xaf = w.open_payment_page(&xaf.order_ref).await;
    assert_eq!(p_xof.generation, Generation::V2, "XOF on the v2 account");
    assert_eq!(
        p_xaf.generation,
        Generation::Rest2026,
        "XAF on the 2026 account"
    );
    let stored_xof = w.payment(&p_xof.transaction_id).await.expect("stored");
    let stored_xaf = w.payment(&p_xaf.transaction_id).await.expect("stored");
    assert_eq!(stored_xof.account.as_str(), "ci");
    assert_eq!(stored_xaf.account.as_str(), "cm");

    w.pay(&p_xof);
    w.sandbox()
        .pay(&p_xaf.transaction_id, Operator::MtnMomo)
        .expect("the sandbox takes the XAF payment");
    let sent_xof = w.notifications(&p_xof).await;
    let sent_xaf = w.notifications(&p_xaf).await;
    assert_eq!(answers(&sent_xof), [Some(200)]);
    assert_eq!(answers(&sent_xaf), [Some(200)]);
    assert!(sent_xof[0].x_token.is_some() && sent_xaf[0].json.is_some());
    delivered(w, &xof.order_ref, &p_xof.transaction_id).await;
    delivered(w, &xaf.order_ref, &p_xaf.transaction_id).await;
    assert_eq!(w.checks(&p_xof), 1, "one v2 check");
    assert_eq!(w.checks(&p_xaf), 1, "one 2026 status call");
    assert_attempts(w, &p_xof.transaction_id, 1).await;
    assert_attempts(w, &p_xaf.transaction_id, 1).await;
}
