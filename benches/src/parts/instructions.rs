//! Part 1b: the layer's pass-through cost in instructions, which a shared
//! machine cannot blur.
//!
//! `valgrind --tool=callgrind --separate-threads=yes` runs `cinetpay-bench
//! count-requests` (see [`crate::count`]) for five ways of serving `GET
//! /hello` over loopback TCP: the bare router; the engine mounted on its three
//! paths (`cinetpay_tower::endpoint` with `Router::route_service`);
//! `CinetPayLayer` wrapped around the whole router;
//! `Router::layer(CinetPayLayer)`; and
//! `Router::layer(Identity)`, a layer that does nothing, which shows what
//! axum's per-route layering costs any layer. Each runs with a small and a
//! large number of requests; the difference between the two, divided by the
//! difference in requests, is the server thread's user-space instructions per
//! request, start-up and shutdown cancelled out (the client is a thread of its
//! own, counted apart; the kernel is not counted, so every ratio here is
//! larger than the same ratio of whole CPU time). Every run is repeated, to
//! show that the counts repeat.

use std::path::Path;

use tokio::process::Command;

use crate::cli::{CountVariant, ServerKind, Transport, arg_name};
use crate::db::Backend;
use crate::report::{Assertion, InstructionResult};

use super::Context;

/// Requests of the small and the large run.
const SMALL: u64 = 2_000;
const LARGE: u64 = 22_000;
/// Runs of each (variant, size).
const REPEATS: usize = 2;

/// Counts both variants; notes and returns `Ok` without figures when
/// valgrind is not installed.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    if Command::new("valgrind")
        .arg("--version")
        .output()
        .await
        .map_or(true, |o| !o.status.success())
    {
        ctx.report.notes.push(
            "layer instruction counts left out: valgrind is not installed (apt-get install valgrind)"
                .to_owned(),
        );
        return Ok(());
    }
    eprintln!(
        "layer: instructions per request under callgrind (bare, routed, wrapped, layered, identity)"
    );
    let dir = ctx.out.join("callgrind");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut results = Vec::new();
    for variant in [
        CountVariant::Bare,
        CountVariant::Routed,
        CountVariant::Wrapped,
        CountVariant::Layered,
        CountVariant::Identity,
    ] {
        let mut small = Vec::new();
        let mut large = Vec::new();
        for repeat in 0..REPEATS {
            small.push(count(&dir, variant, SMALL, repeat).await?);
            large.push(count(&dir, variant, LARGE, repeat).await?);
        }
        let per_request = (min(&large) - min(&small)) as f64 / (LARGE - SMALL) as f64;
        eprintln!(
            "  {:<7} {per_request:>9.1} instructions/request (totals {small:?} / {large:?})",
            arg_name(variant)
        );
        results.push(InstructionResult {
            variant: arg_name(variant),
            small_requests: SMALL,
            large_requests: LARGE,
            small_totals: small,
            large_totals: large,
            per_request,
        });
    }
    let bare = results[0].per_request;
    let identity = results[4].per_request;
    for (result, how) in [
        (&results[1], "the endpoint on its three paths"),
        (&results[2], "CinetPayLayer around the router"),
        (&results[3], "Router::layer(CinetPayLayer)"),
    ] {
        let ratio = result.per_request / bare;
        ctx.report.goals.push(Assertion {
            name: format!(
                "layer pass-through within 1 % of bare axum: {how} (instructions per request, callgrind)"
            ),
            passed: ratio <= 1.01,
            detail: format!(
                "{}/bare = {ratio:.4}: {:.0} against {bare:.0} user-space instructions of the server \
                 per GET /hello over loopback TCP ({:+.0}); Router::layer(Identity), a layer that does \
                 nothing, costs {:+.0} ({:.4})",
                result.variant,
                result.per_request,
                result.per_request - bare,
                identity - bare,
                identity / bare,
            ),
        });
    }
    for r in &results {
        let repeatable = r.small_totals.iter().chain(&r.large_totals).count() > 0
            && spread(&r.small_totals) <= 0.001
            && spread(&r.large_totals) <= 0.001;
        ctx.assert(
            format!("callgrind totals repeat within 0.1 % ({})", r.variant),
            repeatable,
            format!(
                "{} requests: {:?}; {} requests: {:?}",
                r.small_requests, r.small_totals, r.large_requests, r.large_totals
            ),
        );
    }
    ctx.report.instructions = results;
    notifications(ctx, &dir).await
}

/// Notifications of each small and large run.
const NOTIFY_SMALL: u64 = 500;
const NOTIFY_LARGE: u64 = 2_500;

/// Instructions per duplicate notification of a fulfilled payment, ours
/// against the naive handler, on the sweep's database of each engine (see
/// [`crate::count_notify`]): what one costs each server, resolved where
/// throughput on this machine is not. On PostgreSQL the count is the server
/// process's alone (the database's own work runs in PostgreSQL's processes).
async fn notifications(ctx: &mut Context, dir: &Path) -> Result<(), String> {
    let level = ctx.settings.sweep_level;
    let mut all = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if !ctx.backends.contains(&backend) {
            continue;
        }
        let db = ctx.database(backend, level).await?;
        eprintln!(
            "layer: instructions per duplicate notification on {} (ours, naive)",
            backend.name()
        );
        let mut pair = Vec::new();
        for kind in [ServerKind::Shop, ServerKind::Naive] {
            pair.push(count_duplicates(dir, backend, kind, &db.target.url, level).await?);
        }
        let ratio = pair[0].per_request / pair[1].per_request;
        ctx.report.goals.push(Assertion {
            name: format!(
                "duplicate of a fulfilled payment at 0.9 x the naive handler's throughput or more: \
                 instructions per notification (callgrind, {})",
                backend.name()
            ),
            passed: ratio <= 1.0 / 0.9,
            detail: format!(
                "ours/naive = {ratio:.3}: {:.0} against {:.0} user-space instructions of the server \
                 (all its threads) per duplicate notification",
                pair[0].per_request, pair[1].per_request
            ),
        });
        all.extend(pair);
    }
    ctx.report.notify_instructions = all;
    Ok(())
}

/// One server's instructions per duplicate on one database: the small and
/// the large run, their difference over the notifications between them.
async fn count_duplicates(
    dir: &Path,
    backend: Backend,
    kind: ServerKind,
    url: &str,
    level: u64,
) -> Result<InstructionResult, String> {
    let name = arg_name(kind);
    let engine = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let mut small = Vec::new();
    let mut large = Vec::new();
    for (n, totals) in [(NOTIFY_SMALL, &mut small), (NOTIFY_LARGE, &mut large)] {
        let out = dir.join(format!("notify-{engine}-{name}-{n}.out"));
        let args = [
            "count-notifications".to_owned(),
            "--kind".to_owned(),
            name.clone(),
            "--database-url".to_owned(),
            url.to_owned(),
            "--level".to_owned(),
            level.to_string(),
            "--requests".to_owned(),
            n.to_string(),
        ];
        totals.push(callgrind(&out, &args, n).await?);
    }
    let per_request = (min(&large) - min(&small)) as f64 / (NOTIFY_LARGE - NOTIFY_SMALL) as f64;
    eprintln!("  {name:<7} {per_request:>9.1} instructions/notification");
    let who = match kind {
        ServerKind::Shop => "ours (axum shop)",
        _ => "naive handler",
    };
    Ok(InstructionResult {
        // SQLite's rows keep the names of the runs that counted SQLite alone,
        // so that `--compare` pairs them.
        variant: match backend {
            Backend::Sqlite => who.to_owned(),
            Backend::Postgres => format!("{who} on PostgreSQL"),
        },
        small_requests: NOTIFY_SMALL,
        large_requests: NOTIFY_LARGE,
        small_totals: small,
        large_totals: large,
        per_request,
    })
}

/// One callgrind run of this program with `args`; the instructions of every
/// thread but the client's (thread 2).
async fn callgrind(out: &Path, args: &[String], requests: u64) -> Result<u64, String> {
    run_callgrind(out, args, requests).await?;
    let dir = out.parent().ok_or("callgrind output in a directory")?;
    let stem = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("callgrind output name")?
        .to_owned();
    let mut sum = 0;
    let mut entries = tokio::fs::read_dir(dir)
        .await
        .map_err(|e| format!("reading {}: {e}", dir.display()))?;
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(thread) = name.strip_prefix(&format!("{stem}-")) else {
            continue;
        };
        if thread == "02" {
            continue;
        }
        let text = tokio::fs::read_to_string(entry.path())
            .await
            .map_err(|e| format!("reading {name}: {e}"))?;
        sum += total(&text).ok_or_else(|| format!("no instruction total in {name}"))?;
    }
    Ok(sum)
}

/// One callgrind run; its total instruction count.
async fn count(
    dir: &Path,
    variant: CountVariant,
    requests: u64,
    repeat: usize,
) -> Result<u64, String> {
    let out = dir.join(format!("{}-{requests}-{repeat}.out", arg_name(variant)));
    let args = [
        "count-requests".to_owned(),
        "--variant".to_owned(),
        arg_name(variant),
        "--requests".to_owned(),
        requests.to_string(),
        "--transport".to_owned(),
        arg_name(Transport::Tcp),
    ];
    run_callgrind(&out, &args, requests).await?;
    // Thread 1 is the server's runtime (`main`); thread 2 the client.
    let server = out.with_extension("out-01");
    let text = tokio::fs::read_to_string(&server)
        .await
        .map_err(|e| format!("reading {}: {e}", server.display()))?;
    total(&text).ok_or_else(|| format!("no instruction total in {}", server.display()))
}

/// Runs this program with `args` under `valgrind --tool=callgrind
/// --separate-threads=yes`, its files `out-NN` a thread; it must print
/// `served <requests>`.
async fn run_callgrind(out: &Path, args: &[String], requests: u64) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--separate-threads=yes")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(args)
        .output()
        .await
        .map_err(|e| format!("starting valgrind: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || stdout.trim() != format!("served {requests}") {
        return Err(format!(
            "callgrind run of {args:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    Ok(())
}

/// The `summary:` (or `totals:`) line of a callgrind output file.
fn total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn min(values: &[u64]) -> u64 {
    values.iter().copied().min().unwrap_or(0)
}

/// (max - min) / min.
fn spread(values: &[u64]) -> f64 {
    let (lo, hi) = (min(values), values.iter().copied().max().unwrap_or(0));
    if lo == 0 {
        f64::INFINITY
    } else {
        (hi - lo) as f64 / lo as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total_of_a_callgrind_file() {
        let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nfn=main\n0 5\nsummary: 123456\ntotals: 123456\n";
        assert_eq!(total(text), Some(123_456));
        assert_eq!(total("events: Ir\n"), None);
    }

    #[test]
    fn spread_is_relative_to_the_smallest() {
        assert_eq!(spread(&[100, 101]), 0.01);
        assert_eq!(spread(&[7, 7]), 0.0);
        assert!(spread(&[]).is_infinite());
    }
}
