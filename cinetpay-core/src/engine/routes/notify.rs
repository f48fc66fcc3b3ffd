//! `{prefix}/notify`: CinetPay's ping (`GET`) and notifications (`POST`).
//!
//! A notification is a trigger only: once it is shown to come from CinetPay
//! (Checkout v2: the `x-token` and site id of one of the accounts, before
//! anything is read; the 2026 API: the stored payment's `notify_token`,
//! compared in constant time), the truth comes from [`Checkout::sync`]. A refused notification stores nothing
//! and calls CinetPay for nothing; it is counted in the logs.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use tracing::Instrument;

use super::body;
use crate::engine::gateway::{Notice, Rejected, parse_notice};
use crate::engine::metrics::{self, Notified};
use crate::engine::outcome::{FulfilmentOutcome, SyncOutcome};
use crate::engine::refusals::Refusal;
use crate::engine::sync::{Delivery, Trigger};
use crate::engine::untrusted::Untrusted;
use crate::engine::{Checkout, SyncError, response};
use crate::model::{DeliverySource, Generation, Payment, PaymentLookup};
use crate::protocol::NotificationError;
use crate::values::TransactionId;

pub(super) async fn handle(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    match *request.method() {
        Method::GET => response::ok(),
        Method::HEAD => response::empty_ok(),
        Method::POST => post(checkout, request).await,
        _ => response::method_not_allowed("GET, HEAD, POST"),
    }
}

/// How long after a 2026 API notification arrives its first delivery may
/// still finish before the answer: CinetPay waits 10 s for the answer
/// (`docs/rest-api-2026.md`), and half of that leaves room for the status
/// call before and the commit after. A delivery that takes longer is
/// cancelled and runs in the background.
const ANSWER_DEADLINE_2026: std::time::Duration = std::time::Duration::from_secs(5);

async fn post(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    let arrived = tokio::time::Instant::now();
    let refusals = &checkout.inner.refusals;
    let notice = match parse_notice(body::content_type(&request), request.body()) {
        Ok(n) => n,
        Err(NotificationError::Missing("cpm_trans_id")) => {
            // What CinetPay's documentation asks: a POST without a
            // transaction id is ignored, with a 200.
            tracing::info!("notification without cpm_trans_id ignored");
            metrics::notification(Notified::Ignored);
            return response::text(StatusCode::OK, "ignored: no cpm_trans_id");
        }
        Err(e) => {
            refusals.note(Refusal::MalformedBody, &e.to_string());
            metrics::notification(Notified::Refused(Refusal::MalformedBody));
            return response::text(StatusCode::BAD_REQUEST, "malformed notification");
        }
    };
    let raw_id: String = notice.raw_id().chars().take(64).collect();
    let span = tracing::info_span!("cinetpay_notify", transaction_id = %Untrusted(&raw_id));
    async {
        match authenticated(checkout, &notice, request.headers(), &raw_id).await {
            Ok(Some(Found::Delivered)) => {
                // CinetPay's repeated notification: counted, not logged
                // (the delivery log holds the delivery).
                tracing::debug!("already delivered: nothing to do");
                metrics::notification(Notified::Duplicate);
                response::ok()
            }
            Ok(Some(Found::Payment(id, trigger, payment))) => {
                let delivery = if checkout.config().fulfil_in_background() {
                    Delivery::Background
                } else if payment.generation == Generation::Rest2026 {
                    Delivery::InlineUntil(arrived + ANSWER_DEADLINE_2026)
                } else {
                    Delivery::Inline
                };
                // Boxed: the sync's future is large, and a duplicate,
                // which never gets here, should not carry (and move) it.
                answer(
                    Box::pin(checkout.sync_with(
                        &id,
                        DeliverySource::Notify,
                        trigger,
                        Some(*payment),
                        delivery,
                    ))
                    .await,
                )
            }
            Ok(None) => {
                metrics::notification(Notified::Refused(Refusal::UnknownTransaction));
                response::ok()
            }
            Err(refused) => refused,
        }
    }
    .instrument(span)
    .await
}

/// What an authenticated notification found.
enum Found {
    /// Accepted and delivered: nothing to do (its summary was read).
    Delivered,
    /// Something may be left to do: the sync takes the payment, read whole.
    Payment(TransactionId, Trigger, Box<Payment>),
}

/// The notification's payment, once the notification is shown to come from
/// CinetPay for that payment's account; `None`: an unknown payment (nothing
/// to do, counted); `Err`: the answer of a refused notification, which
/// changed nothing and asked CinetPay nothing. One read either way: a
/// delivered payment's summary ends it there, any other payment is read
/// whole for the sync.
async fn authenticated(
    checkout: &Checkout,
    notice: &Notice,
    headers: &http::HeaderMap,
    raw_id: &str,
) -> Result<Option<Found>, Response<Bytes>> {
    let refusals = &checkout.inner.refusals;
    let refuse = |rejected: Rejected| {
        refusals.note(rejected.refusal, &rejected.detail);
        metrics::notification(Notified::Refused(rejected.refusal));
        response::text(rejected.status, rejected.answer)
    };
    // Checkout v2's notification is authentic by itself (x-token, site id):
    // checked before anything is read.
    let v2_account = match notice {
        Notice::V2(n) => {
            let Some(account) = checkout.inner.accounts.v2_for_site(&n.cpm_site_id) else {
                let claimed: String = n.cpm_site_id.chars().take(32).collect();
                return Err(refuse(Rejected {
                    refusal: Refusal::ForeignSite,
                    detail: format!("site id {}", Untrusted(&claimed)),
                    status: StatusCode::FORBIDDEN,
                    answer: "notification is for another site",
                }));
            };
            let trigger = account
                .gateway()
                .authenticate(notice, headers, None)
                .map_err(refuse)?;
            Some((account, trigger))
        }
        Notice::Rest(_) => None,
    };
    let Ok(id) = TransactionId::parse(notice.raw_id().trim()) else {
        refusals.note(
            Refusal::InvalidTransactionId,
            &Untrusted(raw_id).to_string(),
        );
        metrics::notification(Notified::Refused(Refusal::InvalidTransactionId));
        let text = match notice {
            Notice::V2(_) => "invalid cpm_trans_id",
            Notice::Rest(_) => "invalid merchant_transaction_id",
        };
        return Err(response::text(StatusCode::BAD_REQUEST, text));
    };
    let store = &checkout.inner.store;
    let store_failed = |e| {
        let e = crate::engine::SyncError::Store(e);
        tracing::warn!(error = %e, "notification not processed");
        metrics::notification(Notified::Error);
        response::text(e.http_status(), e.public_message())
    };
    let Some(lookup) = store
        .find_for_notification(&id)
        .await
        .map_err(store_failed)?
    else {
        refusals.note(Refusal::UnknownTransaction, id.as_str());
        return Ok(None);
    };
    let summary = lookup.summary();
    let trigger = match v2_account {
        Some((account, trigger)) => {
            if account.config.name() != &summary.account {
                return Err(refuse(Rejected {
                    refusal: Refusal::ForeignAccount,
                    detail: format!(
                        "signed for account {}, the payment is account {}'s",
                        account.config.name(),
                        summary.account
                    ),
                    status: StatusCode::FORBIDDEN,
                    answer: "notification is for another account",
                }));
            }
            trigger
        }
        None => {
            let Some(account) = checkout.inner.accounts.named(&summary.account) else {
                let e = crate::engine::SyncError::UnknownAccount(summary.account.clone());
                tracing::error!(error = %e, "notification not processed");
                metrics::notification(Notified::Error);
                return Err(response::text(e.http_status(), e.public_message()));
            };
            account
                .gateway()
                .authenticate(notice, headers, Some(&summary))
                .map_err(refuse)?
        }
    };
    Ok(Some(match lookup {
        PaymentLookup::Delivered(_) => Found::Delivered,
        PaymentLookup::Open(payment) => Found::Payment(id, trigger, payment),
    }))
}

/// CinetPay's answer: 200 once the outcome is stored; 500 or 503 when it
/// should try again.
fn answer(result: Result<SyncOutcome, SyncError>) -> Response<Bytes> {
    metrics::notification(Notified::of(&result));
    match result {
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
