//! The `cinetpay-sandbox` binary: `--help` documents every setting, and a
//! started sandbox prints what a shop needs and serves the API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use cinetpay_core::{ApiKey, Credentials, SecretKey, SiteId};
use cinetpay_sandbox::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY};
use url::Url;

use super::shop_settings::{Printed, assert_complete};

const BIN: &str = env!("CARGO_BIN_EXE_cinetpay-sandbox");

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn help_documents_every_flag_and_its_environment_variable() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, env) in [
        ("--port", "CINETPAY_SANDBOX_PORT"),
        ("--host", "CINETPAY_SANDBOX_HOST"),
        ("--site-id", "CINETPAY_SANDBOX_SITE_ID"),
        ("--api-key", "CINETPAY_SANDBOX_API_KEY"),
        ("--secret-key", "CINETPAY_SANDBOX_SECRET_KEY"),
        ("--public-url", "CINETPAY_SANDBOX_PUBLIC_URL"),
        ("--shop-url", "CINETPAY_SANDBOX_SHOP_URL"),
        ("--copies", "CINETPAY_SANDBOX_COPIES"),
        ("--waiting-first", "CINETPAY_SANDBOX_WAITING_FIRST"),
        ("--refused-first", "CINETPAY_SANDBOX_REFUSED_FIRST"),
        ("--never-notify", "CINETPAY_SANDBOX_NEVER_NOTIFY"),
        ("--bad-x-token", "CINETPAY_SANDBOX_BAD_X_TOKEN"),
        ("--wrong-site-id", "CINETPAY_SANDBOX_WRONG_SITE_ID"),
        ("--check-fail-next", "CINETPAY_SANDBOX_CHECK_FAIL_NEXT"),
        ("--check-hang-next", "CINETPAY_SANDBOX_CHECK_HANG_NEXT"),
        ("--check-latency-ms", "CINETPAY_SANDBOX_CHECK_LATENCY_MS"),
        ("--check-amount", "CINETPAY_SANDBOX_CHECK_AMOUNT"),
        ("--check-currency", "CINETPAY_SANDBOX_CHECK_CURRENCY"),
        ("--generation", "CINETPAY_SANDBOX_GENERATION"),
        ("--rest-api-key", "CINETPAY_SANDBOX_REST_API_KEY"),
        ("--rest-api-password", "CINETPAY_SANDBOX_REST_API_PASSWORD"),
        ("--token-lifetime-s", "CINETPAY_SANDBOX_TOKEN_LIFETIME_S"),
        (
            "--token-error-status",
            "CINETPAY_SANDBOX_TOKEN_ERROR_STATUS",
        ),
        ("--init-timeout-next", "CINETPAY_SANDBOX_INIT_TIMEOUT_NEXT"),
        ("--bad-notify-token", "CINETPAY_SANDBOX_BAD_NOTIFY_TOKEN"),
    ] {
        assert!(help.contains(flag), "{flag} in --help");
        assert!(help.contains(env), "{env} in --help");
    }
    assert!(help.contains("[default: 4010]"));
    assert!(help.contains(&format!(
        "[default: {}]",
        cinetpay_sandbox::DEFAULT_SHOP_URL
    )));
    assert!(help.contains(cinetpay_sandbox::DEFAULT_API_KEY));
}

/// Starts the binary with `args` and `envs`, and answers what it printed up
/// to its last start-up line.
async fn start(args: &[&str], envs: &[(&str, &str)]) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let printed = tokio::task::spawn_blocking(move || {
        let mut printed = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            printed.push_str(&line);
            printed.push('\n');
            if line == "Stop with Ctrl-C." {
                break;
            }
        }
        printed
    })
    .await
    .unwrap();
    (running, printed)
}

#[tokio::test]
async fn the_binary_prints_every_setting_a_shop_needs_in_every_form() {
    let shop_url = "http://127.0.0.1:8123";
    let (_running, text) = start(
        &["--port", "0", "--site-id", "777002", "--shop-url", shop_url],
        &[],
    )
    .await;
    let printed = Printed::parse(&text);
    assert_eq!(
        printed.env_value("CINETPAY_PUBLIC_URL"),
        Some(shop_url),
        "{text}"
    );
    assert_eq!(
        printed.rocket_env_value("ROCKET_CINETPAY_PUBLIC_URL"),
        Some(shop_url),
        "{text}"
    );
    assert!(text.contains("\n[default.cinetpay]\n"), "{text}");
    let api_url: Url = printed
        .env_value("CINETPAY_API_URL")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(api_url.host_str(), Some("127.0.0.1"));
    let credentials = Credentials::new(
        SiteId::new("777002").unwrap(),
        ApiKey::new(DEFAULT_API_KEY).unwrap(),
        Some(SecretKey::new(DEFAULT_SECRET_KEY).unwrap()),
    );
    assert_complete(&printed, &api_url, &credentials, shop_url);

    // From the environment as well.
    let (_running, text) = start(
        &["--port", "0"],
        &[("CINETPAY_SANDBOX_SHOP_URL", "http://shop.test:9000")],
    )
    .await;
    let printed = Printed::parse(&text);
    assert_eq!(
        printed.env_value("CINETPAY_PUBLIC_URL"),
        Some("http://shop.test:9000")
    );
    assert_eq!(
        printed.rocket_env_value("ROCKET_CINETPAY_PUBLIC_URL"),
        Some("http://shop.test:9000")
    );
}

#[test]
fn the_binary_refuses_a_shop_url_no_shop_would_start_with() {
    let out = Command::new(BIN)
        .args(["--port", "0", "--shop-url", "ftp://shop.example"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CINETPAY_PUBLIC_URL"), "{stderr}");
    assert!(stderr.contains("--shop-url"), "{stderr}");
}

#[tokio::test]
async fn the_binary_prints_the_settings_and_serves_the_api() {
    let (_running, text) = start(
        &["--port", "0", "--site-id", "777001"],
        &[
            ("CINETPAY_SANDBOX_API_KEY", "key-from-env"),
            ("CINETPAY_SANDBOX_CHECK_AMOUNT", "42"),
        ],
    )
    .await;
    let printed = Printed::parse(&text);
    let setting = |name: &str| {
        printed
            .env_value(name)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{name} printed: {text}"))
    };
    let api_url = setting("CINETPAY_API_URL");
    assert!(api_url.starts_with("http://127.0.0.1:"), "{api_url}");
    assert_eq!(setting("CINETPAY_SITE_ID"), "777001");
    assert_eq!(setting("CINETPAY_API_KEY"), "key-from-env");
    assert_eq!(
        setting("CINETPAY_SECRET_KEY"),
        cinetpay_sandbox::DEFAULT_SECRET_KEY
    );
    assert_eq!(
        setting("CINETPAY_PUBLIC_URL"),
        cinetpay_sandbox::DEFAULT_SHOP_URL
    );

    let http = reqwest::Client::new();
    let init: serde_json::Value = http
        .post(format!("{api_url}/v2/payment"))
        .json(&serde_json::json!({
            "apikey": "key-from-env", "site_id": "777001", "transaction_id": "BIN-1",
            "amount": 100, "currency": "XOF", "description": "Binaire",
            "notify_url": "http://127.0.0.1:9/n", "return_url": "http://127.0.0.1:9/r",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(init["code"], "201", "{init}");
    let check: serde_json::Value = http
        .post(format!("{api_url}/v2/payment/check"))
        .json(&serde_json::json!({"apikey": "key-from-env", "site_id": "777001", "transaction_id": "BIN-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        check["data"]["amount"], "42",
        "the --check-amount fault is in force"
    );
}

#[tokio::test]
async fn with_generation_2026_the_binary_prints_the_2026_settings_and_serves_both() {
    let shop_url = "http://127.0.0.1:8124";
    let (_running, text) = start(
        &[
            "--port",
            "0",
            "--generation",
            "2026",
            "--shop-url",
            shop_url,
            "--token-lifetime-s",
            "120",
        ],
        &[("CINETPAY_SANDBOX_REST_API_PASSWORD", "pw-from-env")],
    )
    .await;
    let printed = Printed::parse(&text);
    assert_eq!(
        printed.env_value("CINETPAY_API_KEY"),
        Some(cinetpay_sandbox::DEFAULT_REST_API_KEY),
        "{text}"
    );
    assert_eq!(
        printed.env_value("CINETPAY_API_PASSWORD"),
        Some("pw-from-env")
    );
    assert_eq!(
        printed.rocket_env_value("ROCKET_CINETPAY_API_PASSWORD"),
        Some("pw-from-env")
    );
    assert_eq!(printed.env_value("CINETPAY_PUBLIC_URL"), Some(shop_url));
    assert_eq!(printed.env_value("CINETPAY_SITE_ID"), None);
    assert!(text.contains("api_password = \"pw-from-env\""), "{text}");
    let api_url = printed.env_value("CINETPAY_API_URL").unwrap().to_owned();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{api_url}/v1/oauth/login"))
        .json(&serde_json::json!({"api_key": cinetpay_sandbox::DEFAULT_REST_API_KEY, "api_password": "pw-from-env"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["expires_in"], 120);
    // v2 is still served.
    let v2 = http
        .post(format!("{api_url}/v2/payment/check"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(v2.status().as_u16(), 400);

    let (running, _) = start(&["--port", "0", "--generation", "v3"], &[]).await;
    let mut child = running;
    assert!(
        !child.0.wait().unwrap().success(),
        "an unknown generation is refused"
    );
}
