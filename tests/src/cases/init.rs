//! The Pay button: a double click makes one payment.

use cinetpay_core::OrderRef;
use reqwest::StatusCode;
use reqwest::header::ACCEPT;

use super::{answers, assert_order};
use crate::World;
use crate::world::location;

/// Two concurrent clicks on Pay, then two more one after the other: one
/// payment at CinetPay, and every click gets the same page (a click that races
/// the payment's creation waits for its page rather than seeing an error); a
/// JSON client is told the payment was reused.
pub async fn double_click_on_pay(w: &World) {
    let order = w.new_order(crate::world::PRODUCT).await;
    let order_ref = order.order_ref.as_str();
    let (first, second) = tokio::join!(w.click_pay(order_ref), w.click_pay(order_ref));
    let mut pages = Vec::new();
    for response in [first, second] {
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "both concurrent clicks are sent to the payment page"
        );
        pages.push(location(&response));
    }
    for _ in 0..2 {
        let response = w.click_pay(order_ref).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "a later click");
        pages.push(location(&response));
    }
    assert!(
        pages.iter().all(|p| *p == pages[0]),
        "every click is sent to the same page: {pages:?}"
    );

    let json: serde_json::Value = w
        .http
        .post(w.url("/cinetpay/init"))
        .header(ACCEPT, "application/json")
        .form(&[("order_ref", order_ref)])
        .send()
        .await
        .expect("init answers")
        .json()
        .await
        .expect("init answers JSON");
    assert_eq!(json["payment_url"], pages[0].as_str(), "{json}");
    assert_eq!(json["reused"], true, "{json}");

    let at_sandbox: Vec<_> = w
        .sandbox()
        .payments()
        .into_iter()
        .filter(|p| p.metadata.as_deref() == Some(order_ref))
        .collect();
    assert_eq!(at_sandbox.len(), 1, "one payment at CinetPay");
    let payment = &at_sandbox[0];
    assert_eq!(json["transaction_id"], payment.transaction_id.as_str());
    let reference = OrderRef::new(order_ref).expect("a valid order ref");
    let stored = w
        .shop
        .payments
        .payments_for_order(&reference, 10)
        .await
        .expect("the store answers");
    assert_eq!(stored.len(), 1, "one payment in the shop's store");

    w.pay(payment);
    let sent = w.notifications(payment).await;
    assert_eq!(answers(&sent), [Some(200)]);
    assert_order(
        &w.order(order_ref).await,
        "accepted",
        1,
        &payment.transaction_id,
    );
}
