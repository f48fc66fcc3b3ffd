//! Which CinetPay account, and which API generation, a payment belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The name of one configured CinetPay account, recorded with each payment
/// so that its notifications, returns and checks use that account's
/// credentials. A shop with one account uses [`AccountName::DEFAULT`].
///
/// 1 to 32 characters: lower-case ASCII letters, digits and `_`; it names
/// the account's environment variables (`ci` → `CINETPAY_CI_API_KEY`).
///
/// ```
/// use cinetpay_core::AccountName;
/// assert_eq!(AccountName::new("ci")?.as_str(), "ci");
/// assert_eq!(AccountName::new(" CM ")?.as_str(), "cm", "trimmed, lower-cased");
/// assert!(AccountName::new("c-i").is_err() && AccountName::new("").is_err());
/// assert_eq!(AccountName::default().as_str(), "default");
/// # Ok::<(), cinetpay_core::AccountNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

/// Why an account name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("account name {0:?} must be 1 to 32 characters: a-z, 0-9 and _")]
pub struct AccountNameError(pub String);

impl AccountName {
    /// The name of the single account of a shop that names none.
    pub const DEFAULT: &'static str = "default";

    /// Validates a name (trimmed, lower-cased).
    pub fn new(name: &str) -> Result<Self, AccountNameError> {
        let name = name.trim().to_ascii_lowercase();
        let ok = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(AccountName(name))
        } else {
            Err(AccountNameError(name.chars().take(40).collect()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for AccountName {
    fn default() -> Self {
        AccountName(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for AccountName {
    type Err = AccountNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountName::new(s)
    }
}

impl TryFrom<String> for AccountName {
    type Error = AccountNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AccountName::new(&value)
    }
}

impl From<AccountName> for String {
    fn from(name: AccountName) -> Self {
        name.0
    }
}

/// The CinetPay API generation a payment was created on.
///
/// ```
/// use cinetpay_core::Generation;
/// assert_eq!(Generation::Rest2026.as_str(), "2026");
/// assert_eq!("v2".parse::<Generation>(), Ok(Generation::CheckoutV2));
/// assert_eq!(Generation::default(), Generation::CheckoutV2, "rows written before 2026");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Generation {
    /// Checkout v2: `api-checkout.cinetpay.com/v2`, site id and API key in
    /// the body, `x-token` notifications (docs/checkout-v2.md).
    #[default]
    #[serde(rename = "v2")]
    CheckoutV2,
    /// The REST API of 2026: OAuth login, `/v1/payment`, per-payment notify
    /// tokens (docs/rest-api-2026.md).
    #[serde(rename = "2026")]
    Rest2026,
}

impl Generation {
    /// `v2` or `2026`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Generation::CheckoutV2 => "v2",
            Generation::Rest2026 => "2026",
        }
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored generation that is neither `v2` nor `2026`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API generation {0:?} (v2 or 2026)")]
pub struct GenerationError(pub String);

impl std::str::FromStr for Generation {
    type Err = GenerationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "v2" => Ok(Generation::CheckoutV2),
            "2026" => Ok(Generation::Rest2026),
            other => Err(GenerationError(other.chars().take(16).collect())),
        }
    }
}
