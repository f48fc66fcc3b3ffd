use std::fmt;

use serde::{Deserialize, Serialize};

/// The merchant's reference of an order, as the shop's page posts it to `init`.
///
/// It is only a key: what the order costs is always asked of the merchant's
/// [`OrderFulfiller`](crate::OrderFulfiller), never read from the request.
/// 1 to 128 printable characters without white space at either end.
///
/// ```
/// use cinetpay_core::OrderRef;
/// assert!(OrderRef::new("ord-42").is_ok());
/// assert!(OrderRef::new("").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderRef(String);

/// Why an order reference was refused.
///
/// ```
/// use cinetpay_core::{OrderRef, values::OrderRefError};
/// assert_eq!(OrderRef::new(" ord-1"), Err(OrderRefError::BadCharacter));
/// assert_eq!(OrderRef::new("x".repeat(129)), Err(OrderRefError::TooLong(129)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderRefError {
    /// Empty.
    #[error("order reference is empty")]
    Empty,
    /// Longer than [`OrderRef::MAX_LEN`].
    #[error("order reference is {0} characters long, at most 128 are allowed")]
    TooLong(usize),
    /// Control characters or surrounding white space.
    #[error("order reference contains control characters or surrounding white space")]
    BadCharacter,
}

impl OrderRef {
    /// Longest reference accepted.
    pub const MAX_LEN: usize = 128;

    /// Validates a reference.
    pub fn new(value: impl Into<String>) -> Result<Self, OrderRefError> {
        let value = value.into();
        if value.is_empty() {
            return Err(OrderRefError::Empty);
        }
        let len = value.chars().count();
        if len > Self::MAX_LEN {
            return Err(OrderRefError::TooLong(len));
        }
        if value.chars().any(char::is_control) || value.trim() != value {
            return Err(OrderRefError::BadCharacter);
        }
        Ok(OrderRef(value))
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrderRef {
    type Error = OrderRefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        OrderRef::new(value)
    }
}

impl From<OrderRef> for String {
    fn from(o: OrderRef) -> Self {
        o.0
    }
}
