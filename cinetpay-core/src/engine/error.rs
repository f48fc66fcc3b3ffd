//! What can go wrong in the engine's programmatic API.

use super::customer_error::{CustomerError, CustomerErrorKind};
use crate::client::ClientError;
use crate::protocol::PaymentRequestError;
use crate::store::StoreError;

/// Why [`Checkout::start_payment`](super::Checkout::start_payment) did not give a payment page.
///
/// Every variant maps to one HTTP answer of `POST {prefix}/init`
/// ([`http_status`](Self::http_status)). Messages never contain a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The merchant's `quote` does not know this order (404).
    #[error("no such order")]
    UnknownOrder,
    /// The order cannot be paid now (409).
    #[error("order cannot be paid now: {0}")]
    NotPayable(String),
    /// The merchant's order lookup failed (503).
    #[error("order lookup is unavailable: {0}")]
    QuoteUnavailable(String),
    /// Another init for this order is creating its payment right now (409):
    /// retry in a moment.
    #[error("payment is being created, retry")]
    InProgress,
    /// The quote gives a request CinetPay would refuse, such as a card payment
    /// without the card customer fields (500: the merchant's code must change).
    #[error("the order's quote gives an invalid payment request: {0}")]
    InvalidQuote(PaymentRequestError),
    /// CinetPay refused to create the payment (502); the payment is `start_failed`.
    #[error("CinetPay refused the payment: {code} {message}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// CinetPay's result code, such as `608`.
        code: String,
        /// CinetPay's message, such as `MINIMUM_REQUIRED_FIELDS`.
        message: String,
        /// CinetPay's description, when given.
        description: Option<String>,
    },
    /// CinetPay could not be reached or answered nonsense (502, or 503 on a
    /// connection failure or a timeout); the payment is `start_failed` and is
    /// not retried silently (it may or may not exist at CinetPay).
    #[error("CinetPay could not create the payment: {0}")]
    Unreachable(ClientError),
    /// The payment store failed (503 when transient, else 500).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl InitError {
    /// The HTTP status `POST {prefix}/init` answers with.
    pub fn http_status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            InitError::UnknownOrder => S::NOT_FOUND,
            InitError::NotPayable(_) | InitError::InProgress => S::CONFLICT,
            InitError::QuoteUnavailable(_) => S::SERVICE_UNAVAILABLE,
            InitError::InvalidQuote(_) => S::INTERNAL_SERVER_ERROR,
            InitError::Refused { .. } => S::BAD_GATEWAY,
            InitError::Unreachable(ClientError::Transport(_) | ClientError::Timeout) => {
                S::SERVICE_UNAVAILABLE
            }
            InitError::Unreachable(_) => S::BAD_GATEWAY,
            InitError::Store(e) if e.is_transient() => S::SERVICE_UNAVAILABLE,
            InitError::Store(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short, fixed text `POST {prefix}/init` shows the customer: never
    /// the merchant's quote error, CinetPay's texts or a store error, which
    /// go to the log.
    ///
    /// ```
    /// use cinetpay_core::engine::InitError;
    /// let e = InitError::QuoteUnavailable("connection to db-7 refused".into());
    /// assert_eq!(e.public_message(), "this order cannot be priced right now; try again in a moment");
    /// ```
    pub fn public_message(&self) -> &'static str {
        match self {
            InitError::UnknownOrder => "no such order",
            InitError::NotPayable(_) => "this order cannot be paid now",
            InitError::QuoteUnavailable(_) => {
                "this order cannot be priced right now; try again in a moment"
            }
            InitError::InProgress => "the payment is being created; try again in a moment",
            InitError::InvalidQuote(_) => "the payment could not be created",
            InitError::Refused { .. } => "CinetPay refused to create the payment",
            InitError::Unreachable(_) => {
                "CinetPay cannot be reached right now; try again in a moment"
            }
            InitError::Store(_) => "payments are unavailable right now; try again in a moment",
        }
    }
}

impl InitError {
    /// The error as the customer's page shows it: the status, the kind and
    /// [`public_message`](Self::public_message).
    ///
    /// ```
    /// use cinetpay_core::engine::{CustomerErrorKind, InitError};
    /// let shown = InitError::NotPayable("already paid on 2026-11-30".into()).customer_error();
    /// assert_eq!(shown.status(), 409);
    /// assert_eq!(shown.message(), "this order cannot be paid now");
    /// assert!(matches!(shown.kind(), CustomerErrorKind::NotPayable { reason } if reason.starts_with("already")));
    /// ```
    pub fn customer_error(&self) -> CustomerError {
        use CustomerErrorKind as K;
        let kind = match self {
            InitError::UnknownOrder => K::UnknownOrder,
            InitError::NotPayable(reason) => K::NotPayable {
                reason: reason.clone(),
            },
            InitError::InProgress => K::InProgress,
            InitError::QuoteUnavailable(_) | InitError::Store(_) => K::Unavailable,
            InitError::Unreachable(ClientError::Transport(_) | ClientError::Timeout) => {
                K::Unavailable
            }
            InitError::InvalidQuote(_) | InitError::Refused { .. } | InitError::Unreachable(_) => {
                K::PaymentPageNotCreated
            }
        };
        CustomerError::new(self.http_status(), kind, self.public_message().to_owned())
    }
}

/// Why [`Checkout::sync`](super::Checkout::sync) could not finish. Each one is
/// transient for the caller: nothing was lost, and the next notification,
/// return or reconciliation pass tries again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The payment store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `/v2/payment/check` could not be reached (after the client's retries).
    #[error("cannot check the payment: {0}")]
    Check(ClientError),
    /// `/v2/payment/check` answered a request-error code (bad API key, bad
    /// site id...): the configuration needs a human; nothing was changed.
    #[error("CinetPay refused the check: {code} {message}")]
    CheckRefused {
        /// The result code, such as `609`.
        code: String,
        /// The message, such as `AUTH_NOT_FOUND`.
        message: String,
    },
    /// The status kept changing under this sync (another instance was
    /// writing); the next delivery will see the settled state.
    #[error("the payment changed concurrently; retry")]
    Contention,
    /// The delivery task stopped before it finished (the runtime is shutting
    /// down); the claim expires with its lease and the delivery is retried.
    #[error("the delivery was interrupted: {0}")]
    Interrupted(String),
    /// The payment was created on an account that is no longer configured:
    /// nothing was changed; restore the account's settings.
    #[error("the payment's CinetPay account {0} is not configured")]
    UnknownAccount(crate::model::AccountName),
}

impl SyncError {
    /// The short, fixed text a notification's answer carries for this error
    /// (the detail goes to the log).
    pub fn public_message(&self) -> &'static str {
        match self {
            SyncError::Store(_) => "not processed: storage unavailable, retry later",
            SyncError::Check(_) | SyncError::CheckRefused { .. } | SyncError::UnknownAccount(_) => {
                "not processed: the payment could not be checked, retry later"
            }
            SyncError::Contention | SyncError::Interrupted(_) => "not processed, retry later",
        }
    }

    /// The HTTP status a notification gets for this error: 503, or 500 for a
    /// store error that is not transient.
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            SyncError::Store(e) if !e.is_transient() => http::StatusCode::INTERNAL_SERVER_ERROR,
            _ => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}
