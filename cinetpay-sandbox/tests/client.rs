//! Init, check, headless pay and a signed notification, end to end.

mod common;

use cinetpay_sandbox::{NotificationKind, Operator};
use common::*;

#[tokio::test]
async fn init_pay_notify_check() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    let client = client(&sandbox);
    let req = request(&shop, 1000);
    let tx = req.transaction_id.as_str().to_owned();
    let init = client.init_payment(&req).await.expect("init");
    assert!(init.payment_url.starts_with(sandbox.url().as_str()));

    let before = client
        .check_payment(&req.transaction_id)
        .await
        .expect("check");
    assert_eq!(before.code, "662");

    sandbox.pay(&tx, Operator::OrangeMoney).expect("pay");
    let sent = sandbox.wait_notifications(&tx, WAIT).await.expect("wait");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, NotificationKind::Final);
    assert_eq!(sent[0].status, Some(200));
    let got = shop.posts();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].verified,
        Some(Ok(cinetpay_core::protocol::XTokenMatch::Documented))
    );

    let after = client
        .check_payment(&req.transaction_id)
        .await
        .expect("check");
    assert_eq!(after.code, "00");
    let data = after.data.expect("data");
    assert_eq!(data.status.as_deref(), Some("ACCEPTED"));
    assert_eq!(data.amount.as_deref(), Some("1000"));
    assert_eq!(data.payment_method.as_deref(), Some("OM"));
}
