use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A currency accepted by CinetPay Checkout v2.
///
/// ```
/// use cinetpay_core::Currency;
/// let xof: Currency = "XOF".parse().unwrap();
/// assert_eq!(xof, Currency::Xof);
/// assert_eq!(xof.as_str(), "XOF");
/// assert!("EUR".parse::<Currency>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Currency {
    /// West African CFA franc.
    Xof,
    /// Central African CFA franc.
    Xaf,
    /// Congolese franc.
    Cdf,
    /// Guinean franc.
    Gnf,
    /// US dollar.
    Usd,
}

impl Currency {
    /// Every supported currency.
    pub const ALL: [Currency; 5] = [
        Currency::Xof,
        Currency::Xaf,
        Currency::Cdf,
        Currency::Gnf,
        Currency::Usd,
    ];

    /// The ISO 4217 code as CinetPay spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Currency::Xof => "XOF",
            Currency::Xaf => "XAF",
            Currency::Cdf => "CDF",
            Currency::Gnf => "GNF",
            Currency::Usd => "USD",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A currency code that CinetPay Checkout v2 does not accept.
///
/// ```
/// use cinetpay_core::Currency;
/// let err = "EUR".parse::<Currency>().unwrap_err();
/// assert_eq!(err.to_string(), r#"unsupported currency "EUR": expected one of XOF, XAF, CDF, GNF, USD"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency {0:?}: expected one of XOF, XAF, CDF, GNF, USD")]
pub struct CurrencyError(pub String);

impl FromStr for Currency {
    type Err = CurrencyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| CurrencyError(s.chars().take(16).collect()))
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for &'static str {
    fn from(c: Currency) -> Self {
        c.as_str()
    }
}

/// An amount in the currency's unit (CinetPay uses no minor unit): a positive
/// integer, multiple of 5.
///
/// ```
/// use cinetpay_core::Amount;
/// assert_eq!(Amount::new(1500).unwrap().get(), 1500);
/// assert!(Amount::new(0).is_err());
/// assert!(Amount::new(1502).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Amount(i64);

/// Why an amount was refused.
///
/// ```
/// use cinetpay_core::{Amount, values::AmountError};
/// assert_eq!(Amount::new(102), Err(AmountError::NotMultipleOfFive(102)));
/// assert_eq!(Amount::new(-5), Err(AmountError::NotPositive(-5)));
/// assert!(matches!("12.5".parse::<Amount>(), Err(AmountError::NotAnInteger(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Zero or negative.
    #[error("amount must be positive, got {0}")]
    NotPositive(i64),
    /// CinetPay only accepts multiples of 5.
    #[error("amount must be a multiple of 5, got {0}")]
    NotMultipleOfFive(i64),
    /// Not an integer (for example `"12.5"` or `"abc"`).
    #[error("amount is not an integer: {0:?}")]
    NotAnInteger(String),
    /// Above [`Amount::MAX`].
    #[error("amount {0} is above the largest accepted, 1000000000000")]
    TooLarge(i64),
}

impl Amount {
    /// The largest amount accepted (CinetPay publishes no maximum; this bounds
    /// arithmetic and storage).
    pub const MAX: i64 = 1_000_000_000_000;

    /// Validates an amount: positive, multiple of 5, at most [`Amount::MAX`].
    pub fn new(value: i64) -> Result<Self, AmountError> {
        if value <= 0 {
            Err(AmountError::NotPositive(value))
        } else if value % 5 != 0 {
            Err(AmountError::NotMultipleOfFive(value))
        } else if value > Self::MAX {
            Err(AmountError::TooLarge(value))
        } else {
            Ok(Amount(value))
        }
    }

    /// The amount as an integer.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let v: i64 = t
            .parse()
            .map_err(|_| AmountError::NotAnInteger(t.chars().take(32).collect()))?;
        Amount::new(v)
    }
}

impl TryFrom<i64> for Amount {
    type Error = AmountError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Amount::new(value)
    }
}

impl From<Amount> for i64 {
    fn from(a: Amount) -> Self {
        a.0
    }
}

/// An amount with its currency.
///
/// ```
/// use cinetpay_core::{Amount, Currency, Money};
/// let price = Money::new(Amount::new(2500).unwrap(), Currency::Xof);
/// assert_eq!(price.to_string(), "2500 XOF");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount, in the currency's unit.
    pub amount: Amount,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Pairs an amount with its currency.
    pub const fn new(amount: Amount, currency: Currency) -> Self {
        Money { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn currencies_round_trip_and_reject_others() {
        for c in Currency::ALL {
            assert_eq!(c.as_str().parse::<Currency>(), Ok(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Currency>(&json).unwrap(), c);
        }
        assert!("xof".parse::<Currency>().is_err());
        assert!(serde_json::from_str::<Currency>("\"EUR\"").is_err());
    }

    #[test]
    fn amounts_are_positive_multiples_of_five() {
        assert_eq!(Amount::new(5).map(Amount::get), Ok(5));
        assert_eq!(Amount::new(0), Err(AmountError::NotPositive(0)));
        assert_eq!(Amount::new(-5), Err(AmountError::NotPositive(-5)));
        assert_eq!(Amount::new(101), Err(AmountError::NotMultipleOfFive(101)));
        assert_eq!(Amount::new(Amount::MAX).map(Amount::get), Ok(Amount::MAX));
        assert_eq!(
            Amount::new(Amount::MAX + 5),
            Err(AmountError::TooLarge(Amount::MAX + 5))
        );
        assert_eq!(" 25 ".parse::<Amount>().map(Amount::get), Ok(25));
        assert!(matches!(
            "99999999999999999999".parse::<Amount>(),
            Err(AmountError::NotAnInteger(_))
        ));
        assert_eq!("100".parse::<Amount>().map(Amount::get), Ok(100));
        assert!(matches!(
            "12.5".parse::<Amount>(),
            Err(AmountError::NotAnInteger(_))
        ));
        assert!(serde_json::from_str::<Amount>("102").is_err());
    }
}
