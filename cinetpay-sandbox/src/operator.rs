//! The payment means offered on the sandbox's payment page.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A payment means, reported as `payment_method` in notifications and checks
/// (Côte d'Ivoire codes, docs/checkout-v2.md §1.6).
///
/// ```
/// use cinetpay_sandbox::Operator;
/// assert_eq!(Operator::OrangeMoney.code(), "OM");
/// assert_eq!("WAVECI".parse::<Operator>().unwrap(), Operator::Wave);
/// assert_eq!("om".parse::<Operator>().unwrap(), Operator::OrangeMoney);
/// assert!("PAYPAL".parse::<Operator>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Operator {
    /// Orange Money (`OM`).
    OrangeMoney,
    /// MTN Mobile Money (`MOMO`).
    MtnMomo,
    /// Moov Money / Flooz (`FLOOZ`).
    MoovFlooz,
    /// Wave (`WAVECI`).
    Wave,
    /// Visa / Mastercard (`VISAM`).
    Card,
}

/// The channel family an operator belongs to, as in the init `channels` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelFamily {
    MobileMoney,
    Wallet,
    CreditCard,
}

impl Operator {
    /// Every operator, in page order.
    pub const ALL: [Operator; 5] = [
        Operator::OrangeMoney,
        Operator::MtnMomo,
        Operator::MoovFlooz,
        Operator::Wave,
        Operator::Card,
    ];

    /// The `payment_method` code.
    pub const fn code(self) -> &'static str {
        match self {
            Operator::OrangeMoney => "OM",
            Operator::MtnMomo => "MOMO",
            Operator::MoovFlooz => "FLOOZ",
            Operator::Wave => "WAVECI",
            Operator::Card => "VISAM",
        }
    }

    /// The name shown to the customer.
    pub const fn label(self) -> &'static str {
        match self {
            Operator::OrangeMoney => "Orange Money",
            Operator::MtnMomo => "MTN MoMo",
            Operator::MoovFlooz => "Moov Money (Flooz)",
            Operator::Wave => "Wave",
            Operator::Card => "Visa / Mastercard",
        }
    }

    pub(crate) const fn family(self) -> ChannelFamily {
        match self {
            Operator::OrangeMoney | Operator::MtnMomo | Operator::MoovFlooz => {
                ChannelFamily::MobileMoney
            }
            Operator::Wave => ChannelFamily::Wallet,
            Operator::Card => ChannelFamily::CreditCard,
        }
    }

    /// A plausible payer number for this operator in Côte d'Ivoire
    /// (10 digits, operator prefix 07 / 05 / 01), used when none is known.
    pub(crate) const fn demo_phone(self) -> &'static str {
        match self {
            Operator::OrangeMoney => "0707000001",
            Operator::MtnMomo => "0505000001",
            Operator::MoovFlooz => "0101000001",
            Operator::Wave => "0708000001",
            Operator::Card => "",
        }
    }

    /// Prefix of the operator reference (`operator_id`).
    pub(crate) const fn reference_prefix(self) -> &'static str {
        match self {
            Operator::OrangeMoney => "MP",
            Operator::MtnMomo => "MM",
            Operator::MoovFlooz => "MV",
            Operator::Wave => "WV",
            Operator::Card => "VS",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A `payment_method` code the sandbox does not offer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown operator {0:?}: expected OM, MOMO, FLOOZ, WAVECI or VISAM")]
pub struct UnknownOperator(pub String);

impl FromStr for Operator {
    type Err = UnknownOperator;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        Operator::ALL
            .into_iter()
            .find(|o| o.code() == code)
            .ok_or_else(|| UnknownOperator(s.chars().take(32).collect()))
    }
}

impl TryFrom<String> for Operator {
    type Error = UnknownOperator;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Operator> for &'static str {
    fn from(o: Operator) -> Self {
        o.code()
    }
}
