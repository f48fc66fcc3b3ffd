use crate::protocol::{CodeClass, Envelope, PaymentRequestError};

/// What went wrong talking to CinetPay.
///
/// Never contains a credential: the client removes the API key and the secret
/// key from anything CinetPay or the network stack sent back before it lands
/// here, and request bodies (where the API key travels) are never quoted.
///
/// ```
/// use cinetpay_core::ClientError;
/// let e = ClientError::Api {
///     code: "608".into(),
///     message: "MINIMUM_REQUIRED_FIELDS".into(),
///     description: Some("customer_name is required".into()),
/// };
/// assert_eq!(e.to_string(), "CinetPay refused: 608 MINIMUM_REQUIRED_FIELDS (customer_name is required)");
/// assert!(!e.is_retryable());
/// assert!(ClientError::Timeout.is_retryable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request was invalid before it was sent.
    #[error("invalid payment request: {0}")]
    InvalidRequest(PaymentRequestError),
    /// Connection refused, reset, DNS, TLS...
    #[error("cannot reach CinetPay: {0}")]
    Transport(String),
    /// No answer (or no complete answer) within the configured timeout.
    #[error("CinetPay did not answer in time")]
    Timeout,
    /// An HTTP status other than 2xx: always for 5xx, 408 and 429; otherwise
    /// when the body is not a CinetPay error envelope (HTML error page,
    /// redirect, or a success code such as `00` or `201` that the status
    /// contradicts).
    #[error(
        "CinetPay answered HTTP {status}{}",
        if excerpt.is_empty() { String::new() } else { format!(": {excerpt}") }
    )]
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most 200 characters, white space folded).
        excerpt: String,
    },
    /// CinetPay answered with an error code (with HTTP 2xx, or with a 4xx
    /// status and an error envelope).
    #[error("CinetPay refused: {code} {message}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Api {
        /// The result code, such as `608`.
        code: String,
        /// The symbolic message, such as `MINIMUM_REQUIRED_FIELDS`.
        message: String,
        /// CinetPay's description, when given (for `608`, which field is wrong).
        description: Option<String>,
    },
    /// A body that is not the expected JSON (with the start of the body).
    #[error("unparseable answer from CinetPay: {0}")]
    Unparseable(String),
    /// A 2xx answer that is not JSON at all (an HTML page, text, nothing):
    /// not CinetPay's API, which answers JSON, but a proxy, a firewall, a
    /// captive portal, a maintenance page or a wrong `api_url`. A JSON
    /// answer of an unexpected shape is [`Unparseable`](Self::Unparseable);
    /// a non-2xx one is [`HttpStatus`](Self::HttpStatus), whose
    /// [`body_kind`](Self::body_kind) tells an HTML page too.
    #[error(
        "the API answered HTTP {status} with {} instead of CinetPay's JSON{}",
        body.describe(),
        if excerpt.is_empty() { String::new() } else { format!(": {excerpt}") }
    )]
    NotJson {
        /// The HTTP status (2xx).
        status: u16,
        /// What the body looks like.
        body: super::BodyKind,
        /// The start of the body (at most 200 characters, white space folded).
        excerpt: String,
    },
    /// A [`ClientConfig`](super::ClientConfig) setting is wrong; the error
    /// names it.
    #[error("invalid CinetPay client configuration: {0}")]
    InvalidConfig(super::ClientConfigError),
}

impl ClientError {
    pub(crate) fn api<T>(envelope: &Envelope<T>) -> Self {
        ClientError::Api {
            code: envelope.code.trim().to_owned(),
            message: envelope.message.clone(),
            description: envelope.description.clone(),
        }
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            return ClientError::Timeout;
        }
        // The URL holds no secret, but drop it anyway; reqwest never quotes
        // the request body (where the API key is).
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        ClientError::Transport(message)
    }

    /// What the answer's body looked like, for the errors that carry one
    /// ([`HttpStatus`](Self::HttpStatus), [`NotJson`](Self::NotJson)): an
    /// HTML page with any status means another server answered, not
    /// CinetPay's API.
    ///
    /// ```
    /// use cinetpay_core::ClientError;
    /// use cinetpay_core::client::BodyKind;
    /// let e = ClientError::HttpStatus { status: 404, excerpt: "<html><body>Not Found</body></html>".into() };
    /// assert_eq!(e.body_kind(), Some(BodyKind::Html));
    /// assert_eq!(ClientError::Timeout.body_kind(), None);
    /// ```
    pub fn body_kind(&self) -> Option<super::BodyKind> {
        match self {
            ClientError::HttpStatus { excerpt, .. } => {
                Some(super::BodyKind::of(excerpt.as_bytes()))
            }
            ClientError::NotJson { body, .. } => Some(*body),
            _ => None,
        }
    }

    /// Worth retrying (for `check`, which is idempotent): transport errors,
    /// timeouts, HTTP 5xx, 408 Request Timeout and 429 Too Many Requests.
    /// An error code from CinetPay is never retried: asking again gives the
    /// same answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) | ClientError::Timeout => true,
            ClientError::HttpStatus { status, .. } => {
                *status >= 500 || *status == 408 || *status == 429
            }
            _ => false,
        }
    }

    /// Replaces every occurrence of each secret in every text of the error.
    pub(crate) fn redacted(self, secrets: &[&str]) -> Self {
        let r = |s: String| redact(s, secrets);
        match self {
            ClientError::Transport(s) => ClientError::Transport(r(s)),
            ClientError::HttpStatus { status, excerpt } => ClientError::HttpStatus {
                status,
                excerpt: r(excerpt),
            },
            ClientError::Api {
                code,
                message,
                description,
            } => ClientError::Api {
                code: r(code),
                message: r(message),
                description: description.map(r),
            },
            ClientError::Unparseable(s) => ClientError::Unparseable(r(s)),
            ClientError::NotJson {
                status,
                body,
                excerpt,
            } => ClientError::NotJson {
                status,
                body,
                excerpt: r(excerpt),
            },
            other => other,
        }
    }
}

/// The error for an answer whose HTTP status is not 2xx: it is never read as
/// a result, whatever its body says.
///
/// 5xx, 408 and 429 are [`ClientError::HttpStatus`] (retryable) whatever the
/// body. Otherwise a CinetPay envelope with an error code gives
/// [`ClientError::Api`] (not retryable, with CinetPay's code and message), and
/// anything else, a success code included, [`ClientError::HttpStatus`].
pub(crate) fn non_success(status: http::StatusCode, body: &[u8], too_long: bool) -> ClientError {
    let http_status = || ClientError::HttpStatus {
        status: status.as_u16(),
        excerpt: excerpt(body),
    };
    if too_long || http_status().is_retryable() {
        return http_status();
    }
    match serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body) {
        Ok(envelope) if !matches!(envelope.class(), CodeClass::Success | CodeClass::Created) => {
            ClientError::api(&envelope)
        }
        _ => http_status(),
    }
}

/// [`ClientError::NotJson`] for a 2xx answer whose body is not JSON at all;
/// `None` when it looks like JSON (then it is the wrong JSON: the caller's
/// [`ClientError::Unparseable`]).
pub(crate) fn not_json(status: http::StatusCode, body: &[u8]) -> Option<ClientError> {
    match super::BodyKind::of(body) {
        super::BodyKind::Json => None,
        kind => Some(ClientError::NotJson {
            status: status.as_u16(),
            body: kind,
            excerpt: excerpt(body),
        }),
    }
}

pub(crate) fn redact(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, "<redacted>");
        }
    }
    text
}

/// The first 200 characters of a body, white space and control characters
/// folded to single spaces, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if count >= MAX {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        let page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
            <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        let e = excerpt(page);
        assert!(e.starts_with("<html> <head><title>502 Bad Gateway</title>"));
        assert!(!e.contains('\n') && !e.contains('\r'));
        assert!(e.ends_with("</html>"));
        let long = excerpt("x".repeat(1000).as_bytes());
        assert_eq!(long.chars().count(), 201);
        assert!(long.ends_with('…'));
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(b"  \n "), "");
        assert_eq!(excerpt(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }

    #[test]
    fn redaction_reaches_every_text() {
        let secrets = ["KEY-123", "SECRET-456"];
        let e = ClientError::Api {
            code: "609".into(),
            message: "AUTH_NOT_FOUND".into(),
            description: Some("apikey KEY-123 not found; secret SECRET-456".into()),
        }
        .redacted(&secrets);
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains("KEY-123") && !shown.contains("SECRET-456"),
            "{shown}"
        );
        assert!(shown.contains("<redacted>"));
        for e in [
            ClientError::Transport("KEY-123".into()),
            ClientError::Unparseable("x KEY-123".into()),
            ClientError::HttpStatus {
                status: 500,
                excerpt: "SECRET-456".into(),
            },
            ClientError::NotJson {
                status: 200,
                body: super::super::BodyKind::Html,
                excerpt: "<html>KEY-123".into(),
            },
        ] {
            let shown = format!("{0} {0:?}", e.redacted(&secrets));
            assert!(
                !shown.contains("KEY-123") && !shown.contains("SECRET-456"),
                "{shown}"
            );
        }
        assert_eq!(redact("abc".into(), &[""]), "abc");
    }

    #[test]
    fn a_2xx_answer_that_is_not_json_says_so() {
        let page = b"<html><body>Portail captif</body></html>";
        let e = not_json(http::StatusCode::OK, page).unwrap();
        assert_eq!(
            e.to_string(),
            "the API answered HTTP 200 with an HTML page instead of CinetPay's JSON: \
             <html><body>Portail captif</body></html>"
        );
        assert_eq!(e.body_kind(), Some(super::super::BodyKind::Html));
        assert!(!e.is_retryable());
        let empty = not_json(http::StatusCode::NO_CONTENT, b"").unwrap();
        assert_eq!(
            empty.to_string(),
            "the API answered HTTP 204 with an empty body instead of CinetPay's JSON"
        );
        assert_eq!(not_json(http::StatusCode::OK, br#"{"code":1}"#), None);
    }

    #[test]
    fn what_is_retried() {
        for status in [500, 502, 503, 504, 408, 429] {
            let e = ClientError::HttpStatus {
                status,
                excerpt: String::new(),
            };
            assert!(e.is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 301] {
            let e = ClientError::HttpStatus {
                status,
                excerpt: String::new(),
            };
            assert!(!e.is_retryable(), "{status}");
        }
        assert!(ClientError::Transport("reset".into()).is_retryable());
        assert!(!ClientError::Unparseable("x".into()).is_retryable());
        assert!(
            !ClientError::InvalidConfig(super::super::ClientConfigError {
                field: "timeout",
                problem: "x".into()
            })
            .is_retryable()
        );
        assert_eq!(
            ClientError::HttpStatus {
                status: 502,
                excerpt: String::new()
            }
            .to_string(),
            "CinetPay answered HTTP 502"
        );
    }
}
