//! Part 3: notifications at several concurrencies on each database, ours
//! against the naive handler, then bursts of duplicate notifications.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::{Backend, level_name};
use crate::load::{self, HttpRequest, Requests};
use crate::report::{BurstResult, BurstSide, WriteCeiling};
use crate::stats::Summary;

use super::{Context, Pair, Side, compare, plan_once};
use crate::api::Api;

/// The sweep on every database.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    for backend in ctx.backends.clone() {
        let level = ctx.settings.sweep_level;
        eprintln!(
            "notify: {} with {} payments",
            backend.name(),
            level_name(level)
        );
        let db = ctx.database(backend, level).await?;
        let pair = Pair::start(ctx, db).await?;
        for concurrency in ctx.settings.concurrencies.clone() {
            let rows = compare(ctx, &pair, concurrency).await?;
            ctx.report.notify.extend(rows);
            let one_write = write_ceiling(ctx, &pair, concurrency).await?;
            ctx.report.write_ceiling.push(WriteCeiling {
                backend,
                concurrency,
                one_write,
            });
        }
        let burst = burst(ctx, &pair, backend).await?;
        ctx.report.bursts.push(burst);
        let db = pair
            .stop_recording(
                ctx,
                &format!("notification sweep, {} payments", level_name(level)),
            )
            .await?;
        // The same sweep on the 2026 API (the same database and sandbox).
        eprintln!("notify: {} on the 2026 API", backend.name());
        let pair = Pair::start_on(ctx, db, Api::Rest2026).await?;
        for concurrency in ctx.settings.concurrencies.clone() {
            let rows = compare(ctx, &pair, concurrency).await?;
            ctx.report.notify.extend(rows);
        }
        pair.stop(
            ctx,
            &format!("notification sweep, {} payments", level_name(level)),
        )
        .await?;
    }
    Ok(())
}

/// One durable single-row insert per request, served by the naive server
/// (same pool settings as the store): what the database can commit.
async fn write_ceiling(
    ctx: &mut Context,
    pair: &Pair,
    concurrency: usize,
) -> Result<Summary, String> {
    let requests = Arc::new(Requests::Same(HttpRequest::post(
        "/bench/commit",
        "text/plain",
        "",
    )));
    let measured = load::run(
        pair.server(Side::Naive).addr(),
        requests,
        ctx.plan(concurrency),
    )
    .await?;
    pair.db.clean().await?;
    eprintln!(
        "    1-write ceiling c={concurrency:<3} {:>8.1} req/s",
        measured.rate()
    );
    let summary = Summary::of(&[measured], 200);
    ctx.assert(
        format!(
            "write ceiling: every insert answered 200 ({}, c={concurrency})",
            pair.db.target.backend.name()
        ),
        summary.unexpected == 0 && summary.failures == 0 && summary.answers > 0,
        format!(
            "{} answers, {} other statuses",
            summary.answers, summary.unexpected
        ),
    );
    Ok(summary)
}

/// `burst_copies` copies of each of `burst_payments` fresh notifications,
/// the copies in flight together; ours, then naive, each on its own payments.
async fn burst(ctx: &mut Context, pair: &Pair, backend: Backend) -> Result<BurstResult, String> {
    let (payments, copies, concurrency) = (
        ctx.settings.burst_payments,
        ctx.settings.burst_copies,
        ctx.settings.burst_concurrency,
    );
    let mut sides = Vec::new();
    for side in [Side::Ours, Side::Naive] {
        let pool = ctx
            .cinetpay
            .accepted_payments(pair.api, pair.api.added_prefix(), payments)
            .await?;
        pair.db.insert_pending(&pool).await?;
        pair.db.clear_deliveries().await?;
        let requests = Arc::new(Requests::Once(ctx.cinetpay.bursts(&pool, copies)));
        let before = ctx.cinetpay.checks(pair.api);
        let started = Instant::now();
        let measured = load::run(
            pair.server(side).addr(),
            requests,
            plan_once(concurrency, Duration::from_secs(120)),
        )
        .await?;
        let seconds = started.elapsed().as_secs_f64();
        let checks = ctx.cinetpay.checks(pair.api) - before;
        let deliveries = pair.db.deliveries().await?;
        pair.db.clean().await?;
        let ok = measured.statuses.get(&200).copied().unwrap_or(0);
        let not_ok = measured.unexpected(200) + measured.failures;
        eprintln!(
            "    burst {side:?}: {ok} answered 200, {not_ok} other; {} payments delivered, {} duplicate deliveries, {checks} checks",
            deliveries.payments,
            deliveries.duplicates()
        );
        sides.push(BurstSide {
            ok,
            not_ok,
            deliveries,
            checks,
            seconds,
        });
    }
    let naive = sides.pop().ok_or("no naive burst")?;
    let ours = sides.pop().ok_or("no ours burst")?;
    ctx.assert(
        format!("ours: no duplicate delivery when copies arrive together ({})", backend.name()),
        ours.deliveries.duplicates() == 0 && ours.deliveries.payments == payments as u64,
        format!(
            "{payments} payments × {copies} copies: {} payments delivered, {} duplicate deliveries (naive: {})",
            ours.deliveries.payments,
            ours.deliveries.duplicates(),
            naive.deliveries.duplicates()
        ),
    );
    ctx.assert(
        format!("ours: every copy answered 200 ({})", backend.name()),
        ours.not_ok == 0,
        format!("{} answered 200, {} other", ours.ok, ours.not_ok),
    );
    Ok(BurstResult {
        backend,
        payments,
        copies,
        concurrency,
        ours,
        naive,
    })
}
