//! The 16 documented notification fields of a payment, and their `x-token`.

use crate::codes;
use crate::payment::{Payment, PaymentState};
use crate::scenario::Scenario;
use crate::signer::{SIGNED_FIELDS, x_token};
use crate::state::Config;

/// A notification ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    /// The form fields (v2), or the scalar fields of the JSON body (2026).
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) x_token: Option<String>,
    /// The JSON body of a 2026 notification; `None`: a v2 form.
    pub(crate) json: Option<serde_json::Value>,
    pub(crate) state: String,
}

/// `cpm_error_message` for a state: `SUCCES` when paid, else the documented
/// message of the state's code.
pub(crate) fn status_message(state: &PaymentState) -> String {
    codes::message(state.check_code()).to_owned()
}

/// The country dialling prefix that goes with a currency.
fn phone_prefix(currency: &str) -> &'static str {
    match currency {
        "XAF" => "237",
        "CDF" => "243",
        "GNF" => "224",
        _ => "225",
    }
}

/// A site id that is not `ours`.
fn foreign_site_id(ours: &str) -> &'static str {
    if ours == "999999" { "999998" } else { "999999" }
}

/// A short label of a state for records (`accepted`, `waiting`...).
pub(crate) fn state_label(state: &PaymentState) -> String {
    match state {
        PaymentState::Created => "created",
        PaymentState::Waiting { .. } => "waiting",
        PaymentState::Accepted => "accepted",
        PaymentState::Refused { .. } => "refused",
        PaymentState::Cancelled => "cancelled",
    }
    .to_owned()
}

/// The notification CinetPay would post for `payment` in its current state:
/// a signed form for a v2 payment, JSON for a 2026 one ([`super::json`]).
pub(crate) fn notice(config: &Config, payment: &Payment, scenario: &Scenario) -> Notice {
    match &payment.rest {
        Some(rest) => super::json::notice(payment, rest, scenario),
        None => form_notice(config, payment, scenario),
    }
}

/// The v2 form, with the scenario's faults (foreign site id, wrong or
/// missing `x-token`).
fn form_notice(config: &Config, payment: &Payment, scenario: &Scenario) -> Notice {
    let r = &payment.request;
    let site_id = if scenario.wrong_site_id {
        foreign_site_id(config.site_id.as_str())
    } else {
        config.site_id.as_str()
    };
    let values: [String; 16] = [
        site_id.to_owned(),
        r.transaction_id.clone(),
        payment.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        r.amount.to_string(),
        r.currency.clone(),
        payment.signature.clone(),
        payment
            .operator
            .map(|o| o.code().to_owned())
            .unwrap_or_default(),
        payment.phone.clone().unwrap_or_default(),
        phone_prefix(&r.currency).to_owned(),
        payment.lang().to_owned(),
        "V4".to_owned(),
        "Single".to_owned(),
        "Payment".to_owned(),
        r.metadata.clone().unwrap_or_default(),
        r.description.clone(),
        status_message(&payment.state),
    ];
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let x_token = if scenario.omit_x_token {
        None
    } else if scenario.bad_x_token {
        let wrong_key = format!("not-{}", config.secret_key.expose());
        Some(x_token(&wrong_key, &refs))
    } else {
        Some(x_token(config.secret_key.expose(), &refs))
    };
    let fields = SIGNED_FIELDS
        .iter()
        .zip(values)
        .map(|(name, value)| ((*name).to_owned(), value))
        .collect();
    Notice {
        fields,
        x_token,
        json: None,
        state: state_label(&payment.state),
    }
}
