//! CinetPay's check reports a success for other money than the order's:
//! never delivered, the payment needs attention.

use cinetpay_sandbox::CheckFaults;

use super::{answers, assert_order, order_page};
use crate::World;

async fn tampered(w: &World, faults: CheckFaults) {
    let (order, payment) = w.new_payment().await;
    let tx = payment.transaction_id.as_str();
    w.sandbox()
        .set_payment_check_faults(tx, Some(faults))
        .expect("the payment exists at the sandbox");
    w.pay(&payment);
    let sent = w.notifications(&payment).await;
    assert_eq!(answers(&sent), [Some(200)], "the notification is processed");
    assert_order(&w.order(&order.order_ref).await, "needs_attention", 0, tx);
    assert_eq!(w.checks(&payment), 1);
    let stored = w.payment(tx).await.expect("the payment is stored");
    assert!(
        stored.status_reason.is_some(),
        "the payment says why it needs attention: {stored:?}"
    );

    // Neither the return nor reconciliation delivers it, or asks again.
    let location = w.browser_return(&payment).await;
    assert_eq!(
        location,
        order_page(&order.order_ref, "needs_attention", tx)
    );
    let report = w.reconcile().await;
    assert_eq!(report.fulfilled, 0, "{report:?}");
    let again = w.sandbox().notify_again(tx).await.expect("notified again");
    assert_eq!(again.status, Some(200));
    assert_order(&w.order(&order.order_ref).await, "needs_attention", 0, tx);
    assert_eq!(
        w.checks(&payment),
        1,
        "a payment left for a human is not checked again"
    );
}

/// The check reports `100` instead of the order's `1000`.
pub async fn amount_tampered_at_check(w: &World) {
    tampered(w, CheckFaults::new().report_amount(100)).await;
}

/// The check reports `XAF` instead of the order's `XOF`.
pub async fn currency_tampered_at_check(w: &World) {
    tampered(w, CheckFaults::new().report_currency("XAF")).await;
}
