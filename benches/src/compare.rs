//! `--compare BASE.json`: each figure of this run beside the same figure of
//! an earlier run's `latest.json`, so that a change's effect reads in one
//! table. Rows are matched by what identifies them (database, table size,
//! concurrency, scenario; the layer's concurrency; the router; the server);
//! a row only one run has is shown with `–` on the other side.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// An earlier run, as read from its `latest.json`.
#[derive(Debug)]
pub(crate) struct Base {
    /// Where it was read from.
    pub(crate) path: String,
    /// Its JSON.
    pub(crate) json: Value,
}

impl Base {
    /// Reads and parses `path`; the error names the file.
    pub(crate) fn read(path: &Path) -> Result<Base, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--compare {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| format!("--compare {}: not a bench report: {e}", path.display()))?;
        if !json.get("notify").is_some_and(Value::is_array) {
            return Err(format!(
                "--compare {}: not a cinetpay-bench latest.json (no notify table)",
                path.display()
            ));
        }
        Ok(Base {
            path: path.display().to_string(),
            json,
        })
    }
}

/// One compared figure: its label, then this run's and the base's value.
struct Row {
    label: String,
    now: Option<f64>,
    base: Option<f64>,
}

/// The markdown section comparing `now` (this run's report as JSON) with `base`.
pub(crate) fn section(now: &Value, base: &Base) -> String {
    let mut md = String::new();
    let started = base.json["started_at"].as_str().unwrap_or("?");
    let commit = base.json["machine"]["commit"].as_str().unwrap_or("");
    let _ = writeln!(
        md,
        "### Compared with {} (started {started}{})\n",
        base.path,
        if commit.is_empty() {
            String::new()
        } else {
            format!(", {commit}")
        }
    );
    table(
        &mut md,
        "Notifications, ours/naive throughput (median of rounds)",
        rows(now, &base.json, "notify", notify_key, |r| {
            r["ratio"]["median"].as_f64()
        }),
    );
    table(
        &mut md,
        "Notifications, ours, answers per second",
        rows(now, &base.json, "notify", notify_key, |r| {
            r["ours"]["rps"].as_f64()
        }),
    );
    table(
        &mut md,
        "Growth, ours/naive throughput",
        rows(now, &base.json, "growth", notify_key, |r| {
            r["ratio"]["median"].as_f64()
        }),
    );
    table(
        &mut md,
        "Layer, layered/bare throughput",
        rows(
            now,
            &base.json,
            "layer",
            |r| format!("{} connections", r["concurrency"]),
            |r| r["rps_ratio"]["median"].as_f64(),
        ),
    );
    table(
        &mut md,
        "Instructions per request (callgrind)",
        rows(
            now,
            &base.json,
            "instructions",
            |r| r["variant"].as_str().unwrap_or("?").to_owned(),
            |r| r["per_request"].as_f64(),
        ),
    );
    table(
        &mut md,
        "Instructions per duplicate notification (callgrind)",
        rows(
            now,
            &base.json,
            "notify_instructions",
            |r| r["variant"].as_str().unwrap_or("?").to_owned(),
            |r| r["per_request"].as_f64(),
        ),
    );
    table(
        &mut md,
        "Peak RSS, MiB",
        rows(
            now,
            &base.json,
            "memory",
            |r| r["server"].as_str().unwrap_or("?").to_owned(),
            |r| r["peak_rss_mib"].as_f64(),
        ),
    );
    md
}

fn notify_key(r: &Value) -> String {
    format!(
        "{}{} 10^{} {} × {}",
        r["backend"].as_str().unwrap_or("?"),
        // Runs before the 2026 API was measured have v2 rows only.
        match r["api"].as_str() {
            Some("2026") => " 2026",
            _ => "",
        },
        r["level"]
            .as_u64()
            .map(|l| (l as f64).log10().round() as u32)
            .unwrap_or(0),
        r["scenario"].as_str().unwrap_or("?"),
        r["concurrency"]
    )
}

/// The rows of table `name` in both runs, matched by `key`, this run's order first.
fn rows(
    now: &Value,
    base: &Value,
    name: &str,
    key: impl Fn(&Value) -> String,
    figure: impl Fn(&Value) -> Option<f64>,
) -> Vec<Row> {
    let list = |v: &Value| v[name].as_array().cloned().unwrap_or_default();
    let (now, base) = (list(now), list(base));
    let mut out: Vec<Row> = now
        .iter()
        .map(|r| {
            let label = key(r);
            let base = base.iter().find(|b| key(b) == label).and_then(&figure);
            Row {
                now: figure(r),
                base,
                label,
            }
        })
        .collect();
    for b in &base {
        let label = key(b);
        if !out.iter().any(|r| r.label == label) {
            out.push(Row {
                label,
                now: None,
                base: figure(b),
            });
        }
    }
    out
}

fn table(md: &mut String, title: &str, rows: Vec<Row>) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(md, "{title}:\n");
    let _ = writeln!(md, "| | now | base | change |");
    let _ = writeln!(md, "|---|---|---|---|");
    let show = |v: Option<f64>| match v {
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
        None => "–".to_owned(),
    };
    for row in rows {
        let change = match (row.now, row.base) {
            (Some(now), Some(base)) if base != 0.0 => {
                format!("{:+.0} %", (now / base - 1.0) * 100.0)
            }
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {change} |",
            row.label,
            show(row.now),
            show(row.base)
        );
    }
    md.push('\n');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(first: f64, rss: f64) -> Value {
        json!({
            "started_at": "2026-12-01T10:00:00Z",
            "machine": {},
            "notify": [{"backend": "sqlite", "level": 1000, "concurrency": 8, "scenario": "first",
                        "ratio": {"median": first}, "ours": {"rps": 1000.0 * first}}],
            "growth": [],
            "layer": [],
            "instructions": [],
            "memory": [{"server": "ours", "peak_rss_mib": rss}],
        })
    }

    #[test]
    fn figures_are_matched_by_their_row_and_their_change_shown() {
        let base = Base {
            path: "base.json".into(),
            json: run(0.5, 20.0),
        };
        let md = section(&run(0.8, 22.0), &base);
        assert!(
            md.contains("| sqlite 10^3 first × 8 | 0.80 | 0.50 | +60 % |"),
            "{md}"
        );
        assert!(md.contains("| ours | 22.00 | 20.00 | +10 % |"), "{md}");
        assert!(!md.contains("Growth"), "empty tables are left out: {md}");
    }

    #[test]
    fn a_row_only_one_run_has_is_shown_with_a_dash() {
        let mut now = run(0.8, 22.0);
        now["memory"] = json!([{"server": "ours (2026)", "peak_rss_mib": 23.0}]);
        let base = Base {
            path: "b".into(),
            json: run(0.5, 20.0),
        };
        let md = section(&now, &base);
        assert!(md.contains("| ours (2026) | 23.00 | – | – |"), "{md}");
        assert!(md.contains("| ours | – | 20.00 | – |"), "{md}");
    }

    #[test]
    fn a_file_that_is_not_a_report_is_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("bench-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.json");
        std::fs::write(&path, "{\"a\": 1}").unwrap();
        let err = Base::read(&path).err().unwrap();
        assert!(
            err.contains("x.json") && err.contains("no notify table"),
            "{err}"
        );
        assert!(Base::read(&dir.join("missing.json")).is_err());
    }
}
