use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a credential was refused.
/// The message names the setting, never its value.
///
/// ```
/// use cinetpay_core::ApiKey;
/// assert_eq!(ApiKey::new("").unwrap_err().to_string(), "api key is empty");
/// assert_eq!(
///     ApiKey::new("my key").unwrap_err().to_string(),
///     "api key contains white space or control characters"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The setting is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// The setting contains white space or control characters.
    #[error("{0} contains white space or control characters")]
    BadCharacter(&'static str),
    /// A Checkout v2 site id that is not a number (CinetPay's site ids are
    /// digits, such as `123456`; anything else is refused at every call).
    #[error("{0} is not a number")]
    NotNumeric(&'static str),
    /// A 2026 REST API key that starts neither `sk_test_` nor `sk_live_`.
    #[error("{0} of the 2026 API must start with sk_test_ or sk_live_")]
    BadPrefix(&'static str),
}

fn check(name: &'static str, value: &str) -> Result<(), CredentialError> {
    if value.is_empty() {
        Err(CredentialError::Empty(name))
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(CredentialError::BadCharacter(name))
    } else {
        Ok(())
    }
}

/// The merchant's site (service) id. Not a secret.
///
/// ```
/// use cinetpay_core::SiteId;
/// assert_eq!(SiteId::new("123456").unwrap().as_str(), "123456");
/// assert_eq!(SiteId::new("0123").unwrap().as_str(), "0123");
/// assert!(SiteId::new("abc").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteId(String);

impl SiteId {
    /// Validates a site id: digits only (at most 32), as CinetPay issues them.
    pub fn new(value: impl Into<String>) -> Result<Self, CredentialError> {
        let value = value.into();
        check("site id", &value)?;
        if value.len() > 32 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CredentialError::NotNumeric("site id"));
        }
        Ok(SiteId(value))
    }
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SiteId {
    type Error = CredentialError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SiteId::new(value)
    }
}

impl From<SiteId> for String {
    fn from(s: SiteId) -> Self {
        s.0
    }
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Validates the secret (non-empty, no white space).
            ///
            /// ```
            #[doc = concat!("use cinetpay_core::", stringify!($name), ";")]
            #[doc = concat!("assert!(", stringify!($name), "::new(\"k-123\").is_ok());")]
            #[doc = concat!("assert!(", stringify!($name), "::new(\" k\").is_err());")]
            /// ```
            pub fn new(value: impl Into<String>) -> Result<Self, CredentialError> {
                let value = value.into();
                check($label, &value)?;
                Ok($name(value))
            }

            /// The secret itself. Only the wire and the HMAC should ever call this.
            ///
            /// ```
            #[doc = concat!("use cinetpay_core::", stringify!($name), ";")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(\"k-123\").unwrap().expose(), \"k-123\");")]
            /// ```
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
    };
}

secret!(
    /// The merchant's API key. Never shown by `Debug` or `Display`.
    ///
    /// ```
    /// use cinetpay_core::ApiKey;
    /// let key = ApiKey::new("s3cr3t-api-key").unwrap();
    /// assert_eq!(format!("{key:?} {key}"), "ApiKey(<redacted>) <redacted>");
    /// assert_eq!(key.expose(), "s3cr3t-api-key");
    /// ```
    ApiKey,
    "api key"
);

secret!(
    /// The merchant's secret key, which signs notifications (`x-token`).
    /// Never shown by `Debug` or `Display`.
    ///
    /// ```
    /// use cinetpay_core::SecretKey;
    /// let key = SecretKey::new("s3cr3t").unwrap();
    /// assert!(!format!("{key:?}").contains("s3cr3t"));
    /// ```
    SecretKey,
    "secret key"
);

secret!(
    /// The password of a 2026 REST API account (`api_password`), sent with the
    /// API key to `POST /v1/oauth/login`. Never shown by `Debug` or `Display`.
    ///
    /// ```
    /// use cinetpay_core::ApiPassword;
    /// let password = ApiPassword::new("pa55word").unwrap();
    /// assert_eq!(format!("{password:?} {password}"), "ApiPassword(<redacted>) <redacted>");
    /// ```
    ApiPassword,
    "api password"
);

secret!(
    /// The per-payment `notify_token` the 2026 API returns from
    /// `POST /v1/payment`: a notification about the payment is authentic when
    /// it carries the same token. A secret: never shown by `Debug` or
    /// `Display`; compare with `NotifyToken::matches` (constant time).
    ///
    /// ```
    /// use cinetpay_core::NotifyToken;
    /// let stored = NotifyToken::new("nt-7f3a").unwrap();
    /// assert!(stored.matches("nt-7f3a"));
    /// assert!(!stored.matches("nt-7f3b") && !stored.matches(""));
    /// assert_eq!(format!("{stored:?}"), "NotifyToken(<redacted>)");
    /// ```
    NotifyToken,
    "notify token"
);

impl NotifyToken {
    /// Whether `presented` is this token, compared in constant time; an empty
    /// presented token never matches (and a stored token is never empty).
    #[cfg(feature = "engine")]
    pub fn matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        !presented.is_empty() && bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// The credentials of one CinetPay site.
///
/// ```
/// use cinetpay_core::{ApiKey, Credentials, SiteId};
/// let creds = Credentials::new(SiteId::new("123").unwrap(), ApiKey::new("s3cr3t-api-key").unwrap(), None);
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("123") && !shown.contains("s3cr3t-api-key"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The site id.
    pub site_id: SiteId,
    /// The API key.
    pub api_key: ApiKey,
    /// The secret key that signs notifications; without it, `x-token` is not checked.
    pub secret_key: Option<SecretKey>,
}

impl Credentials {
    /// Groups the three credentials.
    pub fn new(site_id: SiteId, api_key: ApiKey, secret_key: Option<SecretKey>) -> Self {
        Credentials {
            site_id,
            api_key,
            secret_key,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show() {
        let creds = Credentials::new(
            SiteId::new("445566").unwrap(),
            ApiKey::new("APIKEY-VALUE-123").unwrap(),
            Some(SecretKey::new("SECRET-VALUE-456").unwrap()),
        );
        let shown = format!(
            "{creds:?} {creds:#?} {} {}",
            creds.api_key,
            creds.secret_key.as_ref().unwrap()
        );
        assert!(!shown.contains("APIKEY-VALUE-123"), "{shown}");
        assert!(!shown.contains("SECRET-VALUE-456"), "{shown}");
        assert!(shown.contains("445566"));
        assert_eq!(ApiKey::new(""), Err(CredentialError::Empty("api key")));
        assert_eq!(
            SecretKey::new("a b"),
            Err(CredentialError::BadCharacter("secret key"))
        );
    }
}
