//! [`Rest2026`]: the [`Gateway`] of a 2026 REST API account
//! (docs/rest-api-2026.md).

use async_trait::async_trait;
use http::{HeaderMap, StatusCode};
use url::Url;

use super::{Checked, Gateway, Notice, OpenedPage, PageRequest, Rejected, return_url_for};
use crate::client::ClientError;
use crate::engine::check_snapshot::rest_snapshot;
use crate::engine::refusals::Refusal;
use crate::engine::sync::Trigger;
use crate::model::{Generation, Payment, PaymentSummary};
use crate::protocol::{Lang, PaymentRequestError};
use crate::rest::{self, RestClient, RestPaymentRequest};
use crate::values::TransactionId;

/// A 2026 API account: its client (token cache included) and the engine's
/// notify and return URLs.
pub(crate) struct Rest2026 {
    client: RestClient,
    notify_url: Url,
    return_url: Url,
    /// The account's country's calling code, when its country is configured.
    calling_code: Option<&'static str>,
}

impl Rest2026 {
    pub(crate) fn new(
        client: RestClient,
        notify_url: Url,
        return_url: Url,
        calling_code: Option<&'static str>,
    ) -> Self {
        Rest2026 {
            client,
            notify_url,
            return_url,
            calling_code,
        }
    }

    pub(crate) fn client(&self) -> &RestClient {
        &self.client
    }

    /// The request: the quote's customer gives the required names and
    /// e-mail (the 2026 API refuses a payment without them); both return
    /// URLs lead to `{prefix}/return?transaction_id=…`.
    fn request(&self, page: &PageRequest<'_>) -> Result<RestPaymentRequest, PaymentRequestError> {
        let missing = |field: &'static str| PaymentRequestError::Invalid {
            field,
            problem: "is required by the 2026 API: give the order's customer in its quote \
                      (OrderQuote::customer)"
                .to_owned(),
        };
        let customer = page
            .quote
            .customer
            .as_ref()
            .ok_or_else(|| missing("client_email"))?;
        let email = customer
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| missing("client_email"))?;
        // v2's naming: `surname` is the first name, `name` the family name.
        let full_name = [customer.surname.as_deref(), customer.name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if full_name.is_empty() {
            return Err(missing("client_first_name"));
        }
        let back = return_url_for(&self.return_url, page.transaction_id);
        let mut request = RestPaymentRequest::new(
            page.transaction_id.clone(),
            page.quote.money,
            page.quote.description.clone(),
            &full_name,
            email,
            back.clone(),
            back,
            self.notify_url.clone(),
        )?;
        if let Some(lang) = page.lang {
            request = request.with_lang(match lang {
                Lang::Fr => rest::Lang::Fr,
                Lang::En => rest::Lang::En,
            });
        }
        if let Some(phone) = customer
            .phone_number
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            request = request.with_phone(phone, self.calling_code)?;
        }
        Ok(request)
    }
}

#[async_trait]
impl Gateway for Rest2026 {
    fn generation(&self) -> Generation {
        Generation::Rest2026
    }

    fn new_transaction_id(&self) -> TransactionId {
        TransactionId::generate_upper()
    }

    fn validate(&self, page: &PageRequest<'_>) -> Result<(), PaymentRequestError> {
        self.request(page).map(drop)
    }

    async fn open_page(&self, page: &PageRequest<'_>) -> Result<OpenedPage, ClientError> {
        let request = self.request(page).map_err(ClientError::InvalidRequest)?;
        let created = self.client.init_payment(&request).await?;
        Ok(OpenedPage {
            payment_token: created.payment_token,
            payment_url: created.payment_url,
            notify_token: Some(created.notify_token),
            cinetpay_id: created.transaction_id,
        })
    }

    async fn check(&self, payment: &Payment) -> Result<Checked, ClientError> {
        let answer = self.client.payment_status(&payment.transaction_id).await?;
        Ok(Checked {
            outcome: answer.outcome(
                payment.transaction_id.as_str(),
                payment.cinetpay_id.as_deref(),
            ),
            snapshot: rest_snapshot(&answer),
        })
    }

    fn authenticate(
        &self,
        notice: &Notice,
        _headers: &HeaderMap,
        payment: Option<&PaymentSummary>,
    ) -> Result<Trigger, Rejected> {
        let refused = |detail: &str| Rejected {
            refusal: Refusal::BadNotifyToken,
            detail: detail.to_owned(),
            status: StatusCode::UNAUTHORIZED,
            answer: "notify_token is missing or wrong",
        };
        let Notice::Rest(notification) = notice else {
            return Err(refused("a Checkout v2 notification for a 2026 API payment"));
        };
        let Some(payment) = payment else {
            return Err(refused("no payment to compare the notify_token with"));
        };
        let Some(stored) = &payment.notify_token else {
            return Err(refused("the payment has no notify_token"));
        };
        // Constant time; an empty presented token never matches.
        if !stored.matches(notification.notify_token.trim()) {
            return Err(refused("notify_token does not match the payment's"));
        }
        Ok(Trigger::Trusted)
    }
}
