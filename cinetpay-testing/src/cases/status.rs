//! Compare-and-set transitions and the one-time failure notice.

use std::sync::Arc;

use crate::model::{CheckSnapshot, Payment, PaymentStatus};
use crate::store::{PaymentStore, StatusChange};
use crate::testing::check::Check;
use crate::testing::fixtures::{self, at};
use crate::values::TransactionId;

/// `transition` is a compare-and-set on the status: a wrong `from` is refused
/// and changes nothing; an applied change stores the status, the check
/// snapshot (every field, `None`s included), the reason and the time, replacing
/// the previous ones; a refused payment may become accepted; an accepted one
/// stays accepted.
pub async fn transition_compare_and_set(store: Arc<dyn PaymentStore>) {
    let c = Check::new("transition_compare_and_set");
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

    // Needs attention keeps the reason and the disagreeing check.
    let other = fixtures::new_payment(&fixtures::order_ref("cas-mismatch"), 1500, at(10));
    let row = c.insert(s, &other).await;
    let mismatch = change(
        PaymentStatus::Pending,
        PaymentStatus::NeedsAttention,
        Some(CheckSnapshot {
            amount: Some("150".to_owned()),
            ..fixtures::accepted_check(&other)
        }),
        Some("amount mismatch: stored 1500 XOF, CinetPay reports 150 XOF".to_owned()),
        1_010,
    );
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
    expect_applied(
        c,
        s,
        &replaced.transaction_id,
        &second,
        row,
        "refused -> cancelled",
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
        at: at(at_ms),
    }
}

async fn expect_refused(
    c: Check,
    s: &dyn PaymentStore,
    id: &TransactionId,
    change: &StatusChange,
    before: &Payment,
    what: &str,
) {
    let applied = c.ok("transition", s.transition(id, change).await);
    c.that(
        !applied,
        format_args!("{what} to be refused (transition returns false)"),
    );
    c.same_payment(
        &format!("the payment after {what} was refused (unchanged)"),
        before,
        &c.get(s, id).await,
    );
}

async fn expect_applied(
    c: Check,
    s: &dyn PaymentStore,
    id: &TransactionId,
    change: &StatusChange,
    before: Payment,
    what: &str,
) -> Payment {
    let applied = c.ok("transition", s.transition(id, change).await);
    c.that(applied, format_args!("transition {what} to apply"));
    let mut expected = before;
    expected.status = change.to;
    expected.check = change.check.clone();
    expected.status_reason = change.reason.clone();
    expected.updated_at = change.at;
    if change.to != PaymentStatus::Pending {
        expected.open = false;
    }
    let found = c.get(s, id).await;
    c.same_payment(
        &format!("the payment after transition {what} (status, check, reason, updated_at)"),
        &expected,
        &found,
    );
    found
}

/// `claim_failure_notice` answers `true` exactly once per refused or
/// cancelled payment and records when; never for any other status, and not
/// again after a refused payment became accepted.
pub async fn failure_notice_exactly_once(store: Arc<dyn PaymentStore>) {
    let c = Check::new("failure_notice_exactly_once");
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
