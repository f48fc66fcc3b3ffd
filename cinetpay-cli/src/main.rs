#![doc = include_str!("../README.md")]
//! # `cinetpay`: the operators' command line of cinetpay-rs
//!
//! It reads the shop's own configuration and database and answers what an
//! operator asks:
//!
//! | command | what |
//! |---|---|
//! | `cinetpay doctor` | every configuration problem, one line each, then one harmless call per account to prove its credentials; exit 1 if anything is wrong |
//! | `cinetpay payments list` | the newest payments (`--status`, `--needs-attention`, `--since 24h`, `--limit`) |
//! | `cinetpay payments show <id>` | one payment: status, last check, delivery attempts and errors, its delivery log |
//! | `cinetpay sync <id>` | asks CinetPay about one payment and records what it says |
//! | `cinetpay reconcile` | one reconciliation pass: polls every payment without a final status (`--since`) |
//! | `cinetpay export --csv` | the payments as CSV, for accounting |
//!
//! ## Configuration
//!
//! The same as the example shops': every `CINETPAY_*` variable
//! (`CheckoutSettings::from_env`), or, when a `Rocket.toml` is in the working
//! directory (or `--rocket-toml PATH`, or `ROCKET_CONFIG`), its
//! `[default.cinetpay]` table, overridden by `[<profile>.cinetpay]`
//! (`--rocket-profile`, `ROCKET_PROFILE`, default `release`), `[global.cinetpay]`
//! and `ROCKET_CINETPAY_*`, as the Rocket fairing reads them. The database is
//! `--database-url`, else `DATABASE_URL`, else the table's `database_url` (or
//! the `url` of the `[databases.<name>]` its `database` names), else the
//! shops' SQLite file `shop.db` in the working directory, which must exist:
//! the command never creates a database, and never migrates one.
//!
//! ## What `sync` and `reconcile` never do: deliver
//!
//! Delivering an order is the shop's code (its `OrderFulfiller`), which this
//! command does not have. So `sync` and `reconcile` check payments with
//! CinetPay and store the verified status, exactly as the shop would, but
//! they never claim a delivery, a refund notice or a failure notice: the
//! engine runs on a store that answers "already claimed" to those claims.
//! A payment that becomes `accepted` is left owed, unclaimed and due at
//! once, and the shop delivers it on its next touch (its reconciler's next
//! pass, the customer's return, a duplicate notification). Nothing is marked
//! delivered that was not, no attempt is spent, no backoff delays the
//! shop. Likewise a payment found refused keeps its `payment_failed` notice
//! for the shop's own next check of it. The delivery log says `operator`
//! for these syncs.

// Nothing from the network, a database or a file is unwrapped.
#![warn(clippy::unwrap_used)]

mod config;
mod doctor;
mod duration;
mod export;
mod operator;
mod payments;
mod reconcile;
mod sync;
mod table;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::duration::Since;

/// The operators' command line of cinetpay-rs.
#[derive(Debug, Parser)]
#[command(name = "cinetpay", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Where the configuration and the database are.
#[derive(Debug, Clone, Args)]
struct Global {
    /// Read `[default.cinetpay]` of this Rocket.toml (default: ./Rocket.toml
    /// when it exists, else the CINETPAY_* environment).
    #[arg(long, global = true, value_name = "PATH", env = "ROCKET_CONFIG")]
    rocket_toml: Option<std::path::PathBuf>,
    /// The Rocket profile whose `[<profile>.cinetpay]` overrides `[default.cinetpay]`.
    #[arg(
        long,
        global = true,
        value_name = "PROFILE",
        env = "ROCKET_PROFILE",
        default_value = "release"
    )]
    rocket_profile: String,
    /// The shop's database (default: the configuration's, else sqlite://shop.db).
    #[arg(long, global = true, value_name = "URL", env = "DATABASE_URL")]
    database_url: Option<String>,
    /// The prefix of the store's tables, when the shop set one.
    #[arg(
        long,
        global = true,
        value_name = "PREFIX",
        default_value = "cinetpay_"
    )]
    table_prefix: String,
    /// PostgreSQL: the schema of the store's tables, when the shop set one.
    #[arg(long, global = true, value_name = "SCHEMA")]
    schema: Option<String>,
    /// Log the engine's steps to stderr (`-v` info, `-vv` debug; RUST_LOG wins).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks the configuration and proves each account's credentials.
    Doctor(doctor::DoctorArgs),
    /// Lists or shows the stored payments.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Asks CinetPay about one payment and records the verified status
    /// (never delivers: the shop does).
    Sync {
        /// The payment's transaction id.
        transaction_id: String,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One reconciliation pass: polls the payments without a final status
    /// (never delivers: the shop does).
    Reconcile {
        /// Poll payments created within this long (`30m`, `24h`, `7d`;
        /// default: the configured poll_window_ms).
        #[arg(long, value_name = "DURATION")]
        since: Option<Since>,
        /// Most payments polled (default: the configured reconcile_batch).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Exports the payments.
    Export(export::ExportArgs),
}

#[derive(Debug, Subcommand)]
enum PaymentsCommand {
    /// The newest payments, newest first.
    List(payments::ListArgs),
    /// One payment, with its delivery log.
    Show {
        /// The payment's transaction id.
        transaction_id: String,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// What a command came to: its exit code, or an error to print.
pub(crate) type Outcome = Result<ExitCode, String>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cinetpay: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cinetpay: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Outcome {
    let global = &cli.global;
    match cli.command {
        Command::Doctor(args) => doctor::run(global, &args).await,
        Command::Payments(PaymentsCommand::List(args)) => payments::list(global, &args).await,
        Command::Payments(PaymentsCommand::Show {
            transaction_id,
            json,
        }) => payments::show(global, &transaction_id, json).await,
        Command::Sync {
            transaction_id,
            json,
        } => sync::run(global, &transaction_id, json).await,
        Command::Reconcile { since, limit } => reconcile::run(global, since, limit).await,
        Command::Export(args) => export::run(global, &args).await,
    }
}

/// Logs to stderr, quiet by default: the commands print what they found to
/// stdout, and the engine's own lines are for `-v` (or `RUST_LOG`).
fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "error,sqlx=off,sea_orm=off",
        1 => "info,sqlx=warn,sea_orm=warn",
        _ => "debug,sqlx=info,sea_orm=info",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
