//! A shop binary run as a process, as a container or systemd runs it: on a
//! free port, with a SQLite file in a temporary directory and the embedded
//! sandbox (no `CINETPAY_API_KEY`). Shared by the axum and Rocket shops'
//! tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running shop process and what it logged so far.
pub(crate) struct ShopProcess {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
    /// Where the shop listens.
    pub(crate) addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl ShopProcess {
    /// Starts `bin` and waits until it logged the address it listens on.
    pub(crate) fn start(bin: &str) -> ShopProcess {
        Self::start_with(bin, &[])
    }

    /// [`start`](Self::start), with more environment variables.
    pub(crate) fn start_with(bin: &str, env: &[(&str, &str)]) -> ShopProcess {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
        let mut command = Command::new(bin);
        // The embedded sandbox: no CinetPay setting from the caller's environment.
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(|n| n.starts_with("CINETPAY_")) {
                command.env_remove(name);
            }
        }
        let mut child = command
            .env("SHOP_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", database)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the shop");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        readers.push(collect(stdout, Arc::clone(&lines)));
        readers.push(collect(stderr, Arc::clone(&lines)));
        let mut shop = ShopProcess {
            child,
            lines,
            readers,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            _dir: dir,
        };
        let ready = shop.wait_for_line("shop ready on http://");
        // "shop ready on http://{addr}", maybe followed by more words.
        let url = ready
            .split("shop ready on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_default();
        shop.addr = url
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|_| panic!("no address in {ready:?}"));
        shop
    }

    /// Waits until `GET /` answers 200.
    pub(crate) fn wait_until_it_answers(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if get_status(self.addr).is_some_and(|line| line.contains(" 200 ")) {
                return;
            }
            self.assert_running();
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("GET / never answered 200:\n{}", self.log());
    }

    /// Sends SIGTERM and waits (at most `within`) for the process to exit;
    /// returns its status, how long it took and everything it logged.
    pub(crate) fn terminate(mut self, within: Duration) -> (ExitStatus, Duration, String) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("send SIGTERM");
        let sent = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the shop") {
                break status;
            }
            if sent.elapsed() > within {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("still running {within:?} after SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = sent.elapsed();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        (status, took, self.log())
    }

    /// The first line logged so far, or within a minute, that contains `needle`.
    pub(crate) fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let found = self.lock().iter().find(|l| l.contains(needle)).cloned();
            if let Some(line) = found {
                return line;
            }
            self.assert_running();
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never logged {needle:?}:\n{}", self.log());
    }

    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("the shop exited early ({status}):\n{}", self.log());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn log(&self) -> String {
        self.lock().join("\n")
    }
}

impl Drop for ShopProcess {
    fn drop(&mut self) {
        // A failed test must not leave the shop running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(output: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            lines
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(line);
        }
    })
}

/// The status line of `GET /`, or `None` when nothing answers yet.
fn get_status(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).ok()?;
    // Read the answer to its end, so that the server, not this side, closes
    // the connection (a connection left half-read holds a graceful shutdown).
    let _ = reader.read_to_end(&mut Vec::new());
    Some(status)
}
