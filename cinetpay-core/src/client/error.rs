use crate::protocol::{Envelope, PaymentRequestError};

/// What went wrong talking to CinetPay. Never contains a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request was invalid before it was sent.
    #[error("invalid payment request: {0}")]
    InvalidRequest(PaymentRequestError),
    /// Connection refused, reset, DNS, TLS...
    #[error("cannot reach CinetPay: {0}")]
    Transport(String),
    /// No answer within the timeout.
    #[error("CinetPay did not answer in time")]
    Timeout,
    /// An HTTP error status without a CinetPay envelope (HTML error page, 5xx...).
    #[error("CinetPay answered HTTP {status}: {excerpt}")]
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },
    /// CinetPay answered with an error code.
    #[error("CinetPay refused: {code} {message}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Api {
        /// The result code, such as `608`.
        code: String,
        /// The symbolic message, such as `MINIMUM_REQUIRED_FIELDS`.
        message: String,
        /// CinetPay's description, when given.
        description: Option<String>,
    },
    /// A body that is not the expected JSON.
    #[error("unparseable answer from CinetPay: {0}")]
    Unparseable(String),
}

impl ClientError {
    pub(crate) fn api<T>(envelope: &Envelope<T>) -> Self {
        ClientError::Api {
            code: envelope.code.clone(),
            message: envelope.message.clone(),
            description: envelope.description.clone(),
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ClientError::Timeout
        } else {
            // reqwest's message may contain the URL, never the JSON body (where the key is).
            ClientError::Transport(e.without_url().to_string())
        }
    }

    /// Worth retrying (transport errors, timeouts, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) | ClientError::Timeout => true,
            ClientError::HttpStatus { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut s: String = text.chars().take(200).filter(|c| !c.is_control()).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}
