//! `cinetpay doctor`: good credentials pass; each bad setting is named on a
//! line of its own; wrong credentials, an HTML page and a 404 are told apart.

use cinetpay_sandbox::Sandbox;

use crate::common::{Run, cinetpay};

/// Environment variables, as the command gets them.
type Env = Vec<(&'static str, String)>;

fn var(name: &'static str, value: &str) -> (&'static str, String) {
    (name, value.to_owned())
}

/// A v2 account and a 2026 account on one sandbox, a public https URL.
fn mixed(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    let url = sandbox.url().as_str().trim_end_matches('/').to_owned();
    let rest = sandbox.credentials_2026();
    vec![
        var("CINETPAY_ACCOUNTS", "ci,cm"),
        var("CINETPAY_CI_API_KEY", sandbox.api_key()),
        var("CINETPAY_CI_SITE_ID", sandbox.site_id()),
        var("CINETPAY_CI_SECRET_KEY", sandbox.secret_key()),
        var("CINETPAY_CI_API_URL", &url),
        var("CINETPAY_CI_CURRENCY", "XOF"),
        var("CINETPAY_CM_API_KEY", rest.api_key()),
        var("CINETPAY_CM_API_PASSWORD", rest.api_password()),
        var("CINETPAY_CM_API_URL", &url),
        var("CINETPAY_PUBLIC_URL", "https://shop.example.com"),
    ]
}

fn problems(run: &Run) -> Vec<&str> {
    run.lines_with("problem:")
}

#[tokio::test]
async fn good_credentials_of_both_apis_pass() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let run = cinetpay(&mixed(&sandbox), &["doctor"]).await;
    run.expect_code(0);
    assert!(problems(&run).is_empty(), "{}", run.stdout);
    let ci = run.lines_with("account ci (");
    assert!(
        ci.len() == 1 && ci[0].starts_with("ok:") && ci[0].contains("credentials accepted"),
        "{}",
        run.stdout
    );
    let cm = run.lines_with("account cm (");
    assert!(
        cm.len() == 1 && cm[0].starts_with("ok:") && cm[0].contains("login accepted"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("no problem found\n"), "{}", run.stdout);
    assert_eq!(sandbox.rest_counters().logins, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn each_bad_setting_is_named_on_its_own_line() {
    let v2 = |extra: &[(&'static str, &str)]| {
        let mut env = vec![
            var("CINETPAY_API_KEY", "a-v2-api-key"),
            var("CINETPAY_SITE_ID", "123456"),
            var("CINETPAY_SECRET_KEY", "a-secret"),
            var("CINETPAY_PUBLIC_URL", "https://shop.example.com"),
        ];
        for (name, value) in extra {
            env.retain(|(n, _)| n != name);
            if !value.is_empty() {
                env.push(var(name, value));
            }
        }
        env
    };
    let rest = |extra: &[(&'static str, &str)]| {
        let mut env = vec![
            var("CINETPAY_API_KEY", "sk_test_abc"),
            var("CINETPAY_API_PASSWORD", "pw"),
            var("CINETPAY_PUBLIC_URL", "https://shop.example.com"),
        ];
        for (name, value) in extra {
            env.retain(|(n, _)| n != name);
            env.push(var(name, value));
        }
        env
    };
    let long = format!("https://{}.example.com", "s".repeat(100));
    let cases: Vec<(&str, Env, &[&str])> = vec![
        (
            "missing api key",
            v2(&[("CINETPAY_API_KEY", "")]),
            &["CINETPAY_API_KEY", "is missing"],
        ),
        (
            "mixed credentials",
            rest(&[("CINETPAY_SITE_ID", "123456")]),
            &["CINETPAY_SITE_ID", "Checkout v2 setting"],
        ),
        (
            "v2 site id not numeric",
            v2(&[("CINETPAY_SITE_ID", "12ab")]),
            &["CINETPAY_SITE_ID", "numeric"],
        ),
        (
            "api key and site id swapped",
            v2(&[
                ("CINETPAY_API_KEY", "123456"),
                ("CINETPAY_SITE_ID", "a1b2c3d4e5f6"),
            ]),
            &["CINETPAY_API_KEY", "swapped"],
        ),
        (
            "test key on the live host",
            rest(&[("CINETPAY_API_URL", "https://api.cinetpay.co")]),
            &["CINETPAY_API_KEY", "test key", "live host"],
        ),
        (
            "live key on the test host",
            rest(&[
                ("CINETPAY_API_KEY", "sk_live_abc"),
                ("CINETPAY_API_URL", "https://api.cinetpay.net"),
            ]),
            &["CINETPAY_API_KEY", "live key", "test host"],
        ),
        (
            "notify url on localhost",
            v2(&[("CINETPAY_PUBLIC_URL", "https://localhost:3000")]),
            &[
                "notify_url https://localhost:3000/cinetpay/notify",
                "not a public address",
            ],
        ),
        (
            "notify url on a private network",
            v2(&[("CINETPAY_PUBLIC_URL", "https://192.168.1.20")]),
            &["notify_url", "private address"],
        ),
        (
            "notify url not https",
            v2(&[("CINETPAY_PUBLIC_URL", "http://shop.example.com")]),
            &[
                "notify_url http://shop.example.com/cinetpay/notify",
                "not https",
            ],
        ),
        (
            "urls too long for the 2026 api",
            rest(&[("CINETPAY_PUBLIC_URL", long.as_str())]),
            &["CINETPAY_PUBLIC_URL", "at most 120"],
        ),
        (
            "no secret key on v2",
            v2(&[
                ("CINETPAY_SECRET_KEY", ""),
                ("CINETPAY_API_URL", "http://127.0.0.1:9"),
            ]),
            &["CINETPAY_SECRET_KEY", "is missing"],
        ),
    ];
    for (case, env, needles) in cases {
        let run = cinetpay(&env, &["doctor", "--offline"]).await;
        assert_eq!(run.code, 1, "{case}: exit code\n{}", run.stdout);
        let named: Vec<&str> = problems(&run)
            .into_iter()
            .filter(|line| needles.iter().all(|n| line.contains(n)))
            .collect();
        assert_eq!(
            named.len(),
            1,
            "{case}: one line names {needles:?}\n{}",
            run.stdout
        );
    }

    // Several problems at once: each has its line.
    let env = v2(&[
        ("CINETPAY_API_KEY", "123456"),
        ("CINETPAY_SITE_ID", "a1b2c3d4e5f6"),
        ("CINETPAY_SECRET_KEY", ""),
        ("CINETPAY_PUBLIC_URL", "http://10.0.0.5:3000"),
    ]);
    let run = cinetpay(&env, &["doctor", "--offline"]).await;
    run.expect_code(1);
    let lines = problems(&run);
    for needle in [
        "CINETPAY_SITE_ID / site_id must be CinetPay's numeric site id",
        "swapped",
        "CINETPAY_SECRET_KEY",
        "notify_url http://10.0.0.5:3000/cinetpay/notify, which is not https",
        "notify_url http://10.0.0.5:3000/cinetpay/notify, on a private address",
        "return_url http://10.0.0.5:3000/cinetpay/return, on a private address",
    ] {
        assert_eq!(
            lines.iter().filter(|l| l.contains(needle)).count(),
            1,
            "{needle}\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .ends_with(&format!("{} problems found\n", lines.len())),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn wrong_credentials_are_told_from_an_unknown_transaction() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let mut env = mixed(&sandbox);
    for (name, value) in &mut env {
        match *name {
            "CINETPAY_CI_API_KEY" => *value = "not-the-key".to_owned(),
            "CINETPAY_CM_API_PASSWORD" => *value = "not-the-password".to_owned(),
            _ => {}
        }
    }
    let run = cinetpay(&env, &["doctor"]).await;
    run.expect_code(1);
    let ci = run.lines_with("account ci (");
    assert!(
        ci.len() == 1 && ci[0].starts_with("problem:") && ci[0].contains("609"),
        "{}",
        run.stdout
    );
    let cm = run.lines_with("account cm (");
    assert!(
        cm.len() == 1 && cm[0].starts_with("problem:") && cm[0].contains("refused the login"),
        "{}",
        run.stdout
    );
    sandbox.shutdown().await;
}

/// A local server that answers every request with `status` and `body`.
async fn web_server(status: u16, body: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let status = axum::http::StatusCode::from_u16(status).unwrap();
    let app = axum::Router::new().fallback(move || async move {
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "text/html")],
            body,
        )
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test]
async fn an_html_page_and_a_404_are_said_as_such() {
    let (page, page_task) = web_server(
        200,
        "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>",
    )
    .await;
    let (missing, missing_task) =
        web_server(404, "<html><body><h1>404 Not Found</h1></body></html>").await;
    for generation in ["v2", "2026"] {
        for (url, needle) in [
            (
                &page,
                "the API URL answered an HTML page (status 200), not CinetPay's JSON: wrong host or a proxy",
            ),
            (
                &missing,
                "the API URL answered 404 Not Found with an HTML page",
            ),
        ] {
            let mut env = vec![
                var("CINETPAY_PUBLIC_URL", "https://shop.example.com"),
                var("CINETPAY_API_URL", url),
            ];
            if generation == "v2" {
                env.extend([
                    var("CINETPAY_API_KEY", "a-v2-key"),
                    var("CINETPAY_SITE_ID", "123456"),
                    var("CINETPAY_SECRET_KEY", "s"),
                ]);
            } else {
                env.extend([
                    var("CINETPAY_API_KEY", "sk_test_abc"),
                    var("CINETPAY_API_PASSWORD", "pw"),
                ]);
            }
            let run = cinetpay(&env, &["doctor"]).await;
            run.expect_code(1);
            let lines = run.lines_with("account default (");
            assert!(
                lines.len() == 1 && lines[0].starts_with("problem:") && lines[0].contains(needle),
                "{generation} {url}: {needle}\n{}",
                run.stdout
            );
            assert!(!run.stdout.contains("unparseable"), "{}", run.stdout);
        }
    }
    page_task.abort();
    missing_task.abort();
}

#[tokio::test]
async fn a_rocket_toml_is_read_like_the_fairing_reads_it() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        r#"
[default.cinetpay]
api_key = "{key}"
site_id = {site}
secret_key = "{secret}"
api_url = "{url}"
public_url = "http://127.0.0.1:8000"

[release.cinetpay]
public_url = "https://shop.example.com"
"#,
        key = sandbox.api_key(),
        site = sandbox.site_id(),
        secret = sandbox.secret_key(),
        url = sandbox.url().as_str().trim_end_matches('/'),
    );
    std::fs::write(dir.path().join("Rocket.toml"), toml).unwrap();
    // The release profile's public URL wins: no problem.
    let run = crate::common::cinetpay_in(dir.path(), &[], &["doctor"]).await;
    run.expect_code(0);
    assert!(run.stdout.contains("Rocket.toml"), "{}", run.stdout);
    // The debug profile keeps the default's local URL, which is named.
    let run =
        crate::common::cinetpay_in(dir.path(), &[var("ROCKET_PROFILE", "debug")], &["doctor"])
            .await;
    run.expect_code(1);
    assert_eq!(
        run.lines_with(
            "cinetpay.public_url gives notify_url http://127.0.0.1:8000/cinetpay/notify"
        )
        .len(),
        2,
        "not https, and not public\n{}",
        run.stdout
    );
    sandbox.shutdown().await;
}
