//! `init`: [`Checkout::start_payment`].

use tracing::Instrument;

use super::Checkout;
use super::error::InitError;
use super::gateway::{Gateway, PageRequest};
use super::outcome::StartedPayment;
use crate::client::ClientError;
use crate::fulfiller::{OrderQuote, QuoteError};
use crate::model::{NewPayment, Payment, PaymentStatus, Timestamp};
use crate::store::{InsertOutcome, StatusChange, Transition};
use crate::values::{OrderRef, TransactionId};

/// How many times an init retries after replacing a stale open payment.
const INSERT_ROUNDS: usize = 3;

/// What to do with the order's open payment.
enum OpenPayment {
    /// Same money and a page: send the customer there again.
    Reuse(String),
    /// Its init is running right now.
    InFlight,
    /// It is no longer pending (read just before a concurrent change): look again.
    Stale,
    /// Supersede it and create a new one, because...
    Replace(&'static str),
}

impl Checkout {
    /// Creates (or reuses) the payment of an order and returns CinetPay's page.
    ///
    /// Asks the merchant's [`quote`](crate::OrderFulfiller::quote) what the
    /// order costs (never the request), then reuses the order's open payment
    /// when it has the same amount and currency and a page (a double click),
    /// answers [`InitError::InProgress`] while another init of the order is
    /// creating its payment, and otherwise supersedes the open payment (other
    /// money, or an init that never finished within `init_abandoned_after`:
    /// it is never fulfilled from then on, and refunded if its page is paid
    /// anyway) and creates a new one with `notify_url`, `return_url` and the order
    /// reference as metadata. When CinetPay refuses or cannot be reached the
    /// payment becomes `start_failed` with the reason; the call is never
    /// retried silently.
    ///
    /// ```no_run
    /// # async fn demo(checkout: cinetpay_core::engine::Checkout) -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_core::OrderRef;
    /// let page = checkout.start_payment(&OrderRef::new("ord-42")?).await?;
    /// tracing::info!(url = %page.payment_url, "send the customer to the payment page");
    /// # Ok(()) }
    /// ```
    pub async fn start_payment(&self, order: &OrderRef) -> Result<StartedPayment, InitError> {
        let span = tracing::info_span!(
            "cinetpay_init",
            order_ref = %order,
            transaction_id = tracing::field::Empty
        );
        self.start_inner(order).instrument(span).await
    }

    async fn start_inner(&self, order: &OrderRef) -> Result<StartedPayment, InitError> {
        let quote = self.quote(order).await?;
        let account = self.inner.accounts.for_quote(&quote).map_err(|e| {
            tracing::error!(error = %e, "no CinetPay account for the order's quote");
            InitError::InvalidQuote(e)
        })?;
        let gateway = account.gateway();
        let store = &self.inner.store;
        for _ in 0..INSERT_ROUNDS {
            let transaction_id = gateway.new_transaction_id();
            let page = self.page_request(&transaction_id, order, &quote);
            gateway.validate(&page).map_err(|e| {
                tracing::error!(error = %e, "the order's quote gives an invalid payment request");
                InitError::InvalidQuote(e)
            })?;
            let now = self.inner.clock.now();
            let new = NewPayment {
                transaction_id: transaction_id.clone(),
                order_ref: order.clone(),
                amount: quote.money.amount,
                currency: quote.money.currency,
                description: quote.description.clone(),
                account: account.config.name().clone(),
                generation: gateway.generation(),
                created_at: now,
            };
            match store.insert_payment(&new).await? {
                InsertOutcome::Inserted(payment) => {
                    return self.open_page(payment, gateway, &page).await;
                }
                InsertOutcome::OrderHasOpenPayment(open) => {
                    match self.judge_open(&open, &quote, &new, now) {
                        OpenPayment::Reuse(payment_url) => {
                            tracing::Span::current()
                                .record("transaction_id", open.transaction_id.as_str());
                            tracing::info!("reusing the order's open payment");
                            return Ok(StartedPayment {
                                transaction_id: open.transaction_id,
                                payment_url,
                                reused: true,
                            });
                        }
                        OpenPayment::InFlight => {
                            tracing::info!(open = %open.transaction_id, "the order's payment is being created: waiting for its page");
                            if let Some(payment_url) = self.wait_for_page(&open).await? {
                                tracing::Span::current()
                                    .record("transaction_id", open.transaction_id.as_str());
                                return Ok(StartedPayment {
                                    transaction_id: open.transaction_id,
                                    payment_url,
                                    reused: true,
                                });
                            }
                            // Its init failed or gave up the order's slot: try again.
                        }
                        OpenPayment::Stale => {}
                        OpenPayment::Replace(why) => {
                            // Its page may still be paid: it is never fulfilled
                            // from now on, and a payment of it is refunded.
                            tracing::info!(open = %open.transaction_id, why, "superseding the order's open payment");
                            store.supersede_payment(&open.transaction_id, now).await?;
                        }
                    }
                }
            }
        }
        Err(InitError::InProgress)
    }

    /// A double click arrives while the first click's init is still talking
    /// to CinetPay: wait (at most the client's timeout and a second) for that
    /// payment's page rather than showing the customer an error. `None` when
    /// that init failed or gave up the order's slot; [`InitError::InProgress`]
    /// when it is still running at the deadline.
    async fn wait_for_page(&self, open: &Payment) -> Result<Option<String>, InitError> {
        let limit = self.inner.config.account().client.timeout + std::time::Duration::from_secs(1);
        let deadline = tokio::time::Instant::now() + limit;
        let mut pause = std::time::Duration::from_millis(25);
        loop {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(250));
            let Some(current) = self.inner.store.find_payment(&open.transaction_id).await? else {
                return Ok(None);
            };
            if let (PaymentStatus::Pending, Some(url)) = (current.status, &current.payment_url) {
                return Ok(Some(url.clone()));
            }
            if current.status != PaymentStatus::Pending || !current.open {
                return Ok(None);
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(open = %open.transaction_id, "the order's payment is still being created");
                return Err(InitError::InProgress);
            }
        }
    }

    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, InitError> {
        match super::panics::caught(self.inner.fulfiller.quote(order)).await {
            Ok(Ok(quote)) => Ok(quote),
            Ok(Err(QuoteError::NotFound)) => {
                tracing::info!("unknown order");
                Err(InitError::UnknownOrder)
            }
            Ok(Err(QuoteError::NotPayable(why))) => {
                tracing::info!(%why, "order not payable");
                Err(InitError::NotPayable(why))
            }
            Ok(Err(QuoteError::Unavailable(why))) => {
                tracing::warn!(%why, "order lookup unavailable");
                Err(InitError::QuoteUnavailable(why))
            }
            Err(panicked) => {
                tracing::error!(panic = %panicked, "the fulfiller's quote panicked");
                Err(InitError::QuoteUnavailable(
                    "order lookup failed".to_owned(),
                ))
            }
        }
    }

    fn page_request<'a>(
        &self,
        id: &'a TransactionId,
        order: &'a OrderRef,
        quote: &'a OrderQuote,
    ) -> PageRequest<'a> {
        let config = &self.inner.config;
        PageRequest {
            transaction_id: id,
            order,
            quote,
            channels: config.channels,
            lang: config.lang,
        }
    }

    fn judge_open(
        &self,
        open: &Payment,
        quote: &OrderQuote,
        new: &NewPayment,
        now: Timestamp,
    ) -> OpenPayment {
        if open.amount != quote.money.amount || open.currency != quote.money.currency {
            return OpenPayment::Replace("the order's amount or currency changed");
        }
        if open.account != new.account || open.generation != new.generation {
            return OpenPayment::Replace("the order's CinetPay account changed");
        }
        if open.status != PaymentStatus::Pending {
            return OpenPayment::Stale;
        }
        match &open.payment_url {
            Some(url) => OpenPayment::Reuse(url.clone()),
            None => {
                let age = (now - open.created_at).to_std().unwrap_or_default();
                if age < self.inner.config.init_abandoned_after {
                    OpenPayment::InFlight
                } else {
                    OpenPayment::Replace("its init never finished")
                }
            }
        }
    }

    /// Asks CinetPay for the page of a freshly inserted payment.
    async fn open_page(
        &self,
        payment: Payment,
        gateway: &dyn Gateway,
        request: &PageRequest<'_>,
    ) -> Result<StartedPayment, InitError> {
        let id = payment.transaction_id;
        tracing::Span::current().record("transaction_id", id.as_str());
        let page = gateway.open_page(request).await.and_then(|page| {
            usable_page_url(&page.payment_url)?;
            Ok(page)
        });
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "CinetPay did not create the payment");
                self.mark_start_failed(&id, &e).await;
                return Err(match e {
                    ClientError::Api {
                        code,
                        message,
                        description,
                    } => InitError::Refused {
                        code,
                        message,
                        description,
                    },
                    ClientError::InvalidRequest(e) => InitError::InvalidQuote(e),
                    other => InitError::Unreachable(other),
                });
            }
        };
        let now = self.inner.clock.now();
        let token = crate::model::storable(&page.payment_token, 512);
        let cinetpay_id = page
            .cinetpay_id
            .as_deref()
            .map(|c| crate::model::storable(c, 128));
        if !self
            .inner
            .store
            .attach_payment_page(
                &id,
                &crate::store::PaymentPage {
                    payment_token: &token,
                    payment_url: &page.payment_url,
                    notify_token: page.notify_token.as_ref(),
                    cinetpay_id: cinetpay_id.as_deref(),
                    at: now,
                },
            )
            .await?
        {
            // A newer init replaced it while CinetPay answered: its page must
            // not be shown (a payment of it would only be refunded).
            tracing::warn!("the payment was superseded during its init; its page is not shown");
            return Err(InitError::InProgress);
        }
        tracing::info!("payment page created");
        Ok(StartedPayment {
            transaction_id: id,
            payment_url: page.payment_url,
            reused: false,
        })
    }

    async fn mark_start_failed(&self, id: &TransactionId, error: &ClientError) {
        let change = StatusChange {
            from: PaymentStatus::Pending,
            to: PaymentStatus::StartFailed,
            check: None,
            reason: Some(crate::model::storable(&error.to_string(), 500)),
            attention: None,
            at: self.inner.clock.now(),
        };
        match self.inner.store.transition(id, &change).await {
            Ok(Transition::Applied) => tracing::info!("payment marked start_failed"),
            Ok(_) => tracing::warn!("payment was no longer pending; not marked start_failed"),
            Err(e) => tracing::error!(error = %e, "cannot mark the payment start_failed"),
        }
    }
}

/// CinetPay's `payment_url` must be an http(s) URL usable in a `Location` header.
fn usable_page_url(raw: &str) -> Result<(), ClientError> {
    let ok = url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(ClientError::Unparseable(
            "payment_url is not an http(s) URL".to_owned(),
        ))
    }
}
