//! Part 1: what `CinetPayLayer` costs a route it does not own.
//!
//! One server process (`serve --kind passthrough`) listens three times: the
//! bare router (`GET /hello` on plain axum), the same router behind
//! `CinetPayLayer`, and the bare router again as a control. The same build,
//! runtime, threads and allocator serve all three, so the only difference
//! between the first two is the layer. Each round measures the three one
//! after the other in an order that cycles through all six permutations, so
//! that every variant runs first, second and third equally often; each round
//! gives a ratio to bare, and the report takes the median of the rounds with
//! its distribution-free 95 % interval. The control's ratio shows how far two
//! identical routers measure apart on this machine: the resolution of the test.

use std::sync::Arc;

use crate::child::Server;
use crate::cli::ServerKind;
use crate::load::{self, HttpRequest, Measured, Plan, Requests};
use crate::report::{Assertion, LayerResult};
use crate::stats::{Ratio, Summary};

use super::Context;

/// The six orders of (bare, layered, control).
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [2, 1, 0],
    [1, 0, 2],
];

const NAMES: [&str; 3] = ["bare", "layered", "control"];

/// Runs the comparison at each of the settings' concurrencies.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    eprintln!("layer: bare axum against CinetPayLayer (and bare again, the control)");
    let server = Server::start(ServerKind::Passthrough, &ctx.server_args(None)).await?;
    let addrs = server.addrs().to_vec();
    if addrs.len() != 3 {
        return Err(format!("passthrough server gave {} addresses", addrs.len()));
    }
    let requests = Arc::new(Requests::Same(HttpRequest::get("/hello")));
    for concurrency in ctx.settings.layer_concurrencies.clone() {
        let plan = Plan {
            concurrency,
            warmup: ctx.settings.layer_warmup,
            measure: ctx.settings.layer_measure,
        };
        // One unrecorded run of each first: connections, allocator, caches.
        for addr in &addrs {
            load::run(*addr, Arc::clone(&requests), plan).await?;
        }
        let mut runs: [Vec<Measured>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for round in 0..ctx.settings.layer_rounds {
            for &variant in &ORDERS[round % ORDERS.len()] {
                let m = load::run(addrs[variant], Arc::clone(&requests), plan).await?;
                eprintln!(
                    "  {:<7} c={concurrency:<3} {:>9.0} req/s  p50 {:>6.3} ms  p99 {:>6.3} ms",
                    NAMES[variant],
                    m.rate(),
                    m.latency.value_at_quantile(0.5) as f64 / 1000.0,
                    m.latency.value_at_quantile(0.99) as f64 / 1000.0,
                );
                runs[variant].push(m);
            }
        }
        let [bare, layered, control] = runs.map(|r| Summary::of(&r, 200));
        let rps_ratio = Ratio::of(&bare.rounds_rps, &layered.rounds_rps);
        let control_ratio = Ratio::of(&bare.rounds_rps, &control.rounds_rps);
        judge(ctx, concurrency, &rps_ratio, &control_ratio);
        for (name, s) in [
            ("bare", &bare),
            ("layered", &layered),
            ("control", &control),
        ] {
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
            bare,
            layered,
            control,
            rps_ratio,
            control_ratio,
        });
    }
    let peak = server.stop().await;
    ctx.memory(
        "bare, layered and control routers in one process (GET /hello)".to_owned(),
        peak,
    );
    super::instructions::run(ctx).await
}

/// The goal: layered within 1 % of bare. Met when the 95 % interval of the
/// median ratio lies inside ±1 %; not met when it lies wholly below 0.99;
/// otherwise the machine could not resolve 1 % (the control says how far).
fn judge(ctx: &mut Context, concurrency: usize, ratio: &Ratio, control: &Ratio) {
    let (low, high) = ratio.ci95;
    let verdict = if low >= 0.99 && high <= 1.01 {
        "met: the 95 % interval lies within ±1 %"
    } else if high < 0.99 {
        "not met: the layered router was measurably slower"
    } else {
        "not resolved: no slowdown beyond the noise, but the 95 % interval is wider than ±1 %"
    };
    ctx.report.goals.push(Assertion {
        name: format!("layer pass-through within 1 % of bare axum (c={concurrency})"),
        passed: verdict.starts_with("met"),
        detail: format!(
            "{verdict}. Layered/bare throughput: median {:.3}, 95 % CI {low:.3}..{high:.3} over {} rounds; \
             control (bare again)/bare: median {:.3}, 95 % CI {:.3}..{:.3}",
            ratio.median,
            ratio.rounds.len(),
            control.median,
            control.ci95.0,
            control.ci95.1,
        ),
    });
}
