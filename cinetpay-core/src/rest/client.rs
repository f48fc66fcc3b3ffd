//! The 2026 REST API client: login, init and status, with the token cache.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};

use super::RestCredentials;
use super::request::RestPaymentRequest;
use super::status::StatusAnswer;
use super::token::{Lease, TokenCache};
use super::wire::{Head, InitAnswer, LoginAnswer, RawInit};
use crate::client::ClientConfig;
use crate::client::ClientError;
use crate::client::error::{excerpt, not_json, redact};
use crate::engine::metrics;
use crate::values::{NotifyToken, TransactionId};

/// A client of one 2026 REST API account (`docs/rest-api-2026.md`).
///
/// TLS is always verified; redirects are not followed; `Debug`, errors and
/// logs never show the API key, the password, a token or a notify token.
/// Clones share the connection pool and the token.
#[derive(Clone)]
pub struct RestClient {
    http: reqwest::Client,
    credentials: RestCredentials,
    config: ClientConfig,
    token: Arc<TokenCache>,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient")
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .field("logins", &self.logins())
            .finish_non_exhaustive()
    }
}

/// An answer as it came: the HTTP status and the body (bounded).
struct Raw {
    status: StatusCode,
    body: Vec<u8>,
}

impl RestClient {
    /// Builds a client, after checking the configuration. Its `base_url` is
    /// the API host (for example [`Environment::api_url`](super::Environment::api_url)).
    ///
    /// ```
    /// use cinetpay_core::{ApiKey, ApiPassword, ClientConfig};
    /// use cinetpay_core::rest::{RestClient, RestCredentials};
    /// let creds = RestCredentials::new(ApiKey::new("sk_test_k")?, ApiPassword::new("p")?);
    /// let config = ClientConfig::default().with_base_url("https://api.cinetpay.net")?;
    /// let client = RestClient::new(creds, config)?;
    /// assert_eq!(client.logins(), 0);
    /// assert!(!format!("{client:?}").contains("sk_test_k"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(credentials: RestCredentials, config: ClientConfig) -> Result<Self, ClientError> {
        let http = crate::client::http_client(&config)?;
        Ok(RestClient {
            http,
            credentials,
            config,
            token: Arc::new(TokenCache::default()),
        })
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &RestCredentials {
        &self.credentials
    }

    /// How many times this client (and its clones) logged in.
    pub fn logins(&self) -> u64 {
        self.token.logins()
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.config.base_url.as_str().trim_end_matches('/'),
            path
        )
    }

    fn scrub(&self, text: String, token: Option<&str>) -> String {
        let mut secrets = vec![
            self.credentials.api_key.expose(),
            self.credentials.api_password.expose(),
        ];
        if let Some(token) = token {
            secrets.push(token);
        }
        redact(text, &secrets)
    }

    /// One HTTP exchange, nothing interpreted.
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Result<Raw, ClientError> {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header(http::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = request.send().await.map_err(ClientError::from_reqwest)?;
        let status = response.status();
        let (bytes, too_long) = crate::client::read_bounded(&mut response).await?;
        if too_long {
            return Err(ClientError::Unparseable(format!(
                "answer longer than {} bytes: {}",
                ClientConfig::MAX_BODY_BYTES,
                excerpt(&bytes)
            )));
        }
        Ok(Raw {
            status,
            body: bytes,
        })
    }

    /// `POST /v1/oauth/login`: a token and its lifetime.
    async fn login(&self) -> Result<(String, Option<Duration>), ClientError> {
        let body = serde_json::json!({
            "api_key": self.credentials.api_key.expose(),
            "api_password": self.credentials.api_password.expose(),
        });
        let raw = self
            .send(Method::POST, "/v1/oauth/login", None, Some(&body))
            .await?;
        if !raw.status.is_success() {
            return Err(self.refusal(&raw, None));
        }
        let answer: LoginAnswer = serde_json::from_slice(&raw.body).map_err(|e| {
            self.not_json(&raw, None).unwrap_or_else(|| {
                ClientError::Unparseable(self.scrub(
                    format!("login answer is not JSON ({e}): {}", excerpt(&raw.body)),
                    None,
                ))
            })
        })?;
        match answer.token() {
            Some((token, lifetime)) => {
                tracing::info!("logged in to CinetPay");
                Ok((token, lifetime.map(Duration::from_secs)))
            }
            None => Err(self.refusal(&raw, None)),
        }
    }

    /// [`ClientError::NotJson`] (scrubbed) for a 2xx answer that is not
    /// JSON at all: another server answered.
    fn not_json(&self, raw: &Raw, token: Option<&str>) -> Option<ClientError> {
        match not_json(raw.status, &raw.body)? {
            ClientError::NotJson {
                status,
                body,
                excerpt,
            } => Some(ClientError::NotJson {
                status,
                body,
                excerpt: self.scrub(excerpt, token),
            }),
            other => Some(other),
        }
    }

    /// The error for an answer that is not what was asked: CinetPay's code
    /// and text when the body has them, else the HTTP status.
    fn refusal(&self, raw: &Raw, token: Option<&str>) -> ClientError {
        let http_status = || ClientError::HttpStatus {
            status: raw.status.as_u16(),
            excerpt: self.scrub(excerpt(&raw.body), token),
        };
        if raw.status.is_server_error() || matches!(raw.status.as_u16(), 408 | 429) {
            return http_status();
        }
        match serde_json::from_slice::<Head>(&raw.body) {
            Ok(head) if !head.code.as_str().is_empty() => {
                let (code, status, text) = head.summary();
                ClientError::Api {
                    code: self.scrub(code, token),
                    message: self.scrub(status, token),
                    description: text.map(|t| self.scrub(t, token)),
                }
            }
            _ => http_status(),
        }
    }

    /// Whether an answer says the token is invalid or expired (HTTP 401, or
    /// `1002`/`1003` at the root or in `details`, with any status).
    fn is_token_error(raw: &Raw) -> bool {
        raw.status == StatusCode::UNAUTHORIZED
            || serde_json::from_slice::<Head>(&raw.body).is_ok_and(|h| h.is_token_error())
    }

    /// A call with the bearer token; on a token error, one new login and one
    /// retry of the call.
    async fn authed(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(Raw, Lease), ClientError> {
        let lease = self.token.get(|| metrics::login(self.login())).await?;
        let raw = self
            .send(method.clone(), path, Some(&lease.value), body)
            .await?;
        if !Self::is_token_error(&raw) {
            return Ok((raw, lease));
        }
        tracing::info!("CinetPay refused the token; logging in again");
        self.token.invalidate(lease.serial).await;
        let lease = self.token.get(|| metrics::login(self.login())).await?;
        let raw = self.send(method, path, Some(&lease.value), body).await?;
        if Self::is_token_error(&raw) {
            return Err(self.refusal(&raw, Some(&lease.value)));
        }
        Ok((raw, lease))
    }

    /// `POST /v1/payment`: creates the payment. Never retried after it was
    /// sent (a timed-out init may have created the payment), except once
    /// after a refused token, when CinetPay did not take the request.
    ///
    /// Errors: [`ClientError::Api`] with CinetPay's code for a refusal (among
    /// them `1200 TRANSACTION_EXIST`: the id is taken, the payment may exist;
    /// `1004 INVALID_PARAMS`); [`ClientError::Unparseable`] for a success
    /// without a usable `payment_url` or `notify_token`;
    /// [`ClientError::HttpStatus`] for any other non-2xx answer.
    pub async fn init_payment(
        &self,
        request: &RestPaymentRequest,
    ) -> Result<InitAnswer, ClientError> {
        let body = serde_json::to_value(request)
            .map_err(|e| ClientError::Unparseable(format!("cannot encode the request: {e}")))?;
        let id = request.merchant_transaction_id().as_str();
        let (raw, lease) = self
            .authed(Method::POST, "/v1/payment", Some(&body))
            .await?;
        let result = self.read_init(&raw, id, &lease.value);
        match &result {
            Ok(_) => tracing::info!(transaction_id = id, "CinetPay payment created"),
            Err(e) => tracing::warn!(transaction_id = id, error = %e, "CinetPay init failed"),
        }
        result
    }

    fn read_init(&self, raw: &Raw, id: &str, token: &str) -> Result<InitAnswer, ClientError> {
        if !raw.status.is_success() {
            return Err(self.refusal(raw, Some(token)));
        }
        let init: RawInit = serde_json::from_slice(&raw.body).map_err(|e| {
            self.not_json(raw, Some(token)).unwrap_or_else(|| {
                ClientError::Unparseable(self.scrub(
                    format!("init answer is not JSON ({e}): {}", excerpt(&raw.body)),
                    Some(token),
                ))
            })
        })?;
        if init.head.code.as_str() != "200" {
            return Err(self.refusal(raw, Some(token)));
        }
        let unusable = |what: &str| ClientError::Unparseable(format!("code 200 with {what}"));
        let payment_url = init
            .payment_url
            .map(|u| u.trim().to_owned())
            .filter(|u| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .ok_or_else(|| unusable("no http(s) payment_url"))?;
        let notify_token = init
            .notify_token
            .and_then(|t| NotifyToken::new(t.trim()).ok())
            .ok_or_else(|| unusable("no usable notify_token"))?;
        if let Some(theirs) = init.merchant_transaction_id.as_deref()
            && theirs.trim() != id
        {
            return Err(unusable("another payment's merchant_transaction_id"));
        }
        let details = init.head.details.unwrap_or_default();
        Ok(InitAnswer {
            merchant_transaction_id: id.to_owned(),
            transaction_id: init
                .transaction_id
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            payment_token: init.payment_token.unwrap_or_default(),
            payment_url,
            notify_token,
            details_code: details.code.as_str().to_owned(),
            must_be_redirected: details.must_be_redirected.unwrap_or(true),
        })
    }

    /// `GET /v1/payment/{merchant_transaction_id}`: the payment's status, any
    /// code (classify it with [`StatusAnswer::outcome`]). Retried with
    /// [backoff](ClientConfig::backoff) on transport errors, timeouts, 5xx,
    /// 408 and 429, at most [`ClientConfig::check_retries`] times. A 4xx
    /// answer whose body carries a code (`404 NOT_FOUND`, `1004`) is returned
    /// as an answer; 401 and 403, and bodies without a code, are errors.
    pub async fn payment_status(&self, id: &TransactionId) -> Result<StatusAnswer, ClientError> {
        let path = format!("/v1/payment/{}", id.as_str());
        let mut attempt = 0u32;
        loop {
            let result = match self.authed(Method::GET, &path, None).await {
                Ok((raw, lease)) => self.read_status(&raw, &lease.value),
                Err(e) => Err(e),
            };
            match result {
                Ok(answer) => {
                    tracing::debug!(transaction_id = %id, code = %answer.code, attempt, "CinetPay status answered");
                    return Ok(answer);
                }
                Err(e) if e.is_retryable() && attempt < self.config.check_retries => {
                    let delay = self.config.backoff(attempt);
                    tracing::warn!(transaction_id = %id, attempt, error = %e, delay_ms = delay.as_millis() as u64, "CinetPay status failed, retrying");
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                }
                Err(e) => {
                    tracing::warn!(transaction_id = %id, attempts = attempt + 1, error = %e, "CinetPay status failed");
                    return Err(e);
                }
            }
        }
    }

    fn read_status(&self, raw: &Raw, token: &str) -> Result<StatusAnswer, ClientError> {
        let readable_refusal =
            raw.status.is_client_error() && !matches!(raw.status.as_u16(), 401 | 403 | 408 | 429);
        if !raw.status.is_success() && !readable_refusal {
            return Err(self.refusal(raw, Some(token)));
        }
        match serde_json::from_slice::<StatusAnswer>(&raw.body) {
            Ok(mut answer) if !answer.code.as_str().is_empty() => {
                answer.status = self.scrub(answer.status, Some(token));
                answer.message = answer.message.map(|m| self.scrub(m, Some(token)));
                Ok(answer)
            }
            _ if !raw.status.is_success() => Err(self.refusal(raw, Some(token))),
            _ => Err(self.not_json(raw, Some(token)).unwrap_or_else(|| {
                ClientError::Unparseable(self.scrub(
                    format!("status answer without a code: {}", excerpt(&raw.body)),
                    Some(token),
                ))
            })),
        }
    }
}
