//! `cinetpay payments list` and `cinetpay payments show <id>`: the store's
//! read side ([`PaymentQueries`]).

use std::process::ExitCode;

use cinetpay_core::{
    CheckSnapshot, Generation, Owed, Payment, PaymentFilter, PaymentQueries, PaymentStatus,
    PaymentStore, Timestamp, TransactionId,
};
use clap::Args;
use serde_json::json;

use crate::duration::Since;
use crate::table::{Table, fields};
use crate::{Global, Outcome, config};

/// Most delivery-log lines `show` prints.
const LOG_LINES: usize = 200;

/// `payments list`'s filters.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this status: pending, start_failed, accepted, refused, cancelled, needs_attention.
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    status: Option<PaymentStatus>,
    /// Only payments a human must look at (needs_attention: a money
    /// mismatch, or a payment to refund).
    #[arg(long, conflicts_with = "status")]
    needs_attention: bool,
    /// Only accepted payments whose delivery failed and is not done yet.
    #[arg(long)]
    failing: bool,
    /// Only payments created within this long (`30m`, `24h`, `7d`).
    #[arg(long, value_name = "DURATION")]
    since: Option<Since>,
    /// Only the payments of this order.
    #[arg(long, value_name = "ORDER_REF")]
    order: Option<String>,
    /// Most payments listed.
    #[arg(long, default_value_t = 50, value_name = "N")]
    limit: usize,
    /// Print JSON (one array of payments).
    #[arg(long)]
    json: bool,
}

fn parse_status(text: &str) -> Result<PaymentStatus, String> {
    text.trim().to_ascii_lowercase().parse().map_err(|_| {
        let all: Vec<&str> = PaymentStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("not a status; one of {}", all.join(", "))
    })
}

pub(crate) async fn list(global: &Global, args: &ListArgs) -> Outcome {
    let store = config::store_for_reading(global).await?;
    let mut filter = PaymentFilter::newest(args.limit);
    if let Some(status) = args.status {
        filter = filter.status(status);
    }
    if args.needs_attention {
        filter = filter.status(PaymentStatus::NeedsAttention);
    }
    if args.failing {
        filter = filter.failing_fulfilment();
    }
    if let Some(since) = args.since {
        filter = filter.created_since(since.before(chrono::Utc::now()));
    }
    if let Some(order) = &args.order {
        let order = cinetpay_core::OrderRef::new(order.clone())
            .map_err(|e| format!("--order {order:?}: {e}"))?;
        filter = filter.order(order);
    }
    let payments = store
        .list_payments(&filter)
        .await
        .map_err(|e| format!("cannot list the payments: {e}"))?;
    if args.json {
        let value = serde_json::to_value(&payments).map_err(|e| e.to_string())?;
        println!("{value:#}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "TRANSACTION",
        "ORDER",
        "ACCOUNT",
        "AMOUNT",
        "STATUS",
        "DELIVERY",
        "CREATED",
    ]);
    for p in &payments {
        table.row(vec![
            p.transaction_id.to_string(),
            p.order_ref.to_string(),
            p.account.to_string(),
            format!("{} {}", p.amount.get(), p.currency.as_str()),
            status_cell(p),
            delivery_cell(p),
            time(p.created_at),
        ]);
    }
    if table.is_empty() {
        println!("no payment matches");
    } else {
        print!("{}", table.render());
        if payments.len() == args.limit {
            println!("(the newest {}; --limit for more)", args.limit);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn show(global: &Global, id: &str, json: bool) -> Outcome {
    let id = TransactionId::parse(id).map_err(|e| format!("transaction id {id:?}: {e}"))?;
    let store = config::store_for_reading(global).await?;
    let payment = store
        .find_payment(&id)
        .await
        .map_err(|e| format!("cannot read payment {id}: {e}"))?
        .ok_or_else(|| format!("no payment {id} in the shop's database"))?;
    let log = store
        .deliveries(id.as_str(), LOG_LINES)
        .await
        .map_err(|e| format!("cannot read the delivery log of {id}: {e}"))?;
    if json {
        let value = json!({ "payment": payment, "deliveries": log });
        println!("{value:#}");
        return Ok(ExitCode::SUCCESS);
    }
    let p = &payment;
    let f = &p.fulfilment;
    let opt_time = |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), time);
    let mut pairs = vec![
        ("transaction", p.transaction_id.to_string()),
        ("order", p.order_ref.to_string()),
        (
            "account",
            format!("{} ({})", p.account, generation_name(p.generation)),
        ),
        (
            "amount",
            format!("{} {}", p.amount.get(), p.currency.as_str()),
        ),
        ("description", p.description.to_string()),
        ("status", status_cell(p)),
    ];
    if let Some(reason) = &p.status_reason {
        pairs.push(("reason", reason.clone()));
    }
    pairs.extend([
        ("created", time(p.created_at)),
        ("updated", time(p.updated_at)),
        ("last checked", opt_time(p.checked_at)),
        (
            "check",
            p.check.as_ref().map_or_else(|| "-".to_owned(), check_line),
        ),
    ]);
    if let Some(id) = &p.cinetpay_id {
        pairs.push(("cinetpay id", id.clone()));
    }
    if let Some(url) = &p.payment_url {
        pairs.push(("payment page", url.clone()));
    }
    if let Some(at) = p.superseded_at {
        pairs.push(("superseded", time(at)));
    }
    pairs.extend([
        ("delivery", delivery_cell(p)),
        ("attempts", f.attempts.to_string()),
        ("delivered at", opt_time(f.fulfilled_at)),
    ]);
    if let Some(error) = &f.last_error {
        pairs.push(("last error", error.clone()));
    }
    if let Some(at) = f.next_attempt_at {
        pairs.push(("next attempt", time(at)));
    }
    if let Some(until) = f.claim_until.filter(|_| p.owed().is_some()) {
        pairs.push(("claimed until", time(until)));
    }
    if let Some(at) = p.failure_notified_at {
        pairs.push(("failure notified", time(at)));
    }
    if let Some(at) = p.refund_notified_at {
        pairs.push(("refund notified", time(at)));
    }
    print!("{}", fields(&pairs));
    println!();
    if log.is_empty() {
        println!("delivery log: empty");
    } else {
        println!("delivery log ({} lines, oldest first):", log.len());
        let mut table = Table::new(&["AT", "SOURCE", "OUTCOME"]);
        for line in &log {
            table.row(vec![
                time(line.at),
                line.source.to_string(),
                line.outcome.clone(),
            ]);
        }
        print!("{}", table.render());
    }
    Ok(ExitCode::SUCCESS)
}

/// The status, with why a human must look when one must.
pub(crate) fn status_cell(p: &Payment) -> String {
    match (&p.status, &p.attention) {
        (PaymentStatus::NeedsAttention, Some(attention)) => {
            format!("{} [{}]", p.status, attention.kind())
        }
        _ => p.status.to_string(),
    }
}

/// Where the delivery (or the refund notice) stands.
pub(crate) fn delivery_cell(p: &Payment) -> String {
    let f = &p.fulfilment;
    if f.fulfilled_at.is_some() {
        return "delivered".to_owned();
    }
    match p.owed() {
        Some(Owed::Delivery) if f.attempts == 0 => "owed".to_owned(),
        Some(Owed::Delivery) => format!("failing ({} attempts)", f.attempts),
        Some(Owed::RefundNotice) => "refund to notify".to_owned(),
        None if p.refund_notified_at.is_some() => "refund notified".to_owned(),
        None => "-".to_owned(),
    }
}

/// A check snapshot on one line: `00 SUCCES, ACCEPTED, 1000 XOF, OM, operator MP…, paid 2026-…`.
pub(crate) fn check_line(c: &CheckSnapshot) -> String {
    let mut parts = vec![format!("{} {}", c.code, c.message).trim().to_owned()];
    if let Some(status) = &c.status
        && status != &c.message
    {
        parts.push(status.clone());
    }
    match (&c.amount, &c.currency) {
        (Some(a), Some(cur)) => parts.push(format!("{a} {cur}")),
        (Some(a), None) => parts.push(a.clone()),
        _ => {}
    }
    if let Some(method) = &c.payment_method {
        parts.push(method.clone());
    }
    if let Some(op) = &c.operator_id {
        parts.push(format!("operator {op}"));
    }
    if let Some(date) = &c.payment_date {
        parts.push(format!("paid {date}"));
    }
    parts.join(", ")
}

/// An instant as operators read it: UTC, to the second.
pub(crate) fn time(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The API generation, as the docs name it.
pub(crate) fn generation_name(generation: Generation) -> &'static str {
    match generation {
        Generation::CheckoutV2 => "Checkout v2",
        Generation::Rest2026 => "2026 API",
    }
}
