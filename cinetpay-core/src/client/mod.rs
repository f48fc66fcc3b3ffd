//! The HTTP client for CinetPay Checkout API v2.

mod config;
mod error;

pub use config::ClientConfig;
pub use error::ClientError;

use crate::protocol::{CheckData, CheckRequest, Envelope, InitData, PaymentRequest, ResultCode};
use crate::values::{Credentials, TransactionId};

/// What `/v2/payment/check` answered: any well-formed envelope, whatever its
/// code. Classifying it (success, pending, failed) is the caller's business.
pub type CheckResponse = Envelope<CheckData>;

/// A CinetPay Checkout v2 client: `init_payment` and `check_payment`.
///
/// TLS is always verified (rustls with the platform's roots); there is no
/// setting to turn that off. `check_payment` is retried with exponential
/// backoff and jitter on transport errors and 5xx answers; `init_payment` is
/// never retried silently.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_core::*;
/// let creds = Credentials::new(SiteId::new("123456")?, ApiKey::new("my-api-key")?, None);
/// let client = Client::new(creds, ClientConfig::default())?;
/// let status = client.check_payment(&"cp-abc".parse()?).await?;
/// println!("{} {}", status.code, status.message);
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

impl Client {
    /// Builds a client.
    pub fn new(credentials: Credentials, config: ClientConfig) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("cinetpay-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
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

    /// `POST /v2/payment`: creates the payment and returns its token and page URL.
    /// Any answer other than `201` with `data` is an error. Never retried.
    pub async fn init_payment(&self, request: &PaymentRequest) -> Result<InitData, ClientError> {
        let body = request
            .to_wire(&self.credentials)
            .map_err(ClientError::InvalidRequest)?;
        let envelope: Envelope<InitData> = self.post("/v2/payment", &body).await?;
        if envelope.code != ResultCode::CREATED {
            return Err(ClientError::api(&envelope));
        }
        envelope
            .data
            .ok_or_else(|| ClientError::Unparseable("201 CREATED without data".to_owned()))
    }

    /// `POST /v2/payment/check` by transaction id, retried on transport errors
    /// and 5xx within [`ClientConfig::check_retries`].
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
                Ok(envelope) => return Ok(envelope),
                Err(e) if e.is_retryable() && attempt < self.config.check_retries => {
                    let delay = self.config.backoff(attempt);
                    tracing::warn!(transaction_id = %id, attempt, error = %e, ?delay, "check failed, retrying");
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn post<T, B>(&self, path: &str, body: &B) -> Result<Envelope<T>, ClientError>
    where
        T: serde::de::DeserializeOwned,
        B: serde::Serialize + ?Sized,
    {
        let response = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .map_err(ClientError::from_reqwest)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(ClientError::from_reqwest)?;
        if status.is_server_error() {
            return Err(ClientError::HttpStatus {
                status: status.as_u16(),
                excerpt: error::excerpt(&bytes),
            });
        }
        match serde_json::from_slice::<Envelope<T>>(&bytes) {
            Ok(envelope) => Ok(envelope),
            Err(_) if !status.is_success() => Err(ClientError::HttpStatus {
                status: status.as_u16(),
                excerpt: error::excerpt(&bytes),
            }),
            Err(e) => Err(ClientError::Unparseable(format!(
                "{e}: {}",
                error::excerpt(&bytes)
            ))),
        }
    }
}
