//! Command line: one sub-command per part, `all` for everything.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

/// Benchmarks of cinetpay-rs. Build in release mode:
/// `cargo run --release -p cinetpay-bench -- all`.
#[derive(Debug, Parser)]
#[command(name = "cinetpay-bench", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Every part: layer, ceiling, notify, growth (with peak memory).
    All(RunOptions),
    /// Pass-through cost of CinetPayLayer against bare axum.
    Layer(RunOptions),
    /// The machine's ceiling: bare axum 200 and a bare round trip to the check API.
    Ceiling(RunOptions),
    /// Notifications (first and duplicate, ours and naive) at several concurrencies.
    Notify(RunOptions),
    /// Cost growth with 10^3 to 10^6 payments in the store.
    Growth(RunOptions),
    /// Internal: one server under test (started by the other sub-commands).
    #[command(hide = true)]
    Serve(ServeOptions),
    /// Internal: N requests over an in-memory connection, for callgrind.
    #[command(hide = true)]
    CountRequests(CountOptions),
    /// Internal: N duplicate notifications of seeded payments, for callgrind.
    #[command(hide = true)]
    CountNotifications(CountNotificationsOptions),
}

/// The internal `count-notifications` sub-command.
#[derive(Debug, Clone, Args)]
pub(crate) struct CountNotificationsOptions {
    /// Which server: `shop` (ours) or `naive`.
    #[arg(long, value_enum)]
    pub(crate) kind: ServerKind,
    /// A database seeded by the bench (`target/bench/db/sqlite-1e4.db`).
    #[arg(long)]
    pub(crate) database_url: String,
    /// Payments seeded in it.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) level: u64,
    /// How many notifications.
    #[arg(long)]
    pub(crate) requests: u64,
}

/// The internal `count-requests` sub-command.
#[derive(Debug, Clone, Args)]
pub(crate) struct CountOptions {
    /// Which router.
    #[arg(long, value_enum)]
    pub(crate) variant: CountVariant,
    /// How many requests.
    #[arg(long)]
    pub(crate) requests: u64,
    /// Over loopback TCP (a client thread) or an in-memory pipe.
    #[arg(long, value_enum, default_value = "tcp")]
    pub(crate) transport: Transport,
}

/// How `count-requests` connects its client and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Transport {
    /// Loopback TCP; the client is a blocking thread of its own.
    Tcp,
    /// `tokio::io::duplex`, client and server on one thread.
    Memory,
}

/// The routers whose instructions are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CountVariant {
    /// `GET /hello` on plain axum.
    Bare,
    /// The same router with `Router::layer(CinetPayLayer)`.
    Layered,
    /// `CinetPayLayer` around the whole router (one service in front of the
    /// routing), as `axum::serve(listener, layer.layer(router).into_make_service())`.
    Wrapped,
    /// The engine mounted on its three paths with `Router::route_service`
    /// (`cinetpay_tower::endpoint`); `GET /hello` never meets it.
    Routed,
    /// The same router with `Router::layer(Identity)`: what axum's per-route
    /// layering costs with a layer that does nothing.
    Identity,
}

/// Options of the measuring sub-commands.
#[derive(Debug, Clone, Args)]
pub(crate) struct RunOptions {
    /// A smoke run: short windows, one round, fewer concurrencies and sizes.
    #[arg(long)]
    pub(crate) quick: bool,
    /// Where latest.md, latest.json and the SQLite databases go
    /// (default: the workspace's target/bench).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// PostgreSQL server to use; the bench creates its own databases there
    /// (cinetpay_bench_1e3 ...).
    #[arg(
        long,
        env = "BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pub(crate) postgres_url: String,
    /// Leave PostgreSQL out.
    #[arg(long)]
    pub(crate) no_postgres: bool,
    /// Leave SQLite out.
    #[arg(long)]
    pub(crate) no_sqlite: bool,
    /// Tokio worker threads of each server under test.
    #[arg(long, default_value_t = 2)]
    pub(crate) server_workers: usize,
    /// Rounds of each alternating comparison (default 2, layer 12; quick 1, layer 6).
    #[arg(long)]
    pub(crate) rounds: Option<usize>,
    /// Measured window of each run, in seconds (default 1.5, layer 0.6; quick 0.6, layer 0.3).
    #[arg(long)]
    pub(crate) measure_secs: Option<f64>,
    /// Warm-up before each window, in seconds (default 0.5, layer 0.2; quick 0.2, layer 0.1).
    #[arg(long)]
    pub(crate) warmup_secs: Option<f64>,
    /// Seed the growth databases again even when they look complete.
    #[arg(long)]
    pub(crate) reseed: bool,
    /// An earlier run's latest.json: each figure is shown beside its own
    /// in the report ("Compared with ...").
    #[arg(long, value_name = "BASE.json")]
    pub(crate) compare: Option<PathBuf>,
}

/// The internal `serve` sub-command.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeOptions {
    /// Which server.
    #[arg(long, value_enum)]
    pub(crate) kind: ServerKind,
    /// Its database (shop, naive).
    #[arg(long)]
    pub(crate) database_url: Option<String>,
    /// CinetPay's API base URL (shop, naive).
    #[arg(long)]
    pub(crate) api_url: Option<String>,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 2)]
    pub(crate) workers: usize,
}

/// The servers under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ServerKind {
    /// Plain axum: `GET /hello` answers 200.
    Bare,
    /// One process, three listeners: the `Bare` router, the same router
    /// behind `CinetPayLayer`, and a second `Bare` router (the control).
    Passthrough,
    /// The axum example shop (`axum_shop::app`) on a database: ours.
    Shop,
    /// The notification handler a merchant writes from CinetPay's docs.
    Naive,
    /// The axum example shop on the 2026 REST API.
    #[value(name = "shop-2026")]
    Shop2026,
    /// The naive handler on the 2026 REST API.
    #[value(name = "naive-2026")]
    Naive2026,
}

/// The name clap gives `value` on the command line, for the child processes'
/// arguments and for labels.
pub(crate) fn arg_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// The run's parameters, from the options.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Settings {
    /// Smoke run.
    pub(crate) quick: bool,
    /// Rounds of each notification comparison.
    pub(crate) rounds: usize,
    /// Rounds of the pass-through comparison.
    pub(crate) layer_rounds: usize,
    /// Warm-up per run.
    #[serde(serialize_with = "secs")]
    pub(crate) warmup: Duration,
    /// Measured window per run.
    #[serde(serialize_with = "secs")]
    pub(crate) measure: Duration,
    /// Warm-up per run of the pass-through comparison.
    #[serde(serialize_with = "secs")]
    pub(crate) layer_warmup: Duration,
    /// Measured window per run of the pass-through comparison: short runs,
    /// many rounds, so that each pair of runs sees the same machine.
    #[serde(serialize_with = "secs")]
    pub(crate) layer_measure: Duration,
    /// Concurrencies of the pass-through comparison.
    pub(crate) layer_concurrencies: Vec<usize>,
    /// Concurrencies of the ceiling and notification sweeps.
    pub(crate) concurrencies: Vec<usize>,
    /// Payments in the store during the notification sweep.
    pub(crate) sweep_level: u64,
    /// Table sizes of the growth part.
    pub(crate) levels: Vec<u64>,
    /// Concurrency of the growth part.
    pub(crate) growth_concurrency: usize,
    /// Payments notified in a duplicate burst.
    pub(crate) burst_payments: usize,
    /// Copies of each notification in a burst, sent at once.
    pub(crate) burst_copies: usize,
    /// Concurrency of the bursts.
    pub(crate) burst_concurrency: usize,
    /// Tokio worker threads of each server.
    pub(crate) server_workers: usize,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Settings {
    /// The parameters of a full or `--quick` run, with the overrides given.
    pub(crate) fn from_options(o: &RunOptions) -> Settings {
        let secs =
            |v: Option<f64>, default: f64| Duration::from_secs_f64(v.unwrap_or(default).max(0.0));
        if o.quick {
            Settings {
                quick: true,
                rounds: o.rounds.unwrap_or(1).max(1),
                layer_rounds: o.rounds.unwrap_or(6).max(1),
                warmup: secs(o.warmup_secs, 0.2),
                measure: secs(o.measure_secs, 0.6),
                layer_warmup: secs(o.warmup_secs, 0.1),
                layer_measure: secs(o.measure_secs, 0.3),
                layer_concurrencies: vec![1, 32],
                concurrencies: vec![1, 16],
                sweep_level: 1_000,
                levels: vec![1_000, 10_000],
                growth_concurrency: 16,
                burst_payments: 20,
                burst_copies: 4,
                burst_concurrency: 16,
                server_workers: o.server_workers.max(1),
            }
        } else {
            Settings {
                quick: false,
                rounds: o.rounds.unwrap_or(2).max(1),
                layer_rounds: o.rounds.unwrap_or(12).max(1),
                warmup: secs(o.warmup_secs, 0.5),
                measure: secs(o.measure_secs, 1.5),
                layer_warmup: secs(o.warmup_secs, 0.2),
                layer_measure: secs(o.measure_secs, 0.6),
                layer_concurrencies: vec![1, 32],
                concurrencies: vec![1, 4, 16, 64],
                sweep_level: 10_000,
                levels: vec![1_000, 10_000, 100_000, 1_000_000],
                growth_concurrency: 16,
                burst_payments: 100,
                burst_copies: 4,
                burst_concurrency: 16,
                server_workers: o.server_workers.max(1),
            }
        }
    }
}
