//! The HTTP client for CinetPay Checkout API v2.
//!
//! [`Client::init_payment`] creates a payment (`POST /v2/payment`, never
//! retried); [`Client::check_payment`] asks for its status
//! (`POST /v2/payment/check`, retried with backoff on network trouble).
//! [`ClientConfig`] sets the base URL, the timeouts and the retries;
//! [`ClientError`] says what went wrong, without ever quoting a secret.

mod body_kind;
mod config;
pub(crate) mod error;

pub use body_kind::BodyKind;
pub use config::{ClientConfig, ClientConfigError};
pub use error::ClientError;

use crate::protocol::{CheckData, CheckRequest, Envelope, InitData, PaymentRequest};
use crate::values::{Credentials, TransactionId};

/// What `/v2/payment/check` answered: any well-formed envelope, whatever its
/// code. [`Envelope::outcome`](crate::protocol::Envelope#method.outcome)
/// classifies it for the payment's money (accepted, mismatch, refused,
/// cancelled, pending, request error, unknown).
///
/// ```
/// use cinetpay_core::{Amount, CheckResponse, Currency, Money};
/// use cinetpay_core::protocol::CheckOutcome;
/// let answer: CheckResponse = serde_json::from_str(
///     r#"{"code":"662","message":"WAITING_CUSTOMER_PAYMENT"}"#,
/// ).unwrap();
/// let price = Money::new(Amount::new(1000).unwrap(), Currency::Xof);
/// assert_eq!(answer.outcome(price), CheckOutcome::Pending);
/// ```
pub type CheckResponse = Envelope<CheckData>;

/// A CinetPay Checkout v2 client: `init_payment` and `check_payment`.
///
/// * TLS is always verified (rustls with the platform's certificate verifier); there is
///   no setting to turn that off, and none will be added.
/// * Redirects are not followed: an API answering 3xx is an error, so that the
///   body carrying the API key is never re-sent elsewhere.
/// * `check_payment` is retried with exponential backoff and full jitter on
///   transport errors, timeouts, 5xx, 408 and 429, at most
///   [`ClientConfig::check_retries`] times; `init_payment` is never retried
///   (a second init of the same transaction id is refused by CinetPay, and a
///   timed-out one may have succeeded).
/// * `Debug`, errors and logs never show the API key or the secret key.
///
/// Cloning is cheap (the connection pool is shared).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_core::*;
/// use cinetpay_core::protocol::CheckOutcome;
/// let creds = Credentials::new(SiteId::new("123456")?, ApiKey::new("my-api-key")?, None);
/// let client = Client::new(creds, ClientConfig::default())?;
/// let check = client.check_payment(&"cp-abc".parse()?).await?;
/// let price = Money::new(Amount::new(1000)?, Currency::Xof);
/// match check.outcome(price) {
///     CheckOutcome::Accepted => { /* deliver the order */ }
///     CheckOutcome::Pending => { /* wait for the next notification */ }
///     other => tracing::warn!(?other, code = %check.code, "not paid"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    credentials: Credentials,
    config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The HTTP client both generations use, after checking the configuration:
/// its timeouts, no redirects, and this crate's `User-Agent`.
pub(crate) fn http_client(config: &ClientConfig) -> Result<reqwest::Client, ClientError> {
    config.validate().map_err(ClientError::InvalidConfig)?;
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cinetpay-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ClientError::Transport(format!("cannot build the HTTP client: {e}")))
}

/// An answer's body, read up to [`ClientConfig::MAX_BODY_BYTES`]; `true`
/// when it was longer (what was read is kept for the error message).
pub(crate) async fn read_bounded(
    response: &mut reqwest::Response,
) -> Result<(Vec<u8>, bool), ClientError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ClientError::from_reqwest)? {
        if bytes.len() + chunk.len() > ClientConfig::MAX_BODY_BYTES {
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}

impl Client {
    /// Builds a client, after checking the configuration
    /// ([`ClientConfig::validate`]).
    ///
    /// ```
    /// use cinetpay_core::*;
    /// let creds = Credentials::new(SiteId::new("1")?, ApiKey::new("k")?, None);
    /// let mut config = ClientConfig::default();
    /// config.check_retries = 99;
    /// assert!(matches!(Client::new(creds, config), Err(ClientError::InvalidConfig(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(credentials: Credentials, config: ClientConfig) -> Result<Self, ClientError> {
        let http = http_client(&config)?;
        Ok(Client {
            http,
            credentials,
            config,
        })
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.config.base_url.as_str().trim_end_matches('/'),
            path
        )
    }

    fn secrets(&self) -> Vec<&str> {
        let mut secrets = vec![self.credentials.api_key.expose()];
        if let Some(secret) = &self.credentials.secret_key {
            secrets.push(secret.expose());
        }
        secrets
    }

    /// `POST /v2/payment`: creates the payment and returns its token and the
    /// hosted page URL. Never retried.
    ///
    /// Errors: [`ClientError::InvalidRequest`] before anything is sent;
    /// [`ClientError::Api`] with CinetPay's code, message and description for
    /// any code other than `201` (for example `608 MINIMUM_REQUIRED_FIELDS`,
    /// `609 AUTH_NOT_FOUND`, `624 UNKNOWN_ERROR`); [`ClientError::Unparseable`]
    /// for a `201` without a usable token and `http(s)` payment URL;
    /// [`ClientError::NotJson`] for a 2xx answer that is not JSON at all (an
    /// HTML page: a proxy or another server answered);
    /// [`ClientError::HttpStatus`] for any answer whose HTTP status is not 2xx,
    /// even with a `201` body (an error envelope with a non-2xx status is
    /// [`ClientError::Api`]); transport and timeout errors as they happen.
    ///
    /// ```no_run
    /// # async fn demo(client: cinetpay_core::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_core::*;
    /// use cinetpay_core::protocol::PaymentRequest;
    /// let request = PaymentRequest::new(
    ///     TransactionId::generate(),
    ///     Money::new(Amount::new(1000)?, Currency::Xof),
    ///     Description::new("Commande 42")?,
    ///     "https://shop.example/cinetpay/notify".parse()?,
    ///     "https://shop.example/cinetpay/return".parse()?,
    /// );
    /// let created = client.init_payment(&request).await?;
    /// // Send the customer's browser to `created.payment_url`.
    /// # Ok(()) }
    /// ```
    pub async fn init_payment(&self, request: &PaymentRequest) -> Result<InitData, ClientError> {
        let body = request
            .to_wire(&self.credentials)
            .map_err(ClientError::InvalidRequest)?;
        let id = request.transaction_id.as_str();
        tracing::debug!(transaction_id = id, money = %request.money, "initialising CinetPay payment");
        let result = self.init_once(&body).await;
        match &result {
            Ok(_) => tracing::info!(transaction_id = id, "CinetPay payment created"),
            Err(e) => tracing::warn!(transaction_id = id, error = %e, "CinetPay init failed"),
        }
        result
    }

    async fn init_once(
        &self,
        body: &crate::protocol::InitRequest,
    ) -> Result<InitData, ClientError> {
        let envelope: Envelope<InitData> = self.post("/v2/payment", body).await?;
        if !envelope.result_code().is_created() {
            return Err(ClientError::api(&envelope).redacted(&self.secrets()));
        }
        let data = envelope.data.ok_or_else(|| {
            ClientError::Unparseable(
                "code 201 CREATED without payment_token and payment_url".to_owned(),
            )
        })?;
        if data.payment_token.trim().is_empty() {
            return Err(ClientError::Unparseable(
                "code 201 CREATED with a blank payment_token".to_owned(),
            ));
        }
        match url::Url::parse(&data.payment_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(data),
            _ => Err(ClientError::Unparseable(error::redact(
                format!(
                    "code 201 CREATED with a payment_url that is not an http(s) URL: {}",
                    error::excerpt(data.payment_url.as_bytes())
                ),
                &self.secrets(),
            ))),
        }
    }

    /// `POST /v2/payment/check` by transaction id.
    ///
    /// Returns any well-formed HTTP 2xx answer, whatever its code: classify it
    /// with [`Envelope::outcome`](crate::protocol::Envelope#method.outcome)
    /// (its `code`, `message` and `description` are scrubbed of the
    /// credentials, should CinetPay ever echo them).
    ///
    /// An answer with any other HTTP status is an error, whatever its body
    /// says, so that a `00 ACCEPTED` body sent with, say, HTTP 403 is never
    /// read as a payment: [`ClientError::Api`] when the body is an envelope
    /// with an error code, [`ClientError::HttpStatus`] otherwise. Transport
    /// errors, timeouts, 5xx, 408 and 429 are retried up to
    /// [`ClientConfig::check_retries`] times with
    /// [backoff](ClientConfig::backoff), and the last error is returned; other
    /// statuses are not retried.
    pub async fn check_payment(&self, id: &TransactionId) -> Result<CheckResponse, ClientError> {
        let body = CheckRequest {
            apikey: self.credentials.api_key.expose().to_owned(),
            site_id: self.credentials.site_id.as_str().to_owned(),
            transaction_id: Some(id.as_str().to_owned()),
            token: None,
        };
        let mut attempt = 0u32;
        loop {
            match self.post::<CheckData, _>("/v2/payment/check", &body).await {
                Ok(mut envelope) => {
                    // The envelope's texts reach the caller's logs: scrub them too.
                    let secrets = self.secrets();
                    envelope.code = error::redact(envelope.code, &secrets);
                    envelope.message = error::redact(envelope.message, &secrets);
                    envelope.description = envelope.description.map(|d| error::redact(d, &secrets));
                    tracing::debug!(transaction_id = %id, code = %envelope.code, attempt, "CinetPay check answered");
                    return Ok(envelope);
                }
                Err(e) if e.is_retryable() && attempt < self.config.check_retries => {
                    let delay = self.config.backoff(attempt);
                    tracing::warn!(transaction_id = %id, attempt, error = %e, delay_ms = delay.as_millis() as u64, "CinetPay check failed, retrying");
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                }
                Err(e) => {
                    tracing::warn!(transaction_id = %id, attempts = attempt + 1, error = %e, "CinetPay check failed");
                    return Err(e);
                }
            }
        }
    }

    async fn post<T, B>(&self, path: &str, body: &B) -> Result<Envelope<T>, ClientError>
    where
        T: serde::de::DeserializeOwned,
        B: serde::Serialize + ?Sized,
    {
        self.post_unredacted(path, body)
            .await
            .map_err(|e| e.redacted(&self.secrets()))
    }

    async fn post_unredacted<T, B>(&self, path: &str, body: &B) -> Result<Envelope<T>, ClientError>
    where
        T: serde::de::DeserializeOwned,
        B: serde::Serialize + ?Sized,
    {
        let mut response = self
            .http
            .post(self.url(path))
            .header(http::header::ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(ClientError::from_reqwest)?;
        let status = response.status();
        let (bytes, too_long) = read_bounded(&mut response).await?;
        if !status.is_success() {
            return Err(error::non_success(status, &bytes, too_long));
        }
        if too_long {
            return Err(ClientError::Unparseable(format!(
                "answer longer than {} bytes: {}",
                ClientConfig::MAX_BODY_BYTES,
                error::excerpt(&bytes)
            )));
        }
        serde_json::from_slice::<Envelope<T>>(&bytes).map_err(|e| {
            error::not_json(status, &bytes).unwrap_or_else(|| {
                ClientError::Unparseable(format!(
                    "not a CinetPay JSON envelope ({e}); body starts with: {}",
                    error::excerpt(&bytes)
                ))
            })
        })
    }
}
