//! The sandbox's own signer against the published test vector, and against
//! the core's verifier on real notifications.

use super::common::*;
use cinetpay_core::SecretKey;
use cinetpay_core::protocol::{NOTIFICATION_FIELDS, Notification, XTokenMatch, verify_x_token};
use cinetpay_sandbox::{Operator, SIGNED_FIELDS, x_token};

const VECTOR_VALUES: [&str; 16] = [
    "123456",
    "ORDER-0001",
    "2024-01-15 10:30:00",
    "1000",
    "XOF",
    "abc123",
    "OM",
    "0700000000",
    "225",
    "fr",
    "V4",
    "Single",
    "Payment",
    "",
    "Test order",
    "SUCCES",
];
const VECTOR_DIGEST: &str = "580b5b6e5bb0c86ff590f1bfee4093ff2d47cb8aa6d4eaf9569147a4592e32e6";

#[test]
fn signer_matches_the_published_test_vector() {
    assert_eq!(x_token("test-secret-key", &VECTOR_VALUES), VECTOR_DIGEST);
    // The message is the plain concatenation, documented in docs/checkout-v2.md §3.3.
    assert_eq!(
        VECTOR_VALUES.concat(),
        "123456ORDER-00012024-01-15 10:30:001000XOFabc123OM0700000000225frV4SinglePaymentTest orderSUCCES"
    );
    // Any change of key or value changes the token.
    assert_ne!(x_token("test-secret-key2", &VECTOR_VALUES), VECTOR_DIGEST);
    let mut other = VECTOR_VALUES;
    other[3] = "1005";
    assert_ne!(x_token("test-secret-key", &other), VECTOR_DIGEST);
}

#[test]
fn signed_fields_are_the_documented_sixteen_in_order() {
    assert_eq!(SIGNED_FIELDS, NOTIFICATION_FIELDS);
}

#[test]
fn the_core_verifier_accepts_the_vector_signed_by_the_sandbox() {
    let n = Notification::from_pairs(
        SIGNED_FIELDS
            .iter()
            .zip(VECTOR_VALUES)
            .map(|(k, v)| ((*k).to_owned(), v.to_owned())),
    )
    .expect("notification");
    let key = SecretKey::new("test-secret-key").expect("key");
    let token = x_token("test-secret-key", &VECTOR_VALUES);
    assert_eq!(
        verify_x_token(&key, &n, Some(&token)),
        Ok(XTokenMatch::Documented)
    );
}

#[tokio::test]
async fn every_notification_is_signed_with_the_site_secret_key() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    let client = client(&sandbox);
    let req = request(&shop, 2500).metadata("order-42");
    client.init_payment(&req).await.expect("init");
    let tx = req.transaction_id.as_str();
    sandbox.pay(tx, Operator::MtnMomo).expect("pay");
    let sent = sandbox.wait_notifications(tx, WAIT).await.expect("wait");
    let record = &sent[0];
    let values: Vec<&str> = SIGNED_FIELDS
        .iter()
        .map(|f| record.field(f).expect("every documented field is posted"))
        .collect();
    assert_eq!(
        record.x_token.as_deref(),
        Some(x_token(sandbox.secret_key(), &values).as_str())
    );
    let got = shop.posts();
    assert_eq!(got[0].verified, Some(Ok(XTokenMatch::Documented)));
    assert_eq!(
        got[0].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
}
