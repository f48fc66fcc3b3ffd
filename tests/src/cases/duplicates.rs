//! The same news, many times: concurrent duplicate notifications, and a
//! late, contradictory one.

use cinetpay_sandbox::{NotificationKind, Scenario};

use super::{answers, assert_attempts, assert_order, order_page};
use crate::World;
use crate::world::XToken;
use cinetpay_testing::TestNotification as Notice;

/// CinetPay posts the final notification 10 times at once: every copy is
/// acknowledged, and the order is delivered exactly once.
pub async fn concurrent_duplicate_notifications(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay_with(&payment, Scenario::new().copies(10).concurrent(true));
    let sent = w.notifications(&payment).await;
    assert_eq!(sent.len(), 10, "ten notifications sent");
    assert_eq!(
        sent.iter()
            .filter(|r| r.kind == NotificationKind::Final)
            .count(),
        1
    );
    assert_eq!(
        answers(&sent),
        [Some(200); 10],
        "every copy is acknowledged"
    );
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    let checks = w.checks(&payment);
    assert!(
        (1..=10).contains(&checks),
        "at most one check per notification, got {checks}"
    );
    assert_attempts(w, tx, 1).await;
}

/// After the acceptance, a correctly signed notification claims the payment
/// failed: it is acknowledged, the order stays accepted and delivered once,
/// and the shop does not even check (a notification is a trigger only, and
/// an accepted payment never changes).
pub async fn accepted_then_late_refused(w: &World) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)]);
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);

    let late =
        Notice::from_fields(sent[0].fields.clone()).with("cpm_error_message", "PAYMENT_FAILED");
    let (status, body) = w.post_notice(&late, XToken::Signed).await;
    assert_eq!(status, 200, "the late refusal is acknowledged: {body}");
    assert_order(&w.order(&order.order_ref).await, "accepted", 1, tx);
    assert_eq!(w.checks(&payment), 1, "no check for a delivered payment");
    let location = w.browser_return(&payment).await;
    assert_eq!(location, order_page(&order.order_ref, "accepted", tx));
    assert_attempts(w, tx, 1).await;
}
