//! The single sync path and the state machine: only a verified check moves a
//! payment, accepted never changes, refused may still become accepted, and a
//! mismatch of amount or currency never fulfils.
#![allow(clippy::unwrap_used)]

use super::common::*;
use cinetpay_core::engine::FulfilmentOutcome;
use cinetpay_core::{DeliverySource, PaymentStatus, TransactionId};
use http::StatusCode;

#[tokio::test]
async fn waiting_then_accepted() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _w = h.check_answers(&id, waiting()).await;
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        assert_eq!(h.status(&id).await, PaymentStatus::Pending);
        assert_eq!(h.shop.calls(), 0);
        assert_eq!(h.shop.failure_notices(), 0);
    }
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    assert_eq!(h.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn refused_then_accepted_tells_the_failure_once_then_fulfils() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _r = h.check_answers(&id, refused()).await;
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        let p = h.payment(&id).await;
        assert_eq!(p.status, PaymentStatus::Refused);
        assert_eq!(p.check.as_ref().unwrap().code, "600");
        assert_eq!(h.shop.failure_notices(), 1, "payment_failed at most once");
    }
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
    assert_eq!(h.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(h.shop.failure_notices(), 1);
}

#[tokio::test]
async fn cancelled_is_its_own_status_and_may_still_be_accepted() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _c = h.check_answers(&id, cancelled()).await;
        h.notify(&id).await;
        assert_eq!(h.status(&id).await, PaymentStatus::Cancelled);
        assert_eq!(h.shop.failure_notices(), 1);
    }
    {
        let _r = h.check_answers(&id, refused()).await;
        h.notify(&id).await;
        assert_eq!(h.status(&id).await, PaymentStatus::Refused);
        assert_eq!(h.shop.failure_notices(), 1, "still once per payment");
    }
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.notify(&id).await;
    assert_eq!(h.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn accepted_then_a_late_refused_stays_accepted() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    {
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        h.notify(&id).await;
    }
    let _r = h.check_answers(&id, refused()).await;
    for source in [
        DeliverySource::Notify,
        DeliverySource::Return,
        DeliverySource::Reconcile,
    ] {
        let outcome = h.checkout.sync(&id, source).await.unwrap();
        assert_eq!(outcome.status(), Some(PaymentStatus::Accepted));
        assert_eq!(outcome.fulfilment, FulfilmentOutcome::AlreadyFulfilled);
    }
    assert_eq!(h.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(
        h.check_calls().await,
        1,
        "an accepted payment is never checked again"
    );
    assert_eq!(h.shop.calls(), 1);
    assert_eq!(h.shop.failure_notices(), 0);
}

#[tokio::test]
async fn accepted_but_unfulfilled_then_a_late_refused_stays_accepted_and_is_delivered() {
    let h = Harness::new().await;
    h.shop.script([Act::Fail("carrier down")]);
    let id = h.start("ord-1").await;
    {
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        h.notify(&id).await;
    }
    let _r = h.check_answers(&id, refused()).await;
    h.clock.advance(h.checkout.config().retry_delay(1));
    let outcome = h.checkout.sync(&id, DeliverySource::Notify).await.unwrap();
    assert_eq!(outcome.status(), Some(PaymentStatus::Accepted));
    assert_eq!(
        outcome.fulfilment,
        FulfilmentOutcome::Fulfilled { attempt: 2 }
    );
    assert_eq!(h.check_calls().await, 1);
}

async fn tampered(amount: &str, currency: &str, reason: &str) {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted(amount, currency)).await;
    let r = h.notify(&id).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "handled: CinetPay resending would not help"
    );
    let p = h.payment(&id).await;
    assert_eq!(p.status, PaymentStatus::NeedsAttention);
    assert!(
        p.status_reason.as_deref().unwrap().starts_with(reason),
        "{:?}",
        p.status_reason
    );
    assert_eq!(p.check.as_ref().unwrap().amount.as_deref(), Some(amount));
    assert_eq!(h.shop.calls(), 0, "a mismatch never fulfils");
    // needs_attention is final: no further check, no fulfil.
    h.notify(&id).await;
    h.checkout.reconcile_once().await.unwrap();
    assert_eq!(h.check_calls().await, 1);
    assert_eq!(h.shop.calls(), 0);
}

#[tokio::test]
async fn a_tampered_amount_needs_attention_and_is_never_fulfilled() {
    tampered(
        "100",
        "XOF",
        "amount mismatch: CinetPay reported 100 XOF, the payment is 1000 XOF",
    )
    .await;
}

#[tokio::test]
async fn a_tampered_currency_needs_attention_and_is_never_fulfilled() {
    tampered(
        "1000",
        "XAF",
        "currency mismatch: CinetPay reported 1000 XAF, the payment is 1000 XOF",
    )
    .await;
}

#[tokio::test]
async fn an_undocumented_or_contradictory_answer_changes_nothing() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    for body in [
        answer("999", "SOMETHING_NEW", "ACCEPTED"),
        answer("600", "PAYMENT_FAILED", "ACCEPTED"),
        answer("00", "SUCCES", "REFUSED"),
    ] {
        let _g = h.check_answers(&id, body).await;
        assert_eq!(h.notify(&id).await.status(), StatusCode::OK);
        assert_eq!(h.status(&id).await, PaymentStatus::Pending);
    }
    assert_eq!(h.shop.calls(), 0);
    assert_eq!(h.shop.failure_notices(), 0);
}

#[tokio::test]
async fn sync_of_an_unknown_payment_changes_nothing_and_stores_nothing() {
    let h = Harness::new().await;
    let id: TransactionId = "cp-unknown".parse().unwrap();
    let outcome = h
        .checkout
        .sync(&id, DeliverySource::Reconcile)
        .await
        .unwrap();
    assert!(outcome.payment.is_none());
    assert!(!outcome.changed());
    assert_eq!(h.check_calls().await, 0);
    // Anyone can name an unknown id: counted in the logs, not stored.
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn two_instances_racing_on_a_status_change_converge() {
    let h = Harness::new().await;
    let other = h.another_instance();
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let (a, b) = tokio::join!(
        h.checkout.sync(&id, DeliverySource::Notify),
        other.sync(&id, DeliverySource::Return)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.status(), Some(PaymentStatus::Accepted));
    assert_eq!(b.status(), Some(PaymentStatus::Accepted));
    assert_eq!(h.shop.calls(), 1);
    assert_eq!(h.shop.successes(), 1);
}
