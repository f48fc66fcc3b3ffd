//! Where the customer goes after `{prefix}/return`: a template the merchant
//! configures, never a URL taken from the request.

use std::fmt;

/// A validated redirect template such as
/// `/orders/{order_ref}?payment={status}&transaction_id={transaction_id}`.
///
/// Placeholders: `{order_ref}`, `{transaction_id}`, `{status}` (a
/// [`PaymentStatus`](crate::PaymentStatus) name such as `accepted`). Values are
/// percent-encoded when rendered. The template is either a path on the shop
/// (starting with one `/`) or an absolute `http(s)` URL, in visible ASCII.
///
/// ```
/// use cinetpay_core::engine::ReturnTemplate;
/// let t = ReturnTemplate::parse("/orders/{order_ref}?payment={status}&tx={transaction_id}").unwrap();
/// assert_eq!(t.render("ord 42/é", "cp-1", "accepted"), "/orders/ord%2042%2F%C3%A9?payment=accepted&tx=cp-1");
/// assert!(ReturnTemplate::parse("/orders/{order}").is_err());
/// assert!(ReturnTemplate::parse("//evil.example/x").is_err());
/// assert!(ReturnTemplate::parse("javascript:alert(1)").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ReturnTemplate {
    raw: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    OrderRef,
    TransactionId,
    Status,
}

impl ReturnTemplate {
    /// Validates a template.
    pub fn parse(template: &str) -> Result<Self, String> {
        Self::parse_with(template, true)
    }

    /// Validates a fixed URL (a template without placeholders).
    pub(crate) fn parse_fixed(url: &str) -> Result<Self, String> {
        Self::parse_with(url, false)
    }

    fn parse_with(template: &str, placeholders: bool) -> Result<Self, String> {
        if template.is_empty() {
            return Err("is empty".to_owned());
        }
        if let Some(c) = template.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(format!(
                "contains {c:?}: only visible ASCII is allowed (percent-encode the rest)"
            ));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            if rest[i..].starts_with('}') {
                return Err("has a '}' without its '{'".to_owned());
            }
            let after = &rest[i + 1..];
            let end = after
                .find('}')
                .ok_or_else(|| "has a '{' without its '}'".to_owned())?;
            let name = &after[..end];
            let part = match name {
                "order_ref" => Part::OrderRef,
                "transaction_id" => Part::TransactionId,
                "status" => Part::Status,
                other => {
                    return Err(format!(
                        "has an unknown placeholder {{{other}}}: use {{order_ref}}, {{transaction_id}} or {{status}}"
                    ));
                }
            };
            if !placeholders {
                return Err(format!("cannot use placeholders such as {{{name}}}"));
            }
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let t = ReturnTemplate {
            raw: template.to_owned(),
            parts,
        };
        t.check_target()?;
        Ok(t)
    }

    /// A path on the shop, or an absolute http(s) URL; never `//host` or another scheme.
    /// The text before the first placeholder must fix where the redirect goes
    /// (`/x...` for a path, `scheme://host/` for a URL), so that no value — an
    /// order reference, an empty string — can move it to another host.
    fn check_target(&self) -> Result<(), String> {
        if self.parts.iter().any(|p| !matches!(p, Part::Literal(_))) {
            let prefix = match self.parts.first() {
                Some(Part::Literal(s)) => s.as_str(),
                _ => "",
            };
            let fixed = match prefix.split_once("://") {
                // As the URL parser reads it: extra slashes before the host are skipped.
                Some((_, after_scheme)) => after_scheme
                    .trim_start_matches(['/', '\\'])
                    .find(['/', '?', '#', '\\'])
                    .is_some_and(|end_of_host| end_of_host > 0),
                None => {
                    let mut chars = prefix.chars();
                    chars.next() == Some('/') && chars.next().is_some_and(|c| c != '/' && c != '\\')
                }
            };
            if !fixed {
                return Err(
                    "must not have a placeholder before its path: start with '/' and a path segment, or 'https://host/'"
                        .to_owned(),
                );
            }
        }
        let sample = self.render("o", "t", "s");
        if sample.starts_with('/') {
            if sample.starts_with("//") || sample.starts_with("/\\") {
                return Err(
                    "must be a path starting with a single '/' or an http(s) URL".to_owned(),
                );
            }
            return Ok(());
        }
        match url::Url::parse(&sample) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
            _ => Err("must be a path starting with '/' or an absolute http(s) URL".to_owned()),
        }
    }

    /// The URL for one payment, values percent-encoded.
    pub fn render(&self, order_ref: &str, transaction_id: &str, status: &str) -> String {
        let mut out = String::with_capacity(self.raw.len() + 32);
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::OrderRef => percent_encode_into(&mut out, order_ref),
                Part::TransactionId => percent_encode_into(&mut out, transaction_id),
                Part::Status => percent_encode_into(&mut out, status),
            }
        }
        out
    }

    /// The template as configured.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for ReturnTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReturnTemplate({:?})", self.raw)
    }
}

impl fmt::Display for ReturnTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_and_values_encoded() {
        for bad in [
            "",
            "orders",
            "/a b",
            "/{x}",
            "/{status",
            "/status}",
            "//host/x",
            "/\\host",
            "ftp://x/y",
            "mailto:a@b.example",
            "{order_ref}",
            // A value must never be able to choose the host.
            "https://shop.example{order_ref}/",
            "https://{order_ref}/x",
            "https:////{status}/",
            "http://x_x{transaction_id}://a/",
            "/{status}//host",
            "/{order_ref}",
        ] {
            assert!(ReturnTemplate::parse(bad).is_err(), "{bad}");
        }
        let t = ReturnTemplate::parse("https://shop.example/o/{order_ref}#{status}").unwrap();
        assert_eq!(
            t.render("a&b=c?", "x", "needs_attention"),
            "https://shop.example/o/a%26b%3Dc%3F#needs_attention"
        );
        for good in [
            "/orders/{order_ref}?payment={status}",
            "/o{order_ref}",
            "https://shop.example/{order_ref}",
            "https://shop.example?o={order_ref}",
            "https://shop.example#{status}",
        ] {
            assert!(ReturnTemplate::parse(good).is_ok(), "{good}");
        }
        assert!(ReturnTemplate::parse_fixed("/").is_ok());
        assert!(ReturnTemplate::parse_fixed("/{status}").is_err());
    }
}
