//! The parts of the benchmark and what they share: the run's context, the
//! pair of servers (ours and naive) on one database, and the two kinds of
//! notification runs.

pub(crate) mod ceiling;
pub(crate) mod growth;
pub(crate) mod instructions;
pub(crate) mod layer;
pub(crate) mod notify;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::Api;
use crate::child::{Server, ServerArgs};
use crate::cli::Settings;
use crate::db::{Backend, BenchDb, Target, level_name};
use crate::fixtures::Cinetpay;
use crate::load::{self, Measured, Plan, Requests};
use crate::report::{Assertion, MemoryResult, NotifyResult, Report, SeedResult};
use crate::stats::{Ratio, Summary};

/// Ours or the naive handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    /// The axum shop with the layer.
    Ours,
    /// The handler written from the docs.
    Naive,
}

/// The two kinds of notification runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scenario {
    /// The first notification of an accepted payment.
    First,
    /// A notification of a payment already fulfilled.
    Duplicate,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::First => "first",
            Scenario::Duplicate => "duplicate",
        }
    }
}

/// Everything a part needs.
pub(crate) struct Context {
    /// Parameters.
    pub(crate) settings: Settings,
    /// `target/bench`.
    pub(crate) out: PathBuf,
    /// The sandbox.
    pub(crate) cinetpay: Cinetpay,
    /// What has been measured so far.
    pub(crate) report: Report,
    /// The databases to measure.
    pub(crate) backends: Vec<Backend>,
    /// PostgreSQL server URL.
    pub(crate) postgres_url: String,
    /// Seed the databases again.
    pub(crate) reseed: bool,
    /// Expected first-notification rates, to size the payment pools.
    rates: HashMap<(Backend, Api, Side), f64>,
}

impl Context {
    /// A context for `backends`.
    pub(crate) fn new(
        settings: Settings,
        out: PathBuf,
        cinetpay: Cinetpay,
        report: Report,
        backends: Vec<Backend>,
        postgres_url: String,
        reseed: bool,
    ) -> Context {
        Context {
            settings,
            out,
            cinetpay,
            report,
            backends,
            postgres_url,
            reseed,
            rates: HashMap::new(),
        }
    }

    /// The load plan at `concurrency`.
    pub(crate) fn plan(&self, concurrency: usize) -> Plan {
        Plan {
            concurrency,
            warmup: self.settings.warmup,
            measure: self.settings.measure,
        }
    }

    /// Server options for a database.
    pub(crate) fn server_args(&self, database_url: Option<String>) -> ServerArgs {
        ServerArgs {
            database_url,
            api_url: Some(self.cinetpay.api_url()),
            workers: self.settings.server_workers,
        }
    }

    /// The database of `backend` at `level`, seeded if needed.
    pub(crate) async fn database(
        &mut self,
        backend: Backend,
        level: u64,
    ) -> Result<BenchDb, String> {
        let target = match backend {
            Backend::Sqlite => Target::sqlite(&self.out.join("db"), level),
            Backend::Postgres => Target::postgres(&self.postgres_url, level)?,
        };
        eprintln!(
            "  preparing {} with {} payments",
            backend.name(),
            level_name(level)
        );
        let (db, info) = BenchDb::prepare(&target, self.reseed).await?;
        if info.seeded_now {
            eprintln!(
                "  seeded {} payments in {:.1} s",
                level_name(level),
                info.seconds
            );
        }
        let present = db.payment_count().await?;
        if present != level {
            return Err(format!(
                "{} at {} holds {present} payments, expected {level}",
                backend.name(),
                level_name(level)
            ));
        }
        if !self
            .report
            .seeds
            .iter()
            .any(|s| s.backend == backend && s.level == level && !info.seeded_now)
        {
            self.report.seeds.push(SeedResult {
                backend,
                level,
                seeded_now: info.seeded_now,
                seconds: info.seconds,
            });
        }
        Ok(db)
    }

    /// Records an invariant.
    pub(crate) fn assert(
        &mut self,
        name: impl Into<String>,
        passed: bool,
        detail: impl Into<String>,
    ) {
        let a = Assertion {
            name: name.into(),
            passed,
            detail: detail.into(),
        };
        if !a.passed {
            eprintln!("  INVARIANT BROKEN: {}: {}", a.name, a.detail);
        }
        self.report.assertions.push(a);
    }

    /// Records a server's peak memory.
    pub(crate) fn memory(&mut self, server: String, peak_kib: Option<u64>) {
        if let Some(kib) = peak_kib {
            self.report.memory.push(MemoryResult {
                server,
                peak_rss_mib: kib as f64 / 1024.0,
            });
        }
    }
}

/// Ours and the naive handler, serving one database on one API.
pub(crate) struct Pair {
    /// The database.
    pub(crate) db: BenchDb,
    /// The API both servers and the payments speak.
    pub(crate) api: Api,
    ours: Server,
    naive: Server,
    /// The fulfilled payments whose notifications the duplicate runs send
    /// (2026; the v2 runs draw from the seeded rows).
    duplicates: Vec<crate::fixtures::PoolPayment>,
}

impl Pair {
    /// Starts both servers on `db`, for the v2 API.
    pub(crate) async fn start(ctx: &Context, db: BenchDb) -> Result<Pair, String> {
        Pair::start_on(ctx, db, Api::V2).await
    }

    /// Starts both servers on `db`, speaking `api`. On the 2026 API, adds
    /// the fulfilled payments of the duplicate runs (the seeded rows are v2
    /// payments).
    pub(crate) async fn start_on(ctx: &Context, db: BenchDb, api: Api) -> Result<Pair, String> {
        let args = ctx.server_args(Some(db.target.url.clone()));
        let (ours_kind, naive_kind) = api.servers();
        let duplicates = match api {
            Api::V2 => Vec::new(),
            Api::Rest2026 => {
                let count = if ctx.settings.quick { 500 } else { 2_000 };
                let pool = ctx
                    .cinetpay
                    .accepted_payments(api, crate::db::DUPLICATES_PREFIX_2026, count)
                    .await?;
                db.insert_fulfilled(&pool).await?;
                pool
            }
        };
        let ours = Server::start(ours_kind, &args).await?;
        let naive = Server::start(naive_kind, &args).await?;
        Ok(Pair {
            db,
            api,
            ours,
            naive,
            duplicates,
        })
    }

    fn server(&self, side: Side) -> &Server {
        match side {
            Side::Ours => &self.ours,
            Side::Naive => &self.naive,
        }
    }

    /// Stops both servers, records their peak memory under `label`, closes the database.
    pub(crate) async fn stop(self, ctx: &mut Context, label: &str) -> Result<(), String> {
        let backend = self.label();
        let (ours, naive) = self.stop_quietly().await?;
        ctx.memory(format!("axum shop (ours), {backend}, {label}"), ours);
        ctx.memory(format!("naive handler, {backend}, {label}"), naive);
        Ok(())
    }

    /// Stops both servers and closes the database; their peak memory (KiB).
    pub(crate) async fn stop_quietly(self) -> Result<(Option<u64>, Option<u64>), String> {
        let (db, ours, naive) = self.stop_servers().await?;
        db.close().await;
        Ok((ours, naive))
    }

    /// [`stop`](Self::stop), keeping the database open for the next pair.
    pub(crate) async fn stop_recording(
        self,
        ctx: &mut Context,
        label: &str,
    ) -> Result<BenchDb, String> {
        let backend = self.label();
        let (db, ours, naive) = self.stop_servers().await?;
        ctx.memory(format!("axum shop (ours), {backend}, {label}"), ours);
        ctx.memory(format!("naive handler, {backend}, {label}"), naive);
        Ok(db)
    }

    /// The database's name, and the API's unless v2.
    fn label(&self) -> String {
        format!("{}{}", self.db.target.backend.name(), api_label(self.api))
    }

    /// Removes what the pair added and stops both servers: the database,
    /// and their peak memory (KiB).
    async fn stop_servers(self) -> Result<(BenchDb, Option<u64>, Option<u64>), String> {
        self.db.clean().await?;
        if !self.duplicates.is_empty() {
            self.db
                .remove_payments(crate::db::DUPLICATES_PREFIX_2026)
                .await?;
        }
        let ours = self.ours.stop().await;
        let naive = self.naive.stop().await;
        Ok((self.db, ours, naive))
    }
}

/// One notification run's figures.
pub(crate) struct Run {
    measured: Measured,
    checks: usize,
    /// Logins to the 2026 API during the run.
    logins: u64,
}

/// The runs of a comparison, by kind of notification and side.
pub(crate) type Runs = HashMap<(Scenario, Side), Vec<Run>>;

/// `rounds` alternating rounds of ours and naive for both kinds of
/// notification at `concurrency`: the rows for the report.
pub(crate) async fn compare(
    ctx: &mut Context,
    pair: &Pair,
    concurrency: usize,
) -> Result<Vec<NotifyResult>, String> {
    let mut runs = Runs::new();
    measure_rounds(ctx, pair, concurrency, 0..ctx.settings.rounds, &mut runs).await?;
    Ok(summarise(
        ctx,
        pair.db.target.backend,
        pair.api,
        pair.db.target.level,
        concurrency,
        runs,
    ))
}

/// Measures `rounds` (round `r` runs ours first when `r` is even, naive
/// first when it is odd) and adds the runs to `runs`.
pub(crate) async fn measure_rounds(
    ctx: &mut Context,
    pair: &Pair,
    concurrency: usize,
    rounds: std::ops::Range<usize>,
    runs: &mut Runs,
) -> Result<(), String> {
    for round in rounds {
        for scenario in [Scenario::First, Scenario::Duplicate] {
            let order = if round % 2 == 0 {
                [Side::Ours, Side::Naive]
            } else {
                [Side::Naive, Side::Ours]
            };
            for side in order {
                let run = match scenario {
                    Scenario::First => first_notifications(ctx, pair, side, concurrency).await?,
                    Scenario::Duplicate => duplicates(ctx, pair, side, concurrency).await?,
                };
                eprintln!(
                    "    {:?} {} {:<9} c={concurrency:<3} {:>8.1} req/s  p99 {:>8.2} ms  checks {}  logins {}",
                    side,
                    pair.api.name(),
                    scenario.name(),
                    run.measured.rate(),
                    run.measured.latency.value_at_quantile(0.99) as f64 / 1000.0,
                    run.checks,
                    run.logins,
                );
                runs.entry((scenario, side)).or_default().push(run);
            }
        }
    }
    Ok(())
}

/// The report's rows (and the invariants) from the runs of one database at
/// one concurrency.
pub(crate) fn summarise(
    ctx: &mut Context,
    backend: Backend,
    api: Api,
    level: u64,
    concurrency: usize,
    mut runs: Runs,
) -> Vec<NotifyResult> {
    let mut rows = Vec::new();
    for scenario in [Scenario::First, Scenario::Duplicate] {
        let mut take = |side| runs.remove(&(scenario, side)).unwrap_or_default();
        let (ours, naive) = (take(Side::Ours), take(Side::Naive));
        let measured = |runs: &[Run]| runs.iter().map(|r| r.measured.clone()).collect::<Vec<_>>();
        let per_notification = |runs: &[Run]| {
            let sent: u64 = runs.iter().map(|r| r.measured.sent).sum();
            let checks: usize = runs.iter().map(|r| r.checks).sum();
            if sent > 0 {
                checks as f64 / sent as f64
            } else {
                0.0
            }
        };
        let logins_per_1000 = |runs: &[Run]| {
            let sent: u64 = runs.iter().map(|r| r.measured.sent).sum();
            let logins: u64 = runs.iter().map(|r| r.logins).sum();
            if sent > 0 {
                logins as f64 * 1000.0 / sent as f64
            } else {
                0.0
            }
        };
        let ours_summary = Summary::of(&measured(&ours), 200);
        let naive_summary = Summary::of(&measured(&naive), 200);
        if scenario == Scenario::Duplicate {
            let checks: usize = ours.iter().map(|r| r.checks).sum();
            let sent: u64 = ours.iter().map(|r| r.measured.sent).sum();
            ctx.assert(
                format!(
                    "ours: no check call for duplicates of fulfilled payments ({}{}, {}, c={concurrency})",
                    backend.name(),
                    api_label(api),
                    level_name(level)
                ),
                checks == 0 && sent > 0,
                format!("{checks} check calls for {sent} duplicate notifications"),
            );
        }
        for (name, s) in [("ours", &ours_summary), ("naive", &naive_summary)] {
            ctx.assert(
                format!(
                    "{name}: every {} notification answered 200 ({}{}, {}, c={concurrency})",
                    scenario.name(),
                    backend.name(),
                    api_label(api),
                    level_name(level)
                ),
                s.unexpected == 0 && s.failures == 0 && s.answers > 0,
                format!(
                    "{} answers, {} other statuses, {} transport failures",
                    s.answers, s.unexpected, s.failures
                ),
            );
        }
        rows.push(NotifyResult {
            backend,
            api,
            ours_logins_per_1000: logins_per_1000(&ours),
            naive_logins_per_1000: logins_per_1000(&naive),
            level,
            concurrency,
            scenario: scenario.name(),
            ratio: Ratio::of(&naive_summary.rounds_rps, &ours_summary.rounds_rps),
            ours_checks_per_notification: per_notification(&ours),
            naive_checks_per_notification: per_notification(&naive),
            ours: ours_summary,
            naive: naive_summary,
        });
    }
    rows
}

/// First notifications of fresh accepted payments, each notified once.
async fn first_notifications(
    ctx: &mut Context,
    pair: &Pair,
    side: Side,
    concurrency: usize,
) -> Result<Run, String> {
    let backend = pair.db.target.backend;
    let api = pair.api;
    let plan = ctx.plan(concurrency);
    let total = (plan.warmup + plan.measure).as_secs_f64();
    for _attempt in 0..3 {
        let rate = ctx
            .rates
            .get(&(backend, api, side))
            .copied()
            .unwrap_or(400.0);
        let size = ((rate * total * 1.5) as usize + 2 * concurrency).max(50);
        let pool = ctx
            .cinetpay
            .accepted_payments(api, api.added_prefix(), size)
            .await?;
        pair.db.insert_pending(&pool).await?;
        pair.db.clear_deliveries().await?;
        let requests = Arc::new(Requests::Once(ctx.cinetpay.notifications(&pool)));
        let before = ctx.cinetpay.checks(api);
        let logins = ctx.cinetpay.logins();
        let measured = load::run(pair.server(side).addr(), requests, plan).await?;
        let checks = ctx.cinetpay.checks(api) - before;
        let logins = ctx.cinetpay.logins() - logins;
        let answered = measured.sent - measured.failures;
        let deliveries = settled_deliveries(pair, side, answered).await?;
        pair.db.clean().await?;
        let whole_run_rate = measured.sent as f64 / total;
        let short = measured.ran_out && measured.window < plan.measure.mul_f64(0.6);
        ctx.rates.insert(
            (backend, api, side),
            if short {
                whole_run_rate.max(rate * 3.0)
            } else {
                measured.rate().max(1.0)
            },
        );
        if short {
            eprintln!("    (pool of {size} ran out early; again with a larger one)");
            continue;
        }
        if side == Side::Ours {
            ctx.assert(
                format!(
                    "ours: each first notification delivered exactly once ({}{}, {}, c={concurrency})",
                    backend.name(),
                    api_label(api),
                    level_name(pair.db.target.level)
                ),
                deliveries.duplicates() == 0 && deliveries.payments == answered,
                format!(
                    "{answered} notifications answered, {} payments delivered, {} duplicate deliveries",
                    deliveries.payments,
                    deliveries.duplicates()
                ),
            );
        }
        return Ok(Run {
            measured,
            checks,
            logins,
        });
    }
    Err("the payment pool kept running out".to_owned())
}

/// The shop's deliveries once ours has finished the deliveries it runs in
/// the background (the 2026 API answers once the status is stored): read
/// until `answered` payments are delivered, or for at most 10 s.
async fn settled_deliveries(
    pair: &Pair,
    side: Side,
    answered: u64,
) -> Result<crate::db::Deliveries, String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let deliveries = pair.db.deliveries().await?;
        if side == Side::Naive
            || pair.api == Api::V2
            || deliveries.payments >= answered
            || std::time::Instant::now() > deadline
        {
            return Ok(deliveries);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Notifications of fulfilled seeded payments, drawn at random.
async fn duplicates(
    ctx: &mut Context,
    pair: &Pair,
    side: Side,
    concurrency: usize,
) -> Result<Run, String> {
    let count = if ctx.settings.quick { 5_000 } else { 20_000 };
    let api = pair.api;
    let notifications = match api {
        Api::V2 => ctx.cinetpay.seeded_duplicates(pair.db.target.level, count),
        Api::Rest2026 => {
            // In random order, like the seeded rows drawn at random.
            let mut pool: Vec<_> = pair.duplicates.iter().collect();
            rand::seq::SliceRandom::shuffle(pool.as_mut_slice(), &mut rand::rng());
            pool.into_iter()
                .map(|p| ctx.cinetpay.notification_of(p))
                .collect()
        }
    };
    let requests = Arc::new(Requests::Cycle(notifications));
    let before = ctx.cinetpay.checks(api);
    let logins = ctx.cinetpay.logins();
    let measured = load::run(pair.server(side).addr(), requests, ctx.plan(concurrency)).await?;
    let checks = ctx.cinetpay.checks(api) - before;
    let logins = ctx.cinetpay.logins() - logins;
    pair.db.clean().await?;
    Ok(Run {
        measured,
        checks,
        logins,
    })
}

/// A plan that sends a whole list once, however long it takes (up to `cap`).
pub(crate) fn plan_once(concurrency: usize, cap: Duration) -> Plan {
    Plan {
        concurrency,
        warmup: Duration::ZERO,
        measure: cap,
    }
}

/// `, 2026 API` for the 2026 API's figures (nothing for v2's).
pub(crate) fn api_label(api: Api) -> &'static str {
    match api {
        Api::V2 => "",
        Api::Rest2026 => ", 2026 API",
    }
}
