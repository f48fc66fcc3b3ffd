//! Notifications a test writes itself, signed as CinetPay signs them: a late
//! refusal, a notification for a transaction nobody created, an oversized body.

use cinetpay_sandbox::{NotificationRecord, SIGNED_FIELDS, x_token};

/// The 16 signed notification fields, plus any extra ones, in posting order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Field names and values, in order.
    pub fields: Vec<(String, String)>,
}

impl Notice {
    /// The fields of a notification the sandbox sent.
    pub fn from_record(record: &NotificationRecord) -> Self {
        Notice {
            fields: record.fields.clone(),
        }
    }

    /// A plausible, complete notification of a successful payment of
    /// `1000 XOF` for `transaction_id` on `site_id`.
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
        Notice {
            fields: SIGNED_FIELDS
                .iter()
                .zip(values)
                .map(|(k, v)| ((*k).to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// Replaces the value of `name` (or appends the field).
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value,
            None => self.fields.push((name.to_owned(), value)),
        }
        self
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `x-token` of these fields under `secret_key` (the 16 signed fields
    /// in their documented order; extra fields are not signed).
    pub fn x_token(&self, secret_key: &str) -> String {
        let values: Vec<&str> = SIGNED_FIELDS
            .iter()
            .map(|name| self.get(name).unwrap_or(""))
            .collect();
        x_token(secret_key, &values)
    }

    /// The form-urlencoded body.
    pub fn form_body(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.fields {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&encode(k));
            out.push('=');
            out.push_str(&encode(v));
        }
        out
    }
}

/// Percent-encodes a form component (`application/x-www-form-urlencoded`).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_encoded_and_signed_in_documented_order() {
        let n = Notice::success("424242", "tx-1").with("cpm_designation", "Café & co");
        assert!(n.form_body().contains("cpm_designation=Caf%C3%A9+%26+co"));
        let padded = n.clone().with("padding", "x");
        assert_eq!(n.x_token("k"), padded.x_token("k"));
        assert_ne!(
            n.x_token("k"),
            n.clone().with("cpm_amount", "5").x_token("k")
        );
    }
}
