//! `POST /v1/payment`'s body, checked at construction (`docs/rest-api-2026.md` §3.1).

use serde::Serialize;
use url::Url;

use crate::protocol::PaymentRequestError;
use crate::values::{Currency, Description, Money, TransactionId};

/// `lang`: the hosted page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (CinetPay's default).
    #[default]
    Fr,
    /// English.
    En,
}

/// Longest `success_url`, `failed_url` and `notify_url` the API takes.
pub const MAX_URL_LEN: usize = 120;
/// Longest `merchant_transaction_id`.
pub const MAX_ID_LEN: usize = 30;

/// A checked `POST /v1/payment` request.
///
/// * `merchant_transaction_id`: 1–30 characters of `A-Z`, `0-9` and `-`
///   ([`TransactionId::generate_upper`] makes such ids, unguessable);
/// * `client_first_name`, `client_last_name`: at least 2 characters once
///   trimmed. A customer known by one word only (`"Awa"`) gets it as both
///   names ([`RestPaymentRequest::new`] takes the full name and splits it at
///   its last space);
/// * `client_email`: one `@`, something before it, a dot after it, no space;
/// * `client_phone_number`, when given: E.164 (`+` then 8 to 15 digits, the
///   first not 0);
/// * the three URLs: `http`/`https`, at most 120 characters;
/// * `otp_code`, when given: 4 to 6 digits; `direct_pay` needs a phone number
///   and a `payment_method`.
///
/// `channel` is sent only when set ([`with_channel`](Self::with_channel)): the
/// sources contradict each other (the Python SDK requires it, the PHP SDK
/// never sends it), so nothing is sent by default.
///
/// ```
/// use cinetpay_core::{Amount, Currency, Description, Money, TransactionId};
/// use cinetpay_core::rest::RestPaymentRequest;
/// let request = RestPaymentRequest::new(
///     TransactionId::generate_upper(),
///     Money::new(Amount::new(1000)?, Currency::Xof),
///     Description::new("Commande 42")?,
///     "Awa Koné",
///     "awa@example.ci",
///     "https://shop.example/cinetpay/return".parse()?,
///     "https://shop.example/cinetpay/return".parse()?,
///     "https://shop.example/cinetpay/notify".parse()?,
/// )?;
/// assert_eq!(request.client_first_name(), "Awa");
/// assert_eq!(request.client_last_name(), "Koné");
///
/// let one_word = RestPaymentRequest::new(
///     TransactionId::generate_upper(),
///     Money::new(Amount::new(1000)?, Currency::Xof),
///     Description::new("Commande 43")?,
///     "Awa",
///     "awa@example.ci",
///     "https://shop.example/r".parse()?,
///     "https://shop.example/r".parse()?,
///     "https://shop.example/n".parse()?,
/// )?;
/// assert_eq!((one_word.client_first_name(), one_word.client_last_name()), ("Awa", "Awa"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestPaymentRequest {
    currency: Currency,
    merchant_transaction_id: TransactionId,
    amount: i64,
    lang: Lang,
    designation: String,
    client_first_name: String,
    client_last_name: String,
    client_email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_phone_number: Option<String>,
    success_url: String,
    failed_url: String,
    notify_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_method: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    direct_pay: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    otp_code: Option<String>,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> PaymentRequestError {
    PaymentRequestError::Invalid {
        field,
        problem: problem.into(),
    }
}

fn url_field(field: &'static str, url: Url) -> Result<String, PaymentRequestError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(PaymentRequestError::BadUrl(field));
    }
    let url = url.to_string();
    if url.chars().count() > MAX_URL_LEN {
        return Err(invalid(
            field,
            format!(
                "is {} characters long; the 2026 API takes at most {MAX_URL_LEN}",
                url.chars().count()
            ),
        ));
    }
    Ok(url)
}

fn name_field(field: &'static str, name: &str) -> Result<String, PaymentRequestError> {
    let name = name.trim();
    if name.chars().filter(|c| !c.is_whitespace()).count() < 2 {
        return Err(invalid(field, "needs at least 2 characters"));
    }
    Ok(name.chars().take(255).collect())
}

/// Whether `email` looks like an address CinetPay takes.
fn plausible_email(email: &str) -> bool {
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `phone` is E.164: `+`, then 8 to 15 digits, the first not 0.
pub(crate) fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

impl RestPaymentRequest {
    /// A web payment (the customer picks the method on CinetPay's page).
    /// `customer_name` is split at its last space into first and last name;
    /// a single word is both.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        merchant_transaction_id: TransactionId,
        money: Money,
        designation: Description,
        customer_name: &str,
        customer_email: &str,
        success_url: Url,
        failed_url: Url,
        notify_url: Url,
    ) -> Result<Self, PaymentRequestError> {
        let id = merchant_transaction_id.as_str();
        if id.len() > MAX_ID_LEN {
            return Err(invalid(
                "merchant_transaction_id",
                format!("is {} characters long; at most {MAX_ID_LEN}", id.len()),
            ));
        }
        if let Some(c) = id
            .chars()
            .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(invalid(
                "merchant_transaction_id",
                format!("contains {c:?}; only A-Z, 0-9 and '-' are sent to the 2026 API"),
            ));
        }
        let name = customer_name.trim();
        let (first, last) = match name.rsplit_once(char::is_whitespace) {
            Some((first, last)) if !first.trim().is_empty() => (first.trim(), last.trim()),
            _ => (name, name),
        };
        let email = customer_email.trim();
        if !plausible_email(email) {
            return Err(invalid("client_email", "is not an e-mail address"));
        }
        Ok(RestPaymentRequest {
            currency: money.currency,
            merchant_transaction_id,
            amount: money.amount.get(),
            lang: Lang::default(),
            designation: designation.as_str().chars().take(255).collect(),
            client_first_name: name_field("client_first_name", first)?,
            client_last_name: name_field("client_last_name", last)?,
            client_email: email.to_owned(),
            client_phone_number: None,
            success_url: url_field("success_url", success_url)?,
            failed_url: url_field("failed_url", failed_url)?,
            notify_url: url_field("notify_url", notify_url)?,
            channel: None,
            payment_method: None,
            direct_pay: false,
            otp_code: None,
        })
    }

    /// The id sent as `merchant_transaction_id`.
    pub fn merchant_transaction_id(&self) -> &TransactionId {
        &self.merchant_transaction_id
    }

    /// `client_first_name` as sent.
    pub fn client_first_name(&self) -> &str {
        &self.client_first_name
    }

    /// `client_last_name` as sent.
    pub fn client_last_name(&self) -> &str {
        &self.client_last_name
    }

    /// Sets `lang`.
    #[must_use]
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Sets `client_phone_number` (E.164). With `calling_code` (such as
    /// `"225"` for an account in Côte d'Ivoire), the number must start with it.
    ///
    /// ```
    /// # use cinetpay_core::{Amount, Currency, Description, Money, TransactionId};
    /// # use cinetpay_core::rest::RestPaymentRequest;
    /// # let request = RestPaymentRequest::new(TransactionId::generate_upper(),
    /// #     Money::new(Amount::new(1000)?, Currency::Xof), Description::new("d")?, "Awa Koné",
    /// #     "awa@example.ci", "https://s.example/r".parse()?, "https://s.example/r".parse()?,
    /// #     "https://s.example/n".parse()?)?;
    /// assert!(request.clone().with_phone("+2250707070700", Some("225")).is_ok());
    /// assert!(request.clone().with_phone("+237690000000", Some("225")).is_err());
    /// assert!(request.clone().with_phone("0707070700", None).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_phone(
        mut self,
        phone: &str,
        calling_code: Option<&str>,
    ) -> Result<Self, PaymentRequestError> {
        let phone = phone.trim();
        if !is_e164(phone) {
            return Err(invalid(
                "client_phone_number",
                "must be E.164: + then 8 to 15 digits, such as +2250707070700",
            ));
        }
        if let Some(code) = calling_code
            && !phone[1..].starts_with(code)
        {
            return Err(invalid(
                "client_phone_number",
                format!("must start with the account's calling code +{code}"),
            ));
        }
        self.client_phone_number = Some(phone.to_owned());
        Ok(self)
    }

    /// Sets `channel` (`PUSH`, `OTP` or `QRCODE`).
    pub fn with_channel(mut self, channel: &str) -> Result<Self, PaymentRequestError> {
        let channel = channel.trim().to_ascii_uppercase();
        if !matches!(channel.as_str(), "PUSH" | "OTP" | "QRCODE") {
            return Err(invalid("channel", "must be PUSH, OTP or QRCODE"));
        }
        self.channel = Some(channel);
        Ok(self)
    }

    /// A direct payment: `direct_pay` with `payment_method` (such as
    /// `OM_CI`) and, for Orange Money, an `otp_code` of 4 to 6 digits. Needs
    /// the phone number ([`with_phone`](Self::with_phone)) first.
    pub fn with_direct_pay(
        mut self,
        payment_method: &str,
        otp_code: Option<&str>,
    ) -> Result<Self, PaymentRequestError> {
        if self.client_phone_number.is_none() {
            return Err(invalid(
                "client_phone_number",
                "is required with direct_pay (call with_phone first)",
            ));
        }
        let method = payment_method.trim();
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(invalid(
                "payment_method",
                "must be a method such as OM_CI, MTN_CM or WAVE_SN",
            ));
        }
        if let Some(otp) = otp_code
            && !((4..=6).contains(&otp.len()) && otp.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid("otp_code", "must be 4 to 6 digits"));
        }
        self.payment_method = Some(method.to_owned());
        self.otp_code = otp_code.map(str::to_owned);
        self.direct_pay = true;
        Ok(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::values::Amount;

    fn request(
        id: &str,
        name: &str,
        email: &str,
        url: &str,
    ) -> Result<RestPaymentRequest, PaymentRequestError> {
        RestPaymentRequest::new(
            TransactionId::parse(id).unwrap(),
            Money::new(Amount::new(1000).unwrap(), Currency::Xof),
            Description::new("Commande").unwrap(),
            name,
            email,
            url.parse().unwrap(),
            "https://s.example/failed".parse().unwrap(),
            "https://s.example/notify".parse().unwrap(),
        )
    }

    fn field(e: PaymentRequestError) -> &'static str {
        match e {
            PaymentRequestError::Invalid { field, .. } | PaymentRequestError::BadUrl(field) => {
                field
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_rule_names_its_field() {
        let ok = "https://s.example/ok";
        assert!(request("CP-ABC-123", "Awa Koné", "a@b.ci", ok).is_ok());
        let long_id = "A".repeat(31);
        assert_eq!(
            field(request(&long_id, "Awa Koné", "a@b.ci", ok).unwrap_err()),
            "merchant_transaction_id"
        );
        assert_eq!(
            field(request("cp-abc", "Awa Koné", "a@b.ci", ok).unwrap_err()),
            "merchant_transaction_id"
        );
        assert_eq!(
            field(request("CP-1", "A", "a@b.ci", ok).unwrap_err()),
            "client_first_name"
        );
        assert_eq!(
            field(request("CP-1", "Awa K", "a@b.ci", ok).unwrap_err()),
            "client_last_name"
        );
        assert_eq!(
            field(request("CP-1", "   ", "a@b.ci", ok).unwrap_err()),
            "client_first_name"
        );
        for bad in ["", "awa", "a@b", "a@@b.ci", "a b@c.ci", "@b.ci", "a@.ci"] {
            assert_eq!(
                field(request("CP-1", "Awa Koné", bad, ok).unwrap_err()),
                "client_email",
                "{bad}"
            );
        }
        let long_url = format!("https://s.example/{}", "x".repeat(110));
        assert_eq!(
            field(request("CP-1", "Awa Koné", "a@b.ci", &long_url).unwrap_err()),
            "success_url"
        );
        assert_eq!(
            field(request("CP-1", "Awa Koné", "a@b.ci", "ftp://s.example/").unwrap_err()),
            "success_url"
        );
        let r = request("CP-1", "  Awa   Marie Koné ", "a@b.ci", ok).unwrap();
        assert_eq!(
            (r.client_first_name(), r.client_last_name()),
            ("Awa   Marie", "Koné")
        );
    }

    #[test]
    fn the_wire_body_has_only_what_is_set() {
        let r = request("CP-1", "Awa Koné", "a@b.ci", "https://s.example/ok").unwrap();
        let body = serde_json::to_value(&r).unwrap();
        assert_eq!(body["currency"], "XOF");
        assert_eq!(body["amount"], 1000);
        assert_eq!(body["lang"], "fr");
        assert_eq!(body["merchant_transaction_id"], "CP-1");
        for absent in [
            "channel",
            "payment_method",
            "direct_pay",
            "otp_code",
            "client_phone_number",
        ] {
            assert!(body.get(absent).is_none(), "{absent}");
        }
        let direct = r
            .with_phone("+2250707070700", Some("225"))
            .unwrap()
            .with_channel("push")
            .unwrap()
            .with_direct_pay("OM_CI", Some("1234"))
            .unwrap();
        let body = serde_json::to_value(&direct).unwrap();
        assert_eq!(body["direct_pay"], true);
        assert_eq!(body["channel"], "PUSH");
        assert_eq!(body["otp_code"], "1234");
        let r = request("CP-2", "Awa Koné", "a@b.ci", "https://s.example/ok").unwrap();
        assert_eq!(
            field(r.clone().with_direct_pay("OM_CI", None).unwrap_err()),
            "client_phone_number"
        );
        let r = r.with_phone("+2250707070700", None).unwrap();
        assert_eq!(
            field(r.clone().with_direct_pay("om ci", None).unwrap_err()),
            "payment_method"
        );
        assert_eq!(
            field(r.clone().with_direct_pay("OM_CI", Some("12")).unwrap_err()),
            "otp_code"
        );
        assert_eq!(field(r.with_channel("SMS").unwrap_err()), "channel");
        assert!(is_e164("+2250707070700") && !is_e164("+0225070707") && !is_e164("+22507"));
    }
}
