//! `{prefix}/notify`: CinetPay's ping (`GET`) and notifications (`POST`).
//!
//! A notification is a trigger only: after the x-token and site-id checks, the
//! truth comes from [`Checkout::sync`].

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use tracing::Instrument;

use super::body;
use crate::engine::outcome::FulfilmentOutcome;
use crate::engine::{Checkout, response};
use crate::model::DeliverySource;
use crate::protocol::{Notification, verify_x_token};
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
    let notification = match Notification::parse(body::content_type(&request), request.body()) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "malformed notification refused");
            return response::text(
                StatusCode::BAD_REQUEST,
                format!("malformed notification: {e}"),
            );
        }
    };
    let raw_id: String = notification.cpm_trans_id.chars().take(64).collect();
    let span = tracing::info_span!("cinetpay_notify", transaction_id = %raw_id);
    async {
        let config = checkout.config();
        if let Some(secret) = &config.credentials.secret_key {
            // Two x-token headers are ambiguous: refused, whichever comes first.
            if request.headers().get_all("x-token").iter().nth(1).is_some() {
                tracing::warn!("notification refused: x-token header repeated");
                checkout
                    .record(&raw_id, DeliverySource::Notify, "refused: x-token repeated")
                    .await;
                return response::text(StatusCode::UNAUTHORIZED, "x-token header is repeated");
            }
            let header = request
                .headers()
                .get("x-token")
                .map(|v| v.to_str().unwrap_or("<not text>"));
            if let Err(e) = verify_x_token(secret, &notification, header) {
                tracing::warn!(error = %e, "notification refused: bad x-token");
                checkout
                    .record(&raw_id, DeliverySource::Notify, &format!("refused: {e}"))
                    .await;
                return response::text(StatusCode::UNAUTHORIZED, e.to_string());
            }
        }
        if notification.cpm_site_id != config.credentials.site_id.as_str() {
            let claimed: String = notification.cpm_site_id.chars().take(32).collect();
            tracing::warn!(site_id = %claimed, "notification refused: foreign site id");
            checkout
                .record(&raw_id, DeliverySource::Notify, "refused: foreign site id")
                .await;
            return response::text(StatusCode::FORBIDDEN, "notification is for another site");
        }
        let id = match TransactionId::parse(&notification.cpm_trans_id) {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "notification refused: invalid transaction id");
                checkout
                    .record(
                        &raw_id,
                        DeliverySource::Notify,
                        "refused: invalid transaction id",
                    )
                    .await;
                return response::text(
                    StatusCode::BAD_REQUEST,
                    format!("invalid cpm_trans_id: {e}"),
                );
            }
        };
        match checkout.sync(&id, DeliverySource::Notify).await {
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
            Err(e) => response::text(e.http_status(), format!("not processed, retry later: {e}")),
        }
    }
    .instrument(span)
    .await
}
