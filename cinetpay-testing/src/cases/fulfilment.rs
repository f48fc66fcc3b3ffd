//! The claim protocol: claim, complete and release, leases and fencing.

use std::sync::Arc;

use crate::model::{FulfilmentClaim, Payment, PaymentStatus, Timestamp};
use crate::store::PaymentStore;
use crate::testing::check::Check;
use crate::testing::fixtures::{self, at};
use crate::values::TransactionId;

/// Claims `id` for `owner`, which must succeed with `attempt`; checks the claim
/// against the stored row.
pub(crate) async fn claim_ok(
    c: Check,
    s: &dyn PaymentStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    lease_until: Timestamp,
    attempt: u32,
) -> FulfilmentClaim {
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(id, owner, now, lease_until).await,
    );
    let Some(claim) = claim else {
        c.fail(format_args!(
            "claim_fulfilment of {id} by {owner:?} at {now} to win attempt {attempt}, found None"
        ))
    };
    c.eq("the claim's owner", owner, claim.owner.as_str());
    c.same_time(
        "the claim's lease_until",
        Some(lease_until),
        Some(claim.lease_until),
    );
    c.eq("the claim's attempt number", attempt, claim.attempt);
    let stored = c.get(s, id).await;
    c.eq(
        "claim_owner after a claim",
        Some(owner),
        stored.fulfilment.claim_owner.as_deref(),
    );
    c.same_time(
        "claim_until after a claim",
        Some(lease_until),
        stored.fulfilment.claim_until,
    );
    c.eq(
        "attempts after a claim",
        attempt,
        stored.fulfilment.attempts,
    );
    c.same_time(
        "updated_at after a claim",
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
    s: &dyn PaymentStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    lease_until: Timestamp,
    why: &str,
) {
    let before = c.get(s, id).await;
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(id, owner, now, lease_until).await,
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

/// Completes, expecting `expected`; a refused complete changes nothing.
async fn complete(
    c: Check,
    s: &dyn PaymentStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    expected: bool,
    why: &str,
) -> Payment {
    let before = c.get(s, id).await;
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(id, owner, now).await,
    );
    c.eq(
        &format!("complete_fulfilment by {owner:?} ({why})"),
        expected,
        done,
    );
    let after = c.get(s, id).await;
    if expected {
        c.that(
            after.is_fulfilled(),
            format_args!("the payment fulfilled after complete ({why})"),
        );
        c.same_time(
            "fulfilled_at after complete",
            Some(now),
            after.fulfilment.fulfilled_at,
        );
        c.same_time(
            "updated_at after complete",
            Some(now),
            Some(after.updated_at),
        );
        c.eq(
            "status after complete",
            PaymentStatus::Accepted,
            after.status,
        );
        c.eq(
            "attempts after complete",
            before.fulfilment.attempts,
            after.fulfilment.attempts,
        );
    } else {
        c.same_payment(
            &format!("the payment after a refused complete ({why}): unchanged"),
            &before,
            &after,
        );
    }
    after
}

/// Releases, expecting `false` and no change.
async fn release_refused(
    c: Check,
    s: &dyn PaymentStore,
    id: &TransactionId,
    owner: &str,
    now: Timestamp,
    why: &str,
) {
    let before = c.get(s, id).await;
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(id, owner, "late failure", now, now)
            .await,
    );
    c.that(
        !released,
        format_args!("release_fulfilment by {owner:?} to be refused ({why})"),
    );
    c.same_payment(
        &format!("the payment after a refused release ({why}): unchanged"),
        &before,
        &c.get(s, id).await,
    );
}

/// Only an accepted payment can be claimed: pending, refused, cancelled,
/// start-failed and needs-attention payments answer `None` and count no attempt.
pub async fn claim_requires_accepted(store: Arc<dyn PaymentStore>) {
    let c = Check::new("claim_requires_accepted");
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
            at(30_020),
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
    // The same payment, once accepted, can be claimed.
    let new = fixtures::new_payment(&fixtures::order_ref("later"), 1500, at(0));
    c.insert(s, &new).await;
    claim_none(
        c,
        s,
        &new.transaction_id,
        "owner-a",
        at(20),
        at(30_020),
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
    claim_ok(c, s, &new.transaction_id, "owner-a", at(50), at(30_050), 1).await;
}

/// A claim is exclusive while its lease runs; `complete` is fenced by the
/// owner token; once complete, the payment is fulfilled for good: no claim,
/// not due, a second complete or a release changes nothing.
pub async fn claim_and_complete(store: Arc<dyn PaymentStore>) {
    let c = Check::new("claim_and_complete");
    let s = &*store;
    let new = c.accepted(s, "complete", at(0)).await;
    let id = &new.transaction_id;
    let lease = at(31_000);
    claim_ok(c, s, id, "owner-a", at(1_000), lease, 1).await;

    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(1_000),
        at(40_000),
        "a live claim, same instant",
    )
    .await;
    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(30_999),
        at(60_000),
        "a live claim, 1 ms before its lease ends",
    )
    .await;
    claim_none(
        c,
        s,
        id,
        "owner-a",
        at(2_000),
        at(40_000),
        "a live claim, even for its own owner",
    )
    .await;
    let due = c.ok("due_fulfilments", s.due_fulfilments(at(2_000), 10).await);
    c.that(
        due.iter().all(|p| &p.transaction_id != id),
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

    claim_none(
        c,
        s,
        id,
        "owner-c",
        at(3_600_000),
        at(3_700_000),
        "already fulfilled, lease long over",
    )
    .await;
    release_refused(c, s, id, "owner-a", at(8_000), "already fulfilled").await;
    let due = c.ok(
        "due_fulfilments",
        s.due_fulfilments(at(3_600_000), 10).await,
    );
    c.that(
        due.iter().all(|p| &p.transaction_id != id),
        "a fulfilled payment not to be due",
    );
}

/// A claim whose lease has ended (`claim_until <= now`, the boundary
/// included) is taken over with the next attempt number; the former owner's
/// complete and release are then refused, and the new owner completes.
pub async fn expired_lease_takeover(store: Arc<dyn PaymentStore>) {
    let c = Check::new("expired_lease_takeover");
    let s = &*store;
    let new = c.accepted(s, "takeover", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), at(11_000), 1).await;
    claim_ok(c, s, id, "owner-b", at(11_000), at(41_000), 2).await;
    complete(
        c,
        s,
        id,
        "owner-a",
        at(11_001),
        false,
        "a former owner after a takeover",
    )
    .await;
    release_refused(
        c,
        s,
        id,
        "owner-a",
        at(11_002),
        "a former owner after a takeover",
    )
    .await;
    complete(c, s, id, "owner-b", at(12_000), true, "the new owner").await;
}

/// An owner whose lease ended but whose claim nobody took over may still
/// complete (the fulfiller did run); then nobody can claim.
pub async fn complete_after_lease_expiry_without_takeover(store: Arc<dyn PaymentStore>) {
    let c = Check::new("complete_after_lease_expiry_without_takeover");
    let s = &*store;
    let new = c.accepted(s, "late-complete", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), at(11_000), 1).await;
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
    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(7_200_000),
        at(7_300_000),
        "fulfilled",
    )
    .await;
}

/// `release_fulfilment` is fenced by the owner token, clears the claim, keeps
/// the attempt count, stores the error (non-ASCII; a long one at least its
/// first 255 characters) and the next attempt time; the payment is neither
/// claimable nor due before that time and is both at it (boundary included).
pub async fn release_schedules_retry(store: Arc<dyn PaymentStore>) {
    let c = Check::new("release_schedules_retry");
    let s = &*store;
    let new = c.accepted(s, "retry", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "owner-a", at(1_000), at(31_000), 1).await;
    release_refused(c, s, id, "owner-b", at(2_000), "not the owner").await;

    let error = "fulfil failed: délai dépassé (timeout 30 s) — stock « épuisé »";
    let before = c.get(s, id).await;
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(id, "owner-a", error, at(61_000), at(6_000))
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

    release_refused(c, s, id, "owner-a", at(7_000), "already released").await;
    complete(c, s, id, "owner-a", at(7_000), false, "a released claim").await;

    claim_none(
        c,
        s,
        id,
        "owner-b",
        at(60_999),
        at(90_000),
        "1 ms before the next attempt",
    )
    .await;
    let due = c.ok("due_fulfilments", s.due_fulfilments(at(60_999), 10).await);
    c.that(
        due.iter().all(|p| &p.transaction_id != id),
        "a payment not to be due before its next attempt",
    );
    let due = c.ok("due_fulfilments", s.due_fulfilments(at(61_000), 10).await);
    c.eq(
        "due_fulfilments at the next attempt time",
        vec![id.clone()],
        due.into_iter().map(|p| p.transaction_id).collect(),
    );
    claim_ok(c, s, id, "owner-b", at(61_000), at(91_000), 2).await;

    let long_error = format!("fulfiller error: {}", "entrepôt injoignable; ".repeat(50));
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(id, "owner-b", &long_error, at(120_000), at(62_000))
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

    claim_ok(c, s, id, "owner-c", at(120_000), at(150_000), 3).await;
    complete(c, s, id, "owner-c", at(121_000), true, "the third owner").await;
}
