//! What the machine is, for the report.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::stats::median;

/// The machine and its state when the run started.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Machine {
    /// Logical CPUs.
    pub(crate) nproc: usize,
    /// `model name` of /proc/cpuinfo.
    pub(crate) cpu: String,
    /// MemTotal, in MiB.
    pub(crate) memory_mib: u64,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// The kernel.
    pub(crate) kernel: String,
    /// /proc/loadavg at the start.
    pub(crate) load_at_start: String,
    /// /proc/loadavg at the end.
    pub(crate) load_at_end: String,
    /// Median time of a 4 KiB write + fdatasync under the output directory, ms:
    /// what one durable commit costs at the least on this disk.
    pub(crate) fsync_ms: f64,
}

impl Machine {
    /// Looks at the machine; `dir` is where the databases live.
    pub(crate) fn probe(dir: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned());
        let memory_mib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb / 1024);
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, usize::from),
            cpu,
            memory_mib,
            rustc: command_output("rustc", &["--version"]),
            kernel: command_output("uname", &["-r"]),
            load_at_start: load_average(),
            load_at_end: String::new(),
            fsync_ms: fsync_probe(dir),
        }
    }
}

/// The three load averages of /proc/loadavg.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        )
}

fn fsync_probe(dir: &Path) -> f64 {
    let path = dir.join("fsync-probe");
    let Ok(mut file) = std::fs::File::create(&path) else {
        return 0.0;
    };
    let block = [0u8; 4096];
    let mut times = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        if file.write_all(&block).is_err() || file.sync_data().is_err() {
            break;
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = std::fs::remove_file(&path);
    median(&times)
}
