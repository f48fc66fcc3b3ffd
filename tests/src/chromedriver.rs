//! Debian's Chromium and chromedriver for the browser test, driven with
//! [`thirtyfour`]: [`installed`] finds them, [`Chromedriver::start`] runs
//! `chromedriver` on a free port in its own process group (dropping it ends
//! that group, chromedriver and the Chromium it started, also when a test
//! panics), and [`Chromedriver::browser`] opens a headless Chromium session.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

/// How long a wait for the browser lasts before it fails.
pub const BROWSER_PATIENCE: Duration = Duration::from_secs(20);

/// Chromium's flags on a machine without outside network: headless, no
/// sandbox, no GPU, and nothing that calls home.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=900,1100",
];

/// Where Chromium and chromedriver are, when both are installed.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// The chromedriver binary.
    pub chromedriver: PathBuf,
}

/// `chromium` and `chromedriver` on `PATH` (or Debian's `/usr/bin`); `None`
/// when either is missing.
pub fn installed() -> Option<Installed> {
    Some(Installed {
        chromium: find_program("chromium")?,
        chromedriver: find_program("chromedriver")?,
    })
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A running chromedriver; dropping it kills its process group.
#[derive(Debug)]
pub struct Chromedriver {
    child: Child,
    url: String,
    chromium: PathBuf,
}

impl Chromedriver {
    /// Starts `chromedriver` on a free port and waits until it is ready.
    ///
    /// # Panics
    /// When it cannot start or is not ready within [`BROWSER_PATIENCE`].
    pub async fn start(installed: &Installed) -> Chromedriver {
        use std::os::unix::process::CommandExt;

        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port for chromedriver")
            .port();
        let child = Command::new(&installed.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", installed.chromedriver.display()));
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            chromium: installed.chromium.clone(),
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{}/status", driver.url)).send().await.ok();
            if let Some(response) = ready
                && let Ok(status) = response.json::<serde_json::Value>().await
                && status["value"]["ready"] == serde_json::json!(true)
            {
                return driver;
            }
            assert!(
                started.elapsed() < BROWSER_PATIENCE,
                "chromedriver was not ready on port {port} within {BROWSER_PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session with a fresh profile in `profile`.
    ///
    /// # Panics
    /// When chromedriver cannot start Chromium.
    pub async fn browser(&self, profile: &Path) -> WebDriver {
        let mut capabilities = DesiredCapabilities::chrome();
        let binary = self.chromium.display().to_string();
        capabilities
            .set_binary(&binary)
            .expect("Chromium's path as a capability");
        for arg in CHROMIUM_ARGS {
            capabilities.add_arg(arg).expect("a Chromium flag");
        }
        capabilities
            .add_arg(&format!("--user-data-dir={}", profile.display()))
            .expect("the profile flag");
        WebDriver::new(&self.url, capabilities)
            .await
            .unwrap_or_else(|e| panic!("a new Chromium session: {e}"))
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group chromedriver leads: it and the Chromium it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
