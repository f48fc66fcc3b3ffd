//! CinetPay's official Python SDK (`cinetpay-python` on PyPI) logs in,
//! creates a payment, reads its status and parses the notification the
//! sandbox sent (tests/sandbox/python/sdk_roundtrip.py), in a venv under
//! `target/py-venv` made on first use.
//!
//! Without python3 or PyPI the test is skipped with a printed reason, unless
//! `CI=true`: there, it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// The SDK version the sandbox is checked against (the latest on PyPI when
/// this was written; docs/rest-api-2026.md's source "PY").
const SDK_VERSION: &str = "0.1.0";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn run(command: &mut Command) -> Result<Output, String> {
    let shown = format!("{command:?}");
    let out = command.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{shown} exited with {}: {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The venv's python, with the pinned SDK installed.
fn venv_python() -> Result<PathBuf, String> {
    let venv = target_dir().join("py-venv");
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    if !python.exists() {
        let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        run(Command::new(&system).args(["-m", "venv"]).arg(&venv))?;
    }
    let installed = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('cinetpay-python'))",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == SDK_VERSION)
        .unwrap_or(false);
    if !installed {
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            &format!("cinetpay-python=={SDK_VERSION}"),
        ]))?;
    }
    Ok(python)
}

#[tokio::test]
async fn the_official_python_sdk_pays_against_the_sandbox() {
    let python = match tokio::task::spawn_blocking(venv_python).await.unwrap() {
        Ok(python) => python,
        Err(reason) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true and the Python SDK cannot be set up: {reason}")
        }
        Err(reason) => {
            eprintln!("skipped: the Python SDK cannot be set up: {reason}");
            return;
        }
    };
    let sandbox = cinetpay_sandbox::Sandbox::builder().start().await.unwrap();
    let credentials = sandbox.credentials_2026();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sandbox/python/sdk_roundtrip.py");
    let mut command = Command::new(&python);
    command
        .arg(&script)
        .arg(sandbox.url().as_str())
        .arg(credentials.api_key())
        .arg(credentials.api_password());
    // The script's calls have 10 s timeouts; the sandbox runs on this runtime meanwhile.
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        tokio::task::spawn_blocking(move || command.output()),
    )
    .await
    .expect("the script ends within 120 s")
    .unwrap()
    .expect("the script runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(got["sdk_version"], SDK_VERSION);

    let init = &got["init"];
    let merchant_id = init["merchant_transaction_id"].as_str().unwrap();
    assert_eq!(
        (&init["code"], &init["status"]),
        (&json!(200), &json!("OK")),
        "{got}"
    );
    assert_eq!(
        init["details"],
        json!({"code": 2001, "status": "INITIATED", "must_be_redirected": true})
    );
    assert!(
        init["payment_url"]
            .as_str()
            .unwrap()
            .starts_with(sandbox.url().as_str())
    );
    let payment = sandbox
        .payment(merchant_id)
        .expect("the SDK's payment exists");
    let rest = payment.rest.unwrap();
    assert_eq!(init["transaction_id"], rest.transaction_id);
    assert_eq!(init["notify_token_len"], rest.notify_token.len());
    assert_eq!(
        rest.channel.as_deref(),
        Some("PUSH"),
        "the SDK sends channel"
    );

    for key in ["status_by_token", "status_by_merchant_id"] {
        assert_eq!(got[key]["code"], 2001, "{key}: {got}");
        assert_eq!(got[key]["merchant_transaction_id"], merchant_id);
        assert_eq!(got[key]["transaction_id"], rest.transaction_id);
        assert_eq!(got[key]["user"]["name"], "Jane Doe");
    }
    assert_eq!(
        got["duplicate"],
        json!({"api_code": 1200, "api_status": "TRANSACTION_EXIST"})
    );

    let notification = &got["notification"];
    assert_eq!(notification["content_type"], "application/json", "{got}");
    assert_eq!(notification["merchant_transaction_id"], merchant_id);
    assert_eq!(notification["transaction_id"], rest.transaction_id);
    assert_eq!(notification["user_name"], "Jane Doe");
    assert_eq!(notification["verified"], true);
    assert_eq!(got["status_after_payment"]["code"], 100);
    assert_eq!(got["status_after_payment"]["status"], "SUCCESS");

    // HTTP 401 + 1003: the SDK logged in again and retried.
    assert_eq!(got["status_after_expiry_401"]["code"], 100, "{got}");
    // HTTP 200 + 1003 with `message` only (the fixtures' form): the SDK takes
    // the error for a status and does not log in again.
    assert_eq!(got["status_after_expiry_200"]["code"], 1003, "{got}");
    let counters = sandbox.rest_counters();
    assert_eq!(
        counters.logins, 2,
        "one login, one after the 401 expiry: {counters:?}"
    );
    assert_eq!(counters.expired_tokens, 2);
    assert_eq!(counters.duplicates, 1);
    sandbox.shutdown().await;
}
