//! Part 1: what `CinetPayLayer` costs a route it does not own.
//!
//! Two servers of the same build, `bare` (`GET /hello` on plain axum) and
//! `layered` (the same router behind `CinetPayLayer`), measured in alternating
//! runs: round `r` runs bare then layered when `r` is even, layered then bare
//! when it is odd (ABBA), so that a slow drift of the machine weighs on both.

use std::sync::Arc;

use crate::child::Server;
use crate::cli::ServerKind;
use crate::load::{self, HttpRequest, Measured, Plan, Requests};
use crate::report::{Assertion, LayerResult};
use crate::stats::{Ratio, Summary};

use super::Context;

/// Runs the comparison at each of the settings' concurrencies.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    eprintln!("layer: bare axum against CinetPayLayer");
    let args = ctx.server_args(None);
    let bare = Server::start(ServerKind::Bare, &args).await?;
    let layered = Server::start(ServerKind::Layered, &args).await?;
    let requests = Arc::new(Requests::Same(HttpRequest::get("/hello")));
    for concurrency in ctx.settings.layer_concurrencies.clone() {
        let plan = Plan {
            concurrency,
            warmup: ctx.settings.layer_warmup,
            measure: ctx.settings.layer_measure,
        };
        // One unrecorded run of each first: connections, allocator, caches.
        for server in [&bare, &layered] {
            load::run(server.addr(), Arc::clone(&requests), plan).await?;
        }
        let (mut a, mut b): (Vec<Measured>, Vec<Measured>) = (Vec::new(), Vec::new());
        for round in 0..ctx.settings.layer_rounds {
            let order = if round % 2 == 0 {
                [&bare, &layered]
            } else {
                [&layered, &bare]
            };
            for server in order {
                let m = load::run(server.addr(), Arc::clone(&requests), plan).await?;
                eprintln!(
                    "  {:<7} c={concurrency:<3} {:>9.0} req/s  p50 {:>6.3} ms  p99 {:>6.3} ms",
                    server.kind().as_str(),
                    m.rate(),
                    m.latency.value_at_quantile(0.5) as f64 / 1000.0,
                    m.latency.value_at_quantile(0.99) as f64 / 1000.0,
                );
                if server.kind() == ServerKind::Bare {
                    a.push(m);
                } else {
                    b.push(m);
                }
            }
        }
        let bare_summary = Summary::of(&a, 200);
        let layered_summary = Summary::of(&b, 200);
        let ratio = Ratio::of(&bare_summary.rounds_rps, &layered_summary.rounds_rps);
        let noise = bare_summary.spread().max(layered_summary.spread());
        let (low, high) = ratio.ci95;
        let verdict = if low >= 0.99 && high <= 1.01 {
            "met: the 95 % interval lies within ±1 %"
        } else if high < 0.99 {
            "not met: the layered server was measurably slower"
        } else {
            "not resolved: no slowdown beyond 1 % detected, but the 95 % interval is wider than ±1 %"
        };
        ctx.report.goals.push(Assertion {
            name: format!("layer pass-through within 1 % of bare axum (c={concurrency})"),
            passed: verdict.starts_with("met"),
            detail: format!(
                "{verdict}. Layered/bare throughput: mean {:.3}, 95 % CI {low:.3}..{high:.3}, median {:.3} \
                 over {} ABBA rounds; one server's own round-to-round spread {:.1} %",
                ratio.mean,
                ratio.median,
                ratio.rounds.len(),
                noise * 100.0
            ),
        });
        for (name, s) in [("bare", &bare_summary), ("layered", &layered_summary)] {
            ctx.assert(
                format!("{name}: every answer 200 (c={concurrency})"),
                s.unexpected == 0 && s.failures == 0 && s.answers > 0,
                format!(
                    "{} answers, {} other statuses, {} failures",
                    s.answers, s.unexpected, s.failures
                ),
            );
        }
        ctx.report.layer.push(LayerResult {
            concurrency,
            bare: bare_summary,
            layered: layered_summary,
            rps_ratio: ratio,
        });
    }
    let peak = bare.stop().await;
    ctx.memory("bare axum (GET /hello)".to_owned(), peak);
    let peak = layered.stop().await;
    ctx.memory("axum + CinetPayLayer (GET /hello)".to_owned(), peak);
    Ok(())
}
