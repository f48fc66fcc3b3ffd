//! The combined steps of a first notification: `accept_and_claim` and
//! `complete_and_record` must give what their two steps give (the provided
//! defaults), whether a store overrides them or not.

use std::sync::Arc;

use cinetpay_core::{
    Claim, Completion, DeliveryRecord, DeliverySource, FulfilmentClaim, PaymentStatus,
    StatusChange, Timestamp, TransactionId, Transition,
};

use crate::check::{Check, LONG_LEASE, concurrently, real_now, start_line};
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

/// The change to `accepted` the engine makes for a verified check, at `at`.
fn accept(new: &cinetpay_core::NewPayment, at: Timestamp) -> StatusChange {
    fixtures::accepted_change(new, PaymentStatus::Pending, at)
}

/// `accept_and_claim`, its answer.
async fn accept_and_claim(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    change: &StatusChange,
    owner: &str,
    now: Timestamp,
) -> (Transition, Option<FulfilmentClaim>) {
    c.ok(
        "accept_and_claim",
        s.accept_and_claim(
            id,
            change,
            &Claim {
                transaction_id: id,
                owner,
                now,
                lease: LONG_LEASE,
            },
        )
        .await,
    )
}

/// `accept_and_claim` that must be refused with `expected`, take no claim and
/// write nothing.
async fn refused(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    change: &StatusChange,
    expected: &Transition,
    why: &str,
) {
    let before = c.get(s, id).await;
    let (outcome, claim) = accept_and_claim(c, s, id, change, "owner-late", at(9_000)).await;
    c.outcome(
        &format!("accept_and_claim of {id} ({why})"),
        expected,
        &outcome,
    );
    c.that(
        claim.is_none(),
        format_args!("accept_and_claim ({why}) to take no claim, found one"),
    );
    c.same_payment(
        &format!("the payment after a refused accept_and_claim ({why}): unchanged"),
        &before,
        &c.get(s, id).await,
    );
}

/// On a pending payment: the change applies and the delivery is claimed in
/// the same step (attempt 1, the owner, a lease on the store's clock); the
/// payment reads accepted (with the check, `checked_at` the change's time)
/// and claimed (`updated_at` the claim's `now`). A second call with the same
/// `from` (a duplicate notification) is `NotApplied` and claims nothing.
pub async fn accept_and_claim_in_one_step(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("accept_and_claim_in_one_step");
    let store = backend.instance().await;
    let s = &*store;
    let new = fixtures::new_payment(&fixtures::order_ref("one-step"), 1500, at(0));
    let id = &new.transaction_id;
    let before = c.insert(s, &new).await;
    let change = accept(&new, at(1_000));

    let started = real_now();
    let (outcome, claim) = accept_and_claim(c, s, id, &change, "owner-a", at(2_000)).await;
    let ended = real_now();
    c.outcome(
        "accept_and_claim of a pending payment",
        &Transition::Applied,
        &outcome,
    );
    let Some(claim) = claim else {
        c.fail("accept_and_claim of a pending payment to claim its delivery, found None")
    };
    c.eq("the claim's owner", "owner-a", claim.owner.as_str());
    c.eq("the claim's attempt number", 1, claim.attempt);
    c.lease_from_store_clock(claim.lease_until, LONG_LEASE, started, ended);

    let stored = c.get(s, id).await;
    let mut wanted = before;
    wanted.status = PaymentStatus::Accepted;
    wanted.check = change.check.clone();
    wanted.checked_at = Some(change.at);
    wanted.open = false;
    wanted.updated_at = at(2_000);
    wanted.fulfilment.claim_owner = Some("owner-a".to_owned());
    wanted.fulfilment.claim_until = Some(claim.lease_until);
    wanted.fulfilment.attempts = 1;
    c.same_payment(
        "the payment after accept_and_claim: accepted and claimed",
        &wanted,
        &stored,
    );
    c.same_payment(
        "the payment inside the claim (as it stood after the step)",
        &stored,
        &claim.payment,
    );

    refused(
        c,
        s,
        id,
        &change,
        &Transition::NotApplied,
        "a duplicate: the status is no longer pending",
    )
    .await;
    // The claim is live: the same payment cannot be claimed by anyone else.
    let other = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(&Claim {
            transaction_id: id,
            owner: "owner-b",
            now: at(3_000),
            lease: LONG_LEASE,
        })
        .await,
    );
    c.that(
        other.is_none(),
        "claim_fulfilment after accept_and_claim to find the claim live",
    );
}

/// Refused with nothing written and no claim: a payment of an order another
/// payment already paid (`OrderAlreadyPaid` naming the payer, which is left
/// as it was), a superseded payment and an unknown one (`NotApplied`).
pub async fn accept_and_claim_refused(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("accept_and_claim_refused");
    let store = backend.instance().await;
    let s = &*store;
    let order = fixtures::order_ref("paid-twice");
    let payer = fixtures::new_payment(&order, 1500, at(0));
    c.insert(s, &payer).await;
    c.transition(
        s,
        &payer,
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        at(100),
    )
    .await;
    let payer_before = c.get(s, &payer.transaction_id).await;
    let second = fixtures::new_payment(&order, 1500, at(200));
    c.insert(s, &second).await;
    refused(
        c,
        s,
        &second.transaction_id,
        &accept(&second, at(300)),
        &Transition::OrderAlreadyPaid(payer.transaction_id.clone()),
        "another payment of the order is accepted",
    )
    .await;
    c.same_payment(
        "the order's payer after another payment's accept_and_claim: unchanged",
        &payer_before,
        &c.get(s, &payer.transaction_id).await,
    );

    let old = fixtures::new_payment(&fixtures::order_ref("superseded-ac"), 1500, at(0));
    c.insert(s, &old).await;
    let done = c.ok(
        "supersede_payment",
        s.supersede_payment(&old.transaction_id, at(100)).await,
    );
    c.that(done, "supersede_payment of an open pending payment");
    refused(
        c,
        s,
        &old.transaction_id,
        &accept(&old, at(200)),
        &Transition::NotApplied,
        "a superseded payment",
    )
    .await;

    let ghost = fixtures::new_payment(&fixtures::order_ref("ghost-ac"), 1500, at(0));
    let (outcome, claim) = accept_and_claim(
        c,
        s,
        &ghost.transaction_id,
        &accept(&ghost, at(1)),
        "owner-a",
        at(1),
    )
    .await;
    c.outcome(
        "accept_and_claim of an unknown payment",
        &Transition::NotApplied,
        &outcome,
    );
    c.that(claim.is_none(), "no claim on an unknown payment");
    c.eq(
        "find_payment of an unknown payment after accept_and_claim",
        None,
        c.ok("find_payment", s.find_payment(&ghost.transaction_id).await)
            .map(|p| p.transaction_id),
    );
}

/// Concurrent `accept_and_claim` of one payment on several instances: exactly
/// one applies, and it holds the only claim.
pub async fn race_accept_and_claim_one_winner(backend: Arc<dyn StoreBackend>) {
    const TASKS: usize = 8;
    let c = Check::new("race_accept_and_claim_one_winner");
    let mut stores = Vec::new();
    for _ in 0..2 {
        stores.push(backend.instance().await);
    }
    let new = fixtures::new_payment(&fixtures::order_ref("race-ac"), 1500, at(0));
    c.insert(&*stores[0], &new).await;
    let line = start_line(TASKS);
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = Arc::clone(&stores[i % stores.len()]);
            let line = Arc::clone(&line);
            let id = new.transaction_id.clone();
            let change = accept(&new, at(1_000));
            async move {
                let owner = format!("owner-{i}");
                line.wait().await;
                store
                    .accept_and_claim(
                        &id,
                        &change,
                        &Claim {
                            transaction_id: &id,
                            owner: &owner,
                            now: at(2_000),
                            lease: LONG_LEASE,
                        },
                    )
                    .await
            }
        })
        .collect();
    let outcomes = concurrently(c, tasks).await;
    let mut winners = Vec::new();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        match c.ok("accept_and_claim", outcome) {
            (Transition::Applied, Some(claim)) => winners.push((i, claim)),
            (Transition::NotApplied, None) => {}
            other => c.fail(format_args!(
                "every concurrent accept_and_claim to be Applied with a claim or NotApplied without one, found {other:?}"
            )),
        }
    }
    c.eq(
        &format!("the number of winners among {TASKS} concurrent accept_and_claim"),
        1,
        winners.len(),
    );
    let (w, claim) = &winners[0];
    let stored = c.get(&*stores[0], &new.transaction_id).await;
    c.eq(
        "claim_owner after the race (the winner's)",
        Some(format!("owner-{w}")),
        stored.fulfilment.claim_owner,
    );
    c.eq("attempts after the race", 1, stored.fulfilment.attempts);
    c.eq("the winner's attempt", 1, claim.attempt);
}

/// `complete_and_record`: with the claim's owner it completes (`fulfilled_at`
/// and `updated_at` its `now`) and the line is in the log; with another owner
/// it answers `false` and completes nothing, but the line is appended all the
/// same (it reports what the sync did).
pub async fn complete_and_record_in_one_step(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("complete_and_record_in_one_step");
    let store = backend.instance().await;
    let s = &*store;
    let new = c.accepted(s, "complete-record", at(0)).await;
    let id = &new.transaction_id;
    super::fulfilment::claim_ok(c, s, id, "owner-a", at(1_000), LONG_LEASE, 1).await;
    let before = c.get(s, id).await;

    let wrong = DeliveryRecord::new(
        id.as_str(),
        DeliverySource::Notify,
        "not the owner",
        at(2_000),
    );
    let done = c.ok(
        "complete_and_record",
        s.complete_and_record(
            &Completion {
                transaction_id: id,
                owner: "owner-b",
                now: at(2_000),
            },
            &wrong,
        )
        .await,
    );
    c.eq("complete_and_record by another owner", false, done);
    c.same_payment(
        "the payment after complete_and_record by another owner: nothing completed",
        &before,
        &c.get(s, id).await,
    );
    let log = c.ok("deliveries", s.deliveries(id.as_str(), 10).await);
    c.eq(
        "the delivery log after a refused complete_and_record: its line appended",
        vec![wrong.clone()],
        log,
    );

    let right = DeliveryRecord::new(id.as_str(), DeliverySource::Notify, "delivered", at(3_000));
    let done = c.ok(
        "complete_and_record",
        s.complete_and_record(
            &Completion {
                transaction_id: id,
                owner: "owner-a",
                now: at(3_000),
            },
            &right,
        )
        .await,
    );
    c.eq("complete_and_record by the claim's owner", true, done);
    let mut wanted = before;
    wanted.fulfilment.fulfilled_at = Some(at(3_000));
    wanted.updated_at = at(3_000);
    c.same_payment(
        "the payment after complete_and_record: fulfilled, nothing else changed",
        &wanted,
        &c.get(s, id).await,
    );
    let log = c.ok("deliveries", s.deliveries(id.as_str(), 10).await);
    c.eq(
        "the delivery log after complete_and_record: both lines, in order",
        vec![wrong, right],
        log,
    );
}
