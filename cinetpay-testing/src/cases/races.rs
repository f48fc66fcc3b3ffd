//! Concurrent callers, on one store instance and on several instances of one
//! backend (several processes on one database): exactly one wins.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cinetpay_core::{
    CheckSnapshot, Claim, Completion, FulfilmentClaim, InsertOutcome, NewPayment, PaymentStatus,
    StatusChange, StoreError, TransactionId, Transition,
};

use crate::check::{Check, LONG_LEASE, LeaseTimer, SHORT_LEASE, concurrently, start_line};
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

use super::fulfilment::claim_ok;

/// Tasks claiming at once on one instance.
const CLAIMERS: usize = 32;
/// Tasks transitioning or inserting at once on one instance.
const WRITERS: usize = 16;
/// Payments raced in [`race_complete_against_takeover`].
const RACED_PAYMENTS: usize = 16;
/// Instances of one backend in the cross-instance races.
const INSTANCES: usize = 3;
/// Tasks per instance in the cross-instance races.
const PER_INSTANCE: usize = 4;

type Task<T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send>>;

/// `n` instances of `backend`.
async fn instances(backend: &Arc<dyn StoreBackend>, n: usize) -> Vec<Arc<dyn QueryableStore>> {
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        all.push(backend.instance().await);
    }
    all
}

/// `tasks` claimers of one payment at the same instant with their own tokens,
/// task `i` on `stores[i % stores.len()]`.
async fn claim_race(
    c: Check,
    stores: &[Arc<dyn QueryableStore>],
    tasks: usize,
    id: &TransactionId,
    now: i64,
) -> Vec<Result<Option<FulfilmentClaim>, StoreError>> {
    let gate = start_line(tasks);
    let futures: Vec<Task<Option<FulfilmentClaim>>> = (0..tasks)
        .map(|i| {
            let store = stores[i % stores.len()].clone();
            let (id, gate) = (id.clone(), gate.clone());
            Box::pin(async move {
                gate.wait().await;
                let owner = format!("racer-{i}");
                store
                    .claim_fulfilment(&Claim {
                        transaction_id: &id,
                        owner: &owner,
                        now: at(now),
                        lease: LONG_LEASE,
                    })
                    .await
            }) as Task<_>
        })
        .collect();
    concurrently(c, futures).await
}

fn one_winner(
    c: Check,
    what: &str,
    results: Vec<Result<Option<FulfilmentClaim>, StoreError>>,
) -> FulfilmentClaim {
    let total = results.len();
    let claims: Vec<FulfilmentClaim> = results
        .into_iter()
        .filter_map(|r| c.ok("claim_fulfilment", r))
        .collect();
    c.eq(
        &format!("the number of winning claims among {total} concurrent claimers {what}"),
        1,
        claims.len(),
    );
    claims
        .into_iter()
        .next()
        .unwrap_or_else(|| c.fail("one winning claim"))
}

/// Every instance reads the winner's claim.
async fn stored_claim_is(
    c: Check,
    stores: &[Arc<dyn QueryableStore>],
    id: &TransactionId,
    winner: &FulfilmentClaim,
    attempts: u32,
) {
    for (i, store) in stores.iter().enumerate() {
        let stored = c.get(&**store, id).await;
        c.eq(
            &format!("the stored claim owner, read on instance {i} (the winner's)"),
            Some(winner.owner.as_str()),
            stored.fulfilment.claim_owner.as_deref(),
        );
        c.eq(
            &format!("the stored attempts, read on instance {i}"),
            attempts,
            stored.fulfilment.attempts,
        );
    }
}

/// 32 tasks claim one accepted payment at the same instant on one store
/// instance: exactly one wins, with attempt 1, and the stored claim is the winner's.
pub async fn race_claim_one_winner(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_claim_one_winner");
    let stores = instances(&backend, 1).await;
    let new = c.accepted(&*stores[0], "race-claim", at(0)).await;
    let id = &new.transaction_id;
    let results = claim_race(c, &stores, CLAIMERS, id, 1_000).await;
    let winner = one_winner(c, "on one instance", results);
    c.eq("the winner's attempt", 1, winner.attempt);
    stored_claim_is(c, &stores, id, &winner, 1).await;
}

/// 32 tasks take over one expired claim at the same instant: exactly one wins,
/// with attempt 2, and the former owner can no longer complete.
pub async fn race_takeover_one_winner(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_takeover_one_winner");
    let stores = instances(&backend, 1).await;
    let s = &*stores[0];
    let new = c.accepted(s, "race-takeover", at(0)).await;
    let id = &new.transaction_id;
    let timer = LeaseTimer::start(SHORT_LEASE);
    claim_ok(c, s, id, "former", at(1_000), SHORT_LEASE, 1).await;
    timer.sleep_past().await;
    let results = claim_race(c, &stores, CLAIMERS, id, 20_000).await;
    let winner = one_winner(c, "of an expired claim", results);
    c.eq("the winner's attempt", 2, winner.attempt);
    stored_claim_is(c, &stores, id, &winner, 2).await;
    let done = |owner: &'static str| Completion {
        transaction_id: id,
        owner,
        now: at(20_001),
    };
    let late = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&done("former")).await,
    );
    c.that(
        !late,
        "complete_fulfilment by the former owner after the takeover to be refused",
    );
    let finished = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&Completion {
            transaction_id: id,
            owner: &winner.owner,
            now: at(20_002),
        })
        .await,
    );
    c.that(finished, "complete_fulfilment by the winner to return true");
}

/// `changes[i]` applied to `id` by task `i` on `stores[i % stores.len()]`, all at once.
async fn transition_race(
    c: Check,
    stores: &[Arc<dyn QueryableStore>],
    targets: &[(TransactionId, StatusChange)],
) -> Vec<Transition> {
    let gate = start_line(targets.len());
    let tasks: Vec<Task<Transition>> = targets
        .iter()
        .enumerate()
        .map(|(i, (id, change))| {
            let store = stores[i % stores.len()].clone();
            let (id, change, gate) = (id.clone(), change.clone(), gate.clone());
            Box::pin(async move {
                gate.wait().await;
                store.transition(&id, &change).await
            }) as Task<_>
        })
        .collect();
    concurrently(c, tasks)
        .await
        .into_iter()
        .map(|r| c.ok("transition", r))
        .collect()
}

/// Many transitions of one pending payment at once (to accepted, refused,
/// cancelled or needs-attention, each with its own check): exactly one
/// applies, and the stored status, check, reason and time are the winner's.
async fn one_transition_applies(c: Check, stores: &[Arc<dyn QueryableStore>], writers: usize) {
    let new = fixtures::new_payment(&fixtures::order_ref("race-cas"), 1500, at(0));
    c.insert(&*stores[0], &new).await;
    let targets = [
        PaymentStatus::Accepted,
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        PaymentStatus::NeedsAttention,
    ];
    let changes: Vec<(TransactionId, StatusChange)> = (0..writers)
        .map(|i| {
            let step = i64::try_from(i).unwrap_or(0);
            let change = StatusChange {
                from: PaymentStatus::Pending,
                to: targets[i % targets.len()],
                check: Some(CheckSnapshot {
                    operator_id: Some(format!("op-{i}")),
                    ..fixtures::accepted_check(&new)
                }),
                reason: Some(format!("writer {i}")),
                attention: None,
                at: at(1_000 + step),
            };
            (new.transaction_id.clone(), change)
        })
        .collect();
    let outcomes = transition_race(c, stores, &changes).await;
    let winners: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| **o == Transition::Applied)
        .map(|(i, _)| i)
        .collect();
    c.eq(
        &format!(
            "the number of applied transitions among {writers} concurrent ones from pending on {} instance(s)",
            stores.len()
        ),
        1,
        winners.len(),
    );
    let Some(&w) = winners.first() else {
        c.fail("one applied transition")
    };
    for o in &outcomes {
        c.that(
            *o == Transition::Applied || *o == Transition::NotApplied,
            format_args!("every losing transition to be NotApplied, found {o:?}"),
        );
    }
    let change = &changes[w].1;
    for (i, store) in stores.iter().enumerate() {
        let stored = c.get(&**store, &new.transaction_id).await;
        c.eq(
            &format!("the stored status, read on instance {i} (the winner's)"),
            change.to,
            stored.status,
        );
        c.eq(
            "the stored check (the winner's)",
            change.check.as_ref(),
            stored.check.as_ref(),
        );
        c.eq(
            "the stored reason (the winner's)",
            change.reason.as_deref(),
            stored.status_reason.as_deref(),
        );
        c.same_time(
            "the stored updated_at (the winner's)",
            Some(change.at),
            Some(stored.updated_at),
        );
        c.same_time(
            "the stored checked_at (the winner's)",
            Some(change.at),
            stored.checked_at,
        );
    }
}

/// 16 tasks move one pending payment at once on one instance: exactly one
/// transition applies, and the stored status, check and reason are the winner's.
pub async fn race_transition_one_applied(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_transition_one_applied");
    let stores = instances(&backend, 1).await;
    one_transition_applies(c, &stores, WRITERS).await;
}

/// Many inserts of payments for one order at once: exactly one is inserted;
/// every other one gets `OrderHasOpenPayment` with the winner and writes nothing.
async fn one_insert_opens(c: Check, stores: &[Arc<dyn QueryableStore>], writers: usize) {
    let order = fixtures::order_ref("race-insert");
    let news: Vec<NewPayment> = (0..writers)
        .map(|i| fixtures::new_payment(&order, 1500, at(i64::try_from(i).unwrap_or(0))))
        .collect();
    let gate = start_line(writers);
    let tasks: Vec<Task<InsertOutcome>> = news
        .iter()
        .enumerate()
        .map(|(i, new)| {
            let store = stores[i % stores.len()].clone();
            let (new, gate) = (new.clone(), gate.clone());
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
        &format!(
            "the number of Inserted among {writers} concurrent inserts for one order on {} instance(s)",
            stores.len()
        ),
        1,
        inserted.len(),
    );
    let Some(winner) = inserted.first() else {
        c.fail("one inserted payment")
    };
    let s = &*stores[0];
    for (new, outcome) in news.iter().zip(&outcomes) {
        if let InsertOutcome::OrderHasOpenPayment(open) = outcome {
            c.eq(
                "the open payment returned to a losing insert",
                winner,
                &open.transaction_id,
            );
            let ghost = c.ok("find_payment", s.find_payment(&new.transaction_id).await);
            c.eq(
                "find_payment of a losing insert (nothing written)",
                None,
                ghost.map(|p| p.transaction_id),
            );
        }
    }
    for (i, store) in stores.iter().enumerate() {
        let all = c.ok(
            "payments_for_order",
            store.payments_for_order(&order, 100).await,
        );
        c.eq(
            &format!("payments of the raced order, read on instance {i}"),
            vec![(winner.clone(), true)],
            all.into_iter()
                .map(|p| (p.transaction_id, p.open))
                .collect(),
        );
    }
}

/// 16 tasks insert a payment for one order at once on one instance: exactly
/// one is inserted; every other one gets `OrderHasOpenPayment` with the
/// winner and writes nothing.
pub async fn race_insert_one_open_payment(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_insert_one_open_payment");
    let stores = instances(&backend, 1).await;
    one_insert_opens(c, &stores, WRITERS).await;
}

/// Two payments of one order (the first refused, the second pending) accepted
/// at once, the first by the tasks of instance 0 and the second by those of
/// instance 1 (the same instance when there is one): exactly one transition
/// applies; the others on the same payment are `NotApplied` and those on the
/// other payment `OrderAlreadyPaid(winner)`; the order has one accepted payment.
async fn one_payer(c: Check, stores: &[Arc<dyn QueryableStore>], per_payment: usize) {
    let s = &*stores[0];
    let order = fixtures::order_ref("race-accept");
    let first = fixtures::new_payment(&order, 1500, at(0));
    c.insert(s, &first).await;
    c.transition(
        s,
        &first,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(10),
    )
    .await;
    let second = fixtures::new_payment(&order, 1500, at(20));
    c.insert(s, &second).await;
    let pick = [
        (first.clone(), PaymentStatus::Refused),
        (second.clone(), PaymentStatus::Pending),
    ];
    // Task i runs on stores[i % len]: with two instances, instance k accepts payment k.
    let changes: Vec<(TransactionId, StatusChange)> = (0..2 * per_payment)
        .map(|i| {
            let (new, from) = &pick[i % 2];
            let step = i64::try_from(i).unwrap_or(0);
            let change = fixtures::accepted_change(new, *from, at(1_000 + step));
            (new.transaction_id.clone(), change)
        })
        .collect();
    let outcomes = transition_race(c, stores, &changes).await;
    let winners: Vec<&TransactionId> = changes
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| **o == Transition::Applied)
        .map(|((id, _), _)| id)
        .collect();
    c.eq(
        &format!(
            "the number of applied acceptances among {} concurrent ones of two payments of one order on {} instance(s)",
            changes.len(),
            stores.len()
        ),
        1,
        winners.len(),
    );
    let Some(&winner) = winners.first() else {
        c.fail("one applied acceptance")
    };
    let mut applied_seen = false;
    for ((id, _), outcome) in changes.iter().zip(&outcomes) {
        let expected = if id != winner {
            Transition::OrderAlreadyPaid(winner.clone())
        } else if *outcome == Transition::Applied && !applied_seen {
            applied_seen = true;
            Transition::Applied
        } else {
            Transition::NotApplied
        };
        c.outcome(
            &format!("a concurrent acceptance of {id} (winner {winner})"),
            &expected,
            outcome,
        );
    }
    for (i, store) in stores.iter().enumerate() {
        let accepted: Vec<TransactionId> = c
            .ok(
                "payments_for_order",
                store.payments_for_order(&order, 10).await,
            )
            .into_iter()
            .filter(|p| p.status == PaymentStatus::Accepted)
            .map(|p| p.transaction_id)
            .collect();
        c.eq(
            &format!("the accepted payments of the order, read on instance {i}"),
            vec![winner.clone()],
            accepted,
        );
    }
}

/// Two payments of one order accepted at once by 16 tasks on one instance:
/// exactly one acceptance applies, every acceptance of the other payment is
/// `OrderAlreadyPaid` with the winner.
pub async fn race_accept_one_payer(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_accept_one_payer");
    let stores = instances(&backend, 1).await;
    one_payer(c, &stores, WRITERS / 2).await;
}

/// What one racer of [`race_complete_against_takeover`] did.
enum Raced {
    /// Whether the complete succeeded.
    Completed(bool),
    /// The attempt number of the claim, when it won.
    Claimed(Option<u32>),
}

/// For 16 payments at once, a former owner completes just as its lease ends
/// while a newcomer tries to take the claim over: for each payment exactly
/// one of them succeeds (never both, never neither); then every payment ends
/// fulfilled exactly once and nothing is due.
pub async fn race_complete_against_takeover(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_complete_against_takeover");
    let store = backend.instance().await;
    let s = &*store;
    let mut ids = Vec::with_capacity(RACED_PAYMENTS);
    for i in 0..RACED_PAYMENTS {
        let new = c.accepted(s, &format!("race-lease-{i}"), at(0)).await;
        ids.push(new.transaction_id);
    }
    let timer = LeaseTimer::start(SHORT_LEASE);
    for (i, id) in ids.iter().enumerate() {
        claim_ok(c, s, id, &format!("old-{i}"), at(1_000), SHORT_LEASE, 1).await;
    }
    timer.sleep_until_end().await;
    let gate = start_line(2 * RACED_PAYMENTS);
    let mut tasks: Vec<Task<Raced>> = Vec::with_capacity(2 * RACED_PAYMENTS);
    for (i, id) in ids.iter().enumerate() {
        let (store1, id1, gate1) = (store.clone(), id.clone(), gate.clone());
        tasks.push(Box::pin(async move {
            gate1.wait().await;
            let owner = format!("old-{i}");
            store1
                .complete_fulfilment(&Completion {
                    transaction_id: &id1,
                    owner: &owner,
                    now: at(11_000),
                })
                .await
                .map(Raced::Completed)
        }));
        let (store2, id2, gate2) = (store.clone(), id.clone(), gate.clone());
        tasks.push(Box::pin(async move {
            gate2.wait().await;
            let owner = format!("new-{i}");
            store2
                .claim_fulfilment(&Claim {
                    transaction_id: &id2,
                    owner: &owner,
                    now: at(11_000),
                    lease: LONG_LEASE,
                })
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
                c.that(
                    row.is_fulfilled(),
                    format_args!("payment {i} fulfilled by its former owner"),
                );
                c.eq(
                    "attempts of a payment completed by its former owner",
                    1,
                    row.fulfilment.attempts,
                );
            }
            (false, Some(attempt)) => {
                c.eq("the takeover's attempt", 2, attempt);
                let owner = format!("new-{i}");
                let done = c.ok(
                    "complete_fulfilment",
                    s.complete_fulfilment(&Completion {
                        transaction_id: id,
                        owner: &owner,
                        now: at(12_000),
                    })
                    .await,
                );
                c.that(
                    done,
                    "complete_fulfilment by the newcomer after its takeover to return true",
                );
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
pub async fn race_many_payments_one_winner_each(backend: Arc<dyn StoreBackend>) {
    const PAYMENTS: usize = 8;
    const PER_PAYMENT: usize = 8;
    let c = Check::new("race_many_payments_one_winner_each");
    let store = backend.instance().await;
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
                let owner = format!("racer-{p}-{round}");
                store
                    .claim_fulfilment(&Claim {
                        transaction_id: &id,
                        owner: &owner,
                        now: at(1_000),
                        lease: LONG_LEASE,
                    })
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
pub async fn race_failure_notice_once(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_failure_notice_once");
    let store = backend.instance().await;
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

/// 3 instances of one backend (3 processes on one database), 4 tasks each,
/// claim one accepted payment at the same instant: exactly one wins, and
/// every instance reads the winner's claim. An in-process lock cannot pass.
pub async fn race_claim_across_instances(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_claim_across_instances");
    let stores = instances(&backend, INSTANCES).await;
    let new = c.accepted(&*stores[0], "race-claim-x", at(0)).await;
    let id = &new.transaction_id;
    let results = claim_race(c, &stores, INSTANCES * PER_INSTANCE, id, 1_000).await;
    let winner = one_winner(c, &format!("on {INSTANCES} instances"), results);
    c.eq("the winner's attempt", 1, winner.attempt);
    stored_claim_is(c, &stores, id, &winner, 1).await;
}

/// 3 instances, 4 tasks each, insert payments of one order at once: exactly
/// one is inserted, the others get `OrderHasOpenPayment` with it and write nothing.
pub async fn race_insert_across_instances(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_insert_across_instances");
    let stores = instances(&backend, INSTANCES).await;
    one_insert_opens(c, &stores, INSTANCES * PER_INSTANCE).await;
}

/// 3 instances, 4 tasks each, move one pending payment at once (compare-and-set
/// from the same status): exactly one transition applies.
pub async fn race_transition_across_instances(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_transition_across_instances");
    let stores = instances(&backend, INSTANCES).await;
    one_transition_applies(c, &stores, INSTANCES * PER_INSTANCE).await;
}

/// Two payments of one order accepted at once on two instances (each instance
/// accepting one of them, 4 tasks each): exactly one acceptance applies, the
/// other payment's are `OrderAlreadyPaid` with the winner.
pub async fn race_accept_across_instances(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("race_accept_across_instances");
    let stores = instances(&backend, 2).await;
    one_payer(c, &stores, PER_INSTANCE).await;
}
