//! What the engine's background work lists: due fulfilments and the payments
//! to poll.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::{NewPayment, PaymentStatus, PollQuery, Timestamp, TransactionId};

use crate::check::{Check, LONG_LEASE, LeaseTimer, SHORT_LEASE};
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

use super::fulfilment::{claim_ok, complete, release};

/// `due_fulfilments(now, limit)` lists the payments whose owed work can be
/// claimed at `now` (an accepted, unfulfilled payment or an unnotified refund;
/// no live lease on the store's clock; no next attempt after `now`), oldest
/// first by `created_at`, at most `limit`; never pending, refused,
/// money-mismatch, fulfilled, live-claimed or not-yet-due ones.
pub async fn due_fulfilments_filters_and_order(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("due_fulfilments_filters_and_order");
    let store = backend.instance().await;
    let s = &*store;
    let now = at(100_000);

    // First, so that its short lease ends while the rest is set up.
    let expired = c.accepted(s, "due-expired", at(2_000)).await;
    let timer = LeaseTimer::start(SHORT_LEASE);
    claim_ok(
        c,
        s,
        &expired.transaction_id,
        "owner-e",
        at(50_000),
        SHORT_LEASE,
        1,
    )
    .await;

    // Inserted out of creation order, so that insertion order cannot pass.
    let third = c.accepted(s, "due-3", at(3_000)).await;
    let first = c.accepted(s, "due-1", at(1_000)).await;
    let refund = c.needs_refund(s, "due-refund", at(1_500)).await;

    let pending = fixtures::new_payment(&fixtures::order_ref("due-pending"), 1500, at(500));
    c.insert(s, &pending).await;
    for (tag, status, created) in [
        ("due-refused", PaymentStatus::Refused, 600),
        ("due-mismatch", PaymentStatus::NeedsAttention, 650),
    ] {
        let new = fixtures::new_payment(&fixtures::order_ref(tag), 1500, at(created));
        c.insert(s, &new).await;
        c.transition(s, &new, PaymentStatus::Pending, status, at(created))
            .await;
    }

    let fulfilled = c.accepted(s, "due-fulfilled", at(700)).await;
    let id = &fulfilled.transaction_id;
    claim_ok(c, s, id, "owner-f", at(800), LONG_LEASE, 1).await;
    complete(c, s, id, "owner-f", at(900), true, "the owner").await;

    let live = c.accepted(s, "due-live", at(800)).await;
    claim_ok(
        c,
        s,
        &live.transaction_id,
        "owner-l",
        at(99_000),
        LONG_LEASE,
        1,
    )
    .await;

    let later = c.accepted(s, "due-later", at(900)).await;
    let id = &later.transaction_id;
    claim_ok(c, s, id, "owner-r", at(10_000), LONG_LEASE, 1).await;
    release(c, s, id, "owner-r", at(100_001), at(11_000), false, true).await;

    let retry = c.accepted(s, "due-retry", at(4_000)).await;
    let id = &retry.transaction_id;
    claim_ok(c, s, id, "owner-t", at(10_000), LONG_LEASE, 1).await;
    release(c, s, id, "owner-t", now, at(11_000), false, true).await;

    timer.sleep_past().await;
    let ids = |list: &[&NewPayment]| -> Vec<TransactionId> {
        list.iter().map(|p| p.transaction_id.clone()).collect()
    };
    let expected = ids(&[&first, &refund, &expired, &third, &retry]);
    let due = c.ok("due_fulfilments", s.due_fulfilments(now, 100).await);
    c.eq(
        "due_fulfilments(now, 100): claimable owed payments, oldest created first",
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
        "due_fulfilments at an earlier `now` (next attempts judged at that time, leases on the store's clock)",
        ids(&[&first, &refund, &expired, &third]),
        early.into_iter().map(|p| p.transaction_id).collect(),
    );
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// Inserts a payment of a fresh order created at `created` (ms), with a
/// payment page attached at `page` (ms) when given.
async fn poll_payment(
    c: Check,
    s: &dyn QueryableStore,
    tag: &str,
    created: i64,
    page: Option<i64>,
) -> NewPayment {
    let new = fixtures::new_payment(&fixtures::order_ref(tag), 1500, at(created));
    c.insert(s, &new).await;
    if let Some(page) = page {
        let url = fixtures::payment_url(&new.transaction_id);
        let ok = c.ok(
            "attach_payment_page",
            s.attach_payment_page(&new.transaction_id, &fixtures::page("tok", &url, at(page)))
                .await,
        );
        c.that(ok, "attach_payment_page of a new payment to return true");
    }
    new
}

/// Records a check of `new` at `when` (ms).
async fn checked(c: Check, s: &dyn QueryableStore, new: &NewPayment, when: i64) {
    let ok = c.ok(
        "record_check",
        s.record_check(
            &new.transaction_id,
            Some(&fixtures::waiting_check()),
            at(when),
        )
        .await,
    );
    c.that(ok, "record_check of an existing payment to return true");
}

/// `payments_to_poll` follows every rule of [`PollQuery`]: pending payments
/// with a page (superseded ones included), refused and cancelled ones are
/// candidates; pending ones without a page, accepted, start-failed and
/// needs-attention ones never are; `created_at >= since`; last seen
/// (`checked_at`, else `created_at`) at least `after` ago; checks thinning out
/// with age (`4 * last_seen <= 3 * now + created_at`), every boundary
/// included; least recently seen first, then by transaction id (not by
/// `updated_at`, not by `created_at`); at most `limit`.
pub async fn payments_to_poll_filters_and_order(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("payments_to_poll_filters_and_order");
    let store = backend.instance().await;
    let s = &*store;
    let now = 10 * HOUR;
    let query = PollQuery {
        now: at(now),
        since: at(0),
        after: Duration::from_secs(5 * 60),
        limit: 100,
    };

    // Candidates, with when each was last seen.
    let mut expected: Vec<(i64, TransactionId)> = Vec::new();
    let mut want = |new: &NewPayment, seen: i64| expected.push((seen, new.transaction_id.clone()));

    // Created at `since` (the boundary), its page attached late: by updated_at it would come last.
    let at_since = poll_payment(c, s, "poll-since", 0, Some(9 * HOUR)).await;
    want(&at_since, 0);
    let plain = poll_payment(c, s, "poll-plain", HOUR, Some(HOUR + MINUTE)).await;
    want(&plain, HOUR);
    // Two seen at the same instant: by transaction id.
    for (tag, page) in [("poll-twin-a", 5), ("poll-twin-b", 1)] {
        let twin = poll_payment(c, s, tag, 2 * HOUR, Some(2 * HOUR + page * MINUTE)).await;
        want(&twin, 2 * HOUR);
    }
    let superseded = poll_payment(c, s, "poll-superseded", 20 * MINUTE, Some(21 * MINUTE)).await;
    let ok = c.ok(
        "supersede_payment",
        s.supersede_payment(&superseded.transaction_id, at(22 * MINUTE))
            .await,
    );
    c.that(
        ok,
        "supersede_payment of an open pending payment to return true",
    );
    want(&superseded, 20 * MINUTE);
    let refused = poll_payment(c, s, "poll-refused", 30 * MINUTE, Some(31 * MINUTE)).await;
    c.transition(
        s,
        &refused,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(6 * HOUR),
    )
    .await;
    want(&refused, 6 * HOUR);
    let cancelled = poll_payment(c, s, "poll-cancelled", 3 * HOUR, Some(3 * HOUR + 1)).await;
    c.transition(
        s,
        &cancelled,
        PaymentStatus::Pending,
        PaymentStatus::Cancelled,
        at(4 * HOUR),
    )
    .await;
    want(&cancelled, 4 * HOUR);
    // Created early, checked late: by created_at it would come early.
    let checked_late =
        poll_payment(c, s, "poll-checked-late", 10 * MINUTE, Some(11 * MINUTE)).await;
    checked(c, s, &checked_late, 7 * HOUR).await;
    want(&checked_late, 7 * HOUR);
    // Seen exactly `after` ago.
    let at_after = poll_payment(
        c,
        s,
        "poll-at-after",
        now - 19 * MINUTE,
        Some(now - 18 * MINUTE),
    )
    .await;
    checked(c, s, &at_after, now - 5 * MINUTE).await;
    want(&at_after, now - 5 * MINUTE);
    // Thinning exactly at its boundary: 4 h old, seen 1 h ago.
    let thin_edge = poll_payment(
        c,
        s,
        "poll-thin-edge",
        now - 4 * HOUR,
        Some(now - 4 * HOUR + 1),
    )
    .await;
    checked(c, s, &thin_edge, now - HOUR).await;
    want(&thin_edge, now - HOUR);

    // Never candidates.
    let no_page = poll_payment(c, s, "poll-no-page", HOUR, None).await;
    let mut excluded = vec![no_page.transaction_id.clone()];
    for status in [
        PaymentStatus::Accepted,
        PaymentStatus::StartFailed,
        PaymentStatus::NeedsAttention,
    ] {
        let new = poll_payment(c, s, status.as_str(), HOUR, Some(HOUR + 1)).await;
        c.transition(s, &new, PaymentStatus::Pending, status, at(HOUR + 2))
            .await;
        excluded.push(new.transaction_id);
    }
    let before_since = poll_payment(c, s, "poll-old", -1, Some(0)).await;
    let seen_recently = poll_payment(
        c,
        s,
        "poll-recent",
        now - 19 * MINUTE,
        Some(now - 18 * MINUTE),
    )
    .await;
    checked(c, s, &seen_recently, now - 5 * MINUTE + 1).await;
    let young = poll_payment(c, s, "poll-young", now - MINUTE, Some(now - MINUTE + 1)).await;
    let thin_out_edge = poll_payment(
        c,
        s,
        "poll-thin-out-edge",
        now - 4 * HOUR,
        Some(now - 4 * HOUR + 1),
    )
    .await;
    checked(c, s, &thin_out_edge, now - HOUR + 1).await;
    let thin_out = poll_payment(c, s, "poll-thin-out", 0, Some(1)).await;
    checked(c, s, &thin_out, now - 2 * HOUR).await;
    excluded.extend(
        [before_since, seen_recently, young, thin_out_edge, thin_out]
            .into_iter()
            .map(|p| p.transaction_id),
    );

    expected.sort();
    let expected: Vec<TransactionId> = expected.into_iter().map(|(_, id)| id).collect();
    let listed = c.ok("payments_to_poll", s.payments_to_poll(&query).await);
    let found: Vec<TransactionId> = listed.iter().map(|p| p.transaction_id.clone()).collect();
    for id in &excluded {
        if found.contains(id) {
            let p = c.get(s, id).await;
            c.fail(format_args!(
                "payments_to_poll not to list {id} (status {}, page {}, created {}, checked {:?}); query {query:?}",
                p.status,
                p.payment_url.is_some(),
                p.created_at,
                p.checked_at
            ));
        }
    }
    c.eq(
        "payments_to_poll: every candidate, least recently seen (checked_at, else created_at) first, then by id",
        expected.clone(),
        found,
    );
    for p in &listed {
        c.that(
            query.matches(p),
            format_args!("a listed payment {} to match the query", p.transaction_id),
        );
        c.same_payment(
            "a row of payments_to_poll equals find_payment",
            &c.get(s, &p.transaction_id).await,
            p,
        );
    }
    let three = c.ok(
        "payments_to_poll",
        s.payments_to_poll(&PollQuery { limit: 3, ..query }).await,
    );
    c.eq(
        "payments_to_poll with limit 3: the three least recently seen",
        expected[..3].to_vec(),
        three.into_iter().map(|p| p.transaction_id).collect(),
    );
    let none = c.ok(
        "payments_to_poll",
        s.payments_to_poll(&PollQuery { limit: 0, ..query }).await,
    );
    c.eq("payments_to_poll with limit 0", 0, none.len());
}

/// The reconciler's loop reaches every candidate: with 7 candidates and
/// batches of 3, taking `payments_to_poll` and recording a check of each
/// payment returned, every candidate is returned within `ceil(7 / 3) = 3`
/// passes, even when the payments checked earlier are due again (a store that
/// lists the oldest created first, whatever was checked, starves the rest).
pub async fn polling_reaches_every_candidate(backend: Arc<dyn StoreBackend>) {
    const CANDIDATES: usize = 7;
    const BATCH: usize = 3;
    let c = Check::new("polling_reaches_every_candidate");
    let store = backend.instance().await;
    let s = &*store;
    let mut all = BTreeSet::new();
    for i in 0..CANDIDATES {
        let created = i64::try_from(i).unwrap_or(0) * 1_000;
        let new = poll_payment(c, s, &format!("reach-{i}"), created, Some(created + 1)).await;
        all.insert(new.transaction_id);
    }
    let passes = CANDIDATES.div_ceil(BATCH);
    let mut seen = BTreeSet::new();
    let mut log: Vec<Vec<TransactionId>> = Vec::new();
    for pass in 0..passes {
        // Passes 40 minutes apart: what was checked before is due again.
        let now: Timestamp = at(HOUR + i64::try_from(pass).unwrap_or(0) * 40 * MINUTE);
        let query = PollQuery {
            now,
            since: at(-HOUR),
            after: Duration::from_secs(60),
            limit: BATCH,
        };
        let batch = c.ok("payments_to_poll", s.payments_to_poll(&query).await);
        c.that(
            batch.len() <= BATCH,
            format_args!("at most {BATCH} payments per batch, found {}", batch.len()),
        );
        for p in &batch {
            let ok = c.ok(
                "record_check",
                s.record_check(&p.transaction_id, Some(&fixtures::waiting_check()), now)
                    .await,
            );
            c.that(ok, "record_check of a listed payment to return true");
            seen.insert(p.transaction_id.clone());
        }
        log.push(batch.into_iter().map(|p| p.transaction_id).collect());
    }
    let missed: Vec<&TransactionId> = all.difference(&seen).collect();
    c.that(
        missed.is_empty(),
        format_args!(
            "every one of {CANDIDATES} candidates to be polled within {passes} passes of {BATCH}; \
             never polled: {missed:?}; batches: {log:?}"
        ),
    );
}

/// `list_payments(filter)` applies every condition of the filter (order,
/// status, failing fulfilment, needing a refund, created since), lists newest
/// first (`created_at`, then transaction id, descending), keeps `limit`, and
/// pages with `before` without skipping or repeating a payment, even when
/// several were created at the same instant.
pub async fn list_payments_filters_and_pages(backend: Arc<dyn StoreBackend>) {
    use cinetpay_core::PaymentFilter;

    let c = Check::new("list_payments_filters_and_pages");
    let store = backend.instance().await;
    let s = &*store;
    let ids = |list: &[cinetpay_core::Payment]| -> Vec<TransactionId> {
        list.iter().map(|p| p.transaction_id.clone()).collect()
    };

    // Inserted out of creation order; two at the same instant.
    let accepted = c.accepted(s, "list-accepted", at(3_000)).await;
    let failing = c.accepted(s, "list-failing", at(1_000)).await;
    let refund = c.needs_refund(s, "list-refund", at(2_000)).await;
    let pending = fixtures::new_payment(&fixtures::order_ref("list-pending"), 1500, at(2_000));
    c.insert(s, &pending).await;
    let old = fixtures::new_payment(&fixtures::order_ref("list-old"), 1500, at(0));
    c.insert(s, &old).await;
    c.transition(
        s,
        &old,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(0),
    )
    .await;
    // A failed delivery attempt of `failing`.
    let id = &failing.transaction_id;
    claim_ok(c, s, id, "owner-l", at(1_100), LONG_LEASE, 1).await;
    release(c, s, id, "owner-l", at(9_000), at(1_200), false, true).await;

    // Newest first; the two at 2 000 by transaction id, descending.
    let mut same_instant = [
        refund.transaction_id.clone(),
        pending.transaction_id.clone(),
    ];
    same_instant.sort();
    let mut everything = vec![accepted.transaction_id.clone()];
    everything.extend(same_instant.iter().rev().cloned());
    everything.push(failing.transaction_id.clone());
    everything.push(old.transaction_id.clone());
    let all = c.ok(
        "list_payments",
        s.list_payments(&PaymentFilter::newest(10)).await,
    );
    c.eq(
        "list_payments(newest 10): every payment, newest first",
        everything.clone(),
        ids(&all),
    );
    for p in &all {
        c.same_payment(
            "a row of list_payments equals find_payment",
            &c.get(s, &p.transaction_id).await,
            p,
        );
    }
    let two = c.ok(
        "list_payments",
        s.list_payments(&PaymentFilter::newest(2)).await,
    );
    c.eq(
        "list_payments(newest 2): the two newest",
        everything[..2].to_vec(),
        ids(&two),
    );
    let none = c.ok(
        "list_payments",
        s.list_payments(&PaymentFilter::newest(0)).await,
    );
    c.that(none.is_empty(), "list_payments(newest 0) to be empty");

    // Pages of two cover everything once, in order.
    let mut paged = Vec::new();
    let mut filter = PaymentFilter::newest(2);
    for _ in 0..4 {
        let page = c.ok("list_payments", s.list_payments(&filter).await);
        let Some(last) = page.last() else { break };
        filter = filter.clone().after(last);
        paged.extend(ids(&page));
    }
    c.eq(
        "pages of 2 after each page's last payment",
        everything.clone(),
        paged,
    );

    let cases: [(&str, PaymentFilter, Vec<TransactionId>); 6] = [
        (
            "status accepted",
            PaymentFilter::newest(10).status(PaymentStatus::Accepted),
            vec![
                accepted.transaction_id.clone(),
                failing.transaction_id.clone(),
            ],
        ),
        (
            "failing fulfilment",
            PaymentFilter::newest(10).failing_fulfilment(),
            vec![failing.transaction_id.clone()],
        ),
        (
            "needing a refund",
            PaymentFilter::newest(10).needing_refund(),
            vec![refund.transaction_id.clone()],
        ),
        (
            "created since 2 000 (inclusive)",
            PaymentFilter::newest(10).created_since(at(2_000)),
            everything[..3].to_vec(),
        ),
        (
            "order list-pending",
            PaymentFilter::newest(10).order(pending.order_ref.clone()),
            vec![pending.transaction_id.clone()],
        ),
        (
            "status refused and created since 1 000: nothing",
            PaymentFilter::newest(10)
                .status(PaymentStatus::Refused)
                .created_since(at(1_000)),
            Vec::new(),
        ),
    ];
    for (what, filter, expected) in cases {
        let found = c.ok("list_payments", s.list_payments(&filter).await);
        c.eq(&format!("list_payments({what})"), expected, ids(&found));
    }

    // Once delivered, a payment no longer fails its fulfilment.
    claim_ok(c, s, id, "owner-m", at(9_000), LONG_LEASE, 2).await;
    complete(
        c,
        s,
        id,
        "owner-m",
        at(9_100),
        true,
        "the live owner completes",
    )
    .await;
    let after = c.ok(
        "list_payments",
        s.list_payments(&PaymentFilter::newest(10).failing_fulfilment())
            .await,
    );
    c.eq("failing fulfilment once delivered", Vec::new(), ids(&after));
}
