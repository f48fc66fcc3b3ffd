//! The results of a run, written as `latest.json` and `latest.md`.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::cli::Settings;
use crate::db::{Backend, Deliveries, level_name};
use crate::machine::Machine;
use crate::stats::{Ratio, Summary, ms};

/// Everything a run measured.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The command line.
    pub(crate) command: String,
    /// When the run started (UTC, RFC 3339).
    pub(crate) started_at: String,
    /// How long it took.
    pub(crate) wall_seconds: f64,
    /// Its parameters.
    pub(crate) settings: Settings,
    /// The machine.
    pub(crate) machine: Machine,
    /// Pass-through cost of the layer.
    pub(crate) layer: Vec<LayerResult>,
    /// Instructions per request of the bare and the layered router (callgrind).
    pub(crate) instructions: Vec<InstructionResult>,
    /// Instructions per duplicate notification of ours and of the naive
    /// handler on SQLite (callgrind).
    pub(crate) notify_instructions: Vec<InstructionResult>,
    /// The machine's ceiling.
    pub(crate) ceiling: Vec<CeilingResult>,
    /// The databases' write ceiling: one durable single-row insert per request.
    pub(crate) write_ceiling: Vec<WriteCeiling>,
    /// Notifications at several concurrencies.
    pub(crate) notify: Vec<NotifyResult>,
    /// Duplicate notifications arriving together.
    pub(crate) bursts: Vec<BurstResult>,
    /// Notifications at several table sizes.
    pub(crate) growth: Vec<NotifyResult>,
    /// Peak memory of each server.
    pub(crate) memory: Vec<MemoryResult>,
    /// How each database was made ready.
    pub(crate) seeds: Vec<SeedResult>,
    /// Invariants checked during the run.
    pub(crate) assertions: Vec<Assertion>,
    /// The goals, met or not.
    pub(crate) goals: Vec<Assertion>,
    /// What was left out, and other remarks.
    pub(crate) notes: Vec<String>,
    /// The earlier run `--compare` names (not written to latest.json).
    #[serde(skip)]
    pub(crate) base: Option<crate::compare::Base>,
}

/// Bare axum against the same router behind `CinetPayLayer`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LayerResult {
    /// Connections.
    pub(crate) concurrency: usize,
    /// Without the layer.
    pub(crate) bare: Summary,
    /// With the layer.
    pub(crate) layered: Summary,
    /// Without the layer again, on a third listener.
    pub(crate) control: Summary,
    /// Layered / bare throughput, round by round.
    pub(crate) rps_ratio: Ratio,
    /// Control / bare throughput, round by round: the noise floor.
    pub(crate) control_ratio: Ratio,
}

/// Instructions per request of one router, counted by callgrind.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InstructionResult {
    /// `bare` or `layered`.
    pub(crate) variant: String,
    /// Requests of the small run.
    pub(crate) small_requests: u64,
    /// Requests of the large run.
    pub(crate) large_requests: u64,
    /// Total instructions of each small run.
    pub(crate) small_totals: Vec<u64>,
    /// Total instructions of each large run.
    pub(crate) large_totals: Vec<u64>,
    /// (large - small) / (large requests - small requests), smallest totals.
    pub(crate) per_request: f64,
}

/// The machine's ceiling at one concurrency.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CeilingResult {
    /// Connections.
    pub(crate) concurrency: usize,
    /// Bare axum answering 200.
    pub(crate) bare_200: Summary,
    /// `POST /v2/payment/check` to the sandbox, straight.
    pub(crate) check_api: Summary,
}

/// One durable single-row insert per request, through axum and the store's pool.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WriteCeiling {
    /// Database.
    pub(crate) backend: Backend,
    /// Connections.
    pub(crate) concurrency: usize,
    /// The measurement.
    pub(crate) one_write: Summary,
}

/// Ours against the naive handler for one kind of notification.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NotifyResult {
    /// Database.
    pub(crate) backend: Backend,
    /// The API generation (`v2`, `2026`).
    pub(crate) api: crate::api::Api,
    /// Logins to the 2026 API per 1 000 notifications sent, ours.
    pub(crate) ours_logins_per_1000: f64,
    /// Logins to the 2026 API per 1 000 notifications sent, naive.
    pub(crate) naive_logins_per_1000: f64,
    /// Payments in the store.
    pub(crate) level: u64,
    /// Connections.
    pub(crate) concurrency: usize,
    /// `first` or `duplicate`.
    pub(crate) scenario: &'static str,
    /// The axum shop with the layer.
    pub(crate) ours: Summary,
    /// The naive handler.
    pub(crate) naive: Summary,
    /// Ours / naive throughput, round by round.
    pub(crate) ratio: Ratio,
    /// Check calls per notification sent, ours.
    pub(crate) ours_checks_per_notification: f64,
    /// Check calls per notification sent, naive.
    pub(crate) naive_checks_per_notification: f64,
}

/// One side of a burst.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BurstSide {
    /// Answers with status 200.
    pub(crate) ok: u64,
    /// Other answers and failures.
    pub(crate) not_ok: u64,
    /// What was delivered.
    pub(crate) deliveries: Deliveries,
    /// Check calls made.
    pub(crate) checks: usize,
    /// Time to answer the whole burst, s.
    pub(crate) seconds: f64,
}

/// Copies of each notification arriving together, on fresh accepted payments.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BurstResult {
    /// Database.
    pub(crate) backend: Backend,
    /// Payments.
    pub(crate) payments: usize,
    /// Copies of each notification.
    pub(crate) copies: usize,
    /// Connections.
    pub(crate) concurrency: usize,
    /// Ours.
    pub(crate) ours: BurstSide,
    /// The naive handler.
    pub(crate) naive: BurstSide,
}

/// Peak resident memory of one server process.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemoryResult {
    /// Which server, under which load.
    pub(crate) server: String,
    /// VmHWM, MiB.
    pub(crate) peak_rss_mib: f64,
}

/// How one database was made ready.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeedResult {
    /// Database.
    pub(crate) backend: Backend,
    /// Payments.
    pub(crate) level: u64,
    /// Seeded by this run (else kept from an earlier one).
    pub(crate) seeded_now: bool,
    /// Seconds the seeding took.
    pub(crate) seconds: f64,
}

/// A checked statement.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Assertion {
    /// What.
    pub(crate) name: String,
    /// Whether it held.
    pub(crate) passed: bool,
    /// The figures behind it.
    pub(crate) detail: String,
}

fn rps(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Report {
    /// Writes `latest.json` and `latest.md` into `dir`.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("latest.json"), json).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("latest.md"), self.markdown()).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The tables.
    pub(crate) fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(
            md,
            "Run of `{}` started {} ({:.0} s).\n",
            self.command, self.started_at, self.wall_seconds
        );
        let _ = writeln!(
            md,
            "Machine: {} × {}, {} MiB, {}, kernel {}; load average {} at the start, {} at the end; \
             one 4 KiB write + fdatasync on the database disk: {:.2} ms (median).\n",
            m.nproc,
            m.cpu,
            m.memory_mib,
            m.rustc,
            m.kernel,
            m.load_at_start,
            m.load_at_end,
            m.fsync_ms
        );
        let s = &self.settings;
        let _ = writeln!(
            md,
            "Each run: {:.1} s warm-up, {:.1} s measured, {} alternating rounds per comparison \
             (the layer: {} rounds of {:.1} s + {:.1} s); servers on {} Tokio worker threads; \
             the load generator on one thread.\n",
            s.warmup.as_secs_f64(),
            s.measure.as_secs_f64(),
            s.rounds,
            s.layer_rounds,
            s.layer_warmup.as_secs_f64(),
            s.layer_measure.as_secs_f64(),
            s.server_workers
        );
        self.assertions_md(&mut md);
        self.layer_md(&mut md);
        self.ceiling_md(&mut md);
        self.write_ceiling_md(&mut md);
        self.notify_md(&mut md);
        self.bursts_md(&mut md);
        self.growth_md(&mut md);
        self.memory_md(&mut md);
        self.seeds_md(&mut md);
        if let Some(base) = &self.base {
            match serde_json::to_value(self) {
                Ok(now) => md.push_str(&crate::compare::section(&now, base)),
                Err(e) => {
                    let _ = writeln!(
                        md,
                        "(--compare: cannot read this run's figures: {e})
"
                    );
                }
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(md, "### Notes\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {n}");
            }
            md.push('\n');
        }
        md
    }

    fn assertions_md(&self, md: &mut String) {
        let _ = writeln!(md, "### Goals and invariants\n");
        let _ = writeln!(md, "| goal | result | figures |\n|---|---|---|");
        for a in &self.goals {
            let verdict = if a.passed { "met" } else { "**NOT met**" };
            let _ = writeln!(md, "| {} | {verdict} | {} |", a.name, a.detail);
        }
        md.push('\n');
        // Invariants, one line per kind (the name without its "(database, ...)"
        // context); every instance is in latest.json.
        let mut kinds: Vec<(&str, usize, Vec<&Assertion>)> = Vec::new();
        for a in &self.assertions {
            let kind = a.name.split(" (").next().unwrap_or(&a.name);
            let broken: Vec<&Assertion> = if a.passed { Vec::new() } else { vec![a] };
            match kinds.iter_mut().find(|(k, _, _)| *k == kind) {
                Some((_, n, b)) => {
                    *n += 1;
                    b.extend(broken);
                }
                None => kinds.push((kind, 1, broken)),
            }
        }
        let _ = writeln!(
            md,
            "| invariant | checked | broken | figures (first instance, or every broken one) |\n|---|---|---|---|"
        );
        for (kind, n, broken) in &kinds {
            let figures = if broken.is_empty() {
                self.assertions
                    .iter()
                    .find(|a| a.name.starts_with(kind))
                    .map_or_else(String::new, |a| format!("{}: {}", a.name, a.detail))
            } else {
                broken
                    .iter()
                    .map(|a| format!("**{}: {}**", a.name, a.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = writeln!(md, "| {kind} | {n} | {} | {figures} |", broken.len());
        }
        md.push('\n');
    }

    fn layer_md(&self, md: &mut String) {
        if self.layer.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "### 1. Pass-through cost of `CinetPayLayer` (`GET /hello`, not a payment route)\n"
        );
        let _ = writeln!(
            md,
            "| connections | bare req/s | layered req/s | control req/s | layered/bare median [95 % CI] | control/bare median [95 % CI] | bare p50 / p99 ms | layered p50 / p99 ms | control p50 / p99 ms |\n|---|---|---|---|---|---|---|---|---|"
        );
        let ci = |r: &Ratio| format!("{:.3} [{:.3}, {:.3}]", r.median, r.ci95.0, r.ci95.1);
        for r in &self.layer {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} / {} | {} / {} | {} / {} |",
                r.concurrency,
                rps(r.bare.rps),
                rps(r.layered.rps),
                rps(r.control.rps),
                ci(&r.rps_ratio),
                ci(&r.control_ratio),
                ms(r.bare.p50_us),
                ms(r.bare.p99_us),
                ms(r.layered.p50_us),
                ms(r.layered.p99_us),
                ms(r.control.p50_us),
                ms(r.control.p99_us),
            );
        }
        md.push('\n');
        self.instructions_md(md);
    }

    fn instructions_md(&self, md: &mut String) {
        if self.instructions.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "Instructions per request (callgrind; the server thread's user-space instructions per `GET /hello` over one loopback TCP keep-alive connection; bare = plain axum, routed = `cinetpay_tower::endpoint` on its three paths with `Router::route_service`, wrapped = `CinetPayLayer` around the router, layered = `Router::layer(CinetPayLayer)`, identity = `Router::layer(Identity)`):\n\n\
             | router | instructions per request | totals, {} requests | totals, {} requests |\n|---|---|---|---|",
            self.instructions[0].small_requests, self.instructions[0].large_requests
        );
        let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        for r in &self.instructions {
            let _ = writeln!(
                md,
                "| {} | {:.0} ({:.4} of bare) | {} | {} |",
                r.variant,
                r.per_request,
                r.per_request / self.instructions[0].per_request,
                list(&r.small_totals),
                list(&r.large_totals)
            );
        }
        md.push('\n');
        self.notify_instructions_md(md);
    }

    fn notify_instructions_md(&self, md: &mut String) {
        let Some(first) = self.notify_instructions.first() else {
            return;
        };
        let _ = writeln!(
            md,
            "Instructions per duplicate notification of a fulfilled payment (callgrind; every thread of the server but the client's, SQLite's worker threads included, over one loopback TCP keep-alive connection to a current-thread runtime; {} and {} notifications of seeded payments drawn at random from the sweep's database; on PostgreSQL the server process's alone, not the database's):\n\n\
             | server | instructions per notification | ours/naive |\n|---|---|---|",
            first.small_requests, first.large_requests
        );
        // Pairs: ours, then the naive handler, on each database.
        for pair in self.notify_instructions.chunks(2) {
            let [_, naive] = pair else {
                continue;
            };
            for r in pair {
                let _ = writeln!(
                    md,
                    "| {} | {:.0} | {:.3} |",
                    r.variant,
                    r.per_request,
                    r.per_request / naive.per_request
                );
            }
        }
        md.push('\n');
    }

    fn ceiling_md(&self, md: &mut String) {
        if self.ceiling.is_empty() {
            return;
        }
        let _ = writeln!(md, "### 2. The machine's ceiling\n");
        let _ = writeln!(
            md,
            "| connections | bare axum 200 req/s | p50 / p99 ms | check API round trip req/s | p50 / p99 ms |\n|---|---|---|---|---|"
        );
        for c in &self.ceiling {
            let _ = writeln!(
                md,
                "| {} | {} | {} / {} | {} | {} / {} |",
                c.concurrency,
                rps(c.bare_200.rps),
                ms(c.bare_200.p50_us),
                ms(c.bare_200.p99_us),
                rps(c.check_api.rps),
                ms(c.check_api.p50_us),
                ms(c.check_api.p99_us),
            );
        }
        md.push('\n');
    }

    fn write_ceiling_md(&self, md: &mut String) {
        if self.write_ceiling.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "Database write ceiling: an axum handler that makes one durable single-row INSERT per request \
             (same pool settings as the store):\n"
        );
        let _ = writeln!(
            md,
            "| database | connections | req/s | p50 / p99 ms |\n|---|---|---|---|"
        );
        for w in &self.write_ceiling {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} / {} |",
                w.backend.name(),
                w.concurrency,
                rps(w.one_write.rps),
                ms(w.one_write.p50_us),
                ms(w.one_write.p99_us)
            );
        }
        md.push('\n');
    }

    fn write_ceiling_at(&self, backend: Backend, concurrency: usize) -> Option<&WriteCeiling> {
        self.write_ceiling
            .iter()
            .find(|w| w.backend == backend && w.concurrency == concurrency)
    }

    fn ceiling_at(&self, concurrency: usize) -> Option<&CeilingResult> {
        self.ceiling.iter().find(|c| c.concurrency == concurrency)
    }

    fn notify_table(&self, md: &mut String, rows: &[NotifyResult], by_level: bool) {
        let first_col = if by_level {
            "payments in store"
        } else {
            "connections"
        };
        let _ = writeln!(
            md,
            "| database | API | {first_col} | notification | ours req/s | ours p50 / p99 ms | naive req/s | naive p50 / p99 ms | ours/naive | ours / check-API ceiling | ours / 1-write ceiling | checks per notification (ours / naive) | logins per 1000 (ours / naive) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in rows {
            let ratio = |ceiling: Option<f64>| {
                ceiling
                    .filter(|c| *c > 0.0)
                    .map_or_else(|| "–".to_owned(), |c| format!("{:.2}", r.ours.rps / c))
            };
            let ceiling = ratio(self.ceiling_at(r.concurrency).map(|c| c.check_api.rps));
            let write = ratio(
                self.write_ceiling_at(r.backend, r.concurrency)
                    .map(|w| w.one_write.rps),
            );
            let col = if by_level {
                level_name(r.level)
            } else {
                r.concurrency.to_string()
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} / {} | {} | {} / {} | {:.2} | {} | {} | {:.2} / {:.2} | {} |",
                r.backend.name(),
                r.api.name(),
                col,
                r.scenario,
                rps(r.ours.rps),
                ms(r.ours.p50_us),
                ms(r.ours.p99_us),
                rps(r.naive.rps),
                ms(r.naive.p50_us),
                ms(r.naive.p99_us),
                r.ratio.median,
                ceiling,
                write,
                r.ours_checks_per_notification,
                r.naive_checks_per_notification,
                match r.api {
                    crate::api::Api::V2 => "–".to_owned(),
                    crate::api::Api::Rest2026 => format!(
                        "{:.2} / {:.2}",
                        r.ours_logins_per_1000, r.naive_logins_per_1000
                    ),
                },
            );
        }
        md.push('\n');
    }

    fn notify_md(&self, md: &mut String) {
        if self.notify.is_empty() {
            return;
        }
        let level = self.notify.first().map_or(0, |r| r.level);
        let _ = writeln!(
            md,
            "### 3. Notifications: ours (axum shop + layer) against the naive handler, {} payments in the store\n",
            level_name(level)
        );
        self.notify_table(md, &self.notify, false);
    }

    fn bursts_md(&self, md: &mut String) {
        if self.bursts.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "### 4. Duplicate notifications arriving together (fresh accepted payments)\n"
        );
        let _ = writeln!(
            md,
            "| database | payments × copies | side | answers 200 / other | delivered payments | duplicate deliveries | check calls | seconds |\n|---|---|---|---|---|---|---|---|"
        );
        for b in &self.bursts {
            for (name, side) in [("ours", &b.ours), ("naive", &b.naive)] {
                let _ = writeln!(
                    md,
                    "| {} | {} × {} | {name} | {} / {} | {} | {} | {} | {:.2} |",
                    b.backend.name(),
                    b.payments,
                    b.copies,
                    side.ok,
                    side.not_ok,
                    side.deliveries.payments,
                    side.deliveries.duplicates(),
                    side.checks,
                    side.seconds,
                );
            }
        }
        md.push('\n');
    }

    fn growth_md(&self, md: &mut String) {
        if self.growth.is_empty() {
            return;
        }
        let c = self.growth.first().map_or(0, |r| r.concurrency);
        let _ = writeln!(
            md,
            "### 5. Cost growth with the table size ({c} connections)\n"
        );
        self.notify_table(md, &self.growth, true);
    }

    fn memory_md(&self, md: &mut String) {
        if self.memory.is_empty() {
            return;
        }
        let _ = writeln!(
            md,
            "### 6. Peak resident memory (VmHWM) of each server process\n"
        );
        let _ = writeln!(md, "| server and load | peak RSS MiB |\n|---|---|");
        for m in &self.memory {
            let _ = writeln!(md, "| {} | {:.1} |", m.server, m.peak_rss_mib);
        }
        md.push('\n');
    }

    fn seeds_md(&self, md: &mut String) {
        if self.seeds.is_empty() {
            return;
        }
        let _ = writeln!(md, "### Seeded databases\n");
        let _ = writeln!(
            md,
            "| database | payments | seeded | seconds |\n|---|---|---|---|"
        );
        for s in &self.seeds {
            let how = if s.seeded_now {
                "this run"
            } else {
                "kept from an earlier run"
            };
            let _ = writeln!(
                md,
                "| {} | {} | {how} | {:.1} |",
                s.backend.name(),
                level_name(s.level),
                s.seconds
            );
        }
        md.push('\n');
    }
}
