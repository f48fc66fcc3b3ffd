//! The rules `POST /v1/payment` enforces (docs/rest-api-2026.md §3.1), in
//! the order of its table. Every refusal is `1004 INVALID_PARAMS` (HTTP 422)
//! naming the field; the table is in the crate documentation.

use cinetpay_core::protocol::InitRequest;
use serde_json::Value;

use super::RestConfig;
use super::payment::RestPayment;
use super::reply::RestError;
use crate::api::body::Fields;

/// Currencies of the 2026 API (the Python SDK adds USD).
const CURRENCIES: [&str; 5] = ["XOF", "XAF", "GNF", "CDF", "USD"];
/// `channel` values.
const CHANNELS: [&str; 3] = ["PUSH", "OTP", "QRCODE"];
/// Operators of the `payment_method` codes (`OM_CI`); the suffix is the country.
const OPERATORS: [&str; 11] = [
    "OM", "MOOV", "MTN", "WAVE", "FREE", "EXPRESSO", "TMONEY", "AIRTEL", "MPESA", "AFRICELL",
    "ZAMANI",
];
const AMOUNT_MIN: i64 = 100;
const AMOUNT_MAX: i64 = 2_500_000;
const URL_MAX: usize = 120;

/// A validated init: the shared part (as v2 would have it) and the 2026 part
/// (CinetPay's id and the notify token still empty).
#[derive(Debug)]
pub(super) struct Valid {
    pub(super) request: InitRequest,
    pub(super) rest: RestPayment,
}

fn required(fields: &Fields, name: &str) -> Result<String, RestError> {
    fields
        .text(name)
        .ok_or_else(|| RestError::params(format!("{name} is required")))
}

fn length(name: &str, value: &str, min: usize, max: usize) -> Result<(), RestError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(RestError::params(format!(
            "{name} must be {min} to {max} characters long"
        )));
    }
    Ok(())
}

fn currency(config: &RestConfig, fields: &Fields) -> Result<String, RestError> {
    let currency = required(fields, "currency")?;
    if !CURRENCIES.contains(&currency.as_str()) {
        return Err(RestError::params(
            "currency must be one of XOF, XAF, GNF, CDF, USD",
        ));
    }
    if currency != config.country.currency().as_str() {
        return Err(RestError::params(format!(
            "currency must be {}, the currency of this account's country ({})",
            config.country.currency(),
            config.country.code()
        )));
    }
    Ok(currency)
}

/// 1–30 characters of `[A-Z0-9-]` (docs §3.1: a shop saw lower case and `_` refused).
fn merchant_transaction_id(fields: &Fields) -> Result<String, RestError> {
    let id = required(fields, "merchant_transaction_id")?;
    length("merchant_transaction_id", &id, 1, 30)?;
    if !id
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(RestError::params(
            "merchant_transaction_id may hold only A-Z, 0-9 and -",
        ));
    }
    Ok(id)
}

/// A JSON integer from 100 to 2 500 000.
fn amount(fields: &Fields) -> Result<i64, RestError> {
    let value = match fields.value("amount") {
        None => return Err(RestError::params("amount is required")),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    }
    .ok_or_else(|| RestError::params("amount must be an integer"))?;
    if !(AMOUNT_MIN..=AMOUNT_MAX).contains(&value) {
        return Err(RestError::params(format!(
            "amount must be from {AMOUNT_MIN} to {AMOUNT_MAX}"
        )));
    }
    Ok(value)
}

fn email(fields: &Fields) -> Result<String, RestError> {
    let email = required(fields, "client_email")?;
    let valid = email.len() <= 255
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain
                    .split_once('.')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        });
    if !valid {
        return Err(RestError::params(
            "client_email must be a valid e-mail address",
        ));
    }
    Ok(email)
}

/// E.164 (`^\+[1-9][0-9]{7,14}$`) with the account country's calling code.
fn phone(config: &RestConfig, phone: &str) -> Result<(), RestError> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let e164 = (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if !e164 {
        return Err(RestError::params(
            "client_phone_number must be in E.164 format (+2250707070700)",
        ));
    }
    if !digits.starts_with(config.country.calling_code()) {
        return Err(RestError::params(format!(
            "client_phone_number must start with +{}, this account's country code",
            config.country.calling_code()
        )));
    }
    Ok(())
}

fn url(fields: &Fields, name: &str) -> Result<String, RestError> {
    let text = required(fields, name)?;
    if text.chars().count() > URL_MAX {
        return Err(RestError::params(format!(
            "{name} must be at most {URL_MAX} characters long"
        )));
    }
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(text),
        _ => Err(RestError::params(format!(
            "{name} must be an http or https URL"
        ))),
    }
}

/// `OPERATOR_CC`, with this account's country.
fn payment_method(config: &RestConfig, method: &str) -> Result<(), RestError> {
    let known = method
        .rsplit_once('_')
        .is_some_and(|(op, cc)| OPERATORS.contains(&op) && cc == config.country.code());
    if !known {
        return Err(RestError::params(format!(
            "payment_method must be an operator of {} such as OM_{}",
            config.country.code(),
            config.country.code()
        )));
    }
    Ok(())
}

fn direct_pay(fields: &Fields) -> Result<bool, RestError> {
    match fields.value("direct_pay") {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(RestError::params("direct_pay must be a boolean")),
    }
}

/// Validates an init body into the payment to create.
pub(super) fn init(config: &RestConfig, fields: &Fields) -> Result<Valid, RestError> {
    let currency = currency(config, fields)?;
    let merchant_transaction_id = merchant_transaction_id(fields)?;
    let amount = amount(fields)?;
    let lang = required(fields, "lang")?;
    if lang != "fr" && lang != "en" {
        return Err(RestError::params("lang must be fr or en"));
    }
    let designation = required(fields, "designation")?;
    length("designation", &designation, 1, 255)?;
    let first_name = required(fields, "client_first_name")?;
    length("client_first_name", &first_name, 2, 255)?;
    let last_name = required(fields, "client_last_name")?;
    length("client_last_name", &last_name, 2, 255)?;
    let email = email(fields)?;
    let direct_pay = direct_pay(fields)?;
    let phone_number = fields.text("client_phone_number");
    match &phone_number {
        Some(p) => phone(config, p)?,
        None if direct_pay => {
            return Err(RestError::params(
                "client_phone_number is required with direct_pay",
            ));
        }
        None => {}
    }
    let success_url = url(fields, "success_url")?;
    let failed_url = url(fields, "failed_url")?;
    let notify_url = url(fields, "notify_url")?;
    let channel = fields.text("channel");
    if channel.as_deref().is_some_and(|c| !CHANNELS.contains(&c)) {
        return Err(RestError::params("channel must be PUSH, OTP or QRCODE"));
    }
    let method = fields.text("payment_method");
    match &method {
        Some(m) => payment_method(config, m)?,
        None if direct_pay => {
            return Err(RestError::params(
                "payment_method is required with direct_pay",
            ));
        }
        None => {}
    }
    if let Some(otp) = fields.text("otp_code")
        && !((4..=6).contains(&otp.len()) && otp.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(RestError::params("otp_code must be 4 to 6 digits"));
    }
    let request = InitRequest {
        apikey: String::new(),
        site_id: String::new(),
        transaction_id: merchant_transaction_id,
        amount,
        currency,
        description: fields.raw("designation").unwrap_or(designation),
        notify_url,
        return_url: success_url.clone(),
        channels: "ALL".to_owned(),
        lang: Some(lang),
        metadata: None,
        invoice_data: None,
        lock_phone_number: None,
        customer_id: None,
        customer_name: Some(first_name.clone()),
        customer_surname: Some(last_name.clone()),
        customer_email: Some(email.clone()),
        customer_phone_number: phone_number.clone(),
        customer_address: None,
        customer_city: None,
        customer_country: None,
        customer_state: None,
        customer_zip_code: None,
    };
    let rest = RestPayment {
        transaction_id: String::new(),
        notify_token: String::new(),
        success_url,
        failed_url,
        first_name,
        last_name,
        email,
        phone_number,
        channel,
        payment_method: method,
        direct_pay,
    };
    Ok(Valid { request, rest })
}
