//! The rules `POST /v2/payment` enforces, with the code of each refusal.
//! The table is in the crate documentation ("API fidelity").

use std::collections::BTreeMap;

use cinetpay_core::protocol::InitRequest;
use serde_json::Value;

use super::body::Fields;
use super::envelope::ApiError;
use crate::payment::CARD_FIELDS;
use crate::state::Config;

/// Currencies of Checkout v2.
const CURRENCIES: [&str; 5] = ["XOF", "XAF", "CDF", "GNF", "USD"];
/// `channels` values.
const CHANNELS: [&str; 4] = ["ALL", "MOBILE_MONEY", "CREDIT_CARD", "WALLET"];
/// Characters the docs ask not to use in `description`.
const FORBIDDEN_IN_DESCRIPTION: [char; 5] = ['#', '/', '$', '_', '&'];

fn required(fields: &Fields, name: &str) -> Result<String, ApiError> {
    fields
        .text(name)
        .ok_or_else(|| ApiError::fields(format!("{name} is required")))
}

/// `apikey` then `site_id`: 608 when absent, 609 / 613 when wrong.
pub(crate) fn credentials(config: &Config, fields: &Fields) -> Result<(), ApiError> {
    let apikey = required(fields, "apikey")?;
    if apikey != config.api_key.expose() {
        return Err(ApiError::new("609", "apikey not found"));
    }
    let site_id = required(fields, "site_id")?;
    if site_id != config.site_id.as_str() {
        return Err(ApiError::new(
            "613",
            "site_id does not belong to this apikey",
        ));
    }
    Ok(())
}

/// `amount`: an integer (611), positive (641), a multiple of 5 (608).
fn amount(fields: &Fields) -> Result<i64, ApiError> {
    let text = required(fields, "amount")?;
    let value = match fields.value("amount") {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        _ => text.parse::<i64>().ok(),
    }
    .ok_or_else(|| ApiError::new("611", "amount must be an integer"))?;
    if value <= 0 {
        return Err(ApiError::new("641", "amount must be greater than 0"));
    }
    if value % 5 != 0 {
        return Err(ApiError::fields("amount must be a multiple of 5"));
    }
    Ok(value)
}

fn http_url(fields: &Fields, name: &str) -> Result<String, ApiError> {
    let text = required(fields, name)?;
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(text),
        _ => Err(ApiError::fields(format!(
            "{name} must be an http or https URL"
        ))),
    }
}

fn invoice_data(fields: &Fields) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    let Some(value) = fields.value("invoice_data") else {
        return Ok(None);
    };
    let Value::Object(map) = value else {
        return Err(ApiError::fields("invoice_data must be an object"));
    };
    if map.len() > 3 {
        return Err(ApiError::fields("invoice_data holds at most 3 entries"));
    }
    Ok(Some(
        map.iter()
            .map(|(k, v)| {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (k.clone(), v)
            })
            .collect(),
    ))
}

/// Validates an init body (after [`credentials`]) into the wire request.
pub(crate) fn init(fields: &Fields) -> Result<InitRequest, ApiError> {
    let transaction_id = required(fields, "transaction_id")?;
    let amount = amount(fields)?;
    let currency = required(fields, "currency")?;
    if !CURRENCIES.contains(&currency.as_str()) {
        return Err(ApiError::new(
            "612",
            "currency must be one of XOF, XAF, CDF, GNF, USD",
        ));
    }
    let description = required(fields, "description")?;
    if description.contains(FORBIDDEN_IN_DESCRIPTION) {
        return Err(ApiError::fields(
            "description must not contain the characters # / $ _ &",
        ));
    }
    let notify_url = http_url(fields, "notify_url")?;
    let return_url = http_url(fields, "return_url")?;
    let channels = fields.text("channels").unwrap_or_else(|| "ALL".to_owned());
    if !CHANNELS.contains(&channels.as_str()) {
        return Err(ApiError::fields(
            "channels must be ALL, MOBILE_MONEY, CREDIT_CARD or WALLET",
        ));
    }
    let lang = fields.text("lang").map(|l| l.to_ascii_lowercase());
    if lang.as_deref().is_some_and(|l| l != "fr" && l != "en") {
        return Err(ApiError::new("615", "lang must be fr or en"));
    }
    if channels == "CREDIT_CARD"
        && let Some(missing) = CARD_FIELDS.iter().find(|f| fields.text(f).is_none())
    {
        return Err(ApiError::fields(format!(
            "{missing} is required when channels is CREDIT_CARD"
        )));
    }
    let lock_phone_number = match fields.text("lock_phone_number").as_deref() {
        None | Some("false" | "0") => None,
        Some("true" | "1") => Some(true),
        Some(_) => return Err(ApiError::fields("lock_phone_number must be a boolean")),
    };
    if lock_phone_number.is_some() && fields.text("customer_phone_number").is_none() {
        return Err(ApiError::fields(
            "customer_phone_number is required with lock_phone_number",
        ));
    }
    Ok(InitRequest {
        apikey: String::new(),
        site_id: fields.text("site_id").unwrap_or_default(),
        transaction_id,
        amount,
        currency,
        description: fields.raw("description").unwrap_or(description),
        notify_url,
        return_url,
        channels,
        lang,
        metadata: fields.raw("metadata"),
        invoice_data: invoice_data(fields)?,
        lock_phone_number,
        customer_id: fields.text("customer_id"),
        customer_name: fields.text("customer_name"),
        customer_surname: fields.text("customer_surname"),
        customer_email: fields.text("customer_email"),
        customer_phone_number: fields.text("customer_phone_number"),
        customer_address: fields.text("customer_address"),
        customer_city: fields.text("customer_city"),
        customer_country: fields.text("customer_country"),
        customer_state: fields.text("customer_state"),
        customer_zip_code: fields.text("customer_zip_code"),
    })
}
