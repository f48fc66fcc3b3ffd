//! What can go wrong when starting or driving the sandbox.

use std::time::Duration;

/// An error from the sandbox's Rust API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A credential given to the builder is empty or contains white space.
    #[error("invalid sandbox credential: {0}")]
    Credential(#[from] cinetpay_core::values::CredentialError),
    /// A 2026 credential given to the builder is empty or contains white space.
    #[error("invalid sandbox 2026 credential {name}: {reason}")]
    RestCredential {
        /// `api_key` or `api_password`.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The 2026 account's country is not one CinetPay serves.
    #[error(
        "unknown country {0:?} for the 2026 account: expected CI, SN, CM... (docs/rest-api-2026.md §2)"
    )]
    UnknownCountry(String),
    /// The public URL given to the builder is not an http(s) base URL.
    #[error("invalid public URL {0:?}: expected an http or https URL")]
    PublicUrl(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client for notifications could not be built.
    #[error("cannot build the notification client: {0}")]
    HttpClient(String),
    /// No payment with this transaction id was initialised.
    #[error("unknown transaction {0:?}")]
    UnknownTransaction(String),
    /// The payment was already accepted; an acceptance is final.
    #[error("transaction {0:?} is already accepted")]
    AlreadyAccepted(String),
    /// The payment's `channels` (or missing card fields) do not offer this operator.
    #[error("transaction {transaction_id:?} does not offer {operator} (channels {channels})")]
    OperatorNotOffered {
        /// The transaction.
        transaction_id: String,
        /// The operator asked for.
        operator: crate::Operator,
        /// The payment's channels.
        channels: String,
    },
    /// A refusal code that is not a documented failure code, or a waiting
    /// code that is not a documented pending code.
    #[error("{code:?} is not a documented {expected} code")]
    InvalidCode {
        /// The code given.
        code: String,
        /// `failure` or `pending`.
        expected: &'static str,
    },
    /// Notifications still running when the timeout expired.
    #[error("{pending} notification plan(s) still running after {timeout:?}")]
    Timeout {
        /// Plans still running.
        pending: usize,
        /// The timeout.
        timeout: Duration,
    },
}
