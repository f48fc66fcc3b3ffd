//! Part 4: the same comparison with 10^3 to 10^6 payments already in the
//! store, at one concurrency. Each size is its own database (seeded once,
//! kept under `target/bench/db/` or as `cinetpay_bench_1eN` on PostgreSQL).
//!
//! The sizes are visited up and then back down (1e3, 1e4, 1e5, 1e6, 1e6, 1e5,
//! 1e4, 1e3), one round per visit with a fresh pair of server processes, so
//! that a machine getting busier (or quieter) during the part weighs on every
//! size alike instead of on the largest. Peak memory is the larger of the two
//! visits.

use std::collections::HashMap;

use crate::api::Api;
use crate::db::level_name;
use crate::report::Assertion;

use super::{Context, Pair, Runs, measure_rounds, summarise};

/// Every size on every database.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    let concurrency = ctx.settings.growth_concurrency;
    let levels = ctx.settings.levels.clone();
    let rounds = ctx.settings.rounds;
    let mut visits: Vec<u64> = Vec::new();
    for round in 0..rounds {
        if round % 2 == 0 {
            visits.extend(levels.iter().copied());
        } else {
            visits.extend(levels.iter().rev().copied());
        }
    }
    for backend in ctx.backends.clone() {
        let mut runs: HashMap<u64, Runs> = HashMap::new();
        let mut peaks: HashMap<u64, (u64, u64)> = HashMap::new();
        for (visit, &level) in visits.iter().enumerate() {
            let round = visit / levels.len().max(1);
            eprintln!(
                "growth: {} with {} payments (round {})",
                backend.name(),
                level_name(level),
                round + 1
            );
            let db = ctx.database(backend, level).await?;
            if round == 0 {
                check_plans(ctx, &db, level).await?;
            }
            let pair = Pair::start(ctx, db).await?;
            let level_runs = runs.entry(level).or_default();
            measure_rounds(ctx, &pair, concurrency, round..round + 1, level_runs).await?;
            let (ours, naive) = pair.stop_quietly().await?;
            let peak = peaks.entry(level).or_default();
            peak.0 = peak.0.max(ours.unwrap_or(0));
            peak.1 = peak.1.max(naive.unwrap_or(0));
        }
        for &level in &levels {
            let level_runs = runs.remove(&level).unwrap_or_default();
            let rows = summarise(ctx, backend, Api::V2, level, concurrency, level_runs);
            ctx.report.growth.extend(rows);
            let (ours, naive) = peaks.get(&level).copied().unwrap_or_default();
            let label = format!("{} payments, c={concurrency}", level_name(level));
            ctx.memory(
                format!("axum shop (ours), {}, {label}", backend.name()),
                Some(ours),
            );
            ctx.memory(
                format!("naive handler, {}, {label}", backend.name()),
                Some(naive),
            );
        }
        judge(ctx, backend);
    }
    Ok(())
}

/// Asserts that the engine's lookups by transaction id use the primary key.
async fn check_plans(ctx: &mut Context, db: &crate::db::BenchDb, level: u64) -> Result<(), String> {
    let plans = db.lookup_plans().await?;
    let indexed = plans.iter().all(|p| {
        p.contains("Index Scan using cinetpay_payments_pkey")
            || p.contains("USING INDEX sqlite_autoindex_cinetpay_payments")
            || p.contains("USING PRIMARY KEY")
    });
    ctx.assert(
        format!(
            "reads and updates by transaction id use the primary key ({}, {})",
            db.target.backend.name(),
            level_name(level)
        ),
        indexed,
        plans.join(" | "),
    );
    Ok(())
}

/// "Throughput must not fall with table size": ours at the largest size
/// against ours at the smallest, for each kind of notification. A fall of
/// more than 15 % (beyond what two runs of the same thing differ by on a
/// shared machine) is a fall.
fn judge(ctx: &mut Context, backend: crate::db::Backend) {
    for scenario in ["first", "duplicate"] {
        let rows: Vec<_> = ctx
            .report
            .growth
            .iter()
            .filter(|r| r.backend == backend && r.scenario == scenario)
            .collect();
        let (Some(small), Some(large)) = (
            rows.iter().min_by_key(|r| r.level),
            rows.iter().max_by_key(|r| r.level),
        ) else {
            continue;
        };
        if small.level == large.level || small.ours.rps <= 0.0 {
            continue;
        }
        let ratio = large.ours.rps / small.ours.rps;
        let naive_ratio = if small.naive.rps > 0.0 {
            large.naive.rps / small.naive.rps
        } else {
            0.0
        };
        let all: Vec<String> = rows
            .iter()
            .map(|r| format!("{}: {:.0}", level_name(r.level), r.ours.rps))
            .collect();
        let goal = Assertion {
            name: format!(
                "{} {scenario} notifications: throughput does not fall from {} to {} payments",
                backend.name(),
                level_name(small.level),
                level_name(large.level)
            ),
            passed: ratio >= 0.85,
            detail: format!(
                "ours {}/{} = {ratio:.2} (req/s {}); naive on the same databases {naive_ratio:.2}",
                level_name(large.level),
                level_name(small.level),
                all.join(", ")
            ),
        };
        ctx.report.goals.push(goal);
    }
}
