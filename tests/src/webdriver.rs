//! A tiny W3C WebDriver client for headless Chromium, on `reqwest` and
//! `serde_json`: just what the browser test needs (navigate, find, click,
//! read, screenshot). [`Chromedriver::start`] runs `chromedriver` on a free
//! port in its own process group; dropping it ends that group (chromedriver
//! and the Chromium it started), also when a test panics.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
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
    http: reqwest::Client,
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
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
        };
        let started = Instant::now();
        loop {
            let ready = driver
                .http
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .ok();
            if let Some(response) = ready
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == json!(true)
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
    pub async fn session(&self, profile: &Path) -> Session {
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": self.chromium.display().to_string(),
                        "args": args,
                    }
                }
            }
        });
        let value = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/session", self.url),
            Some(capabilities),
        )
        .await
        .unwrap_or_else(|e| panic!("a new Chromium session: {e}"));
        let id = value["sessionId"]
            .as_str()
            .expect("the new session's id")
            .to_owned();
        Session {
            http: self.http.clone(),
            base: format!("{}/session/{id}", self.url),
        }
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

/// One browser session.
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    base: String,
}

/// An element of the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| format!("{method} {url}: {status}, not JSON: {e}"))?;
    if status.is_success() {
        Ok(answer["value"].clone())
    } else {
        Err(format!(
            "{method} {url}: {status}: {} {}",
            answer["value"]["error"], answer["value"]["message"]
        ))
    }
}

impl Session {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        call(&self.http, method, &format!("{}{path}", self.base), body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.send(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The current page's URL.
    pub async fn current_url(&self) -> String {
        self.send(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The current page's HTML.
    pub async fn source(&self) -> String {
        self.send(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The elements matching the CSS `selector` (none is not an error).
    pub async fn find_all(&self, selector: &str) -> Vec<Element> {
        let found = self
            .send(
                reqwest::Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": selector })),
            )
            .await;
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first element matching `selector`, waiting for it up to
    /// [`BROWSER_PATIENCE`].
    ///
    /// # Panics
    /// When none shows up in time.
    pub async fn find(&self, selector: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(element) = self.find_all(selector).await.into_iter().next() {
                return element;
            }
            assert!(
                started.elapsed() < BROWSER_PATIENCE,
                "no `{selector}` on {} within {BROWSER_PATIENCE:?}; page:\n{}",
                self.current_url().await,
                self.source().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `element`.
    pub async fn click(&self, element: &Element) {
        self.send(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Finds `selector` (waiting for it) and clicks it.
    pub async fn click_on(&self, selector: &str) {
        let element = self.find(selector).await;
        self.click(&element).await;
    }

    /// The visible text of `element`.
    pub async fn text(&self, element: &Element) -> String {
        self.send(
            reqwest::Method::GET,
            &format!("/element/{}/text", element.0),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Whether `element` (a radio button, a checkbox) is selected.
    pub async fn is_selected(&self, element: &Element) -> bool {
        self.send(
            reqwest::Method::GET,
            &format!("/element/{}/selected", element.0),
            None,
        )
        .await
            == json!(true)
    }

    /// Polls the current URL until `done` holds; panics after
    /// [`BROWSER_PATIENCE`] naming `what` was awaited.
    pub async fn wait_url(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let url = self.current_url().await;
            if done(&url) {
                return url;
            }
            assert!(
                started.elapsed() < BROWSER_PATIENCE,
                "timed out after {BROWSER_PATIENCE:?} waiting for {what}; the browser is on {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A screenshot of the viewport, saved as a PNG at `path`.
    ///
    /// # Panics
    /// When the screenshot cannot be taken or written.
    pub async fn screenshot(&self, path: &Path) {
        let encoded = self.send(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64_decode(encoded.as_str().expect("a base64 screenshot"))
            .expect("the screenshot is valid base64");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Ends the session (Chromium quits).
    pub async fn quit(self) {
        let _ = call(&self.http, reqwest::Method::DELETE, &self.base, None).await;
    }
}

/// Standard base64 (with or without padding; whitespace ignored).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        if c == b'=' || c.is_ascii_whitespace() {
            continue;
        }
        buffer = (buffer << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(
            base64_decode("iVBORw0K").as_deref(),
            Some(&b"\x89PNG\r\n"[..])
        );
        assert_eq!(base64_decode("a$b="), None);
    }
}
