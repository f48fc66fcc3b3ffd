//! The seam between the engine and CinetPay's two API generations.
//!
//! The engine (one sync path, one claim protocol) talks to an account only
//! through [`Gateway`]; each generation implements it once:
//!
//! | step | Checkout v2 ([`CheckoutV2`]) | 2026 REST API ([`Rest2026`]) |
//! |---|---|---|
//! | authentication | API key and site id in each body | OAuth token, cached, single flight |
//! | transaction id | [`TransactionId::generate`] | [`TransactionId::generate_upper`] (`A-Z0-9-`, ≤ 30) |
//! | init | `POST /v2/payment`, `return_url` | `POST /v1/payment`, `success_url` = `failed_url` = `{prefix}/return?transaction_id=…` |
//! | kept from init | `payment_token`, `payment_url` | also `notify_token`, CinetPay's `transaction_id` |
//! | status | `POST /v2/payment/check`, amount and currency compared | `GET /v1/payment/{id}`, ids compared (no money in the answer: the money is what the init sent) |
//! | notification | `x-token` HMAC with the account's secret key, its site id | the payment's `notify_token`, compared in constant time |
//!
//! Everything else — the payment row, the compare-and-set transitions, the
//! claim, the delivery log, the answers — is the engine's, the same for both.

mod checkout_v2;
mod rest_2026;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use url::Url;

pub(crate) use checkout_v2::CheckoutV2;
pub(crate) use rest_2026::Rest2026;

use super::refusals::Refusal;
use super::sync::Trigger;
use crate::client::ClientError;
use crate::fulfiller::OrderQuote;
use crate::model::{CheckSnapshot, Generation, Payment, PaymentSummary};
use crate::protocol::{CheckOutcome, Lang, Notification, PaymentRequestError};
use crate::rest::RestNotification;
use crate::values::{Channels, NotifyToken, OrderRef, TransactionId};

/// What the engine asks a gateway to open: one payment page.
pub(crate) struct PageRequest<'a> {
    pub(crate) transaction_id: &'a TransactionId,
    pub(crate) order: &'a OrderRef,
    pub(crate) quote: &'a OrderQuote,
    pub(crate) channels: Channels,
    pub(crate) lang: Option<Lang>,
}

/// What CinetPay answered at init.
pub(crate) struct OpenedPage {
    pub(crate) payment_token: String,
    pub(crate) payment_url: String,
    pub(crate) notify_token: Option<NotifyToken>,
    pub(crate) cinetpay_id: Option<String>,
}

/// A status answer, classified for the payment and kept as a snapshot.
pub(crate) struct Checked {
    pub(crate) outcome: CheckOutcome,
    pub(crate) snapshot: CheckSnapshot,
}

/// A notification body, in the shape of the generation that sent it.
#[derive(Debug)]
pub(crate) enum Notice {
    /// Checkout v2's form fields (`cpm_trans_id`, `cpm_site_id`...).
    V2(Notification),
    /// The 2026 API's JSON (or form) object with its `notify_token`.
    Rest(RestNotification),
}

impl Notice {
    /// The transaction id the notification names, as sent.
    pub(crate) fn raw_id(&self) -> &str {
        match self {
            Notice::V2(n) => &n.cpm_trans_id,
            Notice::Rest(n) => &n.merchant_transaction_id,
        }
    }
}

/// A refused notification: what is counted, and what CinetPay is answered.
#[derive(Debug)]
pub(crate) struct Rejected {
    pub(crate) refusal: Refusal,
    pub(crate) detail: String,
    pub(crate) status: StatusCode,
    pub(crate) answer: &'static str,
}

/// One CinetPay account's API generation, as the engine uses it.
#[async_trait]
pub(crate) trait Gateway: Send + Sync {
    /// Which generation this is (recorded with each payment).
    fn generation(&self) -> Generation;

    /// A fresh, unguessable id in the generation's alphabet.
    fn new_transaction_id(&self) -> TransactionId;

    /// Checks that the quote makes a valid request, before anything is stored.
    fn validate(&self, page: &PageRequest<'_>) -> Result<(), PaymentRequestError>;

    /// Creates the payment at CinetPay: never retried once sent.
    async fn open_page(&self, page: &PageRequest<'_>) -> Result<OpenedPage, ClientError>;

    /// Asks CinetPay for the payment's status, classified for its money.
    async fn check(&self, payment: &Payment) -> Result<Checked, ClientError>;

    /// Whether a notification comes from CinetPay, and how far it is
    /// trusted. Checkout v2's is authentic by itself (`payment` is `None`:
    /// called before the payment is read); the 2026 API's only against the
    /// stored payment's token.
    fn authenticate(
        &self,
        notice: &Notice,
        headers: &HeaderMap,
        payment: Option<&PaymentSummary>,
    ) -> Result<Trigger, Rejected>;
}

/// Reads a notification body: the 2026 API's object when it carries a
/// `notify_token` or a `merchant_transaction_id`, else Checkout v2's fields.
pub(crate) fn parse_notice(
    content_type: Option<&str>,
    body: &Bytes,
) -> Result<Notice, crate::protocol::NotificationError> {
    // Checkout v2's notification, the common case, parsed once: any body
    // but a JSON object is read as Checkout v2's first, and is one when it
    // names neither of the 2026 API's `merchant_transaction_id` and
    // `notify_token`. Anything else takes the general path below.
    let as_v2 = match (!body.trim_ascii_start().starts_with(b"{"))
        .then(|| Notification::parse(content_type, body))
    {
        Some(Ok(notification))
            if notification.field("merchant_transaction_id").is_none()
                && notification.field("notify_token").is_none() =>
        {
            return Ok(Notice::V2(notification));
        }
        other => other,
    };
    if let Ok(rest) = RestNotification::parse(body)
        && !rest.merchant_transaction_id.trim().is_empty()
    {
        return Ok(Notice::Rest(rest));
    }
    // A 2026 body whose fields are not text is malformed, not a Checkout v2
    // form "without cpm_trans_id" (which would be answered 200, ignored).
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body)
        && ["notify_token", "merchant_transaction_id"]
            .iter()
            .any(|k| fields.contains_key(*k))
        && !fields.contains_key("cpm_trans_id")
    {
        return Err(crate::protocol::NotificationError::BadJson(
            "notify_token and merchant_transaction_id must be text".to_owned(),
        ));
    }
    // Read as Checkout v2's once only.
    as_v2
        .unwrap_or_else(|| Notification::parse(content_type, body))
        .map(Notice::V2)
}

/// `{return_url}?transaction_id={id}`: the 2026 API's `success_url` and
/// `failed_url`, which identify the payment by what the engine put there.
pub(crate) fn return_url_for(return_url: &Url, id: &TransactionId) -> Url {
    let mut url = return_url.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("transaction_id", id.as_str());
    url
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Notice, parse_notice};
    use bytes::Bytes;

    fn kind(content_type: Option<&str>, body: &'static str) -> &'static str {
        match parse_notice(content_type, &Bytes::from_static(body.as_bytes())) {
            Ok(Notice::V2(_)) => "v2",
            Ok(Notice::Rest(_)) => "rest",
            Err(_) => "error",
        }
    }

    #[test]
    fn a_notification_is_read_as_the_api_its_fields_name() {
        let form = Some("application/x-www-form-urlencoded");
        assert_eq!(
            kind(form, "cpm_site_id=1&cpm_trans_id=cp-1&cpm_amount=100"),
            "v2"
        );
        assert_eq!(kind(None, "cpm_site_id=1&cpm_trans_id=cp-1"), "v2");
        // A percent-encoded name is the name it encodes.
        assert_eq!(kind(form, "cpm%5Fsite%5Fid=1&cpm%5Ftrans%5Fid=cp-1"), "v2");
        // A 2026 field makes it the 2026 API's, spelled out or encoded.
        assert_eq!(
            kind(
                form,
                "cpm_site_id=1&cpm_trans_id=cp-1&merchant_transaction_id=CP-1&notify_token=t"
            ),
            "rest"
        );
        assert_eq!(
            kind(form, "merchant%5Ftransaction%5Fid=CP-1&notify_token=t"),
            "rest"
        );
        assert_eq!(
            kind(
                Some("application/json"),
                r#"{"merchant_transaction_id":"CP-1","notify_token":"t"}"#
            ),
            "rest"
        );
        // Checkout v2's fields as JSON (the seed document's example).
        assert_eq!(
            kind(
                Some("application/json"),
                r#"{"cpm_site_id":"1","cpm_trans_id":"cp-1"}"#
            ),
            "v2"
        );
        assert_eq!(
            kind(Some("application/json"), r#"{"notify_token":1}"#),
            "error"
        );
        assert_eq!(kind(form, "cpm_site_id=1&cpm_amount=100"), "error");
        assert_eq!(kind(form, ""), "error");
    }

    #[test]
    fn content_types_are_read_in_any_case() {
        let body = "cpm_site_id=1&cpm_trans_id=cp-1";
        assert_eq!(
            kind(
                Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
                body
            ),
            "v2"
        );
        let json = r#"{"cpm_site_id":"1","cpm_trans_id":"cp-1"}"#;
        assert_eq!(kind(Some("APPLICATION/JSON"), json), "v2");
        assert_eq!(kind(Some("application/vnd.cinetpay+JSON"), json), "v2");
        assert_eq!(kind(Some("text/plain"), body), "error");
        assert_eq!(kind(Some("é+json"), body), "error");
    }
}
