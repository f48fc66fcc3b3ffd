//! [`TestNotification`]: CinetPay's notification, written by a test and
//! signed as CinetPay signs it.

use bytes::Bytes;
use cinetpay_core::protocol::{NOTIFICATION_FIELDS, Notification, NotificationError, sign};
use cinetpay_core::{Payment, SecretKey};

/// The form CinetPay posts to `notify_url`, with the `x-token` it computes:
/// for testing the notify route of a shop without CinetPay (as async-stripe's
/// `generate_test_header` does for Stripe's webhooks).
///
/// [`success`](Self::success) fills the 16 documented fields with a
/// plausible successful payment; [`with`](Self::with) replaces any of them
/// (or adds another field, which is sent but not signed, as CinetPay does).
/// Remember that the engine trusts none of it: it asks CinetPay's check API,
/// so a test needs a CinetPay double (the sandbox, or a mock) that says the
/// payment is accepted.
///
/// ```
/// use cinetpay_core::SecretKey;
/// use cinetpay_testing::TestNotification;
///
/// let secret = SecretKey::new("the-site-secret")?;
/// let notice = TestNotification::success("123456", "cp-20261201-0001").with("cpm_amount", "2500");
/// let request = notice.request("/cinetpay/notify", Some(&secret));
/// assert_eq!(request.headers()["x-token"], notice.x_token(&secret).as_str());
/// assert!(std::str::from_utf8(request.body())?.contains("cpm_amount=2500"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNotification {
    fields: Vec<(String, String)>,
}

impl TestNotification {
    /// A notification of a successful Orange Money payment of 1000 XOF for
    /// `transaction_id` on `site_id`.
    pub fn success(site_id: &str, transaction_id: &str) -> Self {
        let values = [
            site_id,
            transaction_id,
            "2026-06-01 12:00:00",
            "1000",
            "XOF",
            "sig0123456789",
            "OM",
            "0700000000",
            "225",
            "fr",
            "V4",
            "Single",
            "Payment",
            "",
            "Commande",
            "SUCCES",
        ];
        TestNotification {
            fields: NOTIFICATION_FIELDS
                .iter()
                .zip(values)
                .map(|(name, value)| ((*name).to_owned(), value.to_owned()))
                .collect(),
        }
    }

    /// The notification of a successful payment of `payment`: its amount,
    /// currency, description and order reference (`cpm_custom`).
    pub fn for_payment(site_id: &str, payment: &Payment) -> Self {
        TestNotification::success(site_id, payment.transaction_id.as_str())
            .with("cpm_amount", payment.amount.get().to_string())
            .with("cpm_currency", payment.currency.as_str())
            .with("cpm_designation", payment.description.as_str())
            .with("cpm_custom", payment.order_ref.as_str())
    }

    /// The fields of a notification as received (from the sandbox's record,
    /// for example), in order.
    pub fn from_fields(fields: impl IntoIterator<Item = (String, String)>) -> Self {
        TestNotification {
            fields: fields.into_iter().collect(),
        }
    }

    /// Replaces the value of `name`, or appends the field.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value,
            None => self.fields.push((name.to_owned(), value)),
        }
        self
    }

    /// Removes the field `name`.
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|(k, _)| k != name);
        self
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The fields, in posting order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The notification as the engine parses it (an error when
    /// `cpm_site_id` or `cpm_trans_id` is missing or empty).
    pub fn notification(&self) -> Result<Notification, NotificationError> {
        Notification::from_pairs(self.fields.clone())
    }

    /// The `x-token` CinetPay would send: HMAC-SHA256 under `secret` of the
    /// 16 documented fields in their documented order (an absent one counts
    /// as empty, as the engine counts it).
    pub fn x_token(&self, secret: &SecretKey) -> String {
        let as_received = Notification::unchecked(
            self.get("cpm_site_id").unwrap_or_default().to_owned(),
            self.get("cpm_trans_id").unwrap_or_default().to_owned(),
            self.fields.iter().map(|(k, v)| (k, v)),
        );
        sign(secret, &as_received)
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn form_body(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.fields {
            if !out.is_empty() {
                out.push('&');
            }
            encode_into(&mut out, k);
            out.push('=');
            encode_into(&mut out, v);
        }
        out
    }

    /// The `POST` CinetPay makes to `path`, with the `x-token` header when
    /// `secret` is given.
    pub fn request(&self, path: &str, secret: Option<&SecretKey>) -> http::Request<Bytes> {
        let mut request = http::Request::new(Bytes::from(self.form_body()));
        *request.method_mut() = http::Method::POST;
        if let Ok(uri) = path.parse() {
            *request.uri_mut() = uri;
        }
        let headers = request.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some(token) = secret.map(|s| self.x_token(s)) {
            // Lowercase hex: always a valid header value.
            if let Ok(value) = http::HeaderValue::from_str(&token) {
                headers.insert("x-token", value);
            }
        }
        request
    }
}

/// Percent-encodes a form component.
fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_encoded_and_signed_in_documented_order() {
        let secret = SecretKey::new("k").unwrap();
        let n = TestNotification::success("424242", "tx-1").with("cpm_designation", "Café & co");
        assert!(n.form_body().contains("cpm_designation=Caf%C3%A9+%26+co"));
        let parsed = Notification::from_form(n.form_body().as_bytes()).unwrap();
        assert_eq!(parsed.field("cpm_designation"), Some("Café & co"));
        // Extra fields are sent, not signed.
        let padded = n.clone().with("padding", "x");
        assert_eq!(n.x_token(&secret), padded.x_token(&secret));
        assert_ne!(
            n.x_token(&secret),
            n.clone().with("cpm_amount", "5").x_token(&secret)
        );
        // A missing field signs as empty, as the engine reads it.
        assert_eq!(
            n.clone().without("cpm_custom").x_token(&secret),
            n.clone().with("cpm_custom", "").x_token(&secret)
        );
        let headless = n.clone().without("cpm_site_id");
        assert!(headless.notification().is_err());
        let request = headless.request("/n", Some(&secret));
        assert_eq!(
            request.headers()["x-token"],
            headless.x_token(&secret).as_str()
        );
    }

    #[test]
    fn the_published_test_vector_is_reproduced() {
        // The example of CinetPay's HMAC documentation (kept in
        // cinetpay-core's protocol tests with its source).
        let n = TestNotification::success("123456", "ORDER-0001")
            .with("cpm_trans_date", "2024-01-15 10:30:00")
            .with("signature", "abc123")
            .with("cpm_designation", "Test order");
        let secret = SecretKey::new("test-secret-key").unwrap();
        assert_eq!(
            n.x_token(&secret),
            "580b5b6e5bb0c86ff590f1bfee4093ff2d47cb8aa6d4eaf9569147a4592e32e6"
        );
    }
}
