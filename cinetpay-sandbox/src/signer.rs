//! The `x-token` of a notification, computed from the documented rule.
//!
//! This is deliberately the sandbox's own code, not `cinetpay_core`'s: the
//! sandbox is what the core's verification is tested against, so sharing the
//! signer would let one bug hide on both sides. A test checks it against the
//! published test vector (`docs/checkout-v2.md` §3.3).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The 16 notification fields, in the order the `x-token` concatenates them
/// (and the order the sandbox posts them).
pub const SIGNED_FIELDS: [&str; 16] = [
    "cpm_site_id",
    "cpm_trans_id",
    "cpm_trans_date",
    "cpm_amount",
    "cpm_currency",
    "signature",
    "payment_method",
    "cel_phone_num",
    "cpm_phone_prefixe",
    "cpm_language",
    "cpm_version",
    "cpm_payment_config",
    "cpm_page_action",
    "cpm_custom",
    "cpm_designation",
    "cpm_error_message",
];

/// Lowercase hex HMAC-SHA256, keyed by `secret_key`, of `values` concatenated
/// without separator: the `x-token` CinetPay sends when `values` are the 16
/// documented fields in [`SIGNED_FIELDS`] order.
///
/// ```
/// use cinetpay_sandbox::x_token;
/// let values = [
///     "123456", "ORDER-0001", "2024-01-15 10:30:00", "1000", "XOF", "abc123", "OM",
///     "0700000000", "225", "fr", "V4", "Single", "Payment", "", "Test order", "SUCCES",
/// ];
/// assert_eq!(
///     x_token("test-secret-key", &values),
///     "580b5b6e5bb0c86ff590f1bfee4093ff2d47cb8aa6d4eaf9569147a4592e32e6",
/// );
/// ```
pub fn x_token(secret_key: &str, values: &[&str]) -> String {
    // HMAC takes keys of any length: `new_from_slice` only fails for
    // fixed-size-key MACs, never for HMAC-SHA256.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC-SHA256 accepts keys of any length"));
    for value in values {
        mac.update(value.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}
