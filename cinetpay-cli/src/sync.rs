//! `cinetpay sync <id>`: one payment brought up to date with CinetPay.

use std::process::ExitCode;

use cinetpay_core::engine::{FulfilmentOutcome, SyncOutcome};
use cinetpay_core::{DeliverySource, Owed, Payment, TransactionId};
use serde_json::json;

use crate::table::fields;
use crate::{Global, Outcome, operator};

pub(crate) async fn run(global: &Global, id: &str, json: bool) -> Outcome {
    let id = TransactionId::parse(id).map_err(|e| format!("transaction id {id:?}: {e}"))?;
    let (checkout, _store, _loaded) = operator::engine(global).await?;
    let result = checkout.sync(&id, DeliverySource::Operator).await;
    checkout.flush_delivery_log().await;
    let outcome = result.map_err(|e| format!("sync of {id} failed: {e}"))?;
    let Some(payment) = &outcome.payment else {
        return Err(format!("no payment {id} in the shop's database"));
    };
    if json {
        let value = json!({
            "transaction_id": payment.transaction_id,
            "previous_status": outcome.previous_status,
            "status": payment.status,
            "checked": outcome.checked,
            "check": payment.check,
            "delivery": delivery_key(&outcome, payment),
            "delivery_text": delivery(&outcome, payment),
        });
        println!("{value:#}");
    } else {
        print!("{}", describe(&outcome, payment));
    }
    Ok(ExitCode::SUCCESS)
}

/// The human-readable outcome.
fn describe(outcome: &SyncOutcome, payment: &Payment) -> String {
    let status = match outcome.previous_status {
        Some(before) if before != payment.status => format!("{before} -> {}", payment.status),
        _ => format!("{} (unchanged)", payment.status),
    };
    let check = if outcome.checked {
        payment.check.as_ref().map_or(
            "asked, no answer kept".to_owned(),
            crate::payments::check_line,
        )
    } else {
        "not asked (the status is final, or it was just checked)".to_owned()
    };
    fields(&[
        ("transaction", payment.transaction_id.to_string()),
        ("order", payment.order_ref.to_string()),
        (
            "account",
            format!(
                "{} ({})",
                payment.account,
                crate::payments::generation_name(payment.generation)
            ),
        ),
        ("status", status),
        ("check", check),
        ("delivery", delivery(outcome, payment)),
    ])
}

/// A stable word for the delivery part, for scripts.
fn delivery_key(outcome: &SyncOutcome, payment: &Payment) -> &'static str {
    match (&outcome.fulfilment, payment.owed()) {
        (FulfilmentOutcome::AlreadyFulfilled, _) => "already_delivered",
        (_, Some(Owed::Delivery)) => "left_to_the_shop",
        (_, Some(Owed::RefundNotice)) => "refund_notice_left_to_the_shop",
        _ if payment.is_fulfilled() => "already_delivered",
        _ => "nothing_owed",
    }
}

/// What became of the delivery: never run here (see the crate's docs).
fn delivery(outcome: &SyncOutcome, payment: &Payment) -> String {
    let attempts = payment.fulfilment.attempts;
    let tried = if attempts == 0 {
        String::new()
    } else {
        format!("; the shop tried {attempts} time(s)")
    };
    match (&outcome.fulfilment, payment.owed()) {
        (FulfilmentOutcome::AlreadyFulfilled, _) => match payment.fulfilment.fulfilled_at {
            Some(at) => format!("already delivered at {}", crate::payments::time(at)),
            None => "already delivered".to_owned(),
        },
        (FulfilmentOutcome::NotDue { next_attempt_at }, Some(Owed::Delivery)) => format!(
            "owed, not run here: the shop retries it after {}{tried}",
            crate::payments::time(*next_attempt_at)
        ),
        (_, Some(Owed::Delivery)) => format!(
            "owed, not run here: the shop delivers it (its reconciler's next pass, or the \
             customer's return){tried}"
        ),
        (_, Some(Owed::RefundNotice)) => {
            "to refund: the shop's payment_needs_refund hears of it (not run here)".to_owned()
        }
        _ if payment.is_fulfilled() => "already delivered".to_owned(),
        _ => "nothing owed".to_owned(),
    }
}
