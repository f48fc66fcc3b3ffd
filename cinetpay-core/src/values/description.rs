use std::fmt;

use serde::{Deserialize, Serialize};

/// A payment description, free of the characters CinetPay refuses (`# / $ _ &`).
///
/// ```
/// use cinetpay_core::Description;
/// assert!(Description::new("Panier de mangues").is_ok());
/// let err = Description::new("Order #12").unwrap_err();
/// assert!(err.to_string().contains("'#'"));
/// assert_eq!(Description::sanitised("Order #12 / A&B").as_str(), "Order 12 AB");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

/// Why a description was refused.
///
/// ```
/// use cinetpay_core::values::{Description, DescriptionError};
/// assert_eq!(Description::new("a_b"), Err(DescriptionError::ForbiddenCharacter('_')));
/// assert_eq!(Description::new(" "), Err(DescriptionError::Empty));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// Empty or only white space.
    #[error("description is empty")]
    Empty,
    /// A character CinetPay refuses.
    #[error(
        "description contains {0:?}, which CinetPay refuses (one of # / $ _ &); use Description::sanitised to drop them"
    )]
    ForbiddenCharacter(char),
    /// Longer than [`Description::MAX_LEN`] characters.
    #[error("description is {0} characters long, at most 255 are allowed")]
    TooLong(usize),
    /// A control character (new line, NUL...).
    #[error("description contains a control character")]
    ControlCharacter,
}

impl Description {
    /// The characters CinetPay's documentation tells merchants not to use.
    pub const FORBIDDEN: [char; 5] = ['#', '/', '$', '_', '&'];
    /// Longest description accepted (CinetPay publishes none; this keeps rows small).
    pub const MAX_LEN: usize = 255;

    /// Validates a description.
    pub fn new(text: impl Into<String>) -> Result<Self, DescriptionError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(DescriptionError::Empty);
        }
        if let Some(c) = text.chars().find(|c| Self::FORBIDDEN.contains(c)) {
            return Err(DescriptionError::ForbiddenCharacter(c));
        }
        if text.chars().any(char::is_control) {
            return Err(DescriptionError::ControlCharacter);
        }
        let len = text.chars().count();
        if len > Self::MAX_LEN {
            return Err(DescriptionError::TooLong(len));
        }
        Ok(Description(text))
    }

    /// Drops forbidden and control characters, folds runs of spaces, trims,
    /// truncates to [`Description::MAX_LEN`], and falls back to `"Payment"` when nothing is left.
    pub fn sanitised(text: &str) -> Self {
        let kept: String = text
            .chars()
            .filter(|c| !Self::FORBIDDEN.contains(c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let folded = kept.split_whitespace().collect::<Vec<_>>().join(" ");
        let truncated: String = folded.chars().take(Self::MAX_LEN).collect();
        let truncated = truncated.trim().to_owned();
        if truncated.is_empty() {
            Description("Payment".to_owned())
        } else {
            Description(truncated)
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Description {
    type Error = DescriptionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Description::new(value)
    }
}

impl From<Description> for String {
    fn from(d: Description) -> Self {
        d.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_forbidden_character_is_named() {
        for c in Description::FORBIDDEN {
            assert_eq!(
                Description::new(format!("a{c}b")),
                Err(DescriptionError::ForbiddenCharacter(c))
            );
        }
        assert_eq!(Description::new("  "), Err(DescriptionError::Empty));
        assert_eq!(
            Description::new("a\nb"),
            Err(DescriptionError::ControlCharacter)
        );
        assert!(matches!(
            Description::new("x".repeat(256)),
            Err(DescriptionError::TooLong(256))
        ));
    }

    #[test]
    fn sanitising_always_gives_a_valid_description() {
        for raw in ["#/$_&", "", "a\n\tb", "Café crème # 2"] {
            let d = Description::sanitised(raw);
            assert_eq!(Description::new(d.as_str()).as_ref(), Ok(&d));
        }
        assert_eq!(
            Description::sanitised("Café crème # 2").as_str(),
            "Café crème 2"
        );
    }
}
