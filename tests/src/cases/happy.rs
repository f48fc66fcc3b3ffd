//! The flows a customer goes through: paid, refused, cancelled, back before
//! CinetPay's notification, a notification that never comes, and push
//! operators that report a waiting or a refused state before the acceptance.

use cinetpay_sandbox::{Operator, Scenario};

use super::{answers, assert_attempts, assert_order, order_page};
use crate::World;

/// The customer pays: one notification, answered `200`; one check; the order
/// is accepted and delivered once; the browser's return lands on the order
/// page with the status, and costs no further check.
pub async fn success(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    let before = w.order(&order.order_ref).await;
    assert_order(&before, "pending", 0, tx);

    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(
        answers(&sent),
        [Some(200)],
        "one notification, answered 200"
    );
    assert_eq!(sent[0].state, "accepted");
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), 1, "one check for one notification");
    assert_attempts(w, tx, 1).await;

    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    let (html, json) = w.follow(&location).await;
    assert!(
        html.contains(r#"id="payment-status" class="status accepted""#),
        "the order page shows the payment accepted: {html}"
    );
    assert!(
        !html.contains(r#"id="pay""#),
        "no Pay button on a paid order"
    );
    assert_order(&json, "accepted", 1, tx);
    assert_eq!(
        w.checks(&payment),
        1,
        "a delivered payment is not checked again"
    );
}

/// The operator refuses: the order shows `refused`, nothing is delivered, the
/// return says so, and the customer can try again with a new payment.
pub async fn refused(w: &World) {
    let (order, payment) = w.new_payment().await;
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
    let (html, _) = w.follow(&location).await;
    assert!(
        html.contains(r#"id="pay""#),
        "the Pay button is offered again"
    );

    let again = w.open_payment_page(&order.order_ref).await;
    assert_ne!(
        again.transaction_id, payment.transaction_id,
        "a refused payment is not reused: the retry gets a new payment"
    );
}

/// The customer cancels on the payment page: `cancelled`, nothing delivered.
pub async fn cancelled(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.sandbox().cancel(tx).expect("the sandbox cancels");
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "cancelled", 0, tx);
    assert_eq!(w.checks(&payment), 1);
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "cancelled", tx));
}

/// The browser comes back before CinetPay notifies: the return alone checks
/// and delivers; the notification that arrives later changes nothing and
/// costs no check.
pub async fn return_before_notification(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().never_send(true));

    let location = w.browser_return(&payment).await;
    assert!(
        w.sandbox().notifications_for(tx).is_empty(),
        "no notification before the return"
    );
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    let (_, json) = w.follow(&location).await;
    assert_order(&json, "accepted", 1, tx);
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
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(
        w.checks(&payment),
        1,
        "a delivered payment is not checked again"
    );
    assert_attempts(w, tx, 1).await;
}

/// CinetPay never notifies: the browser's return alone delivers the order.
pub async fn notification_never_sent(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().never_send(true));
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    w.sandbox()
        .wait_idle(crate::world::PATIENCE)
        .await
        .expect("the sandbox is idle");
    assert!(w.sandbox().notifications_for(tx).is_empty());
    assert_eq!(w.checks(&payment), 1);
}

/// A push operator notifies `WAITING` first: the order stays pending and
/// undelivered; the acceptance that follows delivers it once.
pub async fn waiting_then_accepted(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.sandbox()
        .leave_waiting(tx, Operator::OrangeMoney)
        .expect("the payment waits");
    let sent = w.notifications(&payment).await;
    assert_eq!(
        answers(&sent),
        [Some(200)],
        "the waiting state is acknowledged"
    );
    assert_eq!(sent[0].state, "waiting");
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(w.checks(&payment), 1);

    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200), Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), 2);
    assert_attempts(w, tx, 1).await;
}

/// A push operator notifies a refusal first, then the acceptance: a refused
/// payment may still become accepted, and is then delivered once.
pub async fn refused_then_accepted(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.sandbox()
        .refuse(tx, Operator::OrangeMoney)
        .expect("the sandbox refuses");
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "refused", 0, tx);

    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200), Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), 2);
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    assert_attempts(w, tx, 1).await;
}
