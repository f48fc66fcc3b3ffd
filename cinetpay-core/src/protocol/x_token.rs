use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Notification;
use crate::values::SecretKey;

type HmacSha256 = Hmac<Sha256>;

/// Which concatenation the `x-token` matched.
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_core::protocol::{sign, verify_x_token, Notification, XTokenMatch};
/// let key = SecretKey::new("k").unwrap();
/// let n = Notification::from_form(b"cpm_site_id=1&cpm_trans_id=T1").unwrap();
/// assert_eq!(verify_x_token(&key, &n, Some(&sign(&key, &n))), Ok(XTokenMatch::Documented));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XTokenMatch {
    /// The documented rule: the 16 documented values, in documented order,
    /// absent ones as empty strings.
    Documented,
    /// CinetPay's own PHP SDK rule: every posted value, in the order received.
    ReceivedOrder,
}

/// Why an `x-token` was refused. Never contains the secret or the expected token.
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_core::protocol::{verify_x_token, Notification, XTokenError};
/// let key = SecretKey::new("k").unwrap();
/// let n = Notification::from_form(b"cpm_site_id=1&cpm_trans_id=T1").unwrap();
/// let err = verify_x_token(&key, &n, Some(&"ab".repeat(32))).unwrap_err();
/// assert_eq!(err, XTokenError::Mismatch);
/// assert_eq!(err.to_string(), "x-token does not match the notification");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XTokenError {
    /// No `x-token` header.
    #[error("x-token header is missing")]
    Missing,
    /// Not 64 hexadecimal characters.
    #[error("x-token is not 64 hexadecimal characters")]
    Malformed,
    /// A well-formed token that does not match this notification.
    #[error("x-token does not match the notification")]
    Mismatch,
}

fn mac(secret: &SecretKey, parts: &[&str]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match HmacSha256::new_from_slice(secret.expose().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable_key_length(),
    };
    for part in parts {
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

#[cold]
fn unreachable_key_length() -> ! {
    panic!("HMAC-SHA256 accepts keys of any length")
}

/// The `x-token` CinetPay would send for this notification: lowercase hex
/// HMAC-SHA256, keyed by the secret key, of the 16 documented values in order
/// (absent ones as empty strings).
///
/// Use it to build valid notifications in tests.
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_core::protocol::{sign, Notification};
/// let n = Notification::from_pairs([
///     ("cpm_site_id", "123456"), ("cpm_trans_id", "ORDER-0001"),
///     ("cpm_trans_date", "2024-01-15 10:30:00"), ("cpm_amount", "1000"),
///     ("cpm_currency", "XOF"), ("signature", "abc123"), ("payment_method", "OM"),
///     ("cel_phone_num", "0700000000"), ("cpm_phone_prefixe", "225"),
///     ("cpm_language", "fr"), ("cpm_version", "V4"), ("cpm_payment_config", "Single"),
///     ("cpm_page_action", "Payment"), ("cpm_custom", ""),
///     ("cpm_designation", "Test order"), ("cpm_error_message", "SUCCES"),
/// ].map(|(k, v)| (k.to_owned(), v.to_owned()))).unwrap();
/// let key = SecretKey::new("test-secret-key").unwrap();
/// assert_eq!(sign(&key, &n), "580b5b6e5bb0c86ff590f1bfee4093ff2d47cb8aa6d4eaf9569147a4592e32e6");
/// ```
pub fn sign(secret: &SecretKey, notification: &Notification) -> String {
    hex::encode(mac(secret, &notification.documented_values()))
}

/// The `x-token` under the second rule, the one CinetPay's own PHP SDK checks:
/// every received value, in the order received, concatenated. It equals
/// [`sign`] when the notification holds exactly the 16 documented fields in
/// documented order.
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_core::protocol::{sign, sign_received_order, verify_x_token, Notification, XTokenMatch};
/// let key = SecretKey::new("k").unwrap();
/// let n = Notification::from_form(b"cpm_trans_id=T1&cpm_site_id=1&extra=x").unwrap();
/// let token = sign_received_order(&key, &n);
/// assert_ne!(token, sign(&key, &n));
/// assert_eq!(verify_x_token(&key, &n, Some(&token)), Ok(XTokenMatch::ReceivedOrder));
/// ```
pub fn sign_received_order(secret: &SecretKey, notification: &Notification) -> String {
    hex::encode(mac(secret, &received_values(notification)))
}

fn received_values(notification: &Notification) -> Vec<&str> {
    notification.received().map(|(_, v)| v).collect()
}

/// Verifies the `x-token` header of a notification in constant time.
///
/// The header must be 64 hexadecimal characters, upper or lower case
/// (surrounding white space ignored). It is compared with the documented rule
/// first ([`sign`]), then with the received-order rule of CinetPay's PHP SDK
/// ([`sign_received_order`]); both comparisons are constant-time. A token
/// computed for another notification (another transaction, amount...) is a
/// [`XTokenError::Mismatch`].
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_core::protocol::{sign, verify_x_token, Notification, XTokenError, XTokenMatch};
/// let key = SecretKey::new("k").unwrap();
/// let n = Notification::from_form(b"cpm_site_id=1&cpm_trans_id=T1").unwrap();
/// let token = sign(&key, &n);
/// assert_eq!(verify_x_token(&key, &n, Some(&token.to_uppercase())), Ok(XTokenMatch::Documented));
/// assert_eq!(verify_x_token(&key, &n, None), Err(XTokenError::Missing));
/// assert_eq!(verify_x_token(&key, &n, Some("zz")), Err(XTokenError::Malformed));
/// ```
pub fn verify_x_token(
    secret: &SecretKey,
    notification: &Notification,
    header: Option<&str>,
) -> Result<XTokenMatch, XTokenError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(XTokenError::Missing)?;
    if header.len() != 64 {
        return Err(XTokenError::Malformed);
    }
    let mut given = [0u8; 32];
    hex::decode_to_slice(header, &mut given).map_err(|_| XTokenError::Malformed)?;

    let documented = mac(secret, &notification.documented_values());
    if bool::from(documented.ct_eq(&given)) {
        return Ok(XTokenMatch::Documented);
    }
    let received = mac(secret, &received_values(notification));
    if bool::from(received.ct_eq(&given)) {
        return Ok(XTokenMatch::ReceivedOrder);
    }
    Err(XTokenError::Mismatch)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const VECTOR_BODY: &str = "cpm_site_id=123456&cpm_trans_id=ORDER-0001&cpm_trans_date=2024-01-15+10%3A30%3A00\
        &cpm_amount=1000&cpm_currency=XOF&signature=abc123&payment_method=OM&cel_phone_num=0700000000\
        &cpm_phone_prefixe=225&cpm_language=fr&cpm_version=V4&cpm_payment_config=Single\
        &cpm_page_action=Payment&cpm_custom=&cpm_designation=Test+order&cpm_error_message=SUCCES";
    const VECTOR_DIGEST: &str = "580b5b6e5bb0c86ff590f1bfee4093ff2d47cb8aa6d4eaf9569147a4592e32e6";

    fn key() -> SecretKey {
        SecretKey::new("test-secret-key").unwrap()
    }

    fn vector() -> Notification {
        Notification::from_form(VECTOR_BODY.as_bytes()).unwrap()
    }

    #[test]
    fn the_published_test_vector() {
        let n = vector();
        assert_eq!(
            n.documented_values().concat(),
            "123456ORDER-00012024-01-15 10:30:001000XOFabc123OM0700000000225frV4SinglePaymentTest orderSUCCES"
        );
        assert_eq!(sign(&key(), &n), VECTOR_DIGEST);
        assert_eq!(
            verify_x_token(&key(), &n, Some(VECTOR_DIGEST)),
            Ok(XTokenMatch::Documented)
        );
        assert_eq!(
            verify_x_token(&key(), &n, Some(&VECTOR_DIGEST.to_uppercase())),
            Ok(XTokenMatch::Documented)
        );
        assert_eq!(
            verify_x_token(&key(), &n, Some(&format!(" {VECTOR_DIGEST}\t"))),
            Ok(XTokenMatch::Documented)
        );
        // Absent `cpm_custom` hashes like an empty one.
        let without_custom =
            Notification::from_form(VECTOR_BODY.replace("&cpm_custom=", "").as_bytes()).unwrap();
        assert_eq!(sign(&key(), &without_custom), VECTOR_DIGEST);
    }

    #[test]
    fn the_php_sdk_received_order_form_is_accepted_second() {
        // Same values, posted in another order: the documented form does not
        // match the received-order token, the second form does.
        let mut pairs: Vec<(String, String)> = vector()
            .received()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        pairs.swap(0, 1);
        pairs.push(("cpm_extra".into(), "legacy".into()));
        let n = Notification::from_pairs(pairs).unwrap();
        let token = sign_received_order(&key(), &n);
        assert_ne!(token, VECTOR_DIGEST);
        assert_eq!(
            verify_x_token(&key(), &n, Some(&token)),
            Ok(XTokenMatch::ReceivedOrder)
        );
        // The documented token still matches first.
        assert_eq!(
            verify_x_token(&key(), &n, Some(VECTOR_DIGEST)),
            Ok(XTokenMatch::Documented)
        );
        // With exactly the 16 fields in order, both forms agree.
        assert_eq!(sign_received_order(&key(), &vector()), VECTOR_DIGEST);
    }

    #[test]
    fn malformed_tokens_are_refused_before_comparing() {
        let n = vector();
        assert_eq!(verify_x_token(&key(), &n, None), Err(XTokenError::Missing));
        assert_eq!(
            verify_x_token(&key(), &n, Some("  ")),
            Err(XTokenError::Missing)
        );
        assert_eq!(
            verify_x_token(&key(), &n, Some(&VECTOR_DIGEST[..63])),
            Err(XTokenError::Malformed)
        );
        assert_eq!(
            verify_x_token(&key(), &n, Some(&format!("{VECTOR_DIGEST}00"))),
            Err(XTokenError::Malformed)
        );
        let non_hex = format!("{}zz", &VECTOR_DIGEST[..62]);
        assert_eq!(
            verify_x_token(&key(), &n, Some(&non_hex)),
            Err(XTokenError::Malformed)
        );
        // 64 bytes, but not 64 ASCII hex digits.
        let multibyte = format!("{}é", &VECTOR_DIGEST[..62]);
        assert_eq!(multibyte.len(), 64);
        assert_eq!(
            verify_x_token(&key(), &n, Some(&multibyte)),
            Err(XTokenError::Malformed)
        );
    }

    #[test]
    fn a_token_for_anything_else_is_a_mismatch() {
        let n = vector();
        // Replay: a valid token of another transaction.
        let other =
            Notification::from_form(VECTOR_BODY.replace("ORDER-0001", "ORDER-0002").as_bytes())
                .unwrap();
        let other_token = sign(&key(), &other);
        assert_eq!(
            verify_x_token(&key(), &n, Some(&other_token)),
            Err(XTokenError::Mismatch)
        );
        // Tampered amount.
        let cheaper =
            Notification::from_form(VECTOR_BODY.replace("=1000", "=5").as_bytes()).unwrap();
        assert_eq!(
            verify_x_token(&key(), &cheaper, Some(VECTOR_DIGEST)),
            Err(XTokenError::Mismatch)
        );
        // Another key.
        let wrong_key = SecretKey::new("another-secret").unwrap();
        assert_eq!(
            verify_x_token(&wrong_key, &n, Some(VECTOR_DIGEST)),
            Err(XTokenError::Mismatch)
        );
        // One bit flipped.
        let mut flipped = VECTOR_DIGEST.to_owned();
        flipped.replace_range(63..64, "7");
        assert_eq!(
            verify_x_token(&key(), &n, Some(&flipped)),
            Err(XTokenError::Mismatch)
        );
    }

    #[test]
    fn errors_never_show_the_secret_or_the_expected_token() {
        let n = vector();
        let err = verify_x_token(&key(), &n, Some(&"0".repeat(64))).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("test-secret-key"));
        assert!(!shown.contains(VECTOR_DIGEST));
    }
}
