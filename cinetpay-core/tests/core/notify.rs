//! `{prefix}/notify`: the ping, every refusal (and that it makes no call to
//! CinetPay and changes nothing), and the answers of the sync path.
#![allow(clippy::unwrap_used)]

use super::common::*;
use bytes::Bytes;
use cinetpay_core::{DeliverySource, PaymentStatus};
use http::{Request, StatusCode};

#[tokio::test]
async fn get_and_head_are_pings_and_other_methods_are_405() {
    let h = Harness::new().await;
    let r = h.handle(get("/cinetpay/notify")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let head = Request::head("/cinetpay/notify")
        .body(Bytes::new())
        .unwrap();
    let r = h.handle(head).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.body().is_empty());
    let put = Request::put("/cinetpay/notify").body(Bytes::new()).unwrap();
    let r = h.handle(put).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["allow"], "GET, HEAD, POST");
    assert_eq!(h.check_calls().await, 0);
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn a_verified_notification_fulfils_once_and_duplicates_take_the_fast_path() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;

    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", body_text(&r));
    assert_eq!(h.shop.calls(), 1);
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Accepted);
    assert!(p.is_fulfilled());
    assert_eq!(
        p.check.as_ref().unwrap().operator_id.as_deref(),
        Some("MP220915.2257.A76307")
    );
    assert_eq!(h.check_calls().await, 1);

    // Duplicates: 200, no second check, no second fulfil.
    for _ in 0..3 {
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    }
    assert_eq!(h.check_calls().await, 1);
    assert_eq!(h.shop.calls(), 1);
    // The duplicates are counted, not logged: the log holds the delivery.
    let log = h.log().await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log.iter().all(|d| d.source == DeliverySource::Notify));
    assert!(
        log[0].outcome.contains("pending -> accepted"),
        "{}",
        log[0].outcome
    );
    assert!(
        log[0].outcome.contains("fulfilled (attempt 1)"),
        "{}",
        log[0].outcome
    );
}

#[tokio::test]
async fn a_json_notification_is_accepted_too() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let n = notification(id.as_str(), SITE_ID);
    let json: serde_json::Map<String, serde_json::Value> = n
        .received()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect();
    let request = Request::post("/cinetpay/notify")
        .header("content-type", "application/json")
        .header("x-token", signed(&n))
        .body(Bytes::from(serde_json::to_vec(&json).unwrap()))
        .unwrap();
    let r = h.handle(request).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", body_text(&r));
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn missing_or_wrong_x_token_is_401_with_no_check_and_no_change() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let n = notification(id.as_str(), SITE_ID);

    let r = h.handle(notify_request(&n, None)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_text(&r), "x-token is missing or wrong");

    let wrong = "0".repeat(64);
    let r = h.handle(notify_request(&n, Some(&wrong))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = h.handle(notify_request(&n, Some("not-hex"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A valid token for other field values (a tampered amount) is refused too.
    let tampered = notification_with(id.as_str(), SITE_ID, &[("cpm_amount", "5")]);
    let r = h.handle(notify_request(&tampered, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(
        h.check_calls().await,
        0,
        "a refused notification must not reach CinetPay"
    );
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    assert_eq!(h.shop.calls(), 0);
    // Forged notifications cost nothing durable: counted in the logs only.
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn without_a_secret_key_the_x_token_is_not_required() {
    let h = Harness::with(Options {
        secret: false,
        ..Options::default()
    })
    .await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h
        .handle(notify_request(&notification(id.as_str(), SITE_ID), None))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn a_foreign_site_id_is_403_with_no_check() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let n = notification(id.as_str(), "999999");
    let r = h.handle(notify_request(&n, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(h.check_calls().await, 0);
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    assert_eq!(h.shop.calls(), 0);
}

#[tokio::test]
async fn malformed_bodies_are_400_with_a_clear_message_and_no_check() {
    let h = Harness::new().await;
    // Fixed texts: what is wrong goes to the log, counted.
    let cases: Vec<(Option<&str>, &[u8], &str)> = vec![
        (
            Some("application/x-www-form-urlencoded"),
            b"cpm_trans_id=cp-1",
            "malformed notification",
        ),
        (
            Some("application/json"),
            b"{not json",
            "malformed notification",
        ),
        (Some("application/json"), b"[1,2]", "malformed notification"),
        (Some("text/xml"), b"<a/>", "malformed notification"),
        (None, b"\xff\xfe", "malformed notification"),
    ];
    for (content_type, body, expected) in cases {
        let mut b = Request::post("/cinetpay/notify").header("x-token", "0".repeat(64));
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        let r = h.handle(b.body(Bytes::from_static(body)).unwrap()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{content_type:?}");
        let text = body_text(&r);
        assert!(
            text.contains(expected),
            "{text:?} should contain {expected:?}"
        );
    }
    assert_eq!(h.check_calls().await, 0);
    assert!(h.log().await.is_empty(), "a refused body stores nothing");
}

#[tokio::test]
async fn a_post_without_cpm_trans_id_is_200_and_changes_nothing() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    for body in ["cpm_site_id=123456", "", "cpm_trans_id=&cpm_site_id=123456"] {
        let r = h.handle(post_form("/cinetpay/notify", body)).await;
        assert_eq!(r.status(), StatusCode::OK, "{body:?}: {}", body_text(&r));
    }
    assert_eq!(h.check_calls().await, 0);
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn an_invalid_transaction_id_is_400_and_an_unknown_one_is_200() {
    let h = Harness::new().await;
    let n = notification("1; DROP TABLE payments", SITE_ID);
    let r = h.handle(notify_request(&n, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(&r).contains("invalid cpm_trans_id"));

    let n = notification("cp-doesnotexist", SITE_ID);
    let r = h.handle(notify_request(&n, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(h.check_calls().await, 0);
    // Neither costs a durable write: they are counted in the logs.
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_even_through_handle() {
    let h = Harness::new().await;
    let big = format!(
        "cpm_trans_id=x&cpm_site_id={SITE_ID}&pad={}",
        "a".repeat(20_000)
    );
    let r = h.handle(post_form("/cinetpay/notify", &big)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.status(), h.checkout.payload_too_large().status());
    assert_eq!(r.body(), h.checkout.payload_too_large().body());
    assert_eq!(h.checkout.body_limit(), 16 * 1024);
    assert_eq!(h.check_calls().await, 0);
}

#[tokio::test]
async fn paths_that_are_not_ours_are_404_and_is_own_path_is_exact() {
    let h = Harness::new().await;
    let c = &h.checkout;
    for own in ["/cinetpay/init", "/cinetpay/notify", "/cinetpay/return"] {
        assert!(c.is_own_path(own), "{own}");
    }
    for other in [
        "/cinetpay",
        "/cinetpay/",
        "/cinetpay/notify/",
        "/cinetpay/notifyx",
        "/cinetpayx/notify",
        "/other/notify",
        "/",
    ] {
        assert!(!c.is_own_path(other), "{other}");
    }
    assert_eq!(
        h.handle(get("/elsewhere")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_check_api_down_is_503_and_nothing_is_lost() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _down = h.check_fails(502).await;
        let r = h.notify(&id).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    }
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", body_text(&r));
    assert_eq!(h.shop.successes(), 1);
    let log = h.log().await;
    assert!(
        log[0]
            .outcome
            .starts_with("error: cannot check the payment"),
        "{}",
        log[0].outcome
    );
}

#[tokio::test]
async fn a_check_request_error_is_503_and_changes_nothing() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h
        .check_answers(&id, answer("609", "AUTH_NOT_FOUND", "ACCEPTED"))
        .await;
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body_text(&r),
        "not processed: the payment could not be checked, retry later"
    );
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Pending);
    assert!(p.check.is_none());
    assert!(
        p.checked_at.is_some(),
        "the attempt is recorded for polling"
    );
    assert_eq!(h.shop.calls(), 0);
}

#[tokio::test]
async fn the_store_down_is_503_and_nothing_is_lost() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.store.set_unavailable(true);
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    h.store.set_unavailable(false);
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    assert_eq!(h.shop.calls(), 0);
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn the_notification_body_never_changes_state_by_itself() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, waiting()).await;
    // The body claims success for another amount; only the check counts.
    let n = notification_with(
        id.as_str(),
        SITE_ID,
        &[("cpm_amount", "5"), ("cpm_error_message", "SUCCES")],
    );
    let r = h.handle(notify_request(&n, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    assert_eq!(h.shop.calls(), 0);
    assert_eq!(h.check_calls().await, 1);
}

#[tokio::test]
async fn a_fulfiller_failure_is_500_and_retried_by_the_next_notification() {
    let h = Harness::new().await;
    h.shop.script([Act::Fail("warehouse API timed out")]);
    let id = h.start("ord-1").await;
    let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::Accepted);
    assert!(!p.is_fulfilled());
    assert_eq!(
        p.fulfilment.last_error.as_deref(),
        Some("warehouse API timed out")
    );

    // Before the backoff: 503, no call; after it: delivered, without a new check.
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.shop.calls(), 1);
    h.clock.advance(h.checkout.config().retry_delay(1));
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    assert_eq!(h.shop.calls(), 2);
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.check_calls().await, 1, "accepted is never checked again");
}

#[tokio::test]
async fn a_live_claim_elsewhere_is_200_without_fulfilling() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        // Accept it while the fulfiller is failing, so it stays unfulfilled...
        h.shop.script([Act::Fail("first try fails")]);
        let _check = h.check_answers(&id, accepted("1000", "XOF")).await;
        h.notify(&id).await;
    }
    h.clock.advance(h.checkout.config().retry_delay(1));
    // ...then another instance claims it and is (say) still delivering.
    use cinetpay_core::PaymentStore;
    let now = cinetpay_core::engine::Clock::now(&*h.clock);
    let claim = cinetpay_core::Claim {
        transaction_id: &id,
        owner: "other-instance",
        now,
        lease: std::time::Duration::from_secs(30),
    };
    assert!(h.store.claim_fulfilment(&claim).await.unwrap().is_some());
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(h.shop.calls(), 1);
}
