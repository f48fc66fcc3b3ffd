/// What went wrong in a [`PaymentStore`](super::PaymentStore).
///
/// A closed set: each backend keeps its own rich error as the `source`.
///
/// ```
/// use cinetpay_core::StoreError;
/// let e = StoreError::unavailable("connection refused");
/// assert!(e.is_transient());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached or timed out: retry later (the engine answers 503).
    #[error("payment store unavailable: {message}")]
    Unavailable {
        /// What happened.
        message: String,
        /// The backend's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A uniqueness rule was broken (for example a transaction id that exists).
    #[error("conflict in payment store: {0}")]
    Conflict(String),
    /// Stored data could not be read back (a corrupt row, an unknown status).
    #[error("corrupt data in payment store: {0}")]
    Corrupt(String),
    /// Any other backend error.
    #[error("payment store error: {message}")]
    Backend {
        /// What happened.
        message: String,
        /// The backend's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl StoreError {
    /// An [`StoreError::Unavailable`] without a source.
    pub fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable {
            message: message.into(),
            source: None,
        }
    }

    /// A [`StoreError::Backend`] keeping `source`.
    pub fn backend(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// Worth retrying later (the engine answers 503 rather than 500).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}
