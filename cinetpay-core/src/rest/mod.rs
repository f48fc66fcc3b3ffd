//! CinetPay's 2026 REST API (`/v1/oauth/login`, `/v1/payment`): the client
//! of the second API generation, beside Checkout v2's [`Client`](crate::Client).
//!
//! The protocol notes this module relies on, with their sources and open
//! points, are kept in the repository: `docs/rest-api-2026.md`.
//!
//! * Authentication: an OAuth-style bearer token from `POST /v1/oauth/login`
//!   (`api_key` + `api_password`), cached per client until shortly before
//!   `expires_in` ends (5 minutes before, or a tenth of the lifetime when it is
//!   shorter; 300 s when the answer has no `expires_in`), refreshed by one caller
//!   while the others wait. An answer that says the token is invalid or
//!   expired (`1002 INVALID_TOKEN`, `1003 EXPIRED_TOKEN`, or HTTP 401; at the
//!   root of the body or nested in `details`; with HTTP 200, 401 or 422)
//!   makes the client log in again once and retry the call once.
//! * [`RestClient::init_payment`] (`POST /v1/payment`) is never retried on a
//!   transport error, a timeout or a 5xx: the payment may exist.
//! * [`RestClient::payment_status`] (`GET /v1/payment/{merchant_transaction_id}`)
//!   is retried with backoff and jitter on transport errors, timeouts, 5xx,
//!   408 and 429, as v2's check is.
//! * [`StatusAnswer::outcome`] classifies a status answer into the engine's
//!   one [`CheckOutcome`](crate::protocol::CheckOutcome). The answer carries
//!   no amount or currency: a payment's money is what the authenticated init
//!   sent; what the answer does carry (both ids) is compared.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cinetpay_core::{ApiKey, ApiPassword, ClientConfig};
//! use cinetpay_core::rest::{RestClient, RestCredentials};
//! let credentials = RestCredentials::new(ApiKey::new("sk_test_my_key")?, ApiPassword::new("my-password")?);
//! // Test keys talk to https://api.cinetpay.net, live keys to https://api.cinetpay.co.
//! let config = ClientConfig::default().with_base_url(credentials.environment().api_url())?;
//! let client = RestClient::new(credentials, config)?;
//! let status = client.payment_status(&"CP-ORDER-42".parse()?).await?;
//! tracing::info!(code = %status.code, status = %status.status, "payment status");
//! # Ok(()) }
//! ```

mod client;
mod codes;
mod credentials;
mod request;
mod status;
mod token;
mod wire;

pub use client::RestClient;
pub use codes::{RestCode, RestCodeClass};
pub use credentials::{Environment, RestCredentials};
pub use request::{Lang, RestPaymentRequest};
pub use request::{MAX_ID_LEN, MAX_URL_LEN};
pub use status::StatusAnswer;
pub use wire::{InitAnswer, RestNotification};
