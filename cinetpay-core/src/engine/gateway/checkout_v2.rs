//! [`CheckoutV2`]: the [`Gateway`] of a Checkout v2 account
//! (docs/checkout-v2.md).

use async_trait::async_trait;
use http::{HeaderMap, StatusCode};
use url::Url;

use super::{Checked, Gateway, Notice, OpenedPage, PageRequest, Rejected};
use crate::client::{Client, ClientError};
use crate::engine::check_snapshot::snapshot;
use crate::engine::refusals::Refusal;
use crate::engine::sync::Trigger;
use crate::engine::untrusted::Untrusted;
use crate::model::{Generation, Payment, PaymentSummary};
use crate::protocol::{PaymentRequest, PaymentRequestError, verify_x_token};
use crate::values::TransactionId;

/// A Checkout v2 account: its client (site id, API key, secret key) and the
/// engine's notify and return URLs.
pub(crate) struct CheckoutV2 {
    client: Client,
    notify_url: Url,
    return_url: Url,
}

impl CheckoutV2 {
    pub(crate) fn new(client: Client, notify_url: Url, return_url: Url) -> Self {
        CheckoutV2 {
            client,
            notify_url,
            return_url,
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    fn request(&self, page: &PageRequest<'_>) -> PaymentRequest {
        let mut request = PaymentRequest::new(
            page.transaction_id.clone(),
            page.quote.money,
            page.quote.description.clone(),
            self.notify_url.clone(),
            self.return_url.clone(),
        )
        .channels(page.quote.channels.unwrap_or(page.channels))
        .metadata(page.order.as_str());
        if let Some(customer) = &page.quote.customer {
            request = request.customer(customer.clone());
        }
        if let Some(lang) = page.lang {
            request = request.lang(lang);
        }
        request
    }
}

#[async_trait]
impl Gateway for CheckoutV2 {
    fn generation(&self) -> Generation {
        Generation::CheckoutV2
    }

    fn new_transaction_id(&self) -> TransactionId {
        TransactionId::generate()
    }

    fn validate(&self, page: &PageRequest<'_>) -> Result<(), PaymentRequestError> {
        self.request(page).validate()
    }

    async fn open_page(&self, page: &PageRequest<'_>) -> Result<OpenedPage, ClientError> {
        let created = self.client.init_payment(&self.request(page)).await?;
        Ok(OpenedPage {
            payment_token: created.payment_token,
            payment_url: created.payment_url,
            notify_token: None,
            cinetpay_id: None,
        })
    }

    async fn check(&self, payment: &Payment) -> Result<Checked, ClientError> {
        let answer = self.client.check_payment(&payment.transaction_id).await?;
        Ok(Checked {
            outcome: answer.outcome(payment.money()),
            snapshot: snapshot(&answer),
        })
    }

    fn authenticate(
        &self,
        notice: &Notice,
        headers: &HeaderMap,
        _payment: Option<&PaymentSummary>,
    ) -> Result<Trigger, Rejected> {
        let Notice::V2(notification) = notice else {
            return Err(Rejected {
                refusal: Refusal::BadNotifyToken,
                detail: "a 2026 API notification for a Checkout v2 payment".to_owned(),
                status: StatusCode::UNAUTHORIZED,
                answer: "notification is not of this payment's API",
            });
        };
        let credentials = self.client.credentials();
        let trigger = match &credentials.secret_key {
            Some(secret) => {
                // Two x-token headers are ambiguous: refused, whichever comes first.
                if headers.get_all("x-token").iter().nth(1).is_some() {
                    return Err(Rejected {
                        refusal: Refusal::BadXToken,
                        detail: "x-token header repeated".to_owned(),
                        status: StatusCode::UNAUTHORIZED,
                        answer: "x-token header is repeated",
                    });
                }
                let header = headers
                    .get("x-token")
                    .map(|v| v.to_str().unwrap_or("<not text>"));
                if let Err(e) = verify_x_token(secret, notification, header) {
                    return Err(Rejected {
                        refusal: Refusal::BadXToken,
                        detail: e.to_string(),
                        status: StatusCode::UNAUTHORIZED,
                        answer: "x-token is missing or wrong",
                    });
                }
                Trigger::Trusted
            }
            None => Trigger::Untrusted,
        };
        if notification.cpm_site_id != credentials.site_id.as_str() {
            let claimed: String = notification.cpm_site_id.chars().take(32).collect();
            return Err(Rejected {
                refusal: Refusal::ForeignSite,
                detail: format!("site id {}", Untrusted(&claimed)),
                status: StatusCode::FORBIDDEN,
                answer: "notification is for another site",
            });
        }
        Ok(trigger)
    }
}
