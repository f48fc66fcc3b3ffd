//! Part 4: the same comparison with 10^3 to 10^6 payments already in the
//! store, at one concurrency. Each size is its own database (seeded once,
//! kept under `target/bench/db/` or as `cinetpay_bench_1eN` on PostgreSQL),
//! served by a fresh pair of server processes, whose peak memory is recorded.

use crate::db::level_name;
use crate::report::Assertion;

use super::{Context, Pair, compare};

/// Every size on every database.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    let concurrency = ctx.settings.growth_concurrency;
    for backend in ctx.backends.clone() {
        for level in ctx.settings.levels.clone() {
            eprintln!(
                "growth: {} with {} payments",
                backend.name(),
                level_name(level)
            );
            let db = ctx.database(backend, level).await?;
            let plans = db.lookup_plans().await?;
            let indexed = plans.iter().all(|p| {
                p.contains("Index Scan using cinetpay_payments_pkey")
                    || p.contains("USING INDEX sqlite_autoindex_cinetpay_payments")
                    || p.contains("USING PRIMARY KEY")
            });
            ctx.assert(
                format!(
                    "reads and updates by transaction id use the primary key ({}, {})",
                    backend.name(),
                    level_name(level)
                ),
                indexed,
                plans.join(" | "),
            );
            let pair = Pair::start(ctx, db).await?;
            let rows = compare(ctx, &pair, concurrency).await?;
            ctx.report.growth.extend(rows);
            pair.stop(
                ctx,
                &format!("{} payments, c={concurrency}", level_name(level)),
            )
            .await?;
        }
        judge(ctx, backend);
    }
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
