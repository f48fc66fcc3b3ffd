use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Notification;
use crate::values::SecretKey;

type HmacSha256 = Hmac<Sha256>;

/// Which concatenation the `x-token` matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XTokenMatch {
    /// The documented rule: the 16 documented values, in documented order,
    /// absent ones as empty strings.
    Documented,
    /// CinetPay's own PHP SDK rule: every posted value, in the order received.
    ReceivedOrder,
}

/// Why an `x-token` was refused. Never contains the secret or the expected token.
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

/// Verifies the `x-token` header of a notification in constant time.
///
/// Accepts upper or lower case hex. Tries the documented rule first, then the
/// received-order rule of CinetPay's PHP SDK.
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
    let in_order: Vec<&str> = notification
        .received
        .iter()
        .map(|(_, v)| v.as_str())
        .collect();
    let received = mac(secret, &in_order);
    if bool::from(received.ct_eq(&given)) {
        return Ok(XTokenMatch::ReceivedOrder);
    }
    Err(XTokenError::Mismatch)
}
