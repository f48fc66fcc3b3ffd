use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The merchant-side id of one payment, sent to CinetPay as `transaction_id`.
///
/// Generated ids are `cp-` followed by 21 characters drawn uniformly from
/// `[A-Za-z0-9]` by a CSPRNG seeded by the operating system: 24 characters, 125 random
/// bits (at least 96 are required to be unguessable). Parsed ids follow the
/// same alphabet rule (`[A-Za-z0-9-]`, 1 to 64 characters), so that an id read
/// from a notification can never carry SQL, a path or control characters further.
///
/// ```
/// use cinetpay_core::TransactionId;
/// let id = TransactionId::generate();
/// assert!(id.as_str().starts_with("cp-"));
/// assert_eq!(id.as_str().parse::<TransactionId>().unwrap(), id);
/// assert!("ORDER-0001".parse::<TransactionId>().is_ok());
/// assert!("1; DROP TABLE".parse::<TransactionId>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TransactionId(String);

/// Why a transaction id was refused.
///
/// ```
/// use cinetpay_core::{TransactionId, values::TransactionIdError};
/// assert_eq!(TransactionId::parse("ab/c"), Err(TransactionIdError::BadCharacter('/', 2)));
/// assert_eq!(
///     TransactionId::parse("ab/c").unwrap_err().to_string(),
///     "transaction id contains '/' at position 2; only A-Z, a-z, 0-9 and '-' are allowed"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionIdError {
    /// Empty string.
    #[error("transaction id is empty")]
    Empty,
    /// Longer than [`TransactionId::MAX_LEN`].
    #[error("transaction id is {0} characters long, at most 64 are allowed")]
    TooLong(usize),
    /// A character outside `[A-Za-z0-9-]`.
    #[error(
        "transaction id contains {0:?} at position {1}; only A-Z, a-z, 0-9 and '-' are allowed"
    )]
    BadCharacter(char, usize),
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl TransactionId {
    /// Longest id accepted when parsing.
    pub const MAX_LEN: usize = 64;

    /// A new unguessable id: 125 random bits from `rand`'s thread-local CSPRNG
    /// (ChaCha, seeded by the operating system).
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut s = String::with_capacity(24);
        s.push_str("cp-");
        for _ in 0..21 {
            let i = rng.random_range(0..ALPHABET.len());
            s.push(char::from(ALPHABET[i]));
        }
        TransactionId(s)
    }

    /// A new unguessable id for the 2026 API, whose `merchant_transaction_id`
    /// takes 1 to 30 characters of upper-case letters, digits and `-`:
    /// `CP-` and 24 random characters of `A-Z0-9` (124 random bits).
    ///
    /// ```
    /// use cinetpay_core::TransactionId;
    /// let id = TransactionId::generate_upper();
    /// assert_eq!(id.as_str().len(), 27);
    /// assert!(id.as_str().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'));
    /// ```
    pub fn generate_upper() -> Self {
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut rng = rand::rng();
        let mut s = String::with_capacity(27);
        s.push_str("CP-");
        for _ in 0..24 {
            let i = rng.random_range(0..UPPER.len());
            s.push(char::from(UPPER[i]));
        }
        TransactionId(s)
    }

    /// Validates an id received from outside.
    pub fn parse(s: &str) -> Result<Self, TransactionIdError> {
        if s.is_empty() {
            return Err(TransactionIdError::Empty);
        }
        let len = s.chars().count();
        if len > Self::MAX_LEN {
            return Err(TransactionIdError::TooLong(len));
        }
        if let Some((pos, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(TransactionIdError::BadCharacter(c, pos));
        }
        Ok(TransactionId(s.to_owned()))
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransactionId({})", self.0)
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TransactionId {
    type Err = TransactionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TransactionId::parse(s)
    }
}

impl TryFrom<String> for TransactionId {
    type Error = TransactionIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TransactionId::parse(&value)
    }
}

impl From<TransactionId> for String {
    fn from(id: TransactionId) -> Self {
        id.0
    }
}

impl AsRef<str> for TransactionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_ids_are_unique_short_and_parse_back() {
        let ids: HashSet<_> = (0..10_000).map(|_| TransactionId::generate()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.as_str().len(), 24);
            assert_eq!(TransactionId::parse(id.as_str()).as_ref(), Ok(id));
        }
    }

    #[test]
    fn hostile_ids_are_refused_with_the_character() {
        assert_eq!(TransactionId::parse(""), Err(TransactionIdError::Empty));
        assert_eq!(
            TransactionId::parse("a'b"),
            Err(TransactionIdError::BadCharacter('\'', 1))
        );
        assert!(TransactionId::parse("../etc").is_err());
        assert!(TransactionId::parse("é").is_err());
        assert!(TransactionId::parse("a\u{0}").is_err());
        assert!(TransactionId::parse(&"a".repeat(65)).is_err());
        assert!(TransactionId::parse(&"a".repeat(64)).is_ok());
    }
}
