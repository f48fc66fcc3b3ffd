//! Creating and finding payments, the open slot of an order, superseded payments.

use std::sync::Arc;

use cinetpay_core::{
    Claim, Completion, Currency, Description, NewPayment, OrderRef, Payment, PaymentStatus,
    PollQuery, RefundReason, Release, StatusChange, StoreError, TransactionId, Transition,
};

use crate::check::{Check, LONG_LEASE};
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

/// Every field of a new payment (amount, currency, description, order
/// reference, transaction id, creation time to the millisecond) comes back
/// unchanged from `insert_payment`, `find_payment` and `payments_for_order`,
/// including non-ASCII text, the longest values allowed, and ids or
/// references that differ only by letter case or accents (the store must
/// compare them exactly, not with a case- or accent-insensitive collation).
/// Each new payment holds its order's open slot.
pub async fn insert_and_find_round_trip(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("insert_and_find_round_trip");
    let store = backend.instance().await;
    let s = &*store;
    let amounts = [5, 1_000_000_000_000, 1500, 999_995, 25_000];
    let mut inserted = Vec::new();
    for (i, (currency, amount)) in Currency::ALL.into_iter().zip(amounts).enumerate() {
        let order = fixtures::order_ref(&format!("Commande n°{i} café crème"));
        let step = i64::try_from(i).unwrap_or(0);
        let mut new = fixtures::new_payment_in(&order, amount, currency, at(step * 1_001 - 7));
        new.description =
            Description::new("Panier de mangues, 3 kg – livraison à Cocody (Abidjan) ✓")
                .unwrap_or_else(|e| c.fail(e));
        c.insert(s, &new).await;
        inserted.push(new);
    }

    // The longest values allowed, in multi-byte characters.
    let long_order = format!(
        "{}-{}",
        fixtures::order_ref("é"),
        "é".repeat(OrderRef::MAX_LEN)
    );
    let long_order = OrderRef::new(
        long_order
            .chars()
            .take(OrderRef::MAX_LEN)
            .collect::<String>(),
    )
    .unwrap_or_else(|e| c.fail(e));
    let mut long = fixtures::new_payment(&long_order, 10_000, at(60_000));
    let long_id = format!(
        "{}-{}",
        long.transaction_id,
        "0".repeat(TransactionId::MAX_LEN)
    );
    long.transaction_id =
        TransactionId::parse(&long_id[..TransactionId::MAX_LEN]).unwrap_or_else(|e| c.fail(e));
    long.description =
        Description::new("ô".repeat(Description::MAX_LEN)).unwrap_or_else(|e| c.fail(e));
    c.insert(s, &long).await;
    inserted.push(long);

    // Ids and references that differ only by case or accents are different.
    let lower = fixtures::order_ref("cafe");
    let twins = [
        lower.clone(),
        OrderRef::new(lower.as_str().to_uppercase()).unwrap_or_else(|e| c.fail(e)),
        OrderRef::new(lower.as_str().replacen("cafe", "café", 1)).unwrap_or_else(|e| c.fail(e)),
    ];
    let mut base_id = TransactionId::generate().as_str().to_ascii_lowercase();
    base_id.push_str("-ab");
    let ids = [
        base_id.clone(),
        base_id.to_ascii_uppercase(),
        base_id.replace("-ab", "-aB"),
    ];
    for (order, id) in twins.iter().zip(ids) {
        let mut new = fixtures::new_payment(order, 2_000, at(70_000));
        new.transaction_id = TransactionId::parse(&id).unwrap_or_else(|e| c.fail(e));
        c.insert(s, &new).await;
        inserted.push(new);
    }

    for new in &inserted {
        let expected = Payment::from_new(new);
        let found = c.get(s, &new.transaction_id).await;
        c.same_payment(
            "find_payment returns the inserted payment",
            &expected,
            &found,
        );
        let listed = c.ok(
            "payments_for_order",
            s.payments_for_order(&new.order_ref, 10).await,
        );
        c.eq(
            &format!("the number of payments of order {}", new.order_ref),
            1,
            listed.len(),
        );
        if let Some(listed) = listed.first() {
            c.same_payment(
                "payments_for_order returns the order's new payment",
                &expected,
                listed,
            );
        }
        let probe = fixtures::new_payment(&new.order_ref, 1500, at(80_000));
        c.slot_held_by(s, &probe, &expected, "a new payment holds its order's slot")
            .await;
    }
    let unknown = c.ok(
        "find_payment",
        s.find_payment(&TransactionId::generate()).await,
    );
    c.eq("find_payment of an unknown id", None, unknown);
}

/// Inserting a transaction id that exists is [`StoreError::Conflict`] and
/// changes nothing: not the existing payment, not the other order; also once
/// the existing payment was superseded.
pub async fn duplicate_transaction_id_is_conflict(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("duplicate_transaction_id_is_conflict");
    let store = backend.instance().await;
    let s = &*store;
    let first = fixtures::new_payment(&fixtures::order_ref("dup"), 1500, at(0));
    let stored = c.insert(s, &first).await;

    let mut other_order = fixtures::new_payment(&fixtures::order_ref("dup-other"), 3000, at(10));
    other_order.transaction_id = first.transaction_id.clone();
    expect_conflict(c, s, &other_order).await;
    c.same_payment(
        "the existing payment after a conflicting insert",
        &stored,
        &c.get(s, &first.transaction_id).await,
    );
    let listed = c.ok(
        "payments_for_order",
        s.payments_for_order(&other_order.order_ref, 10).await,
    );
    c.eq(
        "payments of the conflicting insert's order",
        0,
        listed.len(),
    );

    // Once the first payment is superseded, its id still cannot be reused.
    c.that(
        c.ok(
            "supersede_payment",
            s.supersede_payment(&first.transaction_id, at(20)).await,
        ),
        "supersede_payment of an open pending payment to return true",
    );
    let mut same_order = fixtures::new_payment(&first.order_ref, 1500, at(30));
    same_order.transaction_id = first.transaction_id.clone();
    expect_conflict(c, s, &same_order).await;
    let found = c.get(s, &first.transaction_id).await;
    c.eq("amount of the existing payment", first.amount, found.amount);
    c.same_time(
        "created_at of the existing payment",
        Some(first.created_at),
        Some(found.created_at),
    );
    c.eq("open of the superseded payment", false, found.open);
    // The refused insert did not take the order's slot.
    c.insert(s, &fixtures::new_payment(&first.order_ref, 1500, at(40)))
        .await;
}

async fn expect_conflict(c: Check, s: &dyn QueryableStore, new: &NewPayment) {
    match s.insert_payment(new).await {
        Err(StoreError::Conflict(_)) => {}
        Err(other) => c.fail(format_args!(
            "insert_payment of an existing transaction id {} to be StoreError::Conflict, found error {other:?}",
            new.transaction_id
        )),
        Ok(outcome) => c.fail(format_args!(
            "insert_payment of an existing transaction id {} to be StoreError::Conflict, found {outcome:?}",
            new.transaction_id
        )),
    }
}

/// One open payment per order: a second insert writes nothing and returns the
/// open one; `supersede_payment` frees the slot (status kept, `superseded_at`
/// set) and answers `false` the second time; a new payment then opens it; a
/// transition of the superseded payment does not touch the new one's slot;
/// `pending -> pending` (a waiting check) keeps it open and records the check.
pub async fn open_slot_per_order(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("open_slot_per_order");
    let store = backend.instance().await;
    let s = &*store;
    let order = fixtures::order_ref("slot");
    let first = fixtures::new_payment(&order, 1500, at(0));
    let first_row = c.insert(s, &first).await;

    let second = fixtures::new_payment(&order, 2500, at(1_000));
    c.slot_held_by(s, &second, &first_row, "a second insert for the order")
        .await;

    // Superseding frees the slot and keeps the status.
    let superseded = c.ok(
        "supersede_payment",
        s.supersede_payment(&first.transaction_id, at(2_000)).await,
    );
    c.that(
        superseded,
        "supersede_payment of the open payment to return true",
    );
    let mut expected = first_row.clone();
    expected.open = false;
    expected.superseded_at = Some(at(2_000));
    expected.updated_at = at(2_000);
    c.same_payment(
        "the payment after supersede_payment (open false, status kept, superseded_at and updated_at set)",
        &expected,
        &c.get(s, &first.transaction_id).await,
    );
    let again = c.ok(
        "supersede_payment",
        s.supersede_payment(&first.transaction_id, at(3_000)).await,
    );
    c.that(
        !again,
        "supersede_payment of a superseded payment to return false",
    );
    c.same_payment(
        "a superseded payment after a second supersede_payment (unchanged)",
        &expected,
        &c.get(s, &first.transaction_id).await,
    );

    // The next insert opens the order again.
    let second_row = c.insert(s, &second).await;
    let probe = fixtures::new_payment(&order, 1500, at(3_500));
    c.slot_held_by(s, &probe, &second_row, "after a new insert")
        .await;

    // The superseded payment may still be refused; that does not close the new one.
    c.transition(
        s,
        &first,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(4_000),
    )
    .await;
    let first_now = c.get(s, &first.transaction_id).await;
    c.eq(
        "open of the superseded payment after it was refused",
        false,
        first_now.open,
    );
    c.same_payment(
        "the order's new open payment after the old one was refused",
        &second_row,
        &c.get(s, &second.transaction_id).await,
    );

    // A waiting check (pending -> pending) keeps the slot.
    let waiting = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Pending,
        check: Some(fixtures::waiting_check()),
        reason: None,
        attention: None,
        at: at(5_000),
    };
    c.apply(s, &second.transaction_id, &waiting).await;
    let mut expected = second_row.clone();
    expected.check = waiting.check.clone();
    expected.checked_at = Some(at(5_000));
    expected.updated_at = at(5_000);
    c.same_payment(
        "the payment after a pending -> pending transition (still open, check and checked_at stored)",
        &expected,
        &c.get(s, &second.transaction_id).await,
    );
    c.slot_held_by(
        s,
        &probe,
        &expected,
        "after a pending -> pending transition",
    )
    .await;
}

/// A transition to any status other than `pending` frees the order's slot, so
/// that the next insert for the order creates a payment; a refused
/// transition (wrong `from`) does not.
pub async fn transition_closes_open_slot(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("transition_closes_open_slot");
    let store = backend.instance().await;
    let s = &*store;
    for (i, to) in PaymentStatus::ALL
        .into_iter()
        .filter(|st| *st != PaymentStatus::Pending)
        .enumerate()
    {
        let order = fixtures::order_ref(to.as_str());
        let step = i64::try_from(i).unwrap_or(0) * 10_000;
        let payment = fixtures::new_payment(&order, 1500, at(step));
        c.insert(s, &payment).await;
        c.transition(s, &payment, PaymentStatus::Pending, to, at(step + 1))
            .await;
        let row = c.get(s, &payment.transaction_id).await;
        c.eq(&format!("open after a transition to {to}"), false, row.open);
        let next = fixtures::new_payment(&order, 1500, at(step + 2));
        c.insert(s, &next).await;
    }

    let order = fixtures::order_ref("kept");
    let payment = fixtures::new_payment(&order, 1500, at(0));
    let row = c.insert(s, &payment).await;
    let stale = fixtures::accepted_change(&payment, PaymentStatus::Refused, at(1));
    let outcome = c.ok(
        "transition",
        s.transition(&payment.transaction_id, &stale).await,
    );
    c.outcome(
        "a transition with the wrong `from`",
        &Transition::NotApplied,
        &outcome,
    );
    let probe = fixtures::new_payment(&order, 1500, at(2));
    c.slot_held_by(s, &probe, &row, "after a refused transition")
        .await;
}

/// `attach_payment_page` stores CinetPay's token and page URL (realistic
/// lengths) and the time, changes nothing else (the payment keeps its slot),
/// replaces an earlier page, and answers `false` for an unknown payment.
pub async fn attach_payment_page(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("attach_payment_page");
    let store = backend.instance().await;
    let s = &*store;
    let new = fixtures::new_payment(&fixtures::order_ref("page"), 1500, at(0));
    let row = c.insert(s, &new).await;
    let token = "a1b2c3d4e5f6".repeat(11);
    let url = format!("https://checkout.cinetpay.com/payment/{token}");
    let attached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(&new.transaction_id, &fixtures::page(&token, &url, at(250)))
            .await,
    );
    c.that(
        attached,
        "attach_payment_page of an existing payment to return true",
    );
    let mut expected = row.clone();
    expected.payment_token = Some(token.clone());
    expected.payment_url = Some(url.clone());
    expected.updated_at = at(250);
    c.same_payment(
        "the payment after attach_payment_page",
        &expected,
        &c.get(s, &new.transaction_id).await,
    );
    let probe = fixtures::new_payment(&new.order_ref, 1500, at(300));
    c.slot_held_by(s, &probe, &expected, "after attach_payment_page")
        .await;

    let token2 = "ffee".repeat(30);
    let url2 = format!("https://checkout.cinetpay.com/payment/{token2}");
    let again = c.ok(
        "attach_payment_page",
        s.attach_payment_page(
            &new.transaction_id,
            &fixtures::page(&token2, &url2, at(500)),
        )
        .await,
    );
    c.that(again, "a second attach_payment_page to return true");
    expected.payment_token = Some(token2);
    expected.payment_url = Some(url2);
    expected.updated_at = at(500);
    c.same_payment(
        "the payment after a second attach_payment_page (replaced)",
        &expected,
        &c.get(s, &new.transaction_id).await,
    );

    let unknown = c.ok(
        "attach_payment_page",
        s.attach_payment_page(
            &TransactionId::generate(),
            &fixtures::page(&token, &url, at(600)),
        )
        .await,
    );
    c.that(
        !unknown,
        "attach_payment_page of an unknown id to return false",
    );
}

/// `payments_for_order` lists an order's payments newest first (by
/// `created_at`), superseded ones included, at most `limit`, and nothing of
/// other orders.
pub async fn payments_for_order_newest_first(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("payments_for_order_newest_first");
    let store = backend.instance().await;
    let s = &*store;
    let order = fixtures::order_ref("history");
    let other = fixtures::order_ref("history-other");
    let mut ids = Vec::new();
    for (i, created) in [0, 1_000, 2_000].into_iter().enumerate() {
        let new = fixtures::new_payment(&order, 1500, at(created));
        c.insert(s, &new).await;
        if i < 2 {
            let superseded = c.ok(
                "supersede_payment",
                s.supersede_payment(&new.transaction_id, at(created + 1))
                    .await,
            );
            c.that(
                superseded,
                "supersede_payment of the open payment to return true",
            );
        }
        ids.push(new.transaction_id);
    }
    c.insert(s, &fixtures::new_payment(&other, 1500, at(1_500)))
        .await;

    let newest_first: Vec<TransactionId> = ids.iter().rev().cloned().collect();
    let all = c.ok("payments_for_order", s.payments_for_order(&order, 10).await);
    c.eq(
        "payments_for_order(order, 10), newest first",
        newest_first.clone(),
        all.iter().map(|p| p.transaction_id.clone()).collect(),
    );
    for p in &all {
        c.same_payment(
            "a row of payments_for_order equals find_payment",
            &c.get(s, &p.transaction_id).await,
            p,
        );
    }
    let two = c.ok("payments_for_order", s.payments_for_order(&order, 2).await);
    c.eq(
        "payments_for_order(order, 2): the two newest",
        newest_first[..2].to_vec(),
        two.into_iter().map(|p| p.transaction_id).collect(),
    );
    let none = c.ok("payments_for_order", s.payments_for_order(&order, 0).await);
    c.eq("payments_for_order(order, 0)", 0, none.len());
    let unknown = c.ok(
        "payments_for_order",
        s.payments_for_order(&fixtures::order_ref("history-none"), 10)
            .await,
    );
    c.eq("payments_for_order of an unknown order", 0, unknown.len());
}

/// Every method called with an unknown transaction id answers "nothing"
/// (`None`, `false`, `NotApplied`, empty), not an error, and writes nothing.
pub async fn unknown_transaction_changes_nothing(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("unknown_transaction_changes_nothing");
    let store = backend.instance().await;
    let s = &*store;
    let known = fixtures::new_payment(&fixtures::order_ref("known"), 1500, at(0));
    let row = c.insert(s, &known).await;
    let id = TransactionId::generate();

    let found = c.ok("find_payment", s.find_payment(&id).await);
    c.eq(
        "find_payment of an unknown id",
        None,
        found.map(|p| p.transaction_id),
    );
    let attached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(&id, &fixtures::page("t", "https://x.test/p", at(1)))
            .await,
    );
    c.that(
        !attached,
        "attach_payment_page of an unknown id to return false",
    );
    let superseded = c.ok("supersede_payment", s.supersede_payment(&id, at(1)).await);
    c.that(
        !superseded,
        "supersede_payment of an unknown id to return false",
    );
    for to in [PaymentStatus::Accepted, PaymentStatus::Refused] {
        let change = StatusChange {
            from: PaymentStatus::Pending,
            to,
            check: None,
            reason: None,
            attention: None,
            at: at(1),
        };
        let moved = c.ok("transition", s.transition(&id, &change).await);
        c.outcome(
            &format!("transition of an unknown id to {to}"),
            &Transition::NotApplied,
            &moved,
        );
    }
    let checked = c.ok(
        "record_check",
        s.record_check(&id, Some(&fixtures::waiting_check()), at(1))
            .await,
    );
    c.that(!checked, "record_check of an unknown id to return false");
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(&Claim {
            transaction_id: &id,
            owner: "owner",
            now: at(1),
            lease: LONG_LEASE,
        })
        .await,
    );
    c.that(
        claim.is_none(),
        "claim_fulfilment of an unknown id to return None",
    );
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&Completion {
            transaction_id: &id,
            owner: "owner",
            now: at(1),
        })
        .await,
    );
    c.that(
        !done,
        "complete_fulfilment of an unknown id to return false",
    );
    for keep_lease in [false, true] {
        let released = c.ok(
            "release_fulfilment",
            s.release_fulfilment(&Release {
                transaction_id: &id,
                owner: "owner",
                error: "boom",
                next_attempt_at: at(5),
                now: at(1),
                keep_lease,
            })
            .await,
        );
        c.that(
            !released,
            "release_fulfilment of an unknown id to return false",
        );
    }
    let notice = c.ok(
        "claim_failure_notice",
        s.claim_failure_notice(&id, at(1)).await,
    );
    c.that(
        !notice,
        "claim_failure_notice of an unknown id to return false",
    );
    let log = c.ok("deliveries", s.deliveries(id.as_str(), 10).await);
    c.eq("deliveries of an unknown id", 0, log.len());

    let found = c.ok("find_payment", s.find_payment(&id).await);
    c.eq(
        "find_payment of the unknown id afterwards",
        None,
        found.map(|p| p.transaction_id),
    );
    c.same_payment(
        "the other payment (unchanged)",
        &row,
        &c.get(s, &known.transaction_id).await,
    );
    let listed = c.ok(
        "payments_for_order",
        s.payments_for_order(&known.order_ref, 10).await,
    );
    c.eq("payments of the known order", 1, listed.len());
}

/// `supersede_payment` of an open, pending payment answers `true`, sets
/// `superseded_at` and frees the order's slot (the next insert inserts); the
/// superseded payment's page is never attached again (`false`, nothing
/// written) and it is never accepted (`NotApplied`, nothing written), from
/// pending or after a refusal; it may still become refused, cancelled or
/// needs-attention, keeping `superseded_at` (and a superseded payment with a
/// page stays a polling candidate). `supersede_payment` of a refused,
/// accepted or already superseded payment answers `false` and writes nothing.
pub async fn superseded_payment_is_never_accepted(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("superseded_payment_is_never_accepted");
    let store = backend.instance().await;
    let s = &*store;
    let order = fixtures::order_ref("superseded");
    let old = fixtures::new_payment(&order, 1500, at(0));
    c.insert(s, &old).await;
    let url = fixtures::payment_url(&old.transaction_id);
    let attached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(
            &old.transaction_id,
            &fixtures::page("tok-old", &url, at(100)),
        )
        .await,
    );
    c.that(
        attached,
        "attach_payment_page of a new payment to return true",
    );
    let before = c.get(s, &old.transaction_id).await;

    let done = c.ok(
        "supersede_payment",
        s.supersede_payment(&old.transaction_id, at(1_000)).await,
    );
    c.that(
        done,
        "supersede_payment of an open pending payment to return true",
    );
    let mut expected = before;
    expected.open = false;
    expected.superseded_at = Some(at(1_000));
    expected.updated_at = at(1_000);
    c.same_payment(
        "the payment after supersede_payment",
        &expected,
        &c.get(s, &old.transaction_id).await,
    );
    let newer = fixtures::new_payment(&order, 2500, at(1_500));
    let newer_row = c.insert(s, &newer).await;

    let reattached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(
            &old.transaction_id,
            &fixtures::page("tok-late", "https://x.test/late", at(2_000)),
        )
        .await,
    );
    c.that(
        !reattached,
        "attach_payment_page of a superseded payment to return false (its page must not be shown)",
    );
    c.same_payment(
        "a superseded payment after attach_payment_page (unchanged)",
        &expected,
        &c.get(s, &old.transaction_id).await,
    );

    let accept = |from: PaymentStatus, ms: i64| fixtures::accepted_change(&old, from, at(ms));
    let outcome = c.ok(
        "transition",
        s.transition(&old.transaction_id, &accept(PaymentStatus::Pending, 3_000))
            .await,
    );
    c.outcome(
        "transition pending -> accepted of a superseded payment",
        &Transition::NotApplied,
        &outcome,
    );
    c.same_payment(
        "a superseded payment after a refused acceptance (unchanged)",
        &expected,
        &c.get(s, &old.transaction_id).await,
    );

    // Still a polling candidate: CinetPay may report its page paid.
    let poll = PollQuery {
        now: at(4 * 3_600_000),
        since: at(-1),
        after: std::time::Duration::from_secs(60),
        limit: 10,
    };
    let listed = c.ok("payments_to_poll", s.payments_to_poll(&poll).await);
    c.that(
        listed
            .iter()
            .any(|p| p.transaction_id == old.transaction_id),
        "a superseded pending payment with a page to be a polling candidate",
    );

    c.transition(
        s,
        &old,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(4_000),
    )
    .await;
    let refused = c.get(s, &old.transaction_id).await;
    c.same_time(
        "superseded_at of a superseded payment after it was refused (kept)",
        Some(at(1_000)),
        refused.superseded_at,
    );
    let outcome = c.ok(
        "transition",
        s.transition(&old.transaction_id, &accept(PaymentStatus::Refused, 5_000))
            .await,
    );
    c.outcome(
        "transition refused -> accepted of a superseded payment",
        &Transition::NotApplied,
        &outcome,
    );
    c.same_payment(
        "a superseded refused payment after a refused acceptance (unchanged)",
        &refused,
        &c.get(s, &old.transaction_id).await,
    );
    c.transition(
        s,
        &old,
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        at(5_500),
    )
    .await;
    let refund = fixtures::needs_refund(
        &old,
        PaymentStatus::Cancelled,
        RefundReason::Superseded,
        at(6_000),
    );
    c.apply(s, &old.transaction_id, &refund).await;
    let attention = c.get(s, &old.transaction_id).await;
    c.eq(
        "the attention of the superseded payment moved to needs_attention",
        refund.attention.as_ref(),
        attention.attention.as_ref(),
    );
    c.same_time(
        "superseded_at after needs_attention (kept)",
        Some(at(1_000)),
        attention.superseded_at,
    );
    c.same_payment(
        "the order's new payment after the old one's transitions (unchanged)",
        &newer_row,
        &c.get(s, &newer.transaction_id).await,
    );

    // Only an open, pending payment can be superseded.
    let again = c.ok(
        "supersede_payment",
        s.supersede_payment(&old.transaction_id, at(7_000)).await,
    );
    c.that(
        !again,
        "supersede_payment of a superseded payment (now needs_attention) to return false",
    );
    for to in [PaymentStatus::Refused, PaymentStatus::Accepted] {
        let other = fixtures::new_payment(&fixtures::order_ref(to.as_str()), 1500, at(0));
        c.insert(s, &other).await;
        c.transition(s, &other, PaymentStatus::Pending, to, at(10))
            .await;
        let before = c.get(s, &other.transaction_id).await;
        let done = c.ok(
            "supersede_payment",
            s.supersede_payment(&other.transaction_id, at(20)).await,
        );
        c.that(
            !done,
            format_args!("supersede_payment of a {to} payment to return false"),
        );
        c.same_payment(
            &format!("a {to} payment after a refused supersede_payment (unchanged)"),
            &before,
            &c.get(s, &other.transaction_id).await,
        );
    }
    let superseded_pending = fixtures::new_payment(&fixtures::order_ref("twice"), 1500, at(0));
    c.insert(s, &superseded_pending).await;
    for (ms, expected) in [(10, true), (20, false)] {
        let done = c.ok(
            "supersede_payment",
            s.supersede_payment(&superseded_pending.transaction_id, at(ms))
                .await,
        );
        c.eq(
            "supersede_payment of a pending payment, then of the same (closed) one",
            expected,
            done,
        );
    }
    let row = c.get(s, &superseded_pending.transaction_id).await;
    c.same_time(
        "superseded_at after a second supersede_payment (the first kept)",
        Some(at(10)),
        row.superseded_at,
    );
}
