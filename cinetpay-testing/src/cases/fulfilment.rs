//! The claim protocol: claim, complete and release, leases on the store's
//! clock, fencing, retries and refund notices.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;

use cinetpay_core::{
    Claim, Completion, FulfilmentClaim, Owed, Payment, PaymentStatus, RefundReason, Release,
    StatusChange, Timestamp, TransactionId,
};

use crate::check::{Check, LONG_LEASE, LeaseTimer, SHORT_LEASE, real_now};
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

/// Claims `id` for `owner` at `now` with `lease`, which must succeed with
/// `attempt`; checks the claim against the stored row and the lease against
/// the store's clock.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn claim_ok(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    lease: Duration,
    attempt: u32,
) -> FulfilmentClaim {
    let before = real_now();
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(&Claim {
            transaction_id: id,
            owner,
            now,
            lease,
        })
        .await,
    );
    let after = real_now();
    let Some(claim) = claim else {
        c.fail(format_args!(
            "claim_fulfilment of {id} by {owner:?} at {now} to win attempt {attempt}, found None"
        ))
    };
    c.eq("the claim's owner", owner, claim.owner.as_str());
    c.eq("the claim's attempt number", attempt, claim.attempt);
    c.lease_from_store_clock(claim.lease_until, lease, before, after);
    let stored = c.get(s, id).await;
    c.eq(
        "claim_owner after a claim",
        Some(owner),
        stored.fulfilment.claim_owner.as_deref(),
    );
    c.same_time(
        "claim_until after a claim (the claim's lease_until)",
        Some(claim.lease_until),
        stored.fulfilment.claim_until,
    );
    c.eq(
        "attempts after a claim",
        attempt,
        stored.fulfilment.attempts,
    );
    c.same_time(
        "updated_at after a claim (the caller's now)",
        Some(now),
        Some(stored.updated_at),
    );
    c.same_payment(
        "the payment inside the claim (as it stood after the claim)",
        &stored,
        &claim.payment,
    );
    claim
}

/// Claims `id` for `owner`, which must be refused and change nothing.
pub(crate) async fn claim_none(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    why: &str,
) {
    let before = c.get(s, id).await;
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(&Claim {
            transaction_id: id,
            owner,
            now,
            lease: LONG_LEASE,
        })
        .await,
    );
    if let Some(claim) = claim {
        c.fail(format_args!(
            "claim_fulfilment of {id} by {owner:?} at {now} to be refused ({why}), found a claim with attempt {}",
            claim.attempt
        ));
    }
    c.same_payment(
        &format!("the payment after a refused claim ({why}): unchanged"),
        &before,
        &c.get(s, id).await,
    );
}

/// Completes, expecting `expected`. A complete that succeeds marks what was
/// owed done (`fulfilled_at` for a delivery, `refund_notified_at` for a refund
/// notice) and `updated_at`, nothing else; a refused one changes nothing.
pub(crate) async fn complete(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    expected: bool,
    why: &str,
) -> Payment {
    let before = c.get(s, id).await;
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&Completion {
            transaction_id: id,
            owner,
            now,
        })
        .await,
    );
    c.eq(
        &format!("complete_fulfilment by {owner:?} ({why})"),
        expected,
        done,
    );
    let after = c.get(s, id).await;
    let mut wanted = before.clone();
    if expected {
        match before.owed() {
            Some(Owed::Delivery) => wanted.fulfilment.fulfilled_at = Some(now),
            Some(Owed::RefundNotice) => wanted.refund_notified_at = Some(now),
            None => c.fail(format_args!(
                "complete_fulfilment to succeed on a payment that owes nothing ({why})"
            )),
        }
        wanted.updated_at = now;
        c.same_payment(
            &format!(
                "the payment after complete ({why}): {:?} marked done at {now}, nothing else changed",
                before.owed()
            ),
            &wanted,
            &after,
        );
    } else {
        c.same_payment(
            &format!("the payment after a refused complete ({why}): unchanged"),
            &wanted,
            &after,
        );
    }
    after
}

/// Releases as `owner`, expecting `expected`; a refused release changes nothing.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn release(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    owner: &str,
    next_attempt_at: Timestamp,
    now: Timestamp,
    keep_lease: bool,
    expected: bool,
) {
    let before = c.get(s, id).await;
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&Release {
            transaction_id: id,
            owner,
            error: "fulfiller failed",
            next_attempt_at,
            now,
            keep_lease,
        })
        .await,
    );
    c.eq(
        &format!("release_fulfilment by {owner:?} (keep_lease {keep_lease})"),
        expected,
        released,
    );
    if !expected {
        c.same_payment(
            &format!("the payment after a refused release by {owner:?}: unchanged"),
            &before,
            &c.get(s, id).await,
        );
    }
}

/// Whether `id` is among `due_fulfilments(now, 100)`.
async fn is_due(c: Check, s: &dyn QueryableStore, id: &TransactionId, now: Timestamp) -> bool {
    c.ok("due_fulfilments", s.due_fulfilments(now, 100).await)
        .iter()
        .any(|p| &p.transaction_id == id)
}

/// Only a payment that is owed something can be claimed: pending, refused,
/// cancelled, start-failed and needs-attention payments (a money mismatch, or
/// a row without an attention) answer `None` and count no attempt; the same
/// payment, once accepted, can be claimed.
pub async fn claim_requires_accepted(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("claim_requires_accepted");
    let store = backend.instance().await;
    let s = &*store;
    for status in PaymentStatus::ALL
        .into_iter()
        .filter(|st| *st != PaymentStatus::Accepted)
    {
        let new = fixtures::new_payment(&fixtures::order_ref(status.as_str()), 1500, at(0));
        c.insert(s, &new).await;
        if status != PaymentStatus::Pending {
            c.transition(s, &new, PaymentStatus::Pending, status, at(10))
                .await;
        }
        claim_none(
            c,
            s,
            &new.transaction_id,
            "owner-a",
            at(20),
            &format!("status {status}"),
        )
        .await;
        let row = c.get(s, &new.transaction_id).await;
        c.eq(
            &format!("attempts of a {status} payment"),
            0,
            row.fulfilment.attempts,
        );
    }
    // A needs-attention row without an attention (written before it was recorded).
    let legacy = fixtures::new_payment(&fixtures::order_ref("legacy"), 1500, at(0));
    c.insert(s, &legacy).await;
    let change = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::NeedsAttention,
        check: Some(fixtures::accepted_check(&legacy)),
        reason: Some("an old row".to_owned()),
        attention: None,
        at: at(10),
    };
    c.apply(s, &legacy.transaction_id, &change).await;
    claim_none(
        c,
        s,
        &legacy.transaction_id,
        "owner-a",
        at(20),
        "needs_attention without an attention",
    )
    .await;

    // The same payment, once accepted, can be claimed.
    let new = fixtures::new_payment(&fixtures::order_ref("later"), 1500, at(0));
    c.insert(s, &new).await;
    claim_none(
        c,
        s,
        &new.transaction_id,
        "owner-a",
        at(20),
        "still pending",
    )
    .await;
    c.transition(
        s,
        &new,
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        at(40),
    )
    .await;
    claim_ok(c, s, &new.transaction_id, "owner-a", at(50), LONG_LEASE, 1).await;
}

/// A claim is exclusive while its lease runs (even for its own owner, even for
/// a caller whose `now` is far later); `complete` is fenced by the owner
/// token; once complete, the payment is fulfilled for good: no claim, not
/// due, a second complete or a release changes nothing.
pub async fn claim_and_complete(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("claim_and_complete");
    let store = backend.instance().await;
    let s = &*store;
    let new = c.accepted(s, "complete", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;

    claim_none(c, s, id, "owner-b", at(1_000), "a live claim, same instant").await;
    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(3_600_000),
        "a live claim, the caller an hour later",
    )
    .await;
    claim_none(
        c,
        s,
        id,
        "owner-a",
        at(2_000),
        "a live claim, even for its own owner",
    )
    .await;
    c.that(
        !is_due(c, s, id, at(2_000)).await,
        "a payment with a live claim not to be due",
    );

    complete(c, s, id, "owner-b", at(5_000), false, "not the owner").await;
    complete(c, s, id, "", at(5_000), false, "an empty owner token").await;
    complete(c, s, id, "owner-a", at(6_000), true, "the owner").await;
    let fulfilled = complete(c, s, id, "owner-a", at(7_000), false, "already fulfilled").await;
    c.same_time(
        "fulfilled_at after a second complete",
        Some(at(6_000)),
        fulfilled.fulfilment.fulfilled_at,
    );
    c.eq(
        "refund_notified_at of a delivered payment",
        None,
        fulfilled.refund_notified_at,
    );

    claim_none(c, s, id, "owner-c", at(3_600_000), "already fulfilled").await;
    release(c, s, id, "owner-a", at(8_000), at(8_000), false, false).await;
    c.that(
        !is_due(c, s, id, at(3_600_000)).await,
        "a fulfilled payment not to be due",
    );
}

/// A claim whose lease has ended on the store's clock is taken over with the
/// next attempt number; the former owner's complete and release are then
/// refused, and the new owner completes.
pub async fn expired_lease_takeover(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("expired_lease_takeover");
    let store = backend.instance().await;
    let s = &*store;
    let new = c.accepted(s, "takeover", at(0)).await;
    let id = &new.transaction_id;
    let timer = LeaseTimer::start(SHORT_LEASE);
    claim_ok(c, s, id, "owner-a", at(1_000), SHORT_LEASE, 1).await;
    timer.sleep_past().await;
    claim_ok(c, s, id, "owner-b", at(1_000), LONG_LEASE, 2).await;
    complete(
        c,
        s,
        id,
        "owner-a",
        at(1_001),
        false,
        "a former owner after a takeover",
    )
    .await;
    for keep_lease in [false, true] {
        release(c, s, id, "owner-a", at(1_002), at(1_002), keep_lease, false).await;
    }
    complete(c, s, id, "owner-b", at(2_000), true, "the new owner").await;
}

/// An owner whose lease ended but whose claim nobody took over may still
/// complete (the fulfiller did run); meanwhile the payment is due; then
/// nobody can claim.
pub async fn complete_after_lease_expiry_without_takeover(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("complete_after_lease_expiry_without_takeover");
    let store = backend.instance().await;
    let s = &*store;
    let new = c.accepted(s, "late-complete", at(0)).await;
    let id = &new.transaction_id;
    let timer = LeaseTimer::start(SHORT_LEASE);
    claim_ok(c, s, id, "owner-a", at(1_000), SHORT_LEASE, 1).await;
    timer.sleep_past().await;
    c.that(
        is_due(c, s, id, at(1_000)).await,
        "a payment whose lease ended (store's clock) to be due",
    );
    complete(
        c,
        s,
        id,
        "owner-a",
        at(3_600_000),
        true,
        "the owner, lease over, no takeover",
    )
    .await;
    claim_none(c, s, id, "owner-b", at(7_200_000), "fulfilled").await;
}

/// Leases are measured on the store's clock, whatever the callers' `now`s say:
/// right after a claim, a caller an hour ahead (a skewed instance) or an hour
/// behind cannot take it, nor see it due; once the lease has really ended, a
/// caller an hour behind takes it over, and its `lease_until` is the store's
/// now plus the lease, not its own `now` plus the lease.
pub async fn lease_on_the_store_clock(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("lease_on_the_store_clock");
    let store = backend.instance().await;
    let s = &*store;
    let lease = SHORT_LEASE;
    let hour = TimeDelta::hours(1);
    let new = c.accepted(s, "store-clock", at(0)).await;
    let id = &new.transaction_id;

    let timer = LeaseTimer::start(lease);
    claim_ok(c, s, id, "owner-a", real_now(), lease, 1).await;
    claim_none(
        c,
        s,
        id,
        "owner-ahead",
        real_now() + hour,
        "a live lease, the caller's clock an hour ahead",
    )
    .await;
    claim_none(
        c,
        s,
        id,
        "owner-behind",
        real_now() - hour,
        "a live lease, the caller's clock an hour behind",
    )
    .await;
    c.that(
        !is_due(c, s, id, real_now() + hour).await,
        "a payment with a live lease not to be due for a caller an hour ahead",
    );
    c.still_within(&timer, "the live-lease checks");

    timer.sleep_past().await;
    claim_ok(c, s, id, "owner-behind", real_now() - hour, lease, 2).await;
    complete(c, s, id, "owner-a", real_now(), false, "a former owner").await;
    complete(c, s, id, "owner-behind", real_now(), true, "the new owner").await;
}

/// `release_fulfilment` is fenced by the owner token, clears the claim, keeps
/// the attempt count, stores the error (non-ASCII; a long one at least its
/// first 255 characters) and the next attempt time; the payment is neither
/// claimable nor due before that time (the caller's clock) and is both at it
/// (boundary included).
pub async fn release_schedules_retry(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("release_schedules_retry");
    let store = backend.instance().await;
    let s = &*store;
    let new = c.accepted(s, "retry", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;
    release(c, s, id, "owner-b", at(2_000), at(2_000), false, false).await;

    let error = "fulfil failed: délai dépassé (timeout 30 s) — stock « épuisé »";
    let before = c.get(s, id).await;
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&Release {
            transaction_id: id,
            owner: "owner-a",
            error,
            next_attempt_at: at(61_000),
            now: at(6_000),
            keep_lease: false,
        })
        .await,
    );
    c.that(released, "release_fulfilment by the owner to return true");
    let mut expected = before;
    expected.fulfilment.claim_owner = None;
    expected.fulfilment.claim_until = None;
    expected.fulfilment.last_error = Some(error.to_owned());
    expected.fulfilment.next_attempt_at = Some(at(61_000));
    expected.updated_at = at(6_000);
    c.same_payment(
        "the payment after release (claim cleared, attempts kept, error and next attempt stored)",
        &expected,
        &c.get(s, id).await,
    );

    release(c, s, id, "owner-a", at(7_000), at(7_000), false, false).await;
    complete(c, s, id, "owner-a", at(7_000), false, "a released claim").await;

    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(60_999),
        "1 ms before the next attempt",
    )
    .await;
    c.that(
        !is_due(c, s, id, at(60_999)).await,
        "a payment not to be due before its next attempt",
    );
    let due = c.ok("due_fulfilments", s.due_fulfilments(at(61_000), 10).await);
    c.eq(
        "due_fulfilments at the next attempt time",
        vec![id.clone()],
        due.into_iter().map(|p| p.transaction_id).collect(),
    );
    claim_ok(c, s, id, "owner-b", at(61_000), LONG_LEASE, 2).await;

    let long_error = format!("fulfiller error: {}", "entrepôt injoignable; ".repeat(50));
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&Release {
            transaction_id: id,
            owner: "owner-b",
            error: &long_error,
            next_attempt_at: at(120_000),
            now: at(62_000),
            keep_lease: false,
        })
        .await,
    );
    c.that(
        released,
        "release_fulfilment by the second owner to return true",
    );
    let stored = c.get(s, id).await;
    let kept = stored.fulfilment.last_error.unwrap_or_default();
    c.that(
        long_error.starts_with(&kept) && kept.chars().count() >= 255,
        format_args!(
            "a {}-character last_error to be kept whole or cut to at least 255 characters, found {} characters",
            long_error.chars().count(),
            kept.chars().count()
        ),
    );

    claim_ok(c, s, id, "owner-c", at(120_000), LONG_LEASE, 3).await;
    complete(c, s, id, "owner-c", at(121_000), true, "the third owner").await;
}

/// `release_fulfilment` with `keep_lease` (the attempt timed out) records the
/// error and the next attempt but keeps the claim's owner and lease: nobody
/// can claim until the lease ends, even with the next attempt due; after it,
/// the next attempt is claimable from its time. Without `keep_lease` the claim
/// is free at once.
pub async fn release_keep_lease(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("release_keep_lease");
    let store = backend.instance().await;
    let s = &*store;
    let lease = SHORT_LEASE;
    let new = c.accepted(s, "keep-lease", at(0)).await;
    let id = &new.transaction_id;

    let timer = LeaseTimer::start(lease);
    claim_ok(c, s, id, "owner-a", at(1_000), lease, 1).await;
    let before = c.get(s, id).await;
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&Release {
            transaction_id: id,
            owner: "owner-a",
            error: "fulfil timed out after 30 s",
            next_attempt_at: at(2_000),
            now: at(1_500),
            keep_lease: true,
        })
        .await,
    );
    c.that(
        released,
        "release_fulfilment with keep_lease by the owner to return true",
    );
    let mut expected = before;
    expected.fulfilment.last_error = Some("fulfil timed out after 30 s".to_owned());
    expected.fulfilment.next_attempt_at = Some(at(2_000));
    expected.updated_at = at(1_500);
    c.same_payment(
        "the payment after a release with keep_lease (owner and lease kept, error and next attempt stored)",
        &expected,
        &c.get(s, id).await,
    );
    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(10_000),
        "the next attempt is due but the kept lease still runs",
    )
    .await;
    c.that(
        !is_due(c, s, id, at(10_000)).await,
        "a payment whose kept lease still runs not to be due",
    );
    c.still_within(&timer, "the kept-lease checks");

    timer.sleep_past().await;
    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(1_999),
        "the kept lease ended, the next attempt not due yet",
    )
    .await;
    claim_ok(c, s, id, "owner-b", at(2_000), LONG_LEASE, 2).await;
    complete(c, s, id, "owner-a", at(2_001), false, "the former owner").await;
    complete(c, s, id, "owner-b", at(2_002), true, "the new owner").await;

    // Without keep_lease the claim is given back at once.
    let other = c.accepted(s, "give-back", at(0)).await;
    let id = &other.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;
    release(c, s, id, "owner-a", at(2_000), at(1_500), false, true).await;
    let row = c.get(s, id).await;
    c.eq(
        "the claim owner after a release without keep_lease",
        None,
        row.fulfilment.claim_owner,
    );
    c.eq(
        "the lease after a release without keep_lease",
        None,
        row.fulfilment.claim_until,
    );
    claim_ok(c, s, id, "owner-b", at(2_000), LONG_LEASE, 2).await;
}

/// A payment in needs-attention with a refund attention is owed a refund
/// notice: it is due and claimable like a delivery, fenced the same way;
/// `complete_fulfilment` sets `refund_notified_at` (never `fulfilled_at`),
/// after which it is neither claimable nor due; a release schedules a retry.
/// A needs-attention payment for a money mismatch is never claimable nor due.
pub async fn refund_notice_claim_protocol(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("refund_notice_claim_protocol");
    let store = backend.instance().await;
    let s = &*store;
    let refund = c.needs_refund(s, "refund", at(0)).await;
    let id = &refund.transaction_id;
    let row = c.get(s, id).await;
    c.eq(
        "what a needs-refund payment is owed",
        Some(Owed::RefundNotice),
        row.owed(),
    );
    c.that(
        is_due(c, s, id, at(1_000)).await,
        "a payment owed a refund notice to be due",
    );
    let claim = claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;
    c.eq(
        "the attention inside the claim",
        row.attention.as_ref(),
        claim.payment.attention.as_ref(),
    );
    claim_none(c, s, id, "owner-b", at(1_000), "a live refund-notice claim").await;
    c.that(
        !is_due(c, s, id, at(1_000)).await,
        "a refund notice with a live claim not to be due",
    );
    complete(c, s, id, "owner-b", at(2_000), false, "not the owner").await;
    let done = complete(c, s, id, "owner-a", at(2_000), true, "the owner").await;
    c.eq(
        "fulfilled_at of a notified refund (never delivered)",
        None,
        done.fulfilment.fulfilled_at,
    );
    c.eq(
        "the status of a notified refund",
        PaymentStatus::NeedsAttention,
        done.status,
    );
    complete(c, s, id, "owner-a", at(3_000), false, "already notified").await;
    claim_none(
        c,
        s,
        id,
        "owner-c",
        at(3_600_000),
        "refund already notified",
    )
    .await;
    c.that(
        !is_due(c, s, id, at(3_600_000)).await,
        "a notified refund not to be due",
    );

    // The duplicate of a paid order, retried after a failed notice.
    let twice = fixtures::new_payment(&fixtures::order_ref("refund-twice"), 1500, at(0));
    c.insert(s, &twice).await;
    let by = TransactionId::generate();
    let change = fixtures::needs_refund(
        &twice,
        PaymentStatus::Pending,
        RefundReason::OrderAlreadyPaid { by },
        at(10),
    );
    c.apply(s, &twice.transaction_id, &change).await;
    let id = &twice.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;
    release(c, s, id, "owner-a", at(5_000), at(1_500), false, true).await;
    claim_none(c, s, id, "owner-b", at(4_999), "the retry not due yet").await;
    claim_ok(c, s, id, "owner-b", at(5_000), LONG_LEASE, 2).await;
    complete(c, s, id, "owner-b", at(5_500), true, "the retry's owner").await;

    // A money mismatch is never claimed.
    let mismatch = fixtures::new_payment(&fixtures::order_ref("mismatch"), 1500, at(0));
    c.insert(s, &mismatch).await;
    let change = fixtures::money_mismatch(&mismatch, PaymentStatus::Pending, at(10));
    c.apply(s, &mismatch.transaction_id, &change).await;
    claim_none(
        c,
        s,
        &mismatch.transaction_id,
        "owner-a",
        at(1_000),
        "needs_attention for a money mismatch",
    )
    .await;
    c.that(
        !is_due(c, s, &mismatch.transaction_id, at(1_000)).await,
        "a money mismatch not to be due",
    );
}
