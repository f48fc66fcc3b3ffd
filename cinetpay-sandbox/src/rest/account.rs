//! The 2026 account: its credentials and its country (one account = one
//! country, which fixes the currency and the phones' calling code,
//! docs/rest-api-2026.md §2).

use std::fmt;

/// A country a 2026 account can belong to: cinetpay-core's table
/// (docs/rest-api-2026.md §2).
pub(crate) use cinetpay_core::Country;

/// The country of `code` (case-insensitive).
pub(crate) fn country(code: &str) -> Option<Country> {
    Country::of(code)
}

/// The credentials of the sandbox's 2026 account: what a shop gives as
/// `api_key` and `api_password` to `POST /v1/oauth/login`.
///
/// The password is left out of `Debug`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::Sandbox;
/// let sandbox = Sandbox::builder().start().await?;
/// let credentials = sandbox.credentials_2026();
/// assert!(credentials.api_key().starts_with("sk_test_"));
/// assert!(!format!("{credentials:?}").contains(credentials.api_password()));
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RestCredentials {
    api_key: String,
    api_password: String,
}

impl RestCredentials {
    pub(crate) fn new(api_key: String, api_password: String) -> Self {
        RestCredentials {
            api_key,
            api_password,
        }
    }

    /// The API key (`sk_test_…`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The API password.
    pub fn api_password(&self) -> &str {
        &self.api_password
    }
}

impl fmt::Debug for RestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestCredentials")
            .field("api_key", &self.api_key)
            .field("api_password", &"***")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_have_their_currency_and_calling_code() {
        let ci = country("ci").expect("CI");
        assert_eq!((ci.currency().as_str(), ci.calling_code()), ("XOF", "225"));
        assert_eq!(country("CD").map(|c| c.currency().as_str()), Some("CDF"));
        assert_eq!(country("CM").map(|c| c.calling_code()), Some("237"));
        assert!(country("FR").is_none());
    }
}
