//! Requests the shop must turn away, or acknowledge without acting: a foreign
//! site id, a bad or missing `x-token`, CinetPay's ping, a transaction nobody
//! created, an oversized body.

use cinetpay_core::TransactionId;
use cinetpay_sandbox::Scenario;

use super::{answers, assert_order};
use crate::World;
use crate::world::XToken;
use cinetpay_testing::TestNotification as Notice;

/// A notification arrives and is refused with `expected`: the order stays
/// pending and undelivered, and the shop never asks CinetPay about it.
async fn refused_notification(w: &World, scenario: Scenario, expected: u16) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, scenario);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(expected)]);
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(
        w.checks(&payment),
        0,
        "a refused notification triggers no check"
    );
}

/// A correctly signed notification for another site id: `403`.
pub async fn wrong_site_id(w: &World) {
    refused_notification(w, Scenario::new().wrong_site_id(true), 403).await;
}

/// A notification signed with the wrong key: `401`.
pub async fn bad_x_token(w: &World) {
    refused_notification(w, Scenario::new().bad_x_token(true), 401).await;
}

/// A notification without an `x-token`: `401`.
pub async fn missing_x_token(w: &World) {
    refused_notification(w, Scenario::new().omit_x_token(true), 401).await;
    let (order, payment) = w.new_payment().await;
    let unsigned = Notice::success(w.sandbox().site_id(), &payment.transaction_id)
        .with("cpm_amount", order.amount.to_string());
    let (status, body) = w.post_notice(&unsigned, XToken::Missing).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(w.checks(&payment), 0);
}

/// CinetPay's `GET` ping: `200`, and nothing happens.
pub async fn ping(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    let ping = w.sandbox().notify_ping(tx).await.expect("the ping is sent");
    assert_eq!((ping.method, ping.status), ("GET", Some(200)));
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(w.checks(&payment), 0);
}

/// A correctly signed notification for a transaction the shop never
/// created: `200` (so that CinetPay stops), no check, nothing created.
pub async fn unknown_transaction(w: &World) {
    let id = TransactionId::generate();
    let notice = Notice::success(w.sandbox().site_id(), id.as_str());
    let (status, body) = w.post_notice(&notice, XToken::Signed).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        w.sandbox().checks().is_empty(),
        "no check for an unknown transaction"
    );
    assert!(w.payment(id.as_str()).await.is_none(), "no payment created");
}

/// A body over the limit, on each route: `413`, nothing read, nothing
/// changed, no check, even for a well-signed notification of a paid payment.
pub async fn oversized_body(w: &World) {
    let limit = w.shop.checkout.body_limit();
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().never_send(true));
    let padding = "x".repeat(limit + 1);

    let notice = Notice::success(w.sandbox().site_id(), tx)
        .with("cpm_amount", order.amount.to_string())
        .with("cpm_currency", order.currency.clone())
        .with("padding", padding.clone());
    let (status, _) = w.post_notice(&notice, XToken::Signed).await;
    assert_eq!(status, 413, "oversized notification");

    for route in ["/cinetpay/init", "/cinetpay/return"] {
        let response = w
            .http
            .post(w.url(route))
            .form(&[
                ("order_ref", order.order_ref.as_str()),
                ("transaction_id", tx),
                ("padding", padding.as_str()),
            ])
            .send()
            .await
            .expect("the shop answers");
        assert_eq!(response.status().as_u16(), 413, "oversized POST {route}");
    }
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(w.checks(&payment), 0);
    assert_eq!(w.sandbox().payments().len(), 1, "no second payment");
}
