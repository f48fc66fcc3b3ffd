//! Servers under test run as child processes of the bench (the bench binary
//! itself, `cinetpay-bench serve ...`): the same build for every variant, one
//! process per server so that the peak memory of each can be read from
//! `/proc/<pid>/status`, and no server shares a runtime with the load
//! generator or the sandbox.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::cli::{ServerKind, arg_name};

/// What a server needs to start.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerArgs {
    /// The database (shop, naive).
    pub(crate) database_url: Option<String>,
    /// The CinetPay API base URL (shop, naive).
    pub(crate) api_url: Option<String>,
    /// Tokio worker threads of the server.
    pub(crate) workers: usize,
}

/// A running server process; killed when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    addrs: Vec<SocketAddr>,
    pid: u32,
}

impl Server {
    /// Starts `cinetpay-bench serve --kind KIND ...` and waits for its address.
    pub(crate) async fn start(kind: ServerKind, args: &ServerArgs) -> Result<Server, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
        let mut command = Command::new(exe);
        command
            .arg("serve")
            .arg("--kind")
            .arg(arg_name(kind))
            .arg("--workers")
            .arg(args.workers.to_string());
        if let Some(url) = &args.database_url {
            command.arg("--database-url").arg(url);
        }
        if let Some(url) = &args.api_url {
            command.arg("--api-url").arg(url);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting the {} server: {e}", arg_name(kind)))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .map_err(|_| format!("the {} server did not start in 120 s", arg_name(kind)))?
            .map_err(|e| format!("reading the {} server's address: {e}", arg_name(kind)))?
            .ok_or_else(|| format!("the {} server exited before listening", arg_name(kind)))?;
        let addrs: Vec<SocketAddr> = line
            .strip_prefix("listening ")
            .map(|a| {
                a.split_whitespace()
                    .filter_map(|a| a.parse().ok())
                    .collect()
            })
            .filter(|a: &Vec<SocketAddr>| !a.is_empty())
            .ok_or_else(|| format!("unexpected first line from the server: {line:?}"))?;
        // Keep draining stdout so that the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server { child, addrs, pid })
    }

    /// Where it listens (its first listener).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// Every listener, in the order the server printed them.
    pub(crate) fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Peak resident set size so far (`VmHWM`), in KiB.
    pub(crate) fn peak_rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmHWM:")
    }

    /// Stops the server; its peak resident set size, read just before.
    pub(crate) async fn stop(mut self) -> Option<u64> {
        let peak = self.peak_rss_kib();
        let _ = self.child.kill().await;
        peak
    }
}

/// A `kB` line of `/proc/<pid>/status`, such as `VmHWM:`.
pub(crate) fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
