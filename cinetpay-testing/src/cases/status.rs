//! Compare-and-set transitions, one accepted payment per order, checks and
//! the one-time failure notice.

use std::sync::Arc;

use cinetpay_core::{
    Attention, CheckSnapshot, Payment, PaymentStatus, RefundReason, StatusChange, TransactionId,
    Transition,
};

use crate::check::Check;
use crate::fixtures::{self, at};
use crate::{QueryableStore, StoreBackend};

/// `transition` is a compare-and-set on the status: a wrong `from` is refused
/// and changes nothing; an applied change stores the status, the check
/// snapshot (every field, `None`s included), the reason, the attention and the
/// time, replacing the previous ones, and sets `checked_at` to the change's
/// time when it has a check (kept otherwise); a refused payment may become
/// accepted; an accepted one stays accepted.
pub async fn transition_compare_and_set(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("transition_compare_and_set");
    let store = backend.instance().await;
    let s = &*store;
    let new = fixtures::new_payment(&fixtures::order_ref("cas"), 1500, at(0));
    let id = &new.transaction_id;
    let row = c.insert(s, &new).await;

    let wrong = change(
        PaymentStatus::Refused,
        PaymentStatus::Accepted,
        Some(fixtures::accepted_check(&new)),
        None,
        100,
    );
    expect_refused(
        c,
        s,
        id,
        &wrong,
        &row,
        "a transition from refused while pending",
    )
    .await;

    let refused = change(
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        Some(fixtures::refused_check(&new)),
        None,
        1_000,
    );
    let row = expect_applied(c, s, id, &refused, row, "pending -> refused").await;

    let stale = change(
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        Some(fixtures::accepted_check(&new)),
        None,
        1_500,
    );
    expect_refused(
        c,
        s,
        id,
        &stale,
        &row,
        "a stale pending -> accepted on a refused payment",
    )
    .await;

    let accepted = change(
        PaymentStatus::Refused,
        PaymentStatus::Accepted,
        Some(fixtures::accepted_check(&new)),
        Some("accepted after a refusal".to_owned()),
        2_000,
    );
    let row = expect_applied(c, s, id, &accepted, row, "refused -> accepted").await;

    for from in [
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
    ] {
        let late = change(
            from,
            PaymentStatus::Refused,
            Some(fixtures::refused_check(&new)),
            None,
            3_000,
        );
        expect_refused(
            c,
            s,
            id,
            &late,
            &row,
            &format!("a late {from} -> refused on an accepted payment"),
        )
        .await;
    }

    // Needs attention keeps the reason, the attention and the disagreeing check.
    let other = fixtures::new_payment(&fixtures::order_ref("cas-mismatch"), 1500, at(10));
    let row = c.insert(s, &other).await;
    let mismatch = fixtures::money_mismatch(&other, PaymentStatus::Pending, at(1_010));
    expect_applied(
        c,
        s,
        &other.transaction_id,
        &mismatch,
        row,
        "pending -> needs_attention",
    )
    .await;

    // Start failed has no check.
    let failed = fixtures::new_payment(&fixtures::order_ref("cas-start"), 1500, at(20));
    let row = c.insert(s, &failed).await;
    let start_failed = change(
        PaymentStatus::Pending,
        PaymentStatus::StartFailed,
        None,
        Some(
            "CinetPay refused the payment: 608 MINIMUM_REQUIRED_FIELDS (« montant invalide »)"
                .to_owned(),
        ),
        1_020,
    );
    expect_applied(
        c,
        s,
        &failed.transaction_id,
        &start_failed,
        row,
        "pending -> start_failed",
    )
    .await;

    // A later change replaces the check and the reason, even with `None`.
    let replaced = fixtures::new_payment(&fixtures::order_ref("cas-replace"), 1500, at(30));
    let row = c.insert(s, &replaced).await;
    let first = change(
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        Some(fixtures::refused_check(&replaced)),
        Some("first reason".to_owned()),
        1_030,
    );
    let row = expect_applied(
        c,
        s,
        &replaced.transaction_id,
        &first,
        row,
        "pending -> refused",
    )
    .await;
    let second = change(
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        Some(fixtures::bare_check("627", "TRANSACTION_CANCEL")),
        None,
        1_040,
    );
    let row = expect_applied(
        c,
        s,
        &replaced.transaction_id,
        &second,
        row,
        "refused -> cancelled",
    )
    .await;
    // A refund attention, and an attention replaced by a change without one.
    let refund = fixtures::needs_refund(
        &replaced,
        PaymentStatus::Cancelled,
        RefundReason::OrderAlreadyPaid {
            by: TransactionId::generate(),
        },
        at(1_050),
    );
    let row = expect_applied(
        c,
        s,
        &replaced.transaction_id,
        &refund,
        row,
        "cancelled -> needs_attention (refund)",
    )
    .await;
    let cleared = change(
        PaymentStatus::NeedsAttention,
        PaymentStatus::Refused,
        None,
        None,
        1_060,
    );
    expect_applied(
        c,
        s,
        &replaced.transaction_id,
        &cleared,
        row,
        "needs_attention -> refused without a check (check, reason, attention cleared; checked_at kept)",
    )
    .await;
}

fn change(
    from: PaymentStatus,
    to: PaymentStatus,
    check: Option<CheckSnapshot>,
    reason: Option<String>,
    at_ms: i64,
) -> StatusChange {
    StatusChange {
        from,
        to,
        check,
        reason,
        attention: None,
        at: at(at_ms),
    }
}

async fn expect_refused(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    change: &StatusChange,
    before: &Payment,
    what: &str,
) {
    let outcome = c.ok("transition", s.transition(id, change).await);
    c.outcome(
        &format!("{what}: transition refused"),
        &Transition::NotApplied,
        &outcome,
    );
    c.same_payment(
        &format!("the payment after {what} was refused (unchanged)"),
        before,
        &c.get(s, id).await,
    );
}

async fn expect_applied(
    c: Check,
    s: &dyn QueryableStore,
    id: &TransactionId,
    change: &StatusChange,
    before: Payment,
    what: &str,
) -> Payment {
    let outcome = c.ok("transition", s.transition(id, change).await);
    c.outcome(
        &format!("transition {what}"),
        &Transition::Applied,
        &outcome,
    );
    let mut expected = before;
    expected.status = change.to;
    expected.check = change.check.clone();
    expected.status_reason = change.reason.clone();
    expected.attention = change.attention.clone();
    if change.check.is_some() {
        expected.checked_at = Some(change.at);
    }
    expected.updated_at = change.at;
    if change.to != PaymentStatus::Pending {
        expected.open = false;
    }
    let found = c.get(s, id).await;
    c.same_payment(
        &format!(
            "the payment after transition {what} (status, check, checked_at, reason, attention, updated_at)"
        ),
        &expected,
        &found,
    );
    found
}

/// `claim_failure_notice` answers `true` exactly once per refused or
/// cancelled payment and records when; never for any other status, and not
/// again after a refused payment became accepted.
pub async fn failure_notice_exactly_once(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("failure_notice_exactly_once");
    let store = backend.instance().await;
    let s = &*store;
    for failure in [PaymentStatus::Refused, PaymentStatus::Cancelled] {
        let new = fixtures::new_payment(&fixtures::order_ref(failure.as_str()), 1500, at(0));
        c.insert(s, &new).await;
        c.transition(s, &new, PaymentStatus::Pending, failure, at(100))
            .await;
        let before = c.get(s, &new.transaction_id).await;
        let first = c.ok(
            "claim_failure_notice",
            s.claim_failure_notice(&new.transaction_id, at(200)).await,
        );
        c.that(
            first,
            format_args!("the first claim_failure_notice of a {failure} payment to return true"),
        );
        let mut expected = before;
        expected.failure_notified_at = Some(at(200));
        expected.updated_at = at(200);
        c.same_payment(
            &format!("the {failure} payment after claim_failure_notice"),
            &expected,
            &c.get(s, &new.transaction_id).await,
        );
        for later in [200, 300] {
            let again = c.ok(
                "claim_failure_notice",
                s.claim_failure_notice(&new.transaction_id, at(later)).await,
            );
            c.that(
                !again,
                format_args!(
                    "a second claim_failure_notice of a {failure} payment to return false"
                ),
            );
        }
        c.same_payment(
            &format!("the {failure} payment after repeated claim_failure_notice (unchanged)"),
            &expected,
            &c.get(s, &new.transaction_id).await,
        );
        c.transition(s, &new, failure, PaymentStatus::Accepted, at(400))
            .await;
        let after = c.ok(
            "claim_failure_notice",
            s.claim_failure_notice(&new.transaction_id, at(500)).await,
        );
        c.that(
            !after,
            "claim_failure_notice of a payment accepted after its notice to return false",
        );
    }

    for status in [
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        PaymentStatus::StartFailed,
        PaymentStatus::NeedsAttention,
    ] {
        let new = fixtures::new_payment(&fixtures::order_ref(status.as_str()), 1500, at(0));
        c.insert(s, &new).await;
        if status != PaymentStatus::Pending {
            c.transition(s, &new, PaymentStatus::Pending, status, at(100))
                .await;
        }
        let before = c.get(s, &new.transaction_id).await;
        let notice = c.ok(
            "claim_failure_notice",
            s.claim_failure_notice(&new.transaction_id, at(200)).await,
        );
        c.that(
            !notice,
            format_args!("claim_failure_notice of a {status} payment to return false"),
        );
        c.same_payment(
            &format!("the {status} payment after a refused claim_failure_notice (unchanged)"),
            &before,
            &c.get(s, &new.transaction_id).await,
        );
    }

    // Once not-yet-failed, a payment's notice is still available when it fails later.
    let new = fixtures::new_payment(&fixtures::order_ref("late-failure"), 1500, at(0));
    c.insert(s, &new).await;
    let early = c.ok(
        "claim_failure_notice",
        s.claim_failure_notice(&new.transaction_id, at(50)).await,
    );
    c.that(
        !early,
        "claim_failure_notice of a pending payment to return false",
    );
    c.transition(
        s,
        &new,
        PaymentStatus::Pending,
        PaymentStatus::Cancelled,
        at(100),
    )
    .await;
    let late = c.ok(
        "claim_failure_notice",
        s.claim_failure_notice(&new.transaction_id, at(150)).await,
    );
    c.that(
        late,
        "claim_failure_notice after the payment was cancelled to return true",
    );
}

/// An order has at most one accepted payment. With two payments of one order
/// (the first refused, which freed the slot for the second): accepting the
/// first applies; accepting the second answers `OrderAlreadyPaid(first)` and
/// writes nothing (so does a third payment's); a stale `from` is still
/// `NotApplied`; payments of other orders are accepted as usual; the second
/// payment can then move to needs-attention for a refund.
pub async fn one_accepted_payment_per_order(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("one_accepted_payment_per_order");
    let store = backend.instance().await;
    let s = &*store;
    let order = fixtures::order_ref("paid-once");
    let first = fixtures::new_payment(&order, 1500, at(0));
    c.insert(s, &first).await;
    c.transition(
        s,
        &first,
        PaymentStatus::Pending,
        PaymentStatus::Refused,
        at(100),
    )
    .await;
    let second = fixtures::new_payment(&order, 1500, at(200));
    c.insert(s, &second).await;
    let other = fixtures::new_payment(&fixtures::order_ref("paid-other"), 1500, at(300));
    c.insert(s, &other).await;

    c.transition(
        s,
        &first,
        PaymentStatus::Refused,
        PaymentStatus::Accepted,
        at(1_000),
    )
    .await;
    let payer = c.get(s, &first.transaction_id).await;
    let before = c.get(s, &second.transaction_id).await;
    let accept = |new: &cinetpay_core::NewPayment, from: PaymentStatus, ms: i64| {
        fixtures::accepted_change(new, from, at(ms))
    };
    let outcome = c.ok(
        "transition",
        s.transition(
            &second.transaction_id,
            &accept(&second, PaymentStatus::Pending, 1_100),
        )
        .await,
    );
    c.outcome(
        "accepting a second payment of an accepted order",
        &Transition::OrderAlreadyPaid(first.transaction_id.clone()),
        &outcome,
    );
    c.same_payment(
        "the second payment after OrderAlreadyPaid (nothing written)",
        &before,
        &c.get(s, &second.transaction_id).await,
    );
    c.same_payment(
        "the paying payment after another payment's OrderAlreadyPaid (unchanged)",
        &payer,
        &c.get(s, &first.transaction_id).await,
    );
    let stale = c.ok(
        "transition",
        s.transition(
            &second.transaction_id,
            &accept(&second, PaymentStatus::Refused, 1_150),
        )
        .await,
    );
    c.outcome(
        "accepting a second payment of an accepted order with a stale `from`",
        &Transition::NotApplied,
        &stale,
    );

    // Other orders are not affected.
    c.transition(
        s,
        &other,
        PaymentStatus::Pending,
        PaymentStatus::Accepted,
        at(1_200),
    )
    .await;

    // The engine moves the duplicate to needs_attention for a refund.
    let refund = fixtures::needs_refund(
        &second,
        PaymentStatus::Pending,
        RefundReason::OrderAlreadyPaid {
            by: first.transaction_id.clone(),
        },
        at(1_300),
    );
    c.apply(s, &second.transaction_id, &refund).await;
    let moved = c.get(s, &second.transaction_id).await;
    c.eq(
        "the status of the duplicate payment",
        PaymentStatus::NeedsAttention,
        moved.status,
    );
    c.eq(
        "the attention of the duplicate payment (read back with its reference)",
        Some(Attention::Refund(RefundReason::OrderAlreadyPaid {
            by: first.transaction_id.clone(),
        })),
        moved.attention,
    );

    // A third payment of the order (the slot is free again) cannot be accepted either.
    let third = fixtures::new_payment(&order, 1500, at(2_000));
    let third_row = c.insert(s, &third).await;
    let outcome = c.ok(
        "transition",
        s.transition(
            &third.transaction_id,
            &accept(&third, PaymentStatus::Pending, 2_100),
        )
        .await,
    );
    c.outcome(
        "accepting a third payment of an accepted order",
        &Transition::OrderAlreadyPaid(first.transaction_id.clone()),
        &outcome,
    );
    c.same_payment(
        "the third payment after OrderAlreadyPaid (nothing written, still open)",
        &third_row,
        &c.get(s, &third.transaction_id).await,
    );
    let accepted: Vec<TransactionId> = c
        .ok("payments_for_order", s.payments_for_order(&order, 10).await)
        .into_iter()
        .filter(|p| p.status == PaymentStatus::Accepted)
        .map(|p| p.transaction_id)
        .collect();
    c.eq(
        "the accepted payments of the order",
        vec![first.transaction_id.clone()],
        accepted,
    );
}

/// `record_check` records that CinetPay was asked (`checked_at`, `updated_at`)
/// and the answer's snapshot when given (`None` keeps the stored one), never
/// changing the status, the open slot or the fulfilment, whatever the status;
/// `false` for an unknown payment.
pub async fn record_check_keeps_status(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("record_check_keeps_status");
    let store = backend.instance().await;
    let s = &*store;
    let pending = fixtures::new_payment(&fixtures::order_ref("checked"), 1500, at(0));
    c.insert(s, &pending).await;
    let url = fixtures::payment_url(&pending.transaction_id);
    let ok = c.ok(
        "attach_payment_page",
        s.attach_payment_page(
            &pending.transaction_id,
            &fixtures::page("tok", &url, at(100)),
        )
        .await,
    );
    c.that(ok, "attach_payment_page of a new payment to return true");
    let mut expected = c.get(s, &pending.transaction_id).await;

    let waiting = fixtures::waiting_check();
    let recorded = c.ok(
        "record_check",
        s.record_check(&pending.transaction_id, Some(&waiting), at(1_000))
            .await,
    );
    c.that(recorded, "record_check of a pending payment to return true");
    expected.check = Some(waiting.clone());
    expected.checked_at = Some(at(1_000));
    expected.updated_at = at(1_000);
    c.same_payment(
        "the payment after record_check with a snapshot (check, checked_at, updated_at; status and slot kept)",
        &expected,
        &c.get(s, &pending.transaction_id).await,
    );
    let recorded = c.ok(
        "record_check",
        s.record_check(&pending.transaction_id, None, at(2_000))
            .await,
    );
    c.that(recorded, "record_check without a snapshot to return true");
    expected.checked_at = Some(at(2_000));
    expected.updated_at = at(2_000);
    c.same_payment(
        "the payment after record_check without a snapshot (checked_at moved, check kept)",
        &expected,
        &c.get(s, &pending.transaction_id).await,
    );
    let probe = fixtures::new_payment(&pending.order_ref, 1500, at(2_500));
    c.slot_held_by(s, &probe, &expected, "after record_check")
        .await;

    for status in [
        PaymentStatus::Refused,
        PaymentStatus::Cancelled,
        PaymentStatus::Accepted,
        PaymentStatus::NeedsAttention,
    ] {
        let new = fixtures::new_payment(&fixtures::order_ref(status.as_str()), 1500, at(0));
        c.insert(s, &new).await;
        c.transition(s, &new, PaymentStatus::Pending, status, at(100))
            .await;
        let mut expected = c.get(s, &new.transaction_id).await;
        let snapshot = CheckSnapshot {
            operator_id: Some("re-checked".to_owned()),
            ..fixtures::accepted_check(&new)
        };
        let recorded = c.ok(
            "record_check",
            s.record_check(&new.transaction_id, Some(&snapshot), at(3_000))
                .await,
        );
        c.that(
            recorded,
            format_args!("record_check of a {status} payment to return true"),
        );
        expected.check = Some(snapshot);
        expected.checked_at = Some(at(3_000));
        expected.updated_at = at(3_000);
        c.same_payment(
            &format!("a {status} payment after record_check (status kept)"),
            &expected,
            &c.get(s, &new.transaction_id).await,
        );
    }

    let unknown = c.ok(
        "record_check",
        s.record_check(&TransactionId::generate(), Some(&waiting), at(4_000))
            .await,
    );
    c.that(!unknown, "record_check of an unknown id to return false");
}
