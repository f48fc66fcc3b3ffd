//! # cinetpay-bench
//!
//! What the cinetpay-rs middleware costs, side by side with the notification
//! handler a merchant would write from CinetPay's documentation and with the
//! limits of the machine. Published in `BENCHMARKS.md` at the workspace root.
//!
//! ```text
//! cargo run --release -p cinetpay-bench -- all          # everything, < 10 min on 2 cores
//! cargo run --release -p cinetpay-bench -- all --quick  # a smoke run, about a minute
//! cargo run --release -p cinetpay-bench -- layer        # one part: layer, ceiling, notify, growth
//! ```
//!
//! Everything runs on loopback: the CinetPay sandbox inside this process, each
//! server under test in a child process of this binary (`serve`, hidden), and
//! the load generator ([`load`]) on one thread of its own. Results go to
//! `target/bench/latest.md` and `target/bench/latest.json`. The process exits
//! with status 1 when an invariant was broken (a check call on a duplicate, a
//! duplicate delivery by ours) or a part could not run.

mod api;
mod child;
mod cli;
mod compare;
mod count;
mod count_notify;
mod db;
mod fixtures;
mod load;
mod machine;
mod naive;
mod naive_2026;
mod parts;
mod report;
mod seed;
mod serve;
mod stats;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::cli::{Cli, Command, RunOptions, Settings};
use crate::db::Backend;
use crate::fixtures::Cinetpay;
use crate::machine::Machine;
use crate::parts::Context;
use crate::report::Report;

/// Which parts a sub-command runs.
#[derive(Debug, Clone, Copy)]
struct Parts {
    layer: bool,
    ceiling: bool,
    notify: bool,
    growth: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (options, parts) = match cli.command {
        Command::Serve(options) => return serve::serve(options),
        Command::CountRequests(options) => return count::count(options),
        Command::CountNotifications(options) => return count_notify::count(options),
        Command::All(o) => (
            o,
            Parts {
                layer: true,
                ceiling: true,
                notify: true,
                growth: true,
            },
        ),
        Command::Layer(o) => (
            o,
            Parts {
                layer: true,
                ceiling: false,
                notify: false,
                growth: false,
            },
        ),
        Command::Ceiling(o) => (
            o,
            Parts {
                layer: false,
                ceiling: true,
                notify: false,
                growth: false,
            },
        ),
        Command::Notify(o) => (
            o,
            Parts {
                layer: false,
                ceiling: true,
                notify: true,
                growth: false,
            },
        ),
        Command::Growth(o) => (
            o,
            Parts {
                layer: false,
                ceiling: false,
                notify: false,
                growth: true,
            },
        ),
    };
    // The orchestrator: the sandbox (CinetPay's side) and the bookkeeping.
    // The load generator makes its own one-thread runtime per run.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench(options, parts)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cinetpay-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace's `target/bench`.
fn default_out() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .unwrap_or(manifest)
        .join("target")
        .join("bench")
}

/// Runs the parts; `Ok(false)` when an invariant broke or a part failed.
async fn bench(options: RunOptions, parts: Parts) -> Result<bool, String> {
    let started = Instant::now();
    let settings = Settings::from_options(&options);
    let out = options.out.clone().unwrap_or_else(default_out);
    std::fs::create_dir_all(out.join("db")).map_err(|e| format!("{}: {e}", out.display()))?;
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for figures worth reading");
    }
    let mut notes = Vec::new();
    let backends = backends(&options, &mut notes).await;
    // Read before anything is measured: a wrong path fails at once.
    let base = options
        .compare
        .as_deref()
        .map(compare::Base::read)
        .transpose()?;
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let report = Report {
        command: format!("cinetpay-bench {command}"),
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        wall_seconds: 0.0,
        settings: settings.clone(),
        machine: Machine::probe(&out),
        layer: Vec::new(),
        instructions: Vec::new(),
        notify_instructions: Vec::new(),
        ceiling: Vec::new(),
        write_ceiling: Vec::new(),
        notify: Vec::new(),
        bursts: Vec::new(),
        growth: Vec::new(),
        memory: Vec::new(),
        seeds: Vec::new(),
        assertions: Vec::new(),
        goals: Vec::new(),
        notes,
        base,
    };
    eprintln!(
        "machine: {} × {}, load average {}",
        report.machine.nproc, report.machine.cpu, report.machine.load_at_start
    );
    let cinetpay = Cinetpay::start().await?;
    let mut ctx = Context::new(
        settings,
        out.clone(),
        cinetpay,
        report,
        backends,
        options.postgres_url.clone(),
        options.reseed,
    );
    let mut failed = false;
    let steps: [(bool, &str); 4] = [
        (parts.layer, "layer"),
        (parts.ceiling, "ceiling"),
        (parts.notify, "notify"),
        (parts.growth, "growth"),
    ];
    for (wanted, name) in steps {
        if !wanted {
            continue;
        }
        let result = match name {
            "layer" => parts::layer::run(&mut ctx).await,
            "ceiling" => parts::ceiling::run(&mut ctx).await,
            "notify" => parts::notify::run(&mut ctx).await,
            _ => parts::growth::run(&mut ctx).await,
        };
        if let Err(e) = result {
            eprintln!("part {name} failed: {e}");
            ctx.report.notes.push(format!("part {name} failed: {e}"));
            failed = true;
        }
    }
    let sent = ctx.cinetpay.notifications_sent();
    ctx.assert(
        "the sandbox sent no notification of its own (check calls are counted by its record numbers)",
        sent == 0,
        format!("{sent} notifications sent by the sandbox"),
    );
    let Context {
        mut report,
        cinetpay,
        ..
    } = ctx;
    cinetpay.shutdown().await;
    report.machine.load_at_end = machine::load_average();
    report.wall_seconds = started.elapsed().as_secs_f64();
    report.write(&out)?;
    let broken = report.assertions.iter().filter(|a| !a.passed).count();
    eprintln!(
        "\n{}\nwrote {} and latest.json in {:.0} s; {broken} invariant(s) broken",
        report.markdown(),
        out.join("latest.md").display(),
        report.wall_seconds
    );
    Ok(!failed && broken == 0)
}

/// The databases to measure: SQLite, and PostgreSQL when it answers.
async fn backends(options: &RunOptions, notes: &mut Vec<String>) -> Vec<Backend> {
    let mut list = Vec::new();
    if !options.no_sqlite {
        list.push(Backend::Sqlite);
    }
    if options.no_postgres {
        notes.push("PostgreSQL left out (--no-postgres).".to_owned());
        return list;
    }
    let mut connect = sea_orm::ConnectOptions::new(options.postgres_url.as_str());
    connect
        .connect_timeout(std::time::Duration::from_secs(3))
        .sqlx_logging(false);
    match sea_orm::Database::connect(connect).await {
        Ok(db) => {
            let _ = db.close().await;
            list.push(Backend::Postgres);
        }
        Err(e) => notes.push(format!(
            "PostgreSQL left out: cannot connect to {}: {e}",
            options.postgres_url
        )),
    }
    list
}
