//! Text the engine stores: bounded, and free of NUL bytes, which PostgreSQL
//! refuses in `text` columns (one such string would fail a whole batch).

/// `text` cut to `max_chars` characters, each NUL replaced by U+FFFD.
///
/// Every string the engine hands to a store goes through here where it is
/// made: raw ids from requests, CinetPay's texts, the merchant's errors.
///
/// ```
/// use cinetpay_core::model::storable;
/// assert_eq!(storable("cp-\0abc", 5), "cp-\u{fffd}a");
/// assert_eq!(storable("déjà", 10), "déjà");
/// ```
pub fn storable(text: &str, max_chars: usize) -> String {
    text.chars()
        .take(max_chars)
        .map(|c| {
            if c == '\0' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}
