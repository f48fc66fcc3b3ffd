use serde::{Deserialize, Serialize};

/// What the merchant knows of the customer; every field is optional.
///
/// Card payments ([`Channels::CreditCard`](crate::Channels::CreditCard)) need
/// the card fields: see [`Customer::card`].
///
/// ```
/// use cinetpay_core::Customer;
/// let c = Customer { name: Some("Koné".into()), surname: Some("Awa".into()), ..Customer::default() };
/// assert!(c.card().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The merchant's own id of the customer (`customer_id`).
    pub id: Option<String>,
    /// Family name (`customer_name`).
    pub name: Option<String>,
    /// First name (`customer_surname`).
    pub surname: Option<String>,
    /// E-mail (`customer_email`).
    pub email: Option<String>,
    /// Phone number with country prefix, e.g. `+2250700000000` (`customer_phone_number`).
    pub phone_number: Option<String>,
    /// Street address (`customer_address`).
    pub address: Option<String>,
    /// City (`customer_city`).
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code (`customer_country`).
    pub country: Option<String>,
    /// State; required by CinetPay when the country is US or CA (`customer_state`).
    pub state: Option<String>,
    /// Postal code (`customer_zip_code`).
    pub zip_code: Option<String>,
}

/// The fields a card payment needs, all present.
///
/// ```
/// use cinetpay_core::Customer;
/// let c = Customer {
///     email: Some("awa@example.ci".into()), phone_number: Some("+2250700000000".into()),
///     address: Some("Rue 12".into()), city: Some("Abidjan".into()), country: Some("CI".into()),
///     state: Some("CI".into()), zip_code: Some("00225".into()), ..Customer::default()
/// };
/// assert_eq!(c.card().unwrap().city, "Abidjan");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCustomer<'a> {
    /// `customer_email`.
    pub email: &'a str,
    /// `customer_phone_number`.
    pub phone_number: &'a str,
    /// `customer_address`.
    pub address: &'a str,
    /// `customer_city`.
    pub city: &'a str,
    /// `customer_country`.
    pub country: &'a str,
    /// `customer_state`.
    pub state: &'a str,
    /// `customer_zip_code`.
    pub zip_code: &'a str,
}

/// A card payment is missing a customer field.
///
/// ```
/// use cinetpay_core::Customer;
/// let err = Customer::default().card().unwrap_err();
/// assert_eq!(err.to_string(), "card payments require customer_email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card payments require {0}")]
pub struct CardCustomerError(pub &'static str);

impl Customer {
    /// The card fields, or an error naming the first missing one
    /// (by its CinetPay field name).
    pub fn card(&self) -> Result<CardCustomer<'_>, CardCustomerError> {
        fn need<'a>(
            v: &'a Option<String>,
            name: &'static str,
        ) -> Result<&'a str, CardCustomerError> {
            match v.as_deref().map(str::trim) {
                Some(s) if !s.is_empty() => Ok(s),
                _ => Err(CardCustomerError(name)),
            }
        }
        Ok(CardCustomer {
            email: need(&self.email, "customer_email")?,
            phone_number: need(&self.phone_number, "customer_phone_number")?,
            address: need(&self.address, "customer_address")?,
            city: need(&self.city, "customer_city")?,
            country: need(&self.country, "customer_country")?,
            state: need(&self.state, "customer_state")?,
            zip_code: need(&self.zip_code, "customer_zip_code")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn card_names_the_missing_field() {
        let mut c = Customer {
            email: Some("a@b.ci".into()),
            phone_number: Some("+2250700000000".into()),
            address: Some("Rue 12".into()),
            city: Some("Abidjan".into()),
            country: Some("CI".into()),
            state: Some("CI".into()),
            zip_code: None,
            ..Customer::default()
        };
        assert_eq!(c.card().unwrap_err().0, "customer_zip_code");
        c.zip_code = Some("00225".into());
        assert!(c.card().is_ok());
        c.email = Some("  ".into());
        assert_eq!(c.card().unwrap_err().0, "customer_email");
    }
}
