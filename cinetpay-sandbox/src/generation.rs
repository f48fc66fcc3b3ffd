//! [`Generation`]: which of CinetPay's two APIs a shop is set up for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of CinetPay's two API generations. The sandbox always serves both;
/// the generation chosen with [`SandboxBuilder::generation`](crate::SandboxBuilder::generation)
/// says which credentials [`Sandbox::shop_settings`](crate::Sandbox::shop_settings)
/// hands to a shop.
///
/// ```
/// use cinetpay_sandbox::Generation;
/// assert_eq!("2026".parse::<Generation>().unwrap(), Generation::Rest2026);
/// assert_eq!("v2".parse::<Generation>().unwrap(), Generation::V2);
/// assert_eq!(Generation::default(), Generation::V2);
/// assert_eq!(Generation::Rest2026.to_string(), "2026");
/// assert!("v3".parse::<Generation>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Generation {
    /// Checkout v2: `apikey` + `site_id`, `POST /v2/payment`, signed form notifications.
    #[default]
    #[serde(rename = "v2")]
    V2,
    /// The 2026 REST API: `api_key` + `api_password`, a Bearer token from
    /// `POST /v1/oauth/login`, `POST /v1/payment`, JSON notifications.
    #[serde(rename = "2026")]
    Rest2026,
}

impl Generation {
    /// `v2` or `2026`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Generation::V2 => "v2",
            Generation::Rest2026 => "2026",
        }
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A generation name that is neither `v2` nor `2026`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API generation {0:?}: expected v2 or 2026")]
pub struct UnknownGeneration(pub String);

impl FromStr for Generation {
    type Err = UnknownGeneration;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v2" | "2" => Ok(Generation::V2),
            "2026" | "rest" | "v1" => Ok(Generation::Rest2026),
            _ => Err(UnknownGeneration(s.chars().take(32).collect())),
        }
    }
}
