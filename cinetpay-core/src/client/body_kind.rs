//! [`BodyKind`]: what an answer's body looks like, so that a page from a
//! proxy, a firewall or a web server in the way is told apart from
//! CinetPay's own JSON.

/// What a body looks like, from its first characters.
///
/// CinetPay's APIs answer JSON, refusals included; an HTML page (with any
/// status) means something else answered: a proxy, a firewall, a captive
/// portal, a maintenance page, or a web server at a wrong `api_url`.
/// [`ClientError::body_kind`](super::ClientError::body_kind) gives it for
/// the errors that carry a body.
///
/// ```
/// use cinetpay_core::client::BodyKind;
/// assert_eq!(BodyKind::of(b"  <!DOCTYPE html><html>..."), BodyKind::Html);
/// assert_eq!(BodyKind::of(b"<HTML><body>Access denied</body></HTML>"), BodyKind::Html);
/// assert_eq!(BodyKind::of(br#"{"code":"609"}"#), BodyKind::Json);
/// assert_eq!(BodyKind::of(b"Bad Gateway"), BodyKind::Text);
/// assert_eq!(BodyKind::of(b" \r\n"), BodyKind::Empty);
/// assert_eq!(BodyKind::Html.describe(), "an HTML page");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyKind {
    /// JSON: an object or an array (CinetPay's answers).
    Json,
    /// An HTML page: a tag (`<html>`, `<!DOCTYPE html>`, `<head>`...) first.
    Html,
    /// Anything else: plain text, XML...
    Text,
    /// Nothing, or only white space.
    Empty,
}

impl BodyKind {
    /// The kind of `body`, from its first characters (a byte-order mark and
    /// white space skipped).
    pub fn of(body: &[u8]) -> Self {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let start = match body.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => &body[i..],
            None => return BodyKind::Empty,
        };
        match start {
            [b'{' | b'[', ..] => BodyKind::Json,
            [b'<', b'?', ..] => BodyKind::Text,
            [b'<', next, ..] if next.is_ascii_alphabetic() || *next == b'!' => BodyKind::Html,
            _ => BodyKind::Text,
        }
    }

    /// A few words for messages: `an HTML page`, `JSON`, `text`, `an empty body`.
    pub fn describe(self) -> &'static str {
        match self {
            BodyKind::Json => "JSON",
            BodyKind::Html => "an HTML page",
            BodyKind::Text => "text",
            BodyKind::Empty => "an empty body",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BodyKind;

    #[test]
    fn bodies_are_told_apart_by_their_first_characters() {
        let cases: [(&[u8], BodyKind); 10] = [
            (b"\xEF\xBB\xBF{\"code\":\"00\"}", BodyKind::Json),
            (b"\n[1]", BodyKind::Json),
            (
                b"<html><head><title>502 Bad Gateway</title>",
                BodyKind::Html,
            ),
            (b"<!doctype html>", BodyKind::Html),
            (b"<head></head>", BodyKind::Html),
            (b"<?xml version=\"1.0\"?><error/>", BodyKind::Text),
            (b"< not a tag", BodyKind::Text),
            (b"Forbidden", BodyKind::Text),
            (b"", BodyKind::Empty),
            (b"\t \n", BodyKind::Empty),
        ];
        for (body, kind) in cases {
            assert_eq!(
                BodyKind::of(body),
                kind,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
