//! `cinetpay reconcile`: one reconciliation pass, with a progress bar.
//!
//! The engine's own pass (`Checkout::reconcile_once`) runs the due
//! deliveries and then polls; this one polls only, from the same public
//! parts (`PaymentStore::payments_to_poll`, `Checkout::sync`): the due
//! deliveries are the shop's to run (see the crate's docs), so they are
//! counted, not touched.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use cinetpay_core::{DeliverySource, Owed, PaymentStore, PollQuery};
use indicatif::{ProgressBar, ProgressStyle};

use crate::duration::Since;
use crate::table::Table;
use crate::{Global, Outcome, operator};

/// When a payment is polled again, when the configuration turns polling
/// off (`poll_after_ms = 0`): the core's default.
const DEFAULT_POLL_AFTER: Duration = Duration::from_secs(300);
/// How far back, when the configuration turns polling off: the core's default.
const DEFAULT_POLL_WINDOW: Duration = Duration::from_secs(3 * 24 * 3600);

pub(crate) async fn run(global: &Global, since: Option<Since>, limit: Option<usize>) -> Outcome {
    let (checkout, store, _loaded) = operator::engine(global).await?;
    let config = checkout.config();
    let polling = config.polling();
    let after = polling.map_or(DEFAULT_POLL_AFTER, |p| p.after);
    let window = since.map_or_else(
        || polling.map_or(DEFAULT_POLL_WINDOW, |p| p.window),
        |s| s.0,
    );
    let limit = limit.unwrap_or(config.reconcile_batch()).max(1);
    let now = chrono::Utc::now();
    let due = store
        .due_fulfilments(now, limit)
        .await
        .map_err(|e| format!("cannot list the due deliveries: {e}"))?;
    let query = PollQuery {
        now,
        since: Since(window).before(now),
        after,
        limit,
    };
    let candidates = store
        .payments_to_poll(&query)
        .await
        .map_err(|e| format!("cannot list the payments to poll: {e}"))?;

    let bar = progress(candidates.len());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut newly_owed = 0usize;
    for payment in &candidates {
        bar.set_message(payment.transaction_id.to_string());
        match checkout
            .sync(&payment.transaction_id, DeliverySource::Operator)
            .await
        {
            Ok(outcome) => {
                let after = outcome.payment.as_ref().map(|p| p.status);
                let key = match (outcome.previous_status, after) {
                    (Some(before), Some(now)) if before != now => format!("{before} -> {now}"),
                    (_, Some(now)) => format!("unchanged ({now})"),
                    (_, None) => "gone from the database".to_owned(),
                };
                *counts.entry(key).or_default() += 1;
                if outcome.changed()
                    && outcome
                        .payment
                        .as_ref()
                        .is_some_and(|p| p.owed() == Some(Owed::Delivery))
                {
                    newly_owed += 1;
                }
            }
            Err(e) => errors.push(format!("{}: {e}", payment.transaction_id)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    checkout.flush_delivery_log().await;

    println!(
        "reconciliation pass: {} payment(s) without a final status polled (created within {}, \
         last looked at {} ago or more)",
        candidates.len(),
        human(window),
        human(after),
    );
    let mut table = Table::new(&["OUTCOME", "PAYMENTS"]);
    for (key, count) in &counts {
        table.row(vec![key.clone(), count.to_string()]);
    }
    if !errors.is_empty() {
        table.row(vec!["error".to_owned(), errors.len().to_string()]);
    }
    if !table.is_empty() {
        print!("{}", table.render());
    }
    for error in &errors {
        println!("error: {error}");
    }
    println!(
        "deliveries left to the shop: {newly_owed} newly accepted, {} already due (the shop's \
         reconciler runs them; this command never delivers)",
        due.len()
    );
    if candidates.len() == limit {
        println!("more payments may be waiting: run again, or raise --limit (now {limit})");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A bar on stderr, hidden unless both stdout and stderr are terminals.
fn progress(len: usize) -> ProgressBar {
    if !(std::io::stdout().is_terminal() && std::io::stderr().is_terminal()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `3d`, `5m`, `90s`: the largest unit that divides the duration.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, size) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s >= size && s.is_multiple_of(size) {
            return format!("{}{unit}", s / size);
        }
    }
    if s == 0 {
        return format!("{}ms", d.as_millis());
    }
    format!("{s}s")
}
