use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which payment means the hosted page offers (`channels`).
///
/// ```
/// use cinetpay_core::Channels;
/// assert_eq!(Channels::default(), Channels::All);
/// assert_eq!("MOBILE_MONEY".parse::<Channels>().unwrap(), Channels::MobileMoney);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Channels {
    /// Every means (CinetPay's default).
    #[default]
    All,
    /// Mobile money only.
    MobileMoney,
    /// Bank cards only; requires the card customer fields.
    CreditCard,
    /// Wallets only.
    Wallet,
}

impl Channels {
    /// The value as CinetPay spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channels::All => "ALL",
            Channels::MobileMoney => "MOBILE_MONEY",
            Channels::CreditCard => "CREDIT_CARD",
            Channels::Wallet => "WALLET",
        }
    }
}

impl fmt::Display for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown `channels` value.
///
/// ```
/// use cinetpay_core::Channels;
/// let err = "CARD".parse::<Channels>().unwrap_err();
/// assert!(err.to_string().contains("CREDIT_CARD"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channels {0:?}: expected ALL, MOBILE_MONEY, CREDIT_CARD or WALLET")]
pub struct ChannelsError(pub String);

impl FromStr for Channels {
    type Err = ChannelsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ALL" => Ok(Channels::All),
            "MOBILE_MONEY" => Ok(Channels::MobileMoney),
            "CREDIT_CARD" => Ok(Channels::CreditCard),
            "WALLET" => Ok(Channels::Wallet),
            other => Err(ChannelsError(other.chars().take(32).collect())),
        }
    }
}

impl TryFrom<String> for Channels {
    type Error = ChannelsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Channels> for &'static str {
    fn from(c: Channels) -> Self {
        c.as_str()
    }
}
