//! The trust issue's behaviours, each as the customer or the attacker meets
//! it: one delivery per order, no payment forgotten, no clock trusted, and
//! nothing a bad request can break. (The same scenarios fail on the engine
//! before these changes: two deliveries, a superseded page delivered, a
//! reconciler stuck on its first batch, two runs at once under a skewed
//! clock, one check per return.)
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use cinetpay_core::engine::{FulfilmentOutcome, ManualClock};
use cinetpay_core::{
    Attention, DeliveryRecord, DeliverySource, MemoryStore, Owed, PaymentStatus, PaymentStore,
    RefundReason, StoreError,
};
use http::StatusCode;
use serde_json::json;

use super::common::*;

/// Order `ord-1`: payment A refused; the customer pays again with B; then
/// A's late success arrives.
async fn paid_twice(h: &Harness) -> (cinetpay_core::TransactionId, cinetpay_core::TransactionId) {
    let a = h.start("ord-1").await;
    {
        let _r = h.check_answers(&a, refused()).await;
        h.notify(&a).await;
    }
    assert_eq!(h.status(&a).await, PaymentStatus::Refused);
    let b = h.start("ord-1").await;
    assert_ne!(a, b, "the refusal freed the order for a new payment");
    {
        let _b = h.check_answers(&b, accepted("1000", "XOF")).await;
        assert_eq!(h.notify(&b).await.status(), StatusCode::OK);
    }
    (a, b)
}

#[tokio::test]
async fn item1a_a_late_success_of_a_refused_payment_is_not_delivered_again_but_refunded() {
    let h = Harness::new().await;
    let (a, b) = paid_twice(&h).await;
    let _a = h.check_answers(&a, accepted("1000", "XOF")).await;
    assert_eq!(h.notify(&a).await.status(), StatusCode::OK);
    assert_eq!(h.shop.successes(), 1, "one order, one delivery");
    assert_eq!(h.shop.fulfilled(), std::slice::from_ref(&b));
    let late = h.payment(&a).await;
    assert_eq!(late.status, PaymentStatus::NeedsAttention);
    let reason = RefundReason::OrderAlreadyPaid { by: b.clone() };
    assert_eq!(late.attention, Some(Attention::Refund(reason.clone())));
    assert_eq!(
        late.status_reason.as_deref(),
        Some(format!("duplicate payment of an order already paid by {b}: refund it").as_str())
    );
    assert_eq!(h.shop.refunds(), [(a.clone(), reason)]);
    assert!(late.refund_notified_at.is_some());
    // More notifications, returns and passes: the shop hears of it once.
    h.notify(&a).await;
    h.handle(get(&format!("/cinetpay/return?transaction_id={a}")))
        .await;
    h.clock.advance(Duration::from_secs(3600));
    h.checkout.reconcile_once().await.unwrap();
    assert_eq!(h.shop.refunds().len(), 1);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn item1a_whichever_success_comes_first_pays_the_order() {
    let h = Harness::new().await;
    let a = h.start("ord-1").await;
    {
        let _r = h.check_answers(&a, refused()).await;
        h.notify(&a).await;
    }
    let b = h.start("ord-1").await;
    {
        // A's late success arrives while B is still open.
        let _a = h.check_answers(&a, accepted("1000", "XOF")).await;
        h.notify(&a).await;
    }
    assert_eq!(h.shop.fulfilled(), std::slice::from_ref(&a));
    let _b = h.check_answers(&b, accepted("1000", "XOF")).await;
    h.notify(&b).await;
    assert_eq!(h.shop.successes(), 1);
    assert_eq!(
        h.payment(&b).await.attention,
        Some(Attention::Refund(RefundReason::OrderAlreadyPaid { by: a }))
    );
    assert_eq!(h.shop.refunds().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn item1_two_payments_of_one_order_accepted_at_once_on_two_instances() {
    for _ in 0..10 {
        let h = Harness::new().await;
        let a = h.start("ord-1").await;
        {
            let _r = h.check_answers(&a, refused()).await;
            h.notify(&a).await;
        }
        let b = h.start("ord-1").await;
        let _a = h.check_answers(&a, accepted("1000", "XOF")).await;
        let _b = h.check_answers(&b, accepted("1000", "XOF")).await;
        let other = h.another_instance();
        let (one, two) = tokio::join!(
            h.checkout.sync(&a, DeliverySource::Notify),
            other.sync(&b, DeliverySource::Notify)
        );
        one.unwrap();
        two.unwrap();
        assert_eq!(h.shop.successes(), 1, "one delivery");
        assert_eq!(h.shop.refunds().len(), 1, "one refund notice");
        let statuses = [h.status(&a).await, h.status(&b).await];
        assert!(statuses.contains(&PaymentStatus::Accepted), "{statuses:?}");
        assert!(
            statuses.contains(&PaymentStatus::NeedsAttention),
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn item2_a_superseded_payment_is_never_fulfilled_whatever_cinetpay_says() {
    let h = Harness::new().await;
    let old = h.start("ord-1").await;
    // The price changes: init replaces the open payment, but its page stays payable.
    h.shop.price("ord-1", xof(1500));
    let new = h.start("ord-1").await;
    assert_ne!(old, new);
    assert!(h.payment(&old).await.superseded_at.is_some());
    let _a = h.check_answers(&old, accepted("1000", "XOF")).await;
    assert_eq!(h.notify(&old).await.status(), StatusCode::OK);
    assert_eq!(
        h.shop.successes(),
        0,
        "the old page's payment is not delivered"
    );
    let paid = h.payment(&old).await;
    assert_eq!(paid.status, PaymentStatus::NeedsAttention);
    assert_eq!(
        paid.attention,
        Some(Attention::Refund(RefundReason::Superseded))
    );
    assert_eq!(h.shop.refunds(), [(old.clone(), RefundReason::Superseded)]);
    // The order is still open to its current payment.
    let _n = h.check_answers(&new, accepted("1500", "XOF")).await;
    h.notify(&new).await;
    assert_eq!(h.shop.fulfilled(), std::slice::from_ref(&new));
}

#[tokio::test]
async fn item1_a_refund_hook_that_fails_is_retried_until_it_returns_ok() {
    struct FailingRefunds(Arc<Shop>, std::sync::atomic::AtomicU32);
    #[async_trait]
    impl cinetpay_core::OrderFulfiller for FailingRefunds {
        async fn quote(
            &self,
            order: &cinetpay_core::OrderRef,
        ) -> Result<cinetpay_core::OrderQuote, cinetpay_core::QuoteError> {
            self.0.quote(order).await
        }
        async fn fulfil(
            &self,
            payment: &cinetpay_core::Payment,
            attempt: u32,
        ) -> Result<(), cinetpay_core::FulfilError> {
            self.0.fulfil(payment, attempt).await
        }
        async fn payment_needs_refund(
            &self,
            payment: &cinetpay_core::Payment,
            reason: &RefundReason,
        ) -> Result<(), cinetpay_core::FulfilError> {
            if self.1.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(cinetpay_core::FulfilError::new("the refund desk is closed"));
            }
            self.0.payment_needs_refund(payment, reason).await
        }
    }
    let h = Harness::new().await;
    let fulfiller = Arc::new(FailingRefunds(h.shop.clone(), 0.into()));
    let checkout = h.engine_with_fulfiller(fulfiller.clone());
    let old = h.start("ord-1").await;
    h.shop.price("ord-1", xof(1500));
    h.start("ord-1").await;
    let _a = h.check_answers(&old, accepted("1000", "XOF")).await;
    let r = checkout
        .handle(notify_request(
            &notification(old.as_str(), SITE_ID),
            Some(&signed(&notification(old.as_str(), SITE_ID))),
        ))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "retried later"
    );
    assert_eq!(h.payment(&old).await.owed(), Some(Owed::RefundNotice));
    h.clock.advance(h.checkout.config().retry_delay(1));
    let report = checkout.reconcile_once().await.unwrap();
    assert_eq!(report.refunds_notified, 1);
    assert_eq!(h.shop.refunds().len(), 1);
    assert_eq!(h.payment(&old).await.owed(), None);
}

#[tokio::test]
async fn item4_polling_reaches_every_candidate_within_ceil_n_over_b_passes() {
    let h = Harness::with(Options {
        poll_after: Some(Duration::from_secs(60)),
        ..Options::default()
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..60 {
        ids.push(h.start(&format!("ord-{i}")).await);
        h.clock.advance(Duration::from_millis(10));
    }
    let mut guards = Vec::new();
    // The 50 oldest stay pending for ever; the 10 youngest were paid and
    // their notifications lost.
    for (i, id) in ids.iter().enumerate() {
        let body = if i < 50 {
            waiting()
        } else {
            accepted("1000", "XOF")
        };
        guards.push(h.check_answers(id, body).await);
    }
    h.clock.advance(Duration::from_secs(120));
    let mut passes = 0;
    while h.shop.successes() < 10 {
        passes += 1;
        assert!(passes <= 2, "ceil(60 / 50) = 2 passes");
        let report = h.checkout.reconcile_once().await.unwrap();
        assert_eq!(report.polled, 50.min(60 - (passes - 1) * 50));
    }
    for id in &ids[50..] {
        assert!(h.payment(id).await.is_fulfilled());
    }
    for id in &ids[..50] {
        assert!(
            h.payment(id).await.checked_at.is_some(),
            "every one was looked at"
        );
    }
}

#[tokio::test]
async fn item5_a_late_success_of_a_refused_payment_is_found_by_polling() {
    let h = Harness::with(Options {
        poll_after: Some(Duration::from_secs(60)),
        ..Options::default()
    })
    .await;
    let id = h.start("ord-1").await;
    {
        let _r = h.check_answers(&id, refused()).await;
        h.notify(&id).await;
    }
    // The success notification is lost; the reconciler asks again.
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.clock.advance(Duration::from_secs(30));
    assert_eq!(
        h.checkout.reconcile_once().await.unwrap().polled,
        0,
        "not yet"
    );
    h.clock.advance(Duration::from_secs(60));
    let report = h.checkout.reconcile_once().await.unwrap();
    assert_eq!(
        (report.polled, report.poll_changed, report.fulfilled),
        (1, 1, 1)
    );
    assert_eq!(h.status(&id).await, PaymentStatus::Accepted);
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn item5_refused_payments_older_than_the_window_are_left_alone() {
    let h = Harness::with(Options {
        poll_after: Some(Duration::from_secs(60)),
        ..Options::default()
    })
    .await;
    let id = h.start("ord-1").await;
    {
        let _r = h.check_answers(&id, refused()).await;
        h.notify(&id).await;
    }
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.clock.advance(Duration::from_secs(4 * 24 * 3600));
    assert_eq!(h.checkout.reconcile_once().await.unwrap().polled, 0);
    assert_eq!(h.check_calls().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item7_an_instance_whose_clock_runs_ahead_never_takes_over_a_live_claim() {
    let h = Harness::with(Options {
        fulfil_timeout: Duration::from_secs(5),
        claim_lease: Duration::from_secs(60),
        ..Options::default()
    })
    .await;
    // One store with its own clock (the real one), shared by two instances
    // whose clocks differ by ten minutes.
    let store = Arc::new(MemoryStore::new());
    let behind = h.engine_on(store.clone(), Arc::new(ManualClock::starting_now()));
    let ahead_clock = Arc::new(ManualClock::starting_now());
    ahead_clock.advance(Duration::from_secs(600));
    let ahead = h.engine_on(store.clone(), ahead_clock);
    h.shop.script([Act::Sleep(Duration::from_millis(600))]);
    let id = behind
        .start_payment(&cinetpay_core::OrderRef::new("ord-1").unwrap())
        .await
        .unwrap()
        .transaction_id;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let first = {
        let (behind, id) = (behind.clone(), id.clone());
        tokio::spawn(async move { behind.sync(&id, DeliverySource::Notify).await })
    };
    while h.shop.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(ahead.reconcile_once().await.unwrap().due, 0);
    let seen = ahead.sync(&id, DeliverySource::Notify).await.unwrap();
    assert_eq!(seen.fulfilment, FulfilmentOutcome::ClaimedElsewhere);
    first.await.unwrap().unwrap();
    assert_eq!(h.shop.calls(), 1);
    assert_eq!(h.shop.max_in_flight(), 1);
}

#[tokio::test]
async fn item12_repeated_returns_of_a_pending_payment_cost_one_check() {
    let h = Harness::with(Options {
        min_check_interval: Duration::from_secs(5),
        ..Options::default()
    })
    .await;
    let id = h.start("ord-1").await;
    let _w = h.check_answers(&id, waiting()).await;
    for _ in 0..20 {
        let r = h
            .handle(get(&format!("/cinetpay/return?transaction_id={id}")))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(h.check_calls().await, 1);
    // After the interval, a return may check again; a signed notification always does.
    h.clock.advance(Duration::from_secs(6));
    h.handle(get(&format!("/cinetpay/return?transaction_id={id}")))
        .await;
    assert_eq!(h.check_calls().await, 2);
    h.notify(&id).await;
    assert_eq!(h.check_calls().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn item12_concurrent_duplicates_of_a_pending_payment_share_one_check() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    // A slow check: every duplicate arrives while it is in flight.
    let _w = wiremock::Mock::given(wiremock::matchers::path("/v2/payment/check"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(accepted("1000", "XOF"))
                .set_delay(Duration::from_millis(300)),
        )
        .mount_as_scoped(&h.server)
        .await;
    let n = notification(id.as_str(), SITE_ID);
    let token = signed(&n);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let checkout = h.checkout.clone();
            let request = notify_request(&n, Some(&token));
            tokio::spawn(async move { checkout.handle(request).await.status() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(h.check_calls().await, 1, "one check for ten duplicates");
    assert_eq!(h.shop.successes(), 1);
}

#[tokio::test]
async fn item12_unsigned_notifications_are_rate_limited_like_returns() {
    let h = Harness::with(Options {
        secret: false,
        min_check_interval: Duration::from_secs(5),
        ..Options::default()
    })
    .await;
    let id = h.start("ord-1").await;
    let _w = h.check_answers(&id, waiting()).await;
    let n = notification(id.as_str(), SITE_ID);
    for _ in 0..10 {
        assert_eq!(
            h.handle(notify_request(&n, None)).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(h.check_calls().await, 1);
}

#[tokio::test]
async fn item11_nul_bytes_are_stored_replaced() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    h.shop.script([Act::Fail("warehouse\u{0}down")]);
    let mut answer = accepted("1000", "XOF");
    answer["message"] = json!("SUCC\u{0}ES");
    answer["data"]["operator_id"] = json!("MP\u{0}1");
    {
        let _a = h.check_answers(&id, answer).await;
        h.notify(&id).await;
    }
    let p = h.payment(&id).await;
    let check = p.check.unwrap();
    assert_eq!(check.message, "SUCC\u{fffd}ES");
    assert_eq!(check.operator_id.as_deref(), Some("MP\u{fffd}1"));
    assert_eq!(
        p.fulfilment.last_error.as_deref(),
        Some("warehouse\u{fffd}down")
    );
    let record = DeliveryRecord::new("cp-\u{0}x", DeliverySource::Notify, "a\u{0}b", p.created_at);
    assert_eq!(record.transaction_id, "cp-\u{fffd}x");
    assert_eq!(record.outcome, "a\u{fffd}b");
}

/// A store whose log refuses any batch holding a line that mentions
/// "poison", as PostgreSQL refuses a whole insert for one bad string; its
/// first log write waits at a gate, so that the next lines queue up behind
/// it and are written as one batch.
struct PickyLog {
    store: MemoryStore,
    gate: tokio::sync::Semaphore,
    refused_batches: std::sync::atomic::AtomicU32,
}

#[async_trait]
impl PaymentStore for PickyLog {
    async fn insert_payment(
        &self,
        new: &cinetpay_core::NewPayment,
    ) -> Result<cinetpay_core::InsertOutcome, StoreError> {
        self.store.insert_payment(new).await
    }
    async fn find_payment(
        &self,
        id: &cinetpay_core::TransactionId,
    ) -> Result<Option<cinetpay_core::Payment>, StoreError> {
        self.store.find_payment(id).await
    }
    async fn attach_payment_page(
        &self,
        id: &cinetpay_core::TransactionId,
        page: &cinetpay_core::PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        self.store.attach_payment_page(id, page).await
    }
    async fn supersede_payment(
        &self,
        id: &cinetpay_core::TransactionId,
        at: cinetpay_core::Timestamp,
    ) -> Result<bool, StoreError> {
        self.store.supersede_payment(id, at).await
    }
    async fn transition(
        &self,
        id: &cinetpay_core::TransactionId,
        change: &cinetpay_core::StatusChange,
    ) -> Result<cinetpay_core::Transition, StoreError> {
        self.store.transition(id, change).await
    }
    async fn record_check(
        &self,
        id: &cinetpay_core::TransactionId,
        check: Option<&cinetpay_core::CheckSnapshot>,
        at: cinetpay_core::Timestamp,
    ) -> Result<bool, StoreError> {
        self.store.record_check(id, check, at).await
    }
    async fn claim_fulfilment(
        &self,
        claim: &cinetpay_core::Claim<'_>,
    ) -> Result<Option<cinetpay_core::FulfilmentClaim>, StoreError> {
        self.store.claim_fulfilment(claim).await
    }
    async fn complete_fulfilment(
        &self,
        done: &cinetpay_core::Completion<'_>,
    ) -> Result<bool, StoreError> {
        self.store.complete_fulfilment(done).await
    }
    async fn release_fulfilment(
        &self,
        release: &cinetpay_core::Release<'_>,
    ) -> Result<bool, StoreError> {
        self.store.release_fulfilment(release).await
    }
    async fn claim_failure_notice(
        &self,
        id: &cinetpay_core::TransactionId,
        now: cinetpay_core::Timestamp,
    ) -> Result<bool, StoreError> {
        self.store.claim_failure_notice(id, now).await
    }
    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        drop(self.gate.acquire().await);
        if records.iter().any(|r| r.outcome.contains("poison")) {
            if records.len() > 1 {
                self.refused_batches.fetch_add(1, Ordering::SeqCst);
            }
            return Err(StoreError::Corrupt("invalid byte sequence".to_owned()));
        }
        self.store.record_deliveries(records).await
    }
    async fn due_fulfilments(
        &self,
        now: cinetpay_core::Timestamp,
        limit: usize,
    ) -> Result<Vec<cinetpay_core::Payment>, StoreError> {
        self.store.due_fulfilments(now, limit).await
    }
    async fn payments_to_poll(
        &self,
        query: &cinetpay_core::PollQuery,
    ) -> Result<Vec<cinetpay_core::Payment>, StoreError> {
        self.store.payments_to_poll(query).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item11_one_bad_line_never_loses_the_others() {
    let h = Harness::new().await;
    let memory = MemoryStore::with_clock(h.clock.clone());
    let picky = Arc::new(PickyLog {
        store: memory.clone(),
        gate: tokio::sync::Semaphore::new(0),
        refused_batches: 0.into(),
    });
    let checkout = h.engine_on(picky.clone(), h.clock.clone());
    let mut ids = Vec::new();
    let mut guards = Vec::new();
    for i in 0..6 {
        let id = checkout
            .start_payment(&cinetpay_core::OrderRef::new(format!("ord-{i}")).unwrap())
            .await
            .unwrap()
            .transaction_id;
        guards.push(h.check_answers(&id, accepted("1000", "XOF")).await);
        ids.push(id);
    }
    // Every delivery fails, so that every line goes through the delivery
    // log's batches (a successful delivery's line is written with its
    // completion instead): the first one's line is written alone, and one
    // of the next five carries a text the store refuses (the poison).
    h.shop.script([
        Act::Fail("first"),
        Act::Fail("poison"),
        Act::Fail("later"),
        Act::Fail("later"),
        Act::Fail("later"),
        Act::Fail("later"),
    ]);
    let sync = |id: &cinetpay_core::TransactionId| {
        let (checkout, id) = (checkout.clone(), id.clone());
        tokio::spawn(async move { checkout.sync(&id, DeliverySource::Notify).await })
    };
    let first = sync(&ids[0]);
    while h.shop.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rest: Vec<_> = ids[1..].iter().map(sync).collect();
    while h.shop.calls() < 6 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    picky.gate.add_permits(100);
    first.await.unwrap().unwrap();
    for task in rest {
        task.await.unwrap().unwrap();
    }
    checkout.flush_delivery_log().await;
    assert_eq!(
        picky.refused_batches.load(Ordering::SeqCst),
        1,
        "the five lines were one batch, refused for one line"
    );
    let lines = memory.all_deliveries();
    assert_eq!(lines.len(), 5, "every line but the poisoned one: {lines:?}");
    assert!(lines.iter().all(|l| !l.outcome.contains("poison")));
}

#[tokio::test]
async fn item16_a_notification_during_a_store_outage_carries_no_internal_text() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    h.store.set_unavailable(true);
    let r = h.notify(&id).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body_text(&r),
        "not processed: storage unavailable, retry later"
    );
    h.store.set_unavailable(false);
}

#[tokio::test]
async fn item18_values_from_requests_cannot_forge_log_lines() {
    let logs = Logs::global();
    let h = Harness::new().await;
    let forged = "cp-1\n2026-12-01T00:00:00Z  INFO forged: order delivered";
    let n = notification(forged, SITE_ID);
    let r = h.handle(notify_request(&n, Some(&signed(&n)))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = logs.text();
    assert!(
        text.contains("cp-1\\n2026-12-01T00:00:00Z  INFO forged"),
        "the newline is escaped"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("2026-12-01T00:00:00Z  INFO forged")),
        "no forged line"
    );
}

#[tokio::test]
async fn item13_an_engine_without_a_secret_key_says_so_at_error_level() {
    let logs = Logs::global();
    let _h = Harness::with(Options {
        secret: false,
        ..Options::default()
    })
    .await;
    assert!(
        logs.text()
            .lines()
            .any(|l| l.contains("ERROR") && l.contains("no CinetPay secret key is set")),
        "the start-up error"
    );
}
