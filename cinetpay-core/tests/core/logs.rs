//! Secrets never logged (invariant 8, docs/design.md) and observability: every log line of a busy run (every level,
//! every crate) is captured; none shows the API key, the secret key or an
//! x-token, and the request spans carry the transaction id.
#![allow(clippy::unwrap_used)]

use super::common::*;
use cinetpay_core::{DeliverySource, OrderRef};
use http::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn no_secret_ever_reaches_the_logs() {
    let captured = Logs::global();

    let h = Harness::new().await;
    tracing::info!(config = ?h.checkout.config(), checkout = ?h.checkout, "engine under test");

    // A paid order, through init, notify, return and reconciliation.
    let id = h.start("ord-1").await;
    {
        let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
        let n = notification(id.as_str(), SITE_ID);
        let token = signed(&n);
        // A forged notification first (bad token), then the real one.
        let forged = notification_with(id.as_str(), SITE_ID, &[("cpm_amount", "5")]);
        let r = h.handle(notify_request(&forged, Some(&token))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            h.handle(notify_request(&n, Some(&token))).await.status(),
            StatusCode::OK
        );
        h.handle(get(&format!("/cinetpay/return?transaction_id={id}")))
            .await;
        h.checkout.reconcile_once().await.unwrap();
        assert!(
            !captured.text().contains(&token),
            "the x-token value was logged"
        );
    }

    // CinetPay echoing the credentials back in errors (check and init).
    let id2 = h.start("ord-2").await;
    {
        let _echo = Mock::given(method("POST"))
            .and(path("/v2/payment/check"))
            .respond_with(ResponseTemplate::new(500).set_body_string(format!(
                "internal error for apikey={API_KEY} secret={SECRET_KEY}"
            )))
            .mount_as_scoped(&h.server)
            .await;
        h.notify(&id2).await;
        h.checkout
            .sync(&id2, DeliverySource::Return)
            .await
            .unwrap_err();
    }
    h.server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v2/payment"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "624", "message": "UNKNOWN_ERROR",
            "description": format!("bad apikey {API_KEY}")
        })))
        .mount(&h.server)
        .await;
    let err = h
        .checkout
        .start_payment(&OrderRef::new("ord-3").unwrap())
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(API_KEY), "{err}");
    let stored = h.store.payments();
    assert!(
        stored
            .iter()
            .all(|p| !p.status_reason.as_deref().unwrap_or("").contains(API_KEY))
    );

    let text = captured.text();
    assert!(!text.contains(API_KEY), "the API key was logged");
    assert!(!text.contains(SECRET_KEY), "the secret key was logged");
    // The capture works and the spans carry the transaction id.
    assert!(text.contains("request refused before any check"), "{text}");
    assert!(text.contains("bad_x_token"), "{text}");
    assert!(
        text.contains(&format!("cinetpay_notify{{transaction_id={id}}}")),
        "{text}"
    );
    assert!(text.contains("payment status changed"));
    assert!(text.contains("order fulfilled"));
}
