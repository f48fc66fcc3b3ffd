//! The core client (`cinetpay_core::Client`) against the sandbox: init, check
//! in every state, and every injected check fault.

use std::time::{Duration, Instant};

use super::common::*;
use cinetpay_core::{ApiKey, Client, ClientError, Credentials, SiteId};
use cinetpay_sandbox::{CheckFaults, NotificationKind, Operator, Sandbox, Scenario};

/// A payment initialised through the core client; answers its request.
async fn initialised(
    sandbox: &Sandbox,
    client: &Client,
) -> cinetpay_core::protocol::PaymentRequest {
    let req = request(&Shop::start(sandbox.secret_key()).await, 1000);
    client.init_payment(&req).await.expect("init");
    req
}

#[tokio::test]
async fn init_pay_notify_check() {
    let sandbox = sandbox().await;
    let shop = Shop::start(sandbox.secret_key()).await;
    let client = client(&sandbox);
    let req = request(&shop, 1000);
    let tx = req.transaction_id.as_str().to_owned();
    let init = client.init_payment(&req).await.expect("init");
    assert!(init.payment_url.starts_with(sandbox.url().as_str()));

    let before = client
        .check_payment(&req.transaction_id)
        .await
        .expect("check");
    assert_eq!(before.code, "662");

    sandbox.pay(&tx, Operator::OrangeMoney).expect("pay");
    let sent = sandbox.wait_notifications(&tx, WAIT).await.expect("wait");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, NotificationKind::Final);
    assert_eq!(sent[0].status, Some(200));
    let got = shop.posts();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].verified,
        Some(Ok(cinetpay_core::protocol::XTokenMatch::Documented))
    );

    let after = client
        .check_payment(&req.transaction_id)
        .await
        .expect("check");
    assert_eq!(after.code, "00");
    let data = after.data.expect("data");
    assert_eq!(data.status.as_deref(), Some("ACCEPTED"));
    assert_eq!(data.amount.as_deref(), Some("1000"));
    assert_eq!(data.payment_method.as_deref(), Some("OM"));
}

#[tokio::test]
async fn init_errors_reach_the_client_as_api_errors() {
    let sandbox = sandbox().await;
    let wrong_key = Credentials::new(
        SiteId::new(sandbox.site_id()).unwrap(),
        ApiKey::new("not-the-key").unwrap(),
        None,
    );
    let wrong = Client::new(wrong_key, sandbox.client_config()).unwrap();
    let shop = Shop::start(sandbox.secret_key()).await;
    match wrong.init_payment(&request(&shop, 1000)).await {
        Err(ClientError::Api { code, message, .. }) => {
            assert_eq!((code.as_str(), message.as_str()), ("609", "AUTH_NOT_FOUND"));
        }
        other => panic!("expected 609, got {other:?}"),
    }
    let client = client(&sandbox);
    let req = request(&shop, 1000);
    client.init_payment(&req).await.unwrap();
    match client.init_payment(&req).await {
        Err(ClientError::Api {
            code, description, ..
        }) => {
            assert_eq!(code, "608");
            assert!(description.unwrap_or_default().contains("already used"));
        }
        other => panic!("expected 608 for a reused id, got {other:?}"),
    }
}

#[tokio::test]
async fn the_client_reads_every_state() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let quiet = Scenario::new().never_send(true);
    sandbox.set_scenario(quiet);
    type Drive = fn(&Sandbox, &str);
    let cases: [(Drive, &str, &str); 5] = [
        (|_, _| {}, "662", "WAITING_FOR_CUSTOMER"),
        (
            |s, tx| drop(s.pay(tx, Operator::Wave).unwrap()),
            "00",
            "ACCEPTED",
        ),
        (
            |s, tx| drop(s.refuse(tx, Operator::OrangeMoney).unwrap()),
            "600",
            "REFUSED",
        ),
        (|s, tx| drop(s.cancel(tx).unwrap()), "627", "REFUSED"),
        (
            |s, tx| drop(s.leave_waiting(tx, Operator::MtnMomo).unwrap()),
            "662",
            "WAITING_FOR_CUSTOMER",
        ),
    ];
    for (drive, code, status) in cases {
        let req = initialised(&sandbox, &client).await;
        drive(&sandbox, req.transaction_id.as_str());
        let answer = client.check_payment(&req.transaction_id).await.unwrap();
        assert_eq!(answer.code, code);
        let data = answer.data.unwrap();
        assert_eq!(data.status.as_deref(), Some(status));
        assert_eq!(data.reported_amount(), Some(1000));
        assert_eq!(data.reported_currency(), Some(cinetpay_core::Currency::Xof));
        assert_eq!(data.operator_id.is_some(), code == "00");
    }
}

#[tokio::test]
async fn http_500_for_the_first_checks_is_recovered_by_the_client_retries() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let req = initialised(&sandbox, &client).await;
    let tx = req.transaction_id.as_str();
    sandbox.pay(tx, Operator::OrangeMoney).unwrap();
    sandbox
        .set_payment_check_faults(tx, Some(CheckFaults::new().fail_next(2)))
        .unwrap();
    let answer = client.check_payment(&req.transaction_id).await.unwrap();
    assert_eq!(answer.code, "00");
    let calls = sandbox.checks_for(tx);
    let statuses: Vec<u16> = calls.iter().map(|c| c.http_status).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(calls[0].fault, Some("http_500"));
    assert_eq!(
        sandbox.payment(tx).unwrap().check_faults.unwrap().fail_next,
        0
    );
}

#[tokio::test]
async fn http_500_beyond_the_retries_is_an_http_error() {
    let sandbox = sandbox().await;
    let client = client(&sandbox); // 3 retries
    let req = initialised(&sandbox, &client).await;
    sandbox.set_check_faults(CheckFaults::new().fail_next(10));
    match client.check_payment(&req.transaction_id).await {
        Err(ClientError::HttpStatus {
            status: 500,
            excerpt,
        }) => {
            assert!(excerpt.contains("500 Internal Server Error"));
        }
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    assert_eq!(sandbox.checks().len(), 4);
    assert_eq!(
        sandbox.check_faults().fail_next,
        6,
        "global counters are consumed"
    );
}

#[tokio::test]
async fn a_hanging_check_times_out_and_the_retry_succeeds() {
    let sandbox = sandbox().await;
    let config = sandbox
        .client_config()
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300));
    let client = Client::new(sandbox.credentials(), config.clone()).unwrap();
    let req = initialised(&sandbox, &client).await;
    sandbox.set_check_faults(
        CheckFaults::new()
            .hang_next(1)
            .hang_for(Duration::from_secs(5)),
    );
    let started = Instant::now();
    let answer = client.check_payment(&req.transaction_id).await.unwrap();
    assert_eq!(answer.code, "662");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let faults: Vec<_> = sandbox.checks().iter().map(|c| c.fault).collect();
    assert_eq!(faults, [Some("hang"), None]);

    // Without retries the timeout is the client's answer.
    let no_retry = Client::new(sandbox.credentials(), config.with_check_retries(0)).unwrap();
    sandbox.set_check_faults(
        CheckFaults::new()
            .hang_next(1)
            .hang_for(Duration::from_secs(5)),
    );
    assert!(matches!(
        no_retry.check_payment(&req.transaction_id).await,
        Err(ClientError::Timeout)
    ));
}

#[tokio::test]
async fn check_latency_is_added_to_every_call() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let req = initialised(&sandbox, &client).await;
    sandbox.set_check_faults(CheckFaults::new().latency(Duration::from_millis(250)));
    for _ in 0..2 {
        let started = Instant::now();
        client.check_payment(&req.transaction_id).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(250));
    }
    sandbox.set_check_faults(CheckFaults::new());
    let started = Instant::now();
    client.check_payment(&req.transaction_id).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(250));
}

#[tokio::test]
async fn tampered_amount_and_currency_are_visible_in_check_data() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let req = initialised(&sandbox, &client).await;
    let tx = req.transaction_id.as_str();
    sandbox.pay(tx, Operator::OrangeMoney).unwrap();
    sandbox
        .set_payment_check_faults(
            tx,
            Some(CheckFaults::new().report_amount(900).report_currency("XAF")),
        )
        .unwrap();
    let answer = client.check_payment(&req.transaction_id).await.unwrap();
    assert_eq!(answer.code, "00");
    let data = answer.data.unwrap();
    assert_eq!(data.amount.as_deref(), Some("900"));
    assert_eq!(data.currency.as_deref(), Some("XAF"));
    assert_eq!(sandbox.checks_for(tx)[0].fault, Some("tampered"));
    // Another payment, without its own faults, is reported faithfully.
    let other = initialised(&sandbox, &client).await;
    let data = client
        .check_payment(&other.transaction_id)
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(data.amount.as_deref(), Some("1000"));
    // The payment itself is unchanged: the tampering is in the answer only.
    assert_eq!(sandbox.payment(tx).unwrap().amount, 1000);
}

#[tokio::test]
async fn payment_faults_replace_the_global_ones_for_that_payment() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let a = initialised(&sandbox, &client).await;
    let b = initialised(&sandbox, &client).await;
    sandbox.set_check_faults(CheckFaults::new().report_amount(5));
    sandbox
        .set_payment_check_faults(a.transaction_id.as_str(), Some(CheckFaults::new()))
        .unwrap();
    let amount = |r: cinetpay_core::CheckResponse| r.data.unwrap().amount;
    assert_eq!(
        amount(client.check_payment(&a.transaction_id).await.unwrap()).as_deref(),
        Some("1000")
    );
    assert_eq!(
        amount(client.check_payment(&b.transaction_id).await.unwrap()).as_deref(),
        Some("5")
    );
}
