//! `{prefix}/notify`: CinetPay's ping (`GET`) and notifications (`POST`).
//!
//! A notification is a trigger only: after the x-token and site-id checks, the
//! truth comes from [`Checkout::sync`]. A refused notification stores nothing
//! and calls CinetPay for nothing; it is counted in the logs.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use tracing::Instrument;

use super::body;
use crate::engine::outcome::FulfilmentOutcome;
use crate::engine::refusals::Refusal;
use crate::engine::sync::Trigger;
use crate::engine::untrusted::Untrusted;
use crate::engine::{Checkout, response};
use crate::model::DeliverySource;
use crate::protocol::{Notification, NotificationError, verify_x_token};
use crate::values::TransactionId;

pub(super) async fn handle(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    match *request.method() {
        Method::GET => response::ok(),
        Method::HEAD => response::empty_ok(),
        Method::POST => post(checkout, request).await,
        _ => response::method_not_allowed("GET, HEAD, POST"),
    }
}

async fn post(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    let refusals = &checkout.inner.refusals;
    let notification = match Notification::parse(body::content_type(&request), request.body()) {
        Ok(n) => n,
        Err(NotificationError::Missing("cpm_trans_id")) => {
            // What CinetPay's documentation asks: a POST without a
            // transaction id is ignored, with a 200.
            tracing::info!("notification without cpm_trans_id ignored");
            return response::text(StatusCode::OK, "ignored: no cpm_trans_id");
        }
        Err(e) => {
            refusals.note(Refusal::MalformedBody, &e.to_string());
            return response::text(StatusCode::BAD_REQUEST, "malformed notification");
        }
    };
    let raw_id: String = notification.cpm_trans_id.chars().take(64).collect();
    let span = tracing::info_span!("cinetpay_notify", transaction_id = %Untrusted(&raw_id));
    async {
        let account = checkout.config().account();
        let credentials = account.credentials();
        let trigger = match &credentials.secret_key {
            Some(secret) => {
                // Two x-token headers are ambiguous: refused, whichever comes first.
                if request.headers().get_all("x-token").iter().nth(1).is_some() {
                    refusals.note(Refusal::BadXToken, "x-token header repeated");
                    return response::text(StatusCode::UNAUTHORIZED, "x-token header is repeated");
                }
                let header = request
                    .headers()
                    .get("x-token")
                    .map(|v| v.to_str().unwrap_or("<not text>"));
                if let Err(e) = verify_x_token(secret, &notification, header) {
                    refusals.note(Refusal::BadXToken, &e.to_string());
                    return response::text(StatusCode::UNAUTHORIZED, "x-token is missing or wrong");
                }
                Trigger::Trusted
            }
            None => Trigger::Untrusted,
        };
        if notification.cpm_site_id != credentials.site_id.as_str() {
            let claimed: String = notification.cpm_site_id.chars().take(32).collect();
            refusals.note(
                Refusal::ForeignSite,
                &format!("site id {}", Untrusted(&claimed)),
            );
            return response::text(StatusCode::FORBIDDEN, "notification is for another site");
        }
        let Ok(id) = TransactionId::parse(&notification.cpm_trans_id) else {
            refusals.note(
                Refusal::InvalidTransactionId,
                &Untrusted(&raw_id).to_string(),
            );
            return response::text(StatusCode::BAD_REQUEST, "invalid cpm_trans_id");
        };
        match checkout
            .sync_with(&id, DeliverySource::Notify, trigger)
            .await
        {
            Ok(outcome) => match outcome.fulfilment {
                FulfilmentOutcome::Failed { .. } => response::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "delivery failed; it will be retried",
                ),
                FulfilmentOutcome::NotDue { .. } => response::text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "delivery is waiting for its next attempt",
                ),
                _ => response::ok(),
            },
            Err(e) => {
                tracing::warn!(error = %e, "notification not processed");
                response::text(e.http_status(), e.public_message())
            }
        }
    }
    .instrument(span)
    .await
}
