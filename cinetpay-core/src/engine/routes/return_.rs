//! `{prefix}/return`: the customer's browser comes back; sync, then send it
//! to the merchant's page for the order (never to a URL from the request).

use bytes::Bytes;
use http::{Method, Request, Response};
use tracing::Instrument;

use super::body;
use crate::engine::refusals::Refusal;
use crate::engine::sync::{Delivery, Trigger};
use crate::engine::untrusted::Untrusted;
use crate::engine::{Checkout, response};
use crate::model::{DeliverySource, Payment};
use crate::values::TransactionId;

pub(super) async fn handle(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    let from_query = || {
        request
            .uri()
            .query()
            .and_then(|q| body::form_field(q.as_bytes(), "transaction_id"))
    };
    let raw = match *request.method() {
        Method::GET => from_query(),
        // The query first: only the engine puts an id there (the 2026 API's
        // success_url and failed_url), whatever CinetPay adds to the body;
        // Checkout v2 posts a form with ours.
        Method::POST => {
            from_query().or_else(|| body::field(&request, "transaction_id").unwrap_or_default())
        }
        _ => return response::method_not_allowed("GET, POST"),
    };
    let fallback = || response::see_other(checkout.config().return_fallback());
    let refusals = &checkout.inner.refusals;
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        refusals.note(
            Refusal::InvalidTransactionId,
            "return without a transaction_id",
        );
        return fallback();
    };
    let Ok(id) = TransactionId::parse(raw.trim()) else {
        let shown: String = raw.chars().take(64).collect();
        refusals.note(
            Refusal::InvalidTransactionId,
            &Untrusted(&shown).to_string(),
        );
        return fallback();
    };
    let span = tracing::info_span!("cinetpay_return", transaction_id = %id);
    async {
        // Anyone can send a return: a payment checked moments ago is not
        // checked again (min_check_interval).
        let synced = checkout
            .sync_with(&id, DeliverySource::Return, Trigger::Untrusted, None, Delivery::Inline)
            .await;
        let payment = match synced {
            Ok(outcome) => outcome.payment,
            Err(e) => {
                // The customer sees the status known so far, never an error page.
                tracing::warn!(error = %e, "return: sync failed; redirecting with the stored status");
                checkout.payment(&id).await.ok().flatten()
            }
        };
        match payment {
            Some(payment) => response::see_other(&return_location(checkout, &payment)),
            None => fallback(),
        }
    }
    .instrument(span)
    .await
}

fn return_location(checkout: &Checkout, payment: &Payment) -> String {
    checkout.config().return_to.render(
        payment.order_ref.as_str(),
        payment.transaction_id.as_str(),
        payment.status.as_str(),
    )
}
