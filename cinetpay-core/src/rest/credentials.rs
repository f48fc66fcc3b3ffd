//! The credentials of one 2026 REST API account, and the environment (test
//! or live) their key belongs to.

use crate::values::{ApiKey, ApiPassword, CredentialError};

/// Test or live, as the API key's prefix says (`sk_test_…`, `sk_live_…`).
///
/// ```
/// use cinetpay_core::rest::Environment;
/// assert_eq!(Environment::of_key("sk_test_abc"), Some(Environment::Test));
/// assert_eq!(Environment::of_key("sk_live_abc"), Some(Environment::Live));
/// assert_eq!(Environment::of_key("a-v2-api-key"), None);
/// assert_eq!(Environment::Test.api_url(), "https://api.cinetpay.net");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `sk_test_` keys: CinetPay's sandbox, `https://api.cinetpay.net`.
    Test,
    /// `sk_live_` keys: real money, `https://api.cinetpay.co`.
    Live,
}

impl Environment {
    /// The environment of a 2026 API key, or `None` for a key of another
    /// shape (a Checkout v2 key).
    pub fn of_key(api_key: &str) -> Option<Self> {
        if api_key.starts_with("sk_test_") {
            Some(Environment::Test)
        } else if api_key.starts_with("sk_live_") {
            Some(Environment::Live)
        } else {
            None
        }
    }

    /// CinetPay's API host for this environment (`docs/rest-api-2026.md` §2).
    pub fn api_url(self) -> &'static str {
        match self {
            Environment::Test => "https://api.cinetpay.net",
            Environment::Live => "https://api.cinetpay.co",
        }
    }
}

/// An account's `api_key` (starting `sk_test_` or `sk_live_`) and
/// `api_password`. `Debug` shows neither.
///
/// ```
/// use cinetpay_core::{ApiKey, ApiPassword};
/// use cinetpay_core::rest::{Environment, RestCredentials};
/// let c = RestCredentials::new(ApiKey::new("sk_live_k")?, ApiPassword::new("p")?);
/// assert_eq!(c.environment(), Environment::Live);
/// assert!(!format!("{c:?}").contains("sk_live_k"));
/// assert!(RestCredentials::parse("a-v2-key", "p").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestCredentials {
    /// `api_key`.
    pub api_key: ApiKey,
    /// `api_password`.
    pub api_password: ApiPassword,
}

impl RestCredentials {
    /// Groups a key and its password. A key without the `sk_test_`/`sk_live_`
    /// prefix is taken as a test key by [`environment`](Self::environment);
    /// [`parse`](Self::parse) refuses it.
    pub fn new(api_key: ApiKey, api_password: ApiPassword) -> Self {
        RestCredentials {
            api_key,
            api_password,
        }
    }

    /// Validates both, and that the key is a 2026 key (`sk_test_…` or `sk_live_…`).
    pub fn parse(api_key: &str, api_password: &str) -> Result<Self, CredentialError> {
        if Environment::of_key(api_key).is_none() {
            return Err(CredentialError::BadPrefix("api key"));
        }
        Ok(RestCredentials::new(
            ApiKey::new(api_key)?,
            ApiPassword::new(api_password)?,
        ))
    }

    /// The key's environment (a key of another shape counts as a test key:
    /// real money is never assumed).
    pub fn environment(&self) -> Environment {
        Environment::of_key(self.api_key.expose()).unwrap_or(Environment::Test)
    }
}
