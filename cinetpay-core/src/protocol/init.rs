use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::values::{
    CardCustomerError, Channels, Credentials, Customer, Description, Money, TransactionId,
};

/// The JSON body of `POST /v2/payment`, with CinetPay's field names.
///
/// Built from a validated [`PaymentRequest`] by [`PaymentRequest::to_wire`];
/// deserializable so that a stand-in server (the sandbox) can read it.
/// `Debug` hides the API key.
///
/// ```
/// use cinetpay_core::*;
/// use cinetpay_core::protocol::{InitRequest, PaymentRequest};
/// let creds = Credentials::new(SiteId::new("123456")?, ApiKey::new("my-api-key")?, None);
/// let request = PaymentRequest::new(
///     TransactionId::parse("ORDER-0001")?,
///     Money::new(Amount::new(1000)?, Currency::Xof),
///     Description::new("Commande 42")?,
///     "https://shop.example/notify".parse()?,
///     "https://shop.example/return".parse()?,
/// );
/// let wire: InitRequest = request.to_wire(&creds)?;
/// assert_eq!(wire.amount, 1000);
/// assert_eq!(wire.channels, "ALL");
/// assert!(!format!("{wire:?}").contains("my-api-key"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitRequest {
    /// API key.
    #[serde(default)]
    pub apikey: String,
    /// Site id.
    #[serde(default)]
    pub site_id: String,
    /// Our unique transaction id.
    #[serde(default)]
    pub transaction_id: String,
    /// Amount, a multiple of 5.
    #[serde(default)]
    pub amount: i64,
    /// `XOF`, `XAF`, `CDF`, `GNF` or `USD`.
    #[serde(default)]
    pub currency: String,
    /// Description (no `# / $ _ &`).
    #[serde(default)]
    pub description: String,
    /// Server-to-server notification URL.
    #[serde(default)]
    pub notify_url: String,
    /// Where the customer is sent back.
    #[serde(default)]
    pub return_url: String,
    /// `ALL`, `MOBILE_MONEY`, `CREDIT_CARD` or `WALLET`.
    #[serde(default)]
    pub channels: String,
    /// `fr` or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Free merchant data, echoed back as `cpm_custom` and `data.metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Up to 3 key/value pairs printed on CinetPay's invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_data: Option<BTreeMap<String, String>>,
    /// Locks the payer number on the hosted page (with `customer_phone_number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_phone_number: Option<bool>,
    /// Merchant's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Customer family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Customer first name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_surname: Option<String>,
    /// Card: e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// Card: phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone_number: Option<String>,
    /// Card: address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_address: Option<String>,
    /// Card: city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_city: Option<String>,
    /// Card: ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_country: Option<String>,
    /// Card: state (US, CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_state: Option<String>,
    /// Card: postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_zip_code: Option<String>,
}

impl std::fmt::Debug for InitRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitRequest")
            .field("apikey", &"<redacted>")
            .field("site_id", &self.site_id)
            .field("transaction_id", &self.transaction_id)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .field("description", &self.description)
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

/// `data` of a successful init (`code "201"`).
///
/// [`Client::init_payment`](crate::Client::init_payment) only returns one whose
/// token is not blank and whose `payment_url` is an `http(s)` URL.
///
/// ```
/// use cinetpay_core::protocol::{Envelope, InitData};
/// let e: Envelope<InitData> = serde_json::from_str(r#"{"code":"201","message":"CREATED",
///     "data":{"payment_token":"tok","payment_url":"https://checkout.cinetpay.com/payment/tok"}}"#).unwrap();
/// assert_eq!(e.data.unwrap().payment_token, "tok");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitData {
    /// The payment token; CinetPay sends it back on the return URL.
    #[serde(deserialize_with = "super::envelope::lenient_string")]
    pub payment_token: String,
    /// The hosted payment page to send the customer to.
    #[serde(deserialize_with = "super::envelope::lenient_string")]
    pub payment_url: String,
}

/// The language of the hosted page.
///
/// ```
/// use cinetpay_core::protocol::Lang;
/// assert_eq!(Lang::En.as_str(), "en");
/// assert_eq!(serde_json::from_str::<Lang>(r#""fr""#).unwrap(), Lang::Fr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (CinetPay's default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `fr` or `en`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// At most three key/value pairs for CinetPay's invoice.
///
/// ```
/// use cinetpay_core::protocol::InvoiceData;
/// let mut inv = InvoiceData::default();
/// inv.insert("Boutique", "Marché de Cocody").unwrap();
/// inv.insert("Commande", "42").unwrap();
/// inv.insert("Livraison", "Domicile").unwrap();
/// assert!(inv.insert("Quatrième", "x").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceData(BTreeMap<String, String>);

/// More than three invoice entries.
///
/// ```
/// use cinetpay_core::protocol::{InvoiceData, InvoiceDataError};
/// let mut inv = InvoiceData::default();
/// for k in ["a", "b", "c"] { inv.insert(k, "1")?; }
/// assert_eq!(inv.insert("d", "1"), Err(InvoiceDataError));
/// inv.insert("a", "2")?; // replacing is fine
/// # Ok::<(), InvoiceDataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invoice_data holds at most 3 entries")]
pub struct InvoiceDataError;

impl InvoiceData {
    /// Adds or replaces an entry; a fourth distinct key is refused.
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), InvoiceDataError> {
        let key = key.into();
        if self.0.len() >= 3 && !self.0.contains_key(&key) {
            return Err(InvoiceDataError);
        }
        self.0.insert(key, value.into());
        Ok(())
    }

    /// The entries.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A payment to create, validated: everything `POST /v2/payment` needs except
/// the credentials.
///
/// ```
/// use cinetpay_core::*;
/// use cinetpay_core::protocol::PaymentRequest;
/// let req = PaymentRequest::new(
///     TransactionId::generate(),
///     Money::new(Amount::new(1000).unwrap(), Currency::Xof),
///     Description::new("Commande 42").unwrap(),
///     "https://shop.example/cinetpay/notify".parse().unwrap(),
///     "https://shop.example/cinetpay/return".parse().unwrap(),
/// );
/// assert!(req.validate().is_ok());
///
/// let card = req.clone().channels(Channels::CreditCard);
/// assert_eq!(card.validate().unwrap_err().to_string(), "card payments require customer_email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Our transaction id.
    pub transaction_id: TransactionId,
    /// Amount and currency.
    pub money: Money,
    /// Description.
    pub description: Description,
    /// Notification URL.
    pub notify_url: Url,
    /// Return URL.
    pub return_url: Url,
    /// Payment means.
    pub channels: Channels,
    /// Hosted page language.
    pub lang: Option<Lang>,
    /// Free data echoed back.
    pub metadata: Option<String>,
    /// Invoice lines.
    pub invoice_data: InvoiceData,
    /// Lock the payer's number (requires `customer.phone_number`).
    pub lock_phone_number: bool,
    /// Customer.
    pub customer: Customer,
}

/// A [`PaymentRequest`] that CinetPay would refuse.
///
/// ```
/// use cinetpay_core::*;
/// use cinetpay_core::protocol::{PaymentRequest, PaymentRequestError};
/// let request = PaymentRequest::new(
///     TransactionId::generate(),
///     Money::new(Amount::new(1000)?, Currency::Xof),
///     Description::new("Commande 42")?,
///     "https://shop.example/notify".parse()?,
///     "https://shop.example/return".parse()?,
/// )
/// .lock_phone_number(true);
/// assert_eq!(request.validate(), Err(PaymentRequestError::LockWithoutPhone));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRequestError {
    /// Card payments need every card field.
    #[error(transparent)]
    Card(#[from] CardCustomerError),
    /// `lock_phone_number` without a phone number.
    #[error("lock_phone_number requires customer_phone_number")]
    LockWithoutPhone,
    /// A URL that is not http(s).
    #[error("{0} must be an http or https URL")]
    BadUrl(&'static str),
    /// Metadata over 1000 characters.
    #[error("metadata is {0} characters long, at most 1000 are allowed")]
    MetadataTooLong(usize),
    /// A field CinetPay would refuse (2026 API rules), named by its wire name.
    #[error("{field} {problem}")]
    Invalid {
        /// The field's name on the wire, such as `client_email`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl PaymentRequest {
    /// A request with the default channels (`ALL`) and nothing optional.
    pub fn new(
        transaction_id: TransactionId,
        money: Money,
        description: Description,
        notify_url: Url,
        return_url: Url,
    ) -> Self {
        PaymentRequest {
            transaction_id,
            money,
            description,
            notify_url,
            return_url,
            channels: Channels::All,
            lang: None,
            metadata: None,
            invoice_data: InvoiceData::default(),
            lock_phone_number: false,
            customer: Customer::default(),
        }
    }

    /// Sets the channels.
    #[must_use]
    pub fn channels(mut self, channels: Channels) -> Self {
        self.channels = channels;
        self
    }

    /// Sets the customer.
    #[must_use]
    pub fn customer(mut self, customer: Customer) -> Self {
        self.customer = customer;
        self
    }

    /// Sets the hosted page language.
    #[must_use]
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Sets the metadata.
    #[must_use]
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.metadata = Some(metadata.into());
        self
    }

    /// Sets the invoice lines.
    #[must_use]
    pub fn invoice_data(mut self, invoice_data: InvoiceData) -> Self {
        self.invoice_data = invoice_data;
        self
    }

    /// Locks the payer's number on the hosted page (needs
    /// `customer.phone_number`, checked by [`validate`](Self::validate)).
    #[must_use]
    pub fn lock_phone_number(mut self, lock: bool) -> Self {
        self.lock_phone_number = lock;
        self
    }

    /// Checks the rules CinetPay enforces that the field types cannot.
    pub fn validate(&self) -> Result<(), PaymentRequestError> {
        for (name, url) in [
            ("notify_url", &self.notify_url),
            ("return_url", &self.return_url),
        ] {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(PaymentRequestError::BadUrl(name));
            }
        }
        if self.channels == Channels::CreditCard {
            self.customer.card()?;
        }
        if self.lock_phone_number
            && self
                .customer
                .phone_number
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
        {
            return Err(PaymentRequestError::LockWithoutPhone);
        }
        if let Some(m) = &self.metadata {
            let len = m.chars().count();
            if len > 1000 {
                return Err(PaymentRequestError::MetadataTooLong(len));
            }
        }
        Ok(())
    }

    /// The wire body, after [`validate`](Self::validate).
    pub fn to_wire(&self, credentials: &Credentials) -> Result<InitRequest, PaymentRequestError> {
        self.validate()?;
        let c = &self.customer;
        Ok(InitRequest {
            apikey: credentials.api_key.expose().to_owned(),
            site_id: credentials.site_id.as_str().to_owned(),
            transaction_id: self.transaction_id.as_str().to_owned(),
            amount: self.money.amount.get(),
            currency: self.money.currency.as_str().to_owned(),
            description: self.description.as_str().to_owned(),
            notify_url: self.notify_url.to_string(),
            return_url: self.return_url.to_string(),
            channels: self.channels.as_str().to_owned(),
            lang: self.lang.map(|l| l.as_str().to_owned()),
            metadata: self.metadata.clone(),
            invoice_data: (!self.invoice_data.is_empty())
                .then(|| self.invoice_data.entries().clone()),
            lock_phone_number: self.lock_phone_number.then_some(true),
            customer_id: c.id.clone(),
            customer_name: c.name.clone(),
            customer_surname: c.surname.clone(),
            customer_email: c.email.clone(),
            customer_phone_number: c.phone_number.clone(),
            customer_address: c.address.clone(),
            customer_city: c.city.clone(),
            customer_country: c.country.clone(),
            customer_state: c.state.clone(),
            customer_zip_code: c.zip_code.clone(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::values::{Amount, ApiKey, Currency, SiteId};

    fn request() -> PaymentRequest {
        PaymentRequest::new(
            TransactionId::parse("ORDER-0001").unwrap(),
            Money::new(Amount::new(1000).unwrap(), Currency::Xof),
            Description::new("Commande 42").unwrap(),
            "https://shop.example/notify".parse().unwrap(),
            "https://shop.example/return".parse().unwrap(),
        )
    }

    fn creds() -> Credentials {
        Credentials::new(
            SiteId::new("123456").unwrap(),
            ApiKey::new("API-KEY-XYZ").unwrap(),
            None,
        )
    }

    fn card_customer() -> Customer {
        Customer {
            id: Some("c-1".into()),
            name: Some("Koné".into()),
            surname: Some("Awa".into()),
            email: Some("awa@example.ci".into()),
            phone_number: Some("+2250700000000".into()),
            address: Some("Rue 12".into()),
            city: Some("Abidjan".into()),
            country: Some("CI".into()),
            state: Some("CI".into()),
            zip_code: Some("00225".into()),
        }
    }

    #[test]
    fn the_wire_body_has_every_documented_field() {
        let mut inv = InvoiceData::default();
        inv.insert("Commande", "42").unwrap();
        let req = request()
            .channels(Channels::CreditCard)
            .customer(card_customer())
            .lang(Lang::En)
            .metadata("order:42")
            .invoice_data(inv)
            .lock_phone_number(true);
        let json = serde_json::to_value(req.to_wire(&creds()).unwrap()).unwrap();
        let expected = serde_json::json!({
            "apikey": "API-KEY-XYZ", "site_id": "123456", "transaction_id": "ORDER-0001",
            "amount": 1000, "currency": "XOF", "description": "Commande 42",
            "notify_url": "https://shop.example/notify", "return_url": "https://shop.example/return",
            "channels": "CREDIT_CARD", "lang": "en", "metadata": "order:42",
            "invoice_data": {"Commande": "42"}, "lock_phone_number": true,
            "customer_id": "c-1", "customer_name": "Koné", "customer_surname": "Awa",
            "customer_email": "awa@example.ci", "customer_phone_number": "+2250700000000",
            "customer_address": "Rue 12", "customer_city": "Abidjan", "customer_country": "CI",
            "customer_state": "CI", "customer_zip_code": "00225",
        });
        assert_eq!(json, expected);
    }

    #[test]
    fn optional_fields_are_left_out() {
        let json = serde_json::to_value(request().to_wire(&creds()).unwrap()).unwrap();
        // Sorted: whether a JSON object keeps its insertion order depends on
        // serde_json's `preserve_order`, which the browser test's WebDriver
        // client turns on in the workspace's test builds.
        let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "amount",
                "apikey",
                "channels",
                "currency",
                "description",
                "notify_url",
                "return_url",
                "site_id",
                "transaction_id"
            ]
        );
        assert_eq!(json["channels"], "ALL");
    }

    #[test]
    fn rules_the_types_cannot_hold() {
        let card = request().channels(Channels::CreditCard);
        for missing in [
            "customer_email",
            "customer_phone_number",
            "customer_address",
            "customer_city",
            "customer_country",
            "customer_state",
            "customer_zip_code",
        ] {
            let mut c = card_customer();
            match missing {
                "customer_email" => c.email = None,
                "customer_phone_number" => c.phone_number = None,
                "customer_address" => c.address = None,
                "customer_city" => c.city = None,
                "customer_country" => c.country = None,
                "customer_state" => c.state = Some(" ".into()),
                _ => c.zip_code = None,
            }
            let err = card.clone().customer(c).validate().unwrap_err();
            assert_eq!(err.to_string(), format!("card payments require {missing}"));
        }
        assert_eq!(
            request().lock_phone_number(true).validate(),
            Err(PaymentRequestError::LockWithoutPhone)
        );
        let mut ftp = request();
        ftp.return_url = "ftp://shop.example/r".parse().unwrap();
        assert_eq!(
            ftp.validate(),
            Err(PaymentRequestError::BadUrl("return_url"))
        );
        assert_eq!(
            request().metadata("x".repeat(1001)).validate(),
            Err(PaymentRequestError::MetadataTooLong(1001))
        );
        assert!(request().metadata("x".repeat(1000)).validate().is_ok());
    }

    #[test]
    fn debug_hides_the_api_key() {
        let wire = request().to_wire(&creds()).unwrap();
        assert!(!format!("{wire:?}").contains("API-KEY-XYZ"));
    }

    #[test]
    fn init_data_reads_numbers_and_ignores_extras() {
        let d: InitData = serde_json::from_str(
            r#"{"payment_token":12345,"payment_url":"https://checkout.cinetpay.com/payment/x","extra":1}"#,
        )
        .unwrap();
        assert_eq!(d.payment_token, "12345");
    }
}
