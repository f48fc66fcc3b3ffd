//! A text column that holds a secret.

use std::fmt;

use sea_orm::DeriveValueType;

/// The stored text of a secret (the 2026 API's notify token): read and
/// written like any text, never shown by `Debug`, so that a row printed while
/// debugging does not leak it.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub(crate) struct SecretText(pub(crate) String);

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::SecretText;

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", Some(SecretText("nt-7f3a".to_owned())));
        assert!(!shown.contains("nt-7f3a"), "{shown}");
    }
}
