//! Concurrent callers: exactly one wins.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::{CheckSnapshot, FulfilmentClaim, PaymentStatus};
use crate::store::{InsertOutcome, PaymentStore, StatusChange, StoreError};
use crate::testing::check::{Check, concurrently, start_line};
use crate::testing::fixtures::{self, at};
use crate::values::TransactionId;

use super::fulfilment::claim_ok;

/// Tasks claiming at once.
const CLAIMERS: usize = 32;
/// Tasks transitioning or inserting at once.
const WRITERS: usize = 16;
/// Payments raced in [`race_complete_against_takeover`].
const RACED_PAYMENTS: usize = 16;

type Task<T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send>>;

/// `CLAIMERS` tasks claim one payment at the same instant with their own tokens.
async fn claim_race(
    store: &Arc<dyn PaymentStore>,
    id: &TransactionId,
    now: i64,
    lease: i64,
) -> Vec<Result<Option<FulfilmentClaim>, StoreError>> {
    let gate = start_line(CLAIMERS);
    let tasks: Vec<Task<Option<FulfilmentClaim>>> = (0..CLAIMERS)
        .map(|i| {
            let (store, id, gate) = (store.clone(), id.clone(), gate.clone());
            Box::pin(async move {
                gate.wait().await;
                store
                    .claim_fulfilment(&id, &format!("racer-{i}"), at(now), at(lease))
                    .await
            }) as Task<_>
        })
        .collect();
    concurrently(Check::new("claim race"), tasks).await
}

fn one_winner(
    c: Check,
    results: Vec<Result<Option<FulfilmentClaim>, StoreError>>,
) -> FulfilmentClaim {
    let claims: Vec<FulfilmentClaim> = results
        .into_iter()
        .filter_map(|r| c.ok("claim_fulfilment", r))
        .collect();
    c.eq(
        &format!("the number of winning claims among {CLAIMERS} concurrent claimers"),
        1,
        claims.len(),
    );
    claims
        .into_iter()
        .next()
        .unwrap_or_else(|| c.fail("one winning claim"))
}

/// 32 tasks claim one accepted payment at the same instant: exactly one wins,
/// with attempt 1, and the stored claim is the winner's.
pub async fn race_claim_one_winner(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_claim_one_winner");
    let new = c.accepted(&*store, "race-claim", at(0)).await;
    let id = &new.transaction_id;
    let winner = one_winner(c, claim_race(&store, id, 1_000, 31_000).await);
    c.eq("the winner's attempt", 1, winner.attempt);
    let stored = c.get(&*store, id).await;
    c.eq(
        "the stored claim owner",
        Some(winner.owner.as_str()),
        stored.fulfilment.claim_owner.as_deref(),
    );
    c.eq("the stored attempts", 1, stored.fulfilment.attempts);
}

/// 32 tasks take over one expired claim at the same instant: exactly one wins,
/// with attempt 2, and the former owner can no longer complete.
pub async fn race_takeover_one_winner(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_takeover_one_winner");
    let s = &*store;
    let new = c.accepted(s, "race-takeover", at(0)).await;
    let id = &new.transaction_id;
    claim_ok(c, s, id, "former", at(1_000), at(11_000), 1).await;
    let winner = one_winner(c, claim_race(&store, id, 20_000, 50_000).await);
    c.eq("the winner's attempt", 2, winner.attempt);
    let stored = c.get(s, id).await;
    c.eq(
        "the stored claim owner",
        Some(winner.owner.as_str()),
        stored.fulfilment.claim_owner.as_deref(),
    );
    c.eq("the stored attempts", 2, stored.fulfilment.attempts);
    let late = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(id, "former", at(20_001)).await,
    );
    c.that(
        !late,
        "complete_fulfilment by the former owner after the takeover to be refused",
    );
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(id, &winner.owner, at(20_002)).await,
    );
    c.that(done, "complete_fulfilment by the winner to return true");
}

/// 16 tasks move one pending payment at once (to accepted, refused, cancelled
/// or needs-attention, each with its own check): exactly one transition
/// applies, and the stored status, check and reason are the winner's.
pub async fn race_transition_one_applied(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_transition_one_applied");
    let new = fixtures::new_payment(&fixtures::order_ref("race-cas"), 1500, at(0));
    c.insert(&*store, &new).await;
    let targets = [
        PaymentStatus::Accepted,
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        PaymentStatus::NeedsAttention,
    ];
    let changes: Vec<StatusChange> = (0..WRITERS)
        .map(|i| {
            let step = i64::try_from(i).unwrap_or(0);
            StatusChange {
                from: PaymentStatus::Pending,
                to: targets[i % targets.len()],
                check: Some(CheckSnapshot {
                    operator_id: Some(format!("op-{i}")),
                    ..fixtures::accepted_check(&new)
                }),
                reason: Some(format!("writer {i}")),
                at: at(1_000 + step),
            }
        })
        .collect();
    let gate = start_line(WRITERS);
    let tasks: Vec<Task<bool>> = changes
        .iter()
        .map(|change| {
            let (store, id, gate, change) = (
                store.clone(),
                new.transaction_id.clone(),
                gate.clone(),
                change.clone(),
            );
            Box::pin(async move {
                gate.wait().await;
                store.transition(&id, &change).await
            }) as Task<_>
        })
        .collect();
    let applied: Vec<bool> = concurrently(c, tasks)
        .await
        .into_iter()
        .map(|r| c.ok("transition", r))
        .collect();
    let winners: Vec<usize> = applied
        .iter()
        .enumerate()
        .filter(|(_, a)| **a)
        .map(|(i, _)| i)
        .collect();
    c.eq(
        &format!("the number of applied transitions among {WRITERS} concurrent ones from pending"),
        1,
        winners.len(),
    );
    let Some(&w) = winners.first() else {
        c.fail("one applied transition")
    };
    let stored = c.get(&*store, &new.transaction_id).await;
    c.eq(
        "the stored status (the winner's)",
        changes[w].to,
        stored.status,
    );
    c.eq(
        "the stored check (the winner's)",
        changes[w].check.as_ref(),
        stored.check.as_ref(),
    );
    c.eq(
        "the stored reason (the winner's)",
        changes[w].reason.as_deref(),
        stored.status_reason.as_deref(),
    );
    c.same_time(
        "the stored updated_at (the winner's)",
        Some(changes[w].at),
        Some(stored.updated_at),
    );
}

/// 16 tasks insert a payment for one order at once: exactly one is inserted;
/// every other one gets `OrderHasOpenPayment` with the winner and writes nothing.
pub async fn race_insert_one_open_payment(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_insert_one_open_payment");
    let order = fixtures::order_ref("race-insert");
    let news: Vec<_> = (0..WRITERS)
        .map(|i| fixtures::new_payment(&order, 1500, at(i64::try_from(i).unwrap_or(0))))
        .collect();
    let gate = start_line(WRITERS);
    let tasks: Vec<Task<InsertOutcome>> = news
        .iter()
        .map(|new| {
            let (store, new, gate) = (store.clone(), new.clone(), gate.clone());
            Box::pin(async move {
                gate.wait().await;
                store.insert_payment(&new).await
            }) as Task<_>
        })
        .collect();
    let outcomes: Vec<InsertOutcome> = concurrently(c, tasks)
        .await
        .into_iter()
        .map(|r| c.ok("insert_payment", r))
        .collect();
    let inserted: Vec<TransactionId> = outcomes
        .iter()
        .filter_map(|o| match o {
            InsertOutcome::Inserted(p) => Some(p.transaction_id.clone()),
            InsertOutcome::OrderHasOpenPayment(_) => None,
        })
        .collect();
    c.eq(
        &format!("the number of Inserted among {WRITERS} concurrent inserts for one order"),
        1,
        inserted.len(),
    );
    let winner = &inserted[0];
    for (new, outcome) in news.iter().zip(&outcomes) {
        if let InsertOutcome::OrderHasOpenPayment(open) = outcome {
            c.eq(
                "the open payment returned to a losing insert",
                winner,
                &open.transaction_id,
            );
            let ghost = c.ok(
                "find_payment",
                store.find_payment(&new.transaction_id).await,
            );
            c.eq(
                "find_payment of a losing insert (nothing written)",
                None,
                ghost.map(|p| p.transaction_id),
            );
        }
    }
    let all = c.ok(
        "payments_for_order",
        store.payments_for_order(&order, 100).await,
    );
    c.eq(
        "payments of the raced order",
        vec![winner.clone()],
        all.into_iter().map(|p| p.transaction_id).collect(),
    );
    let open = c.ok("find_open_payment", store.find_open_payment(&order).await);
    c.eq(
        "the order's open payment",
        Some(winner.clone()),
        open.map(|p| p.transaction_id),
    );
}

/// What one racer of [`race_complete_against_takeover`] did.
enum Raced {
    /// Whether the complete succeeded.
    Completed(bool),
    /// The attempt number of the claim, when it won.
    Claimed(Option<u32>),
}

/// For 16 payments at once, a former owner completes exactly when its lease
/// ends while a newcomer tries to take the claim over: for each payment exactly
/// one of them succeeds (never both, never neither); then every payment ends
/// fulfilled exactly once and nothing is due.
pub async fn race_complete_against_takeover(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_complete_against_takeover");
    let s = &*store;
    let mut ids = Vec::with_capacity(RACED_PAYMENTS);
    for i in 0..RACED_PAYMENTS {
        let new = c.accepted(s, &format!("race-lease-{i}"), at(0)).await;
        claim_ok(
            c,
            s,
            &new.transaction_id,
            &format!("old-{i}"),
            at(1_000),
            at(11_000),
            1,
        )
        .await;
        ids.push(new.transaction_id);
    }
    let gate = start_line(2 * RACED_PAYMENTS);
    let mut tasks: Vec<Task<Raced>> = Vec::with_capacity(2 * RACED_PAYMENTS);
    for (i, id) in ids.iter().enumerate() {
        let (store1, id1, gate1) = (store.clone(), id.clone(), gate.clone());
        tasks.push(Box::pin(async move {
            gate1.wait().await;
            store1
                .complete_fulfilment(&id1, &format!("old-{i}"), at(11_000))
                .await
                .map(Raced::Completed)
        }));
        let (store2, id2, gate2) = (store.clone(), id.clone(), gate.clone());
        tasks.push(Box::pin(async move {
            gate2.wait().await;
            store2
                .claim_fulfilment(&id2, &format!("new-{i}"), at(11_000), at(41_000))
                .await
                .map(|claim| Raced::Claimed(claim.map(|c| c.attempt)))
        }));
    }
    let results = concurrently(c, tasks).await;
    let mut results = results.into_iter();
    for (i, id) in ids.iter().enumerate() {
        let completed = match results.next().map(|r| c.ok("complete_fulfilment", r)) {
            Some(Raced::Completed(done)) => done,
            _ => c.fail("the former owner's complete result"),
        };
        let claimed = match results.next().map(|r| c.ok("claim_fulfilment", r)) {
            Some(Raced::Claimed(claim)) => claim,
            _ => c.fail("the newcomer's claim result"),
        };
        match (completed, claimed) {
            (true, None) => {
                let row = c.get(s, id).await;
                c.that(row.is_fulfilled(), format_args!("payment {i} fulfilled by its former owner"));
                c.eq("attempts of a payment completed by its former owner", 1, row.fulfilment.attempts);
            }
            (false, Some(attempt)) => {
                c.eq("the takeover's attempt", 2, attempt);
                let done = c.ok(
                    "complete_fulfilment",
                    s.complete_fulfilment(id, &format!("new-{i}"), at(12_000)).await,
                );
                c.that(done, "complete_fulfilment by the newcomer after its takeover to return true");
            }
            (true, Some(_)) => c.fail(format_args!(
                "payment {i}: the former owner completed AND a newcomer claimed it (fulfilment would run twice)"
            )),
            (false, None) => c.fail(format_args!(
                "payment {i}: neither the former owner's complete nor the newcomer's takeover succeeded"
            )),
        }
    }
    for id in &ids {
        let row = c.get(s, id).await;
        c.that(
            row.is_fulfilled(),
            format_args!("payment {id} fulfilled after the race"),
        );
    }
    let due = c.ok(
        "due_fulfilments",
        s.due_fulfilments(at(1_000_000), 100).await,
    );
    c.eq("due_fulfilments after the race", 0, due.len());
}

/// 8 payments, each claimed by 8 tasks at once (all 64 together): exactly one
/// claim wins per payment; a claim on one payment never blocks or steals another.
pub async fn race_many_payments_one_winner_each(store: Arc<dyn PaymentStore>) {
    const PAYMENTS: usize = 8;
    const PER_PAYMENT: usize = 8;
    let c = Check::new("race_many_payments_one_winner_each");
    let mut ids = Vec::with_capacity(PAYMENTS);
    for i in 0..PAYMENTS {
        let new = c.accepted(&*store, &format!("race-many-{i}"), at(0)).await;
        ids.push(new.transaction_id);
    }
    let gate = start_line(PAYMENTS * PER_PAYMENT);
    let mut tasks: Vec<Task<Option<FulfilmentClaim>>> = Vec::with_capacity(PAYMENTS * PER_PAYMENT);
    for round in 0..PER_PAYMENT {
        for (p, id) in ids.iter().enumerate() {
            let (store, id, gate) = (store.clone(), id.clone(), gate.clone());
            tasks.push(Box::pin(async move {
                gate.wait().await;
                store
                    .claim_fulfilment(&id, &format!("racer-{p}-{round}"), at(1_000), at(31_000))
                    .await
            }));
        }
    }
    let claims: Vec<FulfilmentClaim> = concurrently(c, tasks)
        .await
        .into_iter()
        .filter_map(|r| c.ok("claim_fulfilment", r))
        .collect();
    for id in &ids {
        let won: Vec<&FulfilmentClaim> = claims
            .iter()
            .filter(|cl| &cl.payment.transaction_id == id)
            .collect();
        c.eq(
            &format!("the number of winning claims on payment {id}"),
            1,
            won.len(),
        );
        let stored = c.get(&*store, id).await;
        c.eq(
            "the stored claim owner (the winner's)",
            won.first().map(|cl| cl.owner.as_str()),
            stored.fulfilment.claim_owner.as_deref(),
        );
        c.eq("the stored attempts", 1, stored.fulfilment.attempts);
    }
}

/// 16 tasks claim the failure notice of one refused payment at once (two
/// notifications of the same refusal): exactly one gets it.
pub async fn race_failure_notice_once(store: Arc<dyn PaymentStore>) {
    let c = Check::new("race_failure_notice_once");
    let new = fixtures::new_payment(&fixtures::order_ref("race-notice"), 1500, at(0));
    c.insert(&*store, &new).await;
    c.transition(
        &*store,
        &new,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(10),
    )
    .await;
    let gate = start_line(WRITERS);
    let tasks: Vec<Task<bool>> = (0..WRITERS)
        .map(|i| {
            let (store, id, gate) = (store.clone(), new.transaction_id.clone(), gate.clone());
            let step = i64::try_from(i).unwrap_or(0);
            Box::pin(async move {
                gate.wait().await;
                store.claim_failure_notice(&id, at(100 + step)).await
            }) as Task<_>
        })
        .collect();
    let granted = concurrently(c, tasks)
        .await
        .into_iter()
        .map(|r| c.ok("claim_failure_notice", r))
        .filter(|granted| *granted)
        .count();
    c.eq(
        &format!("the number of granted failure notices among {WRITERS} concurrent claims"),
        1,
        granted,
    );
}
