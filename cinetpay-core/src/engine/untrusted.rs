//! Values from requests, made safe to put in a log line.

use std::fmt;

/// Shows a value from a request with its control characters escaped
/// (`\n`, `\u{1b}`...), so that it cannot forge log lines or terminal
/// sequences. Everything else is shown as it is.
///
/// ```ignore
/// assert_eq!(Untrusted("a\nb").to_string(), "a\\nb");
/// ```
pub(crate) struct Untrusted<'a>(pub(crate) &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Untrusted;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            Untrusted("cp-1\n2026-12-01 INFO forged\r\u{1b}[31m\0").to_string(),
            "cp-1\\n2026-12-01 INFO forged\\r\\u{1b}[31m\\u{0}"
        );
        assert_eq!(Untrusted("déjà vu").to_string(), "déjà vu");
    }
}
