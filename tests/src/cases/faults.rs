//! Things that fail for a while: CinetPay's check API and the shop's own
//! fulfiller. Nothing is lost, and nothing is delivered twice.

use cinetpay_sandbox::CheckFaults;

use super::{answers, assert_attempts, assert_order, order_page};
use crate::World;
use crate::world::CHECK_RETRIES;

/// The check API answers `500` twice: the client's retries get through, the
/// notification is acknowledged, the order is delivered once.
pub async fn check_fails_twice_then_recovers(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.sandbox()
        .set_payment_check_faults(tx, Some(CheckFaults::new().fail_next(2)))
        .expect("the payment exists at the sandbox");
    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    let checks: Vec<u16> = w
        .sandbox()
        .checks_for(tx)
        .iter()
        .map(|c| c.http_status)
        .collect();
    assert_eq!(checks, [500, 500, 200], "two failures, then the answer");
    assert_attempts(w, tx, 1).await;
}

/// The check API stays down through every retry: the notification gets
/// `503` and nothing changes; CinetPay's next notification delivers the order.
pub async fn check_down_then_next_notification(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    let tries = CHECK_RETRIES + 1;
    w.sandbox()
        .set_payment_check_faults(tx, Some(CheckFaults::new().fail_next(tries)))
        .expect("the payment exists at the sandbox");
    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(503)], "retry later");
    assert_order(&w.order(&order.order_ref).await, "pending", 0, tx);
    assert_eq!(w.checks(&payment), tries as usize);

    let next = w.sandbox().notify_again(tx).await.expect("notified again");
    assert_eq!(next.status, Some(200));
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), tries as usize + 1);
    assert_attempts(w, tx, 1).await;
}

/// The shop's fulfiller fails twice: the notification gets `500`; the next
/// notification retries (and fails again); reconciliation delivers on the
/// third attempt; after that, nothing runs the fulfiller again.
pub async fn fulfiller_fails_twice_then_succeeds(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.shop.fail_deliveries(&order.order_ref, 2);
    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(
        answers(&sent),
        [Some(500)],
        "delivery failed: CinetPay should retry"
    );
    assert_order(&w.order(&order.order_ref).await, "accepted", 0, tx);
    assert_attempts(w, tx, 1).await;

    w.wait_until_due(tx).await;
    let next = w.sandbox().notify_again(tx).await.expect("notified again");
    assert_eq!(next.status, Some(500), "the second attempt fails too");
    assert_order(&w.order(&order.order_ref).await, "accepted", 0, tx);
    assert_attempts(w, tx, 2).await;

    w.wait_until_due(tx).await;
    let report = w.reconcile().await;
    assert_eq!((report.due, report.fulfilled), (1, 1), "{report:?}");
    let delivered = w.order(&order.order_ref).await;
    assert_order(&delivered, "accepted", 1, tx);
    assert_eq!(
        delivered.deliveries[0].attempt, 3,
        "delivered by the third attempt"
    );

    // Nothing runs the fulfiller a fourth time.
    let report = w.reconcile().await;
    assert_eq!((report.due, report.fulfilled), (0, 0), "{report:?}");
    let late = w.sandbox().notify_again(tx).await.expect("notified again");
    assert_eq!(late.status, Some(200));
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_attempts(w, tx, 3).await;
    assert_eq!(w.checks(&payment), 1, "an accepted payment is checked once");
}
