//! [`ConfigError`]: a setting that is missing or wrong, named both ways.

use std::fmt;

/// A setting that is missing or wrong.
///
/// It names the setting by its config key ([`key`](Self::key), as in a
/// Rocket `[default.cinetpay]` table or a JSON object) and, when the setting
/// can come from the environment, by its variable ([`env`](Self::env)), as two
/// separate fields, so that an adapter can name it the way its users set it.
/// The message never shows a secret.
///
/// ```
/// use cinetpay_core::engine::CheckoutSettings;
/// let err = CheckoutSettings::default().into_config().unwrap_err();
/// assert_eq!(err.key(), "api_key");
/// assert_eq!(err.env(), Some("CINETPAY_API_KEY"));
/// assert_eq!(err.problem(), "is missing");
/// assert_eq!(err.to_string(), "CINETPAY_API_KEY / api_key is missing");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    key: String,
    env: Option<String>,
    problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.env {
            Some(env) => write!(f, "{env} / {} {}", self.key, self.problem),
            None => write!(f, "{} {}", self.key, self.problem),
        }
    }
}

impl ConfigError {
    /// An error about the setting `key` (whose environment variable is
    /// `CINETPAY_` and the key in upper case).
    ///
    /// ```
    /// let e = cinetpay_core::engine::ConfigError::setting("site_id", "must be a number");
    /// assert_eq!(e.env(), Some("CINETPAY_SITE_ID"));
    /// ```
    pub fn setting(key: &str, problem: impl Into<String>) -> Self {
        ConfigError {
            env: Some(env_name(key)),
            key: key.to_owned(),
            problem: problem.into(),
        }
    }

    /// An error about a setting whose key and variable are not derived from
    /// each other (a named account's `accounts.cm.api_key`, read from
    /// `CINETPAY_CM_API_KEY`).
    ///
    /// ```
    /// let e = cinetpay_core::engine::ConfigError::named("accounts.cm.site_id", "CINETPAY_CM_SITE_ID", "is missing");
    /// assert_eq!(e.to_string(), "CINETPAY_CM_SITE_ID / accounts.cm.site_id is missing");
    /// ```
    pub fn named(
        key: impl Into<String>,
        env: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        ConfigError {
            key: key.into(),
            env: Some(env.into()),
            problem: problem.into(),
        }
    }

    /// An error about something that is not an environment setting (a missing
    /// piece of the [`Checkout`](crate::engine::Checkout) builder, say).
    ///
    /// ```
    /// let e = cinetpay_core::engine::ConfigError::other("store", "is missing");
    /// assert_eq!(e.env(), None);
    /// assert_eq!(e.to_string(), "store is missing");
    /// ```
    pub fn other(what: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            key: what.into(),
            env: None,
            problem: problem.into(),
        }
    }

    /// The config key, such as `site_id`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The environment variable, such as `CINETPAY_SITE_ID`, when there is one.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    /// What is wrong, such as `is missing`.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// The environment variable of a config key: `CINETPAY_` and the key in upper
/// case (`site_id` → `CINETPAY_SITE_ID`).
pub(crate) fn env_name(key: &str) -> String {
    format!("CINETPAY_{}", key.to_ascii_uppercase())
}
