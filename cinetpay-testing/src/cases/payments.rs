//! Creating and finding payments, and the open slot of an order.

use std::sync::Arc;

use crate::model::{Payment, PaymentStatus};
use crate::store::{InsertOutcome, PaymentStore, StatusChange, StoreError};
use crate::testing::check::Check;
use crate::testing::fixtures::{self, at};
use crate::values::{Currency, Description, OrderRef, TransactionId};

/// Every field of a new payment (amount, currency, description, order
/// reference, transaction id, creation time to the millisecond) comes back
/// unchanged from `insert_payment`, `find_payment` and `find_open_payment`,
/// including non-ASCII text, the longest values allowed, and ids or
/// references that differ only by letter case or accents (the store must
/// compare them exactly, not with a case- or accent-insensitive collation).
pub async fn insert_and_find_round_trip(store: Arc<dyn PaymentStore>) {
    let c = Check::new("insert_and_find_round_trip");
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
        let open = c.ok(
            "find_open_payment",
            s.find_open_payment(&new.order_ref).await,
        );
        match open {
            Some(open) => c.same_payment(
                "find_open_payment returns the order's new payment",
                &expected,
                &open,
            ),
            None => c.fail(format_args!(
                "find_open_payment({}) to find {}, found None",
                new.order_ref, new.transaction_id
            )),
        }
    }
    let unknown = c.ok(
        "find_payment",
        s.find_payment(&TransactionId::generate()).await,
    );
    c.eq("find_payment of an unknown id", None, unknown);
    let unknown = c.ok(
        "find_open_payment",
        s.find_open_payment(&fixtures::order_ref("nobody")).await,
    );
    c.eq("find_open_payment of an unknown order", None, unknown);
}

/// Inserting a transaction id that exists is [`StoreError::Conflict`] and
/// changes nothing: not the existing payment, not the other order.
pub async fn duplicate_transaction_id_is_conflict(store: Arc<dyn PaymentStore>) {
    let c = Check::new("duplicate_transaction_id_is_conflict");
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
    let open = c.ok(
        "find_open_payment",
        s.find_open_payment(&other_order.order_ref).await,
    );
    c.eq(
        "find_open_payment of the conflicting insert's order",
        None,
        open.map(|p| p.transaction_id),
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

    // Once the first payment is closed, its id still cannot be reused.
    c.that(
        c.ok(
            "close_payment",
            s.close_payment(&first.transaction_id, at(20)).await,
        ),
        "close_payment of an open payment to return true",
    );
    let mut same_order = fixtures::new_payment(&first.order_ref, 1500, at(30));
    same_order.transaction_id = first.transaction_id.clone();
    expect_conflict(c, s, &same_order).await;
    let open = c.ok(
        "find_open_payment",
        s.find_open_payment(&first.order_ref).await,
    );
    c.eq(
        "find_open_payment after a conflicting insert on a closed order",
        None,
        open.map(|p| p.transaction_id),
    );
    let found = c.get(s, &first.transaction_id).await;
    c.eq("amount of the existing payment", first.amount, found.amount);
    c.same_time(
        "created_at of the existing payment",
        Some(first.created_at),
        Some(found.created_at),
    );
}

async fn expect_conflict(c: Check, s: &dyn PaymentStore, new: &crate::model::NewPayment) {
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
/// open one; `close_payment` frees the slot (keeping the status); a new
/// payment then opens it; a transition of the closed payment does not touch
/// the new one's slot; `Pending -> Pending` (a waiting check) keeps it open.
pub async fn open_slot_per_order(store: Arc<dyn PaymentStore>) {
    let c = Check::new("open_slot_per_order");
    let s = &*store;
    let order = fixtures::order_ref("slot");
    let first = fixtures::new_payment(&order, 1500, at(0));
    let first_row = c.insert(s, &first).await;

    let second = fixtures::new_payment(&order, 2500, at(1_000));
    match c.ok("insert_payment", s.insert_payment(&second).await) {
        InsertOutcome::OrderHasOpenPayment(open) => c.same_payment(
            "the open payment returned by a second insert for the order",
            &first_row,
            &open,
        ),
        InsertOutcome::Inserted(p) => c.fail(format_args!(
            "a second insert for order {order} with an open payment to be OrderHasOpenPayment, found Inserted({})",
            p.transaction_id
        )),
    }
    let ghost = c.ok("find_payment", s.find_payment(&second.transaction_id).await);
    c.eq(
        "find_payment of the refused second insert (nothing written)",
        None,
        ghost.map(|p| p.transaction_id),
    );
    let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
    c.eq(
        "find_open_payment of the order",
        Some(first.transaction_id.clone()),
        open.map(|p| p.transaction_id),
    );

    // Closing frees the slot and keeps the status.
    let closed = c.ok(
        "close_payment",
        s.close_payment(&first.transaction_id, at(2_000)).await,
    );
    c.that(closed, "close_payment of the open payment to return true");
    let mut expected = first_row.clone();
    expected.open = false;
    expected.updated_at = at(2_000);
    c.same_payment(
        "the payment after close_payment (open false, status kept, updated_at set)",
        &expected,
        &c.get(s, &first.transaction_id).await,
    );
    let again = c.ok(
        "close_payment",
        s.close_payment(&first.transaction_id, at(3_000)).await,
    );
    c.that(!again, "close_payment of a closed payment to return false");
    c.same_payment(
        "a closed payment after a second close_payment (unchanged)",
        &expected,
        &c.get(s, &first.transaction_id).await,
    );
    let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
    c.eq(
        "find_open_payment after close_payment",
        None,
        open.map(|p| p.transaction_id),
    );

    // The next insert opens the order again.
    let second_row = c.insert(s, &second).await;
    let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
    c.eq(
        "find_open_payment after a new insert",
        Some(second.transaction_id.clone()),
        open.map(|p| p.transaction_id),
    );

    // The closed payment may still be paid; that does not close the new one.
    c.transition(
        s,
        &first,
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        at(4_000),
    )
    .await;
    let first_now = c.get(s, &first.transaction_id).await;
    c.eq(
        "open of the closed payment after it was accepted",
        false,
        first_now.open,
    );
    c.same_payment(
        "the order's new open payment after the old one was accepted",
        &second_row,
        &c.get(s, &second.transaction_id).await,
    );

    // A waiting check (pending -> pending) keeps the slot.
    let waiting = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Pending,
        check: Some(crate::model::CheckSnapshot {
            status: Some("WAITING_FOR_CUSTOMER".to_owned()),
            ..fixtures::bare_check("662", "WAITING_CUSTOMER_PAYMENT")
        }),
        reason: None,
        at: at(5_000),
    };
    let applied = c.ok(
        "transition",
        s.transition(&second.transaction_id, &waiting).await,
    );
    c.that(
        applied,
        "transition pending -> pending (a waiting check) to apply",
    );
    let mut expected = second_row.clone();
    expected.check = waiting.check.clone();
    expected.updated_at = at(5_000);
    c.same_payment(
        "the payment after a pending -> pending transition (still open, check stored)",
        &expected,
        &c.get(s, &second.transaction_id).await,
    );
    let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
    c.eq(
        "find_open_payment after a pending -> pending transition",
        Some(second.transaction_id.clone()),
        open.map(|p| p.transaction_id),
    );
}

/// A transition to any status other than `Pending` frees the order's slot, so
/// that the next insert for the order creates a payment; a refused
/// transition (wrong `from`) does not.
pub async fn transition_closes_open_slot(store: Arc<dyn PaymentStore>) {
    let c = Check::new("transition_closes_open_slot");
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
        let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
        c.eq(
            &format!("find_open_payment after a transition to {to}"),
            None,
            open.map(|p| p.transaction_id),
        );
        let next = fixtures::new_payment(&order, 1500, at(step + 2));
        c.insert(s, &next).await;
    }

    let order = fixtures::order_ref("kept");
    let payment = fixtures::new_payment(&order, 1500, at(0));
    c.insert(s, &payment).await;
    let stale = StatusChange {
        from: PaymentStatus::Refused,
        to: PaymentStatus::Accepted,
        check: Some(fixtures::accepted_check(&payment)),
        reason: None,
        at: at(1),
    };
    let applied = c.ok(
        "transition",
        s.transition(&payment.transaction_id, &stale).await,
    );
    c.that(!applied, "a transition with the wrong `from` to be refused");
    let open = c.ok("find_open_payment", s.find_open_payment(&order).await);
    c.eq(
        "find_open_payment after a refused transition",
        Some(payment.transaction_id.clone()),
        open.map(|p| p.transaction_id),
    );
}

/// `attach_payment_page` stores CinetPay's token and page URL (realistic
/// lengths) and the time, changes nothing else, replaces an earlier page, and
/// answers `false` for an unknown payment.
pub async fn attach_payment_page(store: Arc<dyn PaymentStore>) {
    let c = Check::new("attach_payment_page");
    let s = &*store;
    let new = fixtures::new_payment(&fixtures::order_ref("page"), 1500, at(0));
    let row = c.insert(s, &new).await;
    let token = "a1b2c3d4e5f6".repeat(11);
    let url = format!("https://checkout.cinetpay.com/payment/{token}");
    let attached = c.ok(
        "attach_payment_page",
        s.attach_payment_page(&new.transaction_id, &token, &url, at(250))
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
    let open = c.ok(
        "find_open_payment",
        s.find_open_payment(&new.order_ref).await,
    );
    match open {
        Some(open) => c.same_payment(
            "find_open_payment after attach_payment_page",
            &expected,
            &open,
        ),
        None => {
            c.fail("find_open_payment after attach_payment_page to find the payment, found None")
        }
    }

    let token2 = "ffee".repeat(30);
    let url2 = format!("https://checkout.cinetpay.com/payment/{token2}");
    let again = c.ok(
        "attach_payment_page",
        s.attach_payment_page(&new.transaction_id, &token2, &url2, at(500))
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
        s.attach_payment_page(&TransactionId::generate(), &token, &url, at(600))
            .await,
    );
    c.that(
        !unknown,
        "attach_payment_page of an unknown id to return false",
    );
}

/// `payments_for_order` lists an order's payments newest first (by
/// `created_at`), at most `limit`, and nothing of other orders.
pub async fn payments_for_order_newest_first(store: Arc<dyn PaymentStore>) {
    let c = Check::new("payments_for_order_newest_first");
    let s = &*store;
    let order = fixtures::order_ref("history");
    let other = fixtures::order_ref("history-other");
    let mut ids = Vec::new();
    for (i, created) in [0, 1_000, 2_000].into_iter().enumerate() {
        let new = fixtures::new_payment(&order, 1500, at(created));
        c.insert(s, &new).await;
        if i < 2 {
            let closed = c.ok(
                "close_payment",
                s.close_payment(&new.transaction_id, at(created + 1)).await,
            );
            c.that(closed, "close_payment of the open payment to return true");
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
/// (`None`, `false`, empty), not an error, and writes nothing.
pub async fn unknown_transaction_changes_nothing(store: Arc<dyn PaymentStore>) {
    let c = Check::new("unknown_transaction_changes_nothing");
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
        s.attach_payment_page(&id, "t", "https://x.test/p", at(1))
            .await,
    );
    c.that(
        !attached,
        "attach_payment_page of an unknown id to return false",
    );
    let closed = c.ok("close_payment", s.close_payment(&id, at(1)).await);
    c.that(!closed, "close_payment of an unknown id to return false");
    let change = StatusChange {
        from: PaymentStatus::Pending,
        to: PaymentStatus::Accepted,
        check: None,
        reason: None,
        at: at(1),
    };
    let moved = c.ok("transition", s.transition(&id, &change).await);
    c.that(!moved, "transition of an unknown id to return false");
    let claim = c.ok(
        "claim_fulfilment",
        s.claim_fulfilment(&id, "owner", at(1), at(2)).await,
    );
    c.that(
        claim.is_none(),
        "claim_fulfilment of an unknown id to return None",
    );
    let done = c.ok(
        "complete_fulfilment",
        s.complete_fulfilment(&id, "owner", at(1)).await,
    );
    c.that(
        !done,
        "complete_fulfilment of an unknown id to return false",
    );
    let released = c.ok(
        "release_fulfilment",
        s.release_fulfilment(&id, "owner", "boom", at(5), at(1))
            .await,
    );
    c.that(
        !released,
        "release_fulfilment of an unknown id to return false",
    );
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
