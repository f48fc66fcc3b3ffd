//! Part 2: the machine's ceiling at each concurrency of the notification
//! sweep: a bare axum handler answering 200 (what one request costs at the
//! least, generator included), and a bare round trip to the sandbox's check
//! API (what the one call a first notification must make costs): three
//! alternating rounds, the median of each.

use std::sync::Arc;

use crate::api::Api;
use crate::child::Server;
use crate::cli::ServerKind;
use crate::load::{self, HttpRequest, Measured, Plan, Requests};
use crate::report::CeilingResult;
use crate::stats::Summary;

use super::Context;

/// Measures both ceilings.
pub(crate) async fn run(ctx: &mut Context) -> Result<(), String> {
    eprintln!("ceiling: bare axum 200 and the check API");
    let bare = Server::start(ServerKind::Bare, &ctx.server_args(None)).await?;
    let paid = ctx
        .cinetpay
        .accepted_payments(Api::V2, crate::db::ADDED_PREFIX, 1)
        .await?;
    let id = paid.first().map(|p| p.id.clone()).ok_or("no payment")?;
    let hello = Arc::new(Requests::Same(HttpRequest::get("/hello")));
    let check = Arc::new(Requests::Same(ctx.cinetpay.check_request(&id)));
    let check_addr = ctx.cinetpay.addr();
    for concurrency in ctx.settings.concurrencies.clone() {
        let plan = Plan {
            concurrency,
            warmup: ctx.settings.layer_warmup,
            measure: ctx.settings.layer_measure * 2,
        };
        // Three alternating rounds; the median of each (one spoiled run
        // cannot make the ceiling).
        let (mut a, mut b): (Vec<Measured>, Vec<Measured>) = (Vec::new(), Vec::new());
        for round in 0..3 {
            if round % 2 == 0 {
                a.push(load::run(bare.addr(), Arc::clone(&hello), plan).await?);
                b.push(load::run(check_addr, Arc::clone(&check), plan).await?);
            } else {
                b.push(load::run(check_addr, Arc::clone(&check), plan).await?);
                a.push(load::run(bare.addr(), Arc::clone(&hello), plan).await?);
            }
        }
        let bare_200 = Summary::of(&a, 200);
        let check_api = Summary::of(&b, 200);
        eprintln!(
            "  c={concurrency:<3} bare {:>9.0} req/s   check API {:>8.0} req/s",
            bare_200.rps, check_api.rps
        );
        ctx.assert(
            format!("check API answered 200 to every check (c={concurrency})"),
            check_api.unexpected == 0 && check_api.failures == 0 && check_api.answers > 0,
            format!(
                "{} answers, {} other statuses",
                check_api.answers, check_api.unexpected
            ),
        );
        ctx.report.ceiling.push(CeilingResult {
            concurrency,
            bare_200,
            check_api,
        });
    }
    bare.stop().await;
    Ok(())
}
