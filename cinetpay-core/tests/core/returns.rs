//! `{prefix}/return`: the customer's browser comes back; the engine syncs like
//! notify and sends it to the merchant's configured page, never elsewhere.
#![allow(clippy::unwrap_used)]

use super::common::*;
use bytes::Bytes;
use cinetpay_core::{DeliverySource, PaymentStatus};
use http::{Request, StatusCode};

#[tokio::test]
async fn return_before_notify_fulfils_and_the_late_notify_does_nothing_more() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h
        .handle(get(&format!(
            "/cinetpay/return?transaction_id={id}&token=tok-{id}"
        )))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/orders/ord-1?payment=accepted&transaction_id={id}")
    );
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    assert_eq!(h.shop.calls(), 1);
    assert_eq!(h.check_calls().await, 1);
    // The late notification found the payment delivered: counted, not logged.
    let log = h.log().await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].source, DeliverySource::Return);
}

#[tokio::test]
async fn a_posted_return_alone_fulfils_when_no_notification_ever_comes() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h
        .handle(post_form(
            "/cinetpay/return",
            &format!("transaction_id={id}&token=tok-{id}"),
        ))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("payment=accepted"));
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Accepted);
    assert!(p.is_fulfilled());
}

#[tokio::test]
async fn a_post_without_the_field_in_its_body_may_carry_it_in_the_query() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _w = h.check_answers(&id, waiting()).await;
    let r = h
        .handle(post_form(
            &format!("/cinetpay/return?transaction_id={id}"),
            "",
        ))
        .await;
    assert_eq!(
        location(&r),
        format!("/orders/ord-1?payment=pending&transaction_id={id}")
    );
}

#[tokio::test]
async fn a_failing_check_still_redirects_with_the_status_known_so_far() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _down = h.check_fails(503).await;
    let r = h
        .handle(get(&format!("/cinetpay/return?transaction_id={id}")))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/orders/ord-1?payment=pending&transaction_id={id}")
    );

    // Even with the store down too, the customer gets a page, not an error.
    h.store.set_unavailable(true);
    let r = h
        .handle(get(&format!("/cinetpay/return?transaction_id={id}")))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
}

#[tokio::test]
async fn refused_and_pending_payments_redirect_with_their_status() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _w = h.check_answers(&id, waiting()).await;
        let r = h
            .handle(post_form(
                "/cinetpay/return",
                &format!("transaction_id={id}"),
            ))
            .await;
        assert!(location(&r).contains("payment=pending"));
    }
    let _r = h.check_answers(&id, refused()).await;
    let r = h
        .handle(post_form(
            "/cinetpay/return",
            &format!("transaction_id={id}"),
        ))
        .await;
    assert!(location(&r).contains("payment=refused"), "{}", location(&r));
}

#[tokio::test]
async fn unknown_missing_or_malformed_ids_go_to_the_fallback() {
    let h = Harness::new().await;
    for uri in [
        "/cinetpay/return",
        "/cinetpay/return?transaction_id=",
        "/cinetpay/return?transaction_id=..%2F..%2Fetc",
        "/cinetpay/return?transaction_id=cp-unknown",
    ] {
        let r = h.handle(get(uri)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(location(&r), "/", "{uri}");
    }
    let weird = Request::post("/cinetpay/return")
        .header("content-type", "multipart/form-data; boundary=x")
        .body(Bytes::from_static(b"--x--"))
        .unwrap();
    assert_eq!(location(&h.handle(weird).await), "/");
    assert_eq!(h.check_calls().await, 0);
}

#[tokio::test]
async fn the_redirect_never_comes_from_the_request() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h
        .handle(get(&format!(
            "/cinetpay/return?transaction_id={id}&return_url=https://evil.example&next=//evil.example&redirect=https://evil.example"
        )))
        .await;
    let to = location(&r);
    assert!(to.starts_with("/orders/ord-1?"), "{to}");
    assert!(!to.contains("evil"));
}

#[tokio::test]
async fn the_template_is_the_merchants_and_values_are_encoded() {
    let h = Harness::with(Options {
        return_to: Some(
            "https://shop.example/commandes/{order_ref}/paiement?etat={status}&tx={transaction_id}",
        ),
        ..Options::default()
    })
    .await;
    let id = h.start("ord 7/é&x").await;
    let _w = h.check_answers(&id, waiting()).await;
    let r = h
        .handle(get(&format!("/cinetpay/return?transaction_id={id}")))
        .await;
    assert_eq!(
        location(&r),
        format!(
            "https://shop.example/commandes/ord%207%2F%C3%A9%26x/paiement?etat=pending&tx={id}"
        )
    );
}

#[tokio::test]
async fn other_methods_are_405() {
    let h = Harness::new().await;
    let put = Request::put("/cinetpay/return").body(Bytes::new()).unwrap();
    let r = h.handle(put).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, POST");
}
