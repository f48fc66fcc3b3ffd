//! `cinetpay export --csv`: the payments, for accounting.
//!
//! One row per payment, newest first, read page by page. The columns:
//! `transaction_id, order_ref, account, amount, currency, status,
//! payment_method, operator_id, payment_date, fund_availability_date,
//! fulfilled_at`. `payment_method`, `operator_id` and `payment_date` are
//! those of the payment's last verified check (empty before one, and on the
//! 2026 API, whose status answer carries none of them);
//! `fund_availability_date` is always empty: the engine does not store it
//! (the column is kept so that the layout stays when it is). Times are
//! UTC, RFC 3339; `payment_date` is CinetPay's text as it sent it.

use std::io::Write;
use std::process::ExitCode;

use cinetpay_core::{PaymentFilter, PaymentQueries};
use clap::Args;

use crate::duration::Since;
use crate::{Global, Outcome, config};

/// Payments read per query.
const PAGE: usize = 500;

/// The CSV header.
pub(crate) const HEADER: [&str; 11] = [
    "transaction_id",
    "order_ref",
    "account",
    "amount",
    "currency",
    "status",
    "payment_method",
    "operator_id",
    "payment_date",
    "fund_availability_date",
    "fulfilled_at",
];

/// `export`'s options.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Write CSV (the only format so far).
    #[arg(long, required = true)]
    csv: bool,
    /// Only payments created within this long (`24h`, `30d`).
    #[arg(long, value_name = "DURATION")]
    since: Option<Since>,
    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

pub(crate) async fn run(global: &Global, args: &ExportArgs) -> Outcome {
    debug_assert!(args.csv);
    let store = config::store_for_reading(global).await?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| format!("cannot write the CSV: {e}");
    writer.write_record(HEADER).map_err(fail)?;
    let mut filter = PaymentFilter::newest(PAGE);
    if let Some(since) = args.since {
        filter = filter.created_since(since.before(chrono::Utc::now()));
    }
    let mut rows = 0usize;
    loop {
        let page = store
            .list_payments(&filter)
            .await
            .map_err(|e| format!("cannot list the payments: {e}"))?;
        for p in &page {
            let check = p.check.as_ref();
            let text = |f: fn(&cinetpay_core::CheckSnapshot) -> &Option<String>| {
                check.and_then(|c| f(c).clone()).unwrap_or_default()
            };
            writer
                .write_record([
                    p.transaction_id.to_string(),
                    p.order_ref.to_string(),
                    p.account.to_string(),
                    p.amount.get().to_string(),
                    p.currency.as_str().to_owned(),
                    p.status.to_string(),
                    text(|c| &c.payment_method),
                    text(|c| &c.operator_id),
                    text(|c| &c.payment_date),
                    String::new(),
                    p.fulfilment
                        .fulfilled_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        .unwrap_or_default(),
                ])
                .map_err(fail)?;
        }
        rows += page.len();
        match page.last() {
            Some(last) if page.len() == PAGE => filter = filter.after(last),
            _ => break,
        }
    }
    writer
        .flush()
        .map_err(|e| format!("cannot write the CSV: {e}"))?;
    if let Some(path) = &args.output {
        eprintln!("{rows} payment(s) written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
