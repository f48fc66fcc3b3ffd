//! Access tokens: issued by `POST /v1/oauth/login`, valid for the configured
//! lifetime, expired early on demand. They look like JWTs (`eyJ…`) because
//! CinetPay's are; the sandbox only ever looks them up.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::time::Instant;

/// One issued token.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) expires_at: Instant,
}

/// Every token issued, by value.
#[derive(Debug, Default)]
pub(crate) struct TokenBook {
    tokens: HashMap<String, Issued>,
}

/// What a presented token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Valid,
    /// Issued here, past its lifetime (or expired on demand): `1003`.
    Expired,
    /// Absent, malformed or never issued: `1002`.
    Invalid,
}

/// Tokens kept at most; the oldest-expiring ones go first.
const MAX_TOKENS: usize = 10_000;

impl TokenBook {
    /// Issues a token valid for `lifetime`, for `api_key`.
    pub(crate) fn issue(&mut self, api_key: &str, lifetime: Duration) -> String {
        if self.tokens.len() >= MAX_TOKENS {
            let oldest = self
                .tokens
                .iter()
                .min_by_key(|(_, t)| t.expires_at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.tokens.remove(&oldest);
            }
        }
        let token = fake_jwt(api_key, lifetime);
        self.tokens.insert(
            token.clone(),
            Issued {
                expires_at: Instant::now() + lifetime,
            },
        );
        token
    }

    /// Judges a presented token.
    pub(crate) fn verdict(&self, token: Option<&str>) -> Verdict {
        match token.and_then(|t| self.tokens.get(t)) {
            None => Verdict::Invalid,
            Some(t) if Instant::now() >= t.expires_at => Verdict::Expired,
            Some(_) => Verdict::Valid,
        }
    }

    /// Expires every token issued so far, now.
    pub(crate) fn expire_all(&mut self) -> usize {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires_at = t.expires_at.min(now);
        }
        self.tokens.len()
    }
}

/// The token of an `Authorization: Bearer …` header value.
pub(crate) fn bearer(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// `header.payload.signature`, base64url, with a random signature.
fn fake_jwt(api_key: &str, lifetime: Duration) -> String {
    let now = Utc::now().timestamp();
    let exp = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2));
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    let jti: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    let payload = serde_json::json!({
        "iss": "cinetpay-sandbox",
        "sub": api_key,
        "iat": now,
        "exp": exp,
        "jti": jti,
    })
    .to_string();
    let signature: Vec<u8> = (0..32).map(|_| rand::rng().random()).collect();
    format!(
        "{}.{}.{}",
        base64url(header.as_bytes()),
        base64url(payload.as_bytes()),
        base64url(&signature)
    )
}

/// Unpadded base64url (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_rfc_4648() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert!(base64url(br#"{"alg""#).starts_with("eyJ"));
    }

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[tokio::test]
    async fn tokens_expire_at_their_lifetime_or_on_demand() {
        let mut book = TokenBook::default();
        let t = book.issue("sk_test_x", Duration::from_secs(60));
        assert!(t.starts_with("eyJ") && t.split('.').count() == 3);
        assert_eq!(book.verdict(Some(&t)), Verdict::Valid);
        assert_eq!(book.verdict(Some("nope")), Verdict::Invalid);
        assert_eq!(book.verdict(None), Verdict::Invalid);
        assert_eq!(book.expire_all(), 1);
        assert_eq!(book.verdict(Some(&t)), Verdict::Expired);
        let short = book.issue("sk_test_x", Duration::ZERO);
        assert_eq!(book.verdict(Some(&short)), Verdict::Expired);
    }
}
