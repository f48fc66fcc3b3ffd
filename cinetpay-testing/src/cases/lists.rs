//! What reconciliation lists: due fulfilments and stale pending payments.

use std::sync::Arc;

use crate::model::{NewPayment, PaymentStatus};
use crate::store::{PaymentStore, StatusChange};
use crate::testing::check::Check;
use crate::testing::fixtures::{self, at};
use crate::values::TransactionId;

use super::fulfilment::claim_ok;

/// `due_fulfilments(now, limit)` lists accepted, unfulfilled payments that can
/// be claimed at `now` (no claim or a lease ended at or before `now`; no next
/// attempt or one at or before `now`), oldest first by `created_at`, at most
/// `limit`; never pending, refused, fulfilled, live-claimed or not-yet-due ones.
pub async fn due_fulfilments_filters_and_order(store: Arc<dyn PaymentStore>) {
    let c = Check::new("due_fulfilments_filters_and_order");
    let s = &*store;
    let now = at(100_000);

    // Inserted out of creation order, so that insertion order cannot pass.
    let third = c.accepted(s, "due-3", at(3_000)).await;
    let first = c.accepted(s, "due-1", at(1_000)).await;

    let pending = fixtures::new_payment(&fixtures::order_ref("due-pending"), 1500, at(500));
    c.insert(s, &pending).await;
    for (tag, status, created) in [
        ("due-refused", PaymentStatus::Refused, 600),
        ("due-attention", PaymentStatus::NeedsAttention, 650),
    ] {
        let new = fixtures::new_payment(&fixtures::order_ref(tag), 1500, at(created));
        c.insert(s, &new).await;
        c.transition(s, &new, PaymentStatus::Pending, status, at(created))
            .await;
    }

    let fulfilled = c.accepted(s, "due-fulfilled", at(700)).await;
    claim_ok(
        c,
        s,
        &fulfilled.transaction_id,
        "owner-f",
        at(800),
        at(30_800),
        1,
    )
    .await;
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&fulfilled.transaction_id, "owner-f", at(900))
            .await,
    );
    c.that(done, "complete_fulfilment by the owner to return true");

    let live = c.accepted(s, "due-live", at(800)).await;
    claim_ok(
        c,
        s,
        &live.transaction_id,
        "owner-l",
        at(99_000),
        at(110_000),
        1,
    )
    .await;

    let expired = c.accepted(s, "due-expired", at(2_000)).await;
    claim_ok(c, s, &expired.transaction_id, "owner-e", at(50_000), now, 1).await;

    let later = c.accepted(s, "due-later", at(900)).await;
    claim_ok(
        c,
        s,
        &later.transaction_id,
        "owner-r",
        at(10_000),
        at(40_000),
        1,
    )
    .await;
    release(c, s, &later, "owner-r", at(100_001), at(11_000)).await;

    let retry = c.accepted(s, "due-retry", at(4_000)).await;
    claim_ok(
        c,
        s,
        &retry.transaction_id,
        "owner-t",
        at(10_000),
        at(40_000),
        1,
    )
    .await;
    release(c, s, &retry, "owner-t", now, at(11_000)).await;

    let expected: Vec<TransactionId> = [&first, &expired, &third, &retry]
        .iter()
        .map(|p| p.transaction_id.clone())
        .collect();
    let due = c.ok("due_fulfilments", s.due_fulfilments(now, 100).await);
    c.eq(
        "due_fulfilments(now, 100): claimable accepted payments, oldest created first",
        expected.clone(),
        due.iter().map(|p| p.transaction_id.clone()).collect(),
    );
    for p in &due {
        c.same_payment(
            "a row of due_fulfilments equals find_payment",
            &c.get(s, &p.transaction_id).await,
            p,
        );
    }
    let two = c.ok("due_fulfilments", s.due_fulfilments(now, 2).await);
    c.eq(
        "due_fulfilments(now, 2): the two oldest",
        expected[..2].to_vec(),
        two.into_iter().map(|p| p.transaction_id).collect(),
    );
    let none = c.ok("due_fulfilments", s.due_fulfilments(now, 0).await);
    c.eq("due_fulfilments(now, 0)", 0, none.len());
    let early = c.ok("due_fulfilments", s.due_fulfilments(at(20_000), 100).await);
    c.eq(
        "due_fulfilments at an earlier time (claims and next attempts judged at that time)",
        vec![first.transaction_id.clone(), third.transaction_id.clone()],
        early.into_iter().map(|p| p.transaction_id).collect(),
    );
}

async fn release(
    c: Check,
    s: &dyn PaymentStore,
    new: &NewPayment,
    owner: &str,
    next: crate::model::Timestamp,
    now: crate::model::Timestamp,
) {
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&new.transaction_id, owner, "fulfiller failed", next, now)
            .await,
    );
    c.that(released, "release_fulfilment by the owner to return true");
}

/// `stale_pending(created_before, limit)` lists pending payments that have a
/// payment page and were created strictly before `created_before`, closed or
/// not (the customer may still pay on that page), least recently updated
/// first, at most `limit`; never payments without a page, created at or after
/// the cut-off, or in another status.
pub async fn stale_pending_filters_and_order(store: Arc<dyn PaymentStore>) {
    let c = Check::new("stale_pending_filters_and_order");
    let s = &*store;
    let cutoff = at(50_000);

    let with_page = |tag: &str, created: i64| {
        fixtures::new_payment(&fixtures::order_ref(tag), 1500, at(created))
    };
    let attach = |new: &NewPayment, when: i64| {
        let id = new.transaction_id.clone();
        async move {
            let url = format!("https://checkout.cinetpay.com/payment/{}", id.as_str());
            let ok = c.ok(
                "attach_payment_page",
                s.attach_payment_page(&id, "tok", &url, at(when)).await,
            );
            c.that(
                ok,
                "attach_payment_page of an existing payment to return true",
            );
        }
    };

    let s1 = with_page("stale-1", 1_000);
    c.insert(s, &s1).await;
    attach(&s1, 40_000).await;

    let s2 = with_page("stale-2", 2_000);
    c.insert(s, &s2).await;
    attach(&s2, 20_000).await;

    let closed = with_page("stale-closed", 3_000);
    c.insert(s, &closed).await;
    attach(&closed, 30_000).await;
    let ok = c.ok(
        "close_payment",
        s.close_payment(&closed.transaction_id, at(45_000)).await,
    );
    c.that(ok, "close_payment of an open payment to return true");

    let waiting = with_page("stale-waiting", 4_000);
    c.insert(s, &waiting).await;
    attach(&waiting, 5_000).await;
    let wait = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Pending,
        check: Some(fixtures::bare_check("662", "WAITING_CUSTOMER_PAYMENT")),
        reason: None,
        at: at(10_000),
    };
    let ok = c.ok(
        "transition",
        s.transition(&waiting.transaction_id, &wait).await,
    );
    c.that(ok, "transition pending -> pending to apply");

    let no_page = with_page("stale-no-page", 500);
    c.insert(s, &no_page).await;
    let at_cutoff = with_page("stale-at-cutoff", 50_000);
    c.insert(s, &at_cutoff).await;
    attach(&at_cutoff, 50_001).await;
    let after = with_page("stale-after", 60_000);
    c.insert(s, &after).await;
    attach(&after, 60_001).await;
    for (tag, status) in [
        ("stale-refused", PaymentStatus::Refused),
        ("stale-accepted", PaymentStatus::Accepted),
        ("stale-failed", PaymentStatus::StartFailed),
    ] {
        let new = with_page(tag, 100);
        c.insert(s, &new).await;
        attach(&new, 200).await;
        c.transition(s, &new, PaymentStatus::Pending, status, at(300))
            .await;
    }

    let expected: Vec<TransactionId> = [&waiting, &s2, &s1, &closed]
        .iter()
        .map(|p| p.transaction_id.clone())
        .collect();
    let stale = c.ok("stale_pending", s.stale_pending(cutoff, 100).await);
    c.eq(
        "stale_pending(cutoff, 100): pending with a page, created before, least recently updated first",
        expected.clone(),
        stale.iter().map(|p| p.transaction_id.clone()).collect(),
    );
    for p in &stale {
        c.same_payment(
            "a row of stale_pending equals find_payment",
            &c.get(s, &p.transaction_id).await,
            p,
        );
    }
    let two = c.ok("stale_pending", s.stale_pending(cutoff, 2).await);
    c.eq(
        "stale_pending(cutoff, 2): the two least recently updated",
        expected[..2].to_vec(),
        two.into_iter().map(|p| p.transaction_id).collect(),
    );
    let none = c.ok("stale_pending", s.stale_pending(cutoff, 0).await);
    c.eq("stale_pending(cutoff, 0)", 0, none.len());
    let early = c.ok("stale_pending", s.stale_pending(at(2_000), 100).await);
    c.eq(
        "stale_pending(created before 2 s)",
        vec![s1.transaction_id.clone()],
        early.into_iter().map(|p| p.transaction_id).collect(),
    );
}
