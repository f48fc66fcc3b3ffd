//! One harmless call per account that proves its credentials, and what its
//! answer says (an HTML page, a 404 or a firewall told as such).

use cinetpay_core::client::BodyKind;
use cinetpay_core::engine::AccountConfig;
use cinetpay_core::protocol::CodeClass;
use cinetpay_core::rest::RestClient;
use cinetpay_core::{Client, ClientError, Generation, TransactionId};

use super::{Level, Report};

/// One harmless call that proves the account's credentials.
pub(super) async fn probe(account: &AccountConfig, report: &mut Report) {
    let label = format!("account {}", account.name());
    let client_config = account.client_config().clone().with_check_retries(0);
    let url = client_config.base_url.to_string();
    let (level, text) = match account.generation() {
        Generation::CheckoutV2 => {
            let Some(credentials) = account.v2_credentials() else {
                return;
            };
            match Client::new(credentials.clone(), client_config) {
                Ok(client) => v2_verdict(client.check_payment(&TransactionId::generate()).await),
                Err(e) => (Level::Problem, format!("cannot build the client: {e}")),
            }
        }
        Generation::Rest2026 => {
            let Some(credentials) = account.rest_credentials() else {
                return;
            };
            match RestClient::new(credentials.clone(), client_config) {
                Ok(client) => {
                    let answer = client
                        .payment_status(&TransactionId::generate_upper())
                        .await;
                    rest_verdict(answer, client.logins())
                }
                Err(e) => (Level::Problem, format!("cannot build the client: {e}")),
            }
        }
    };
    report.add(level, format!("{label} ({url}): {text}"));
}

/// What a `/v2/payment/check` of an id that does not exist says of the credentials.
pub(super) fn v2_verdict(
    answer: Result<cinetpay_core::CheckResponse, ClientError>,
) -> (Level, String) {
    let accepted = |what: String| {
        (
            Level::Ok,
            format!("credentials accepted (a check of an unknown transaction answered {what})"),
        )
    };
    match answer {
        Ok(envelope) => {
            let what = format!("{} {}", envelope.code, envelope.message);
            match envelope.class() {
                CodeClass::RequestError => v2_refusal(
                    &envelope.code,
                    &envelope.message,
                    envelope.description.as_deref(),
                ),
                _ => accepted(what.trim().to_owned()),
            }
        }
        Err(ClientError::Api {
            code,
            message,
            description,
        }) => v2_refusal(&code, &message, description.as_deref()),
        Err(e) => (Level::Problem, transport_verdict(&e)),
    }
}

/// A refusal of the v2 check: the credentials, or only the unknown id.
pub(super) fn v2_refusal(code: &str, message: &str, description: Option<&str>) -> (Level, String) {
    let said = match description {
        Some(d) if !d.trim().is_empty() => format!("{code} {message}: {d}"),
        _ => format!("{code} {message}"),
    };
    let texts = format!("{message} {}", description.unwrap_or("")).to_ascii_lowercase();
    let about_the_id = [
        "transaction",
        "not found",
        "introuvable",
        "inexistant",
        "n'existe",
    ]
    .iter()
    .any(|w| texts.contains(w))
        && !texts.contains("auth")
        && !texts.contains("apikey")
        && !texts.contains("site");
    match code.trim() {
        "609" => (
            Level::Problem,
            format!("CinetPay does not know this api_key ({said})"),
        ),
        "613" => (
            Level::Problem,
            format!("the site_id is not this api_key's ({said})"),
        ),
        "608" => (
            Level::Problem,
            format!("CinetPay refused the request as incomplete ({said})"),
        ),
        "624" if about_the_id => (
            Level::Ok,
            format!("credentials accepted (CinetPay does not know the test transaction: {said})"),
        ),
        "624" => (
            Level::Problem,
            format!(
                "CinetPay answered {said}, its usual answer to a wrong api_key or site_id \
                 (docs/checkout-v2.md §1.4)"
            ),
        ),
        other => match cinetpay_core::protocol::ResultCode::new(other).class() {
            CodeClass::PaymentFailed | CodeClass::Pending | CodeClass::Success => (
                Level::Ok,
                format!("credentials accepted (a check of an unknown transaction answered {said})"),
            ),
            _ => (
                Level::Problem,
                format!("CinetPay refused the check: {said}"),
            ),
        },
    }
}

/// What a login and a status call for an unknown payment say of the credentials.
pub(super) fn rest_verdict(
    answer: Result<cinetpay_core::rest::StatusAnswer, ClientError>,
    logins: u64,
) -> (Level, String) {
    match answer {
        Ok(status) => (
            Level::Ok,
            format!(
                "login accepted (the status of an unknown payment answered {} {})",
                status.code, status.status
            )
            .replace("  ", " "),
        ),
        Err(ClientError::Api {
            code,
            message,
            description,
        }) => {
            let said = match description {
                Some(d) if !d.trim().is_empty() => format!("{code} {message}: {d}"),
                _ => format!("{code} {message}"),
            };
            if logins == 0 {
                let hint = if code == "1005" {
                    ": check api_key and api_password"
                } else {
                    ""
                };
                (
                    Level::Problem,
                    format!("CinetPay refused the login ({said}){hint}"),
                )
            } else {
                (
                    Level::Problem,
                    format!("login accepted, but the status call was refused ({said})"),
                )
            }
        }
        Err(e) => (Level::Problem, transport_verdict(&e)),
    }
}

/// An answer that is not CinetPay's, or no answer: what it means, in words.
pub(super) fn transport_verdict(error: &ClientError) -> String {
    match error {
        ClientError::NotJson { status, body, .. } => format!(
            "the API URL answered {} (status {status}), not CinetPay's JSON: wrong host or a proxy",
            body.describe()
        ),
        ClientError::HttpStatus { status, excerpt } => {
            let body = BodyKind::of(excerpt.as_bytes());
            let with = match body {
                BodyKind::Empty => String::new(),
                other => format!(" with {}", other.describe()),
            };
            match status {
                404 => format!(
                    "the API URL answered 404 Not Found{with}: no CinetPay API there (wrong api_url?)"
                ),
                407 => "a proxy asks for authentication (HTTP 407)".to_owned(),
                300..=399 => format!(
                    "the API URL redirects (HTTP {status}): wrong api_url (http:// for https://, \
                     or an old host?)"
                ),
                401 | 403 if body != BodyKind::Json => format!(
                    "the API URL refused the request with HTTP {status}{with}: a firewall or a \
                     proxy in the way (CinetPay's refusals are JSON)"
                ),
                429 => "rate limited (HTTP 429): try again later".to_owned(),
                500..=599 => format!(
                    "the API answered HTTP {status}{with}: CinetPay, or a proxy in front of it, \
                     is failing; try again later"
                ),
                _ => format!("the API URL answered HTTP {status}{with}: {excerpt}"),
            }
        }
        ClientError::Timeout => "no answer in time (http_timeout_ms)".to_owned(),
        ClientError::Transport(why) => format!("cannot reach the API URL: {why}"),
        ClientError::Unparseable(why) => {
            format!("the API answered JSON that is not CinetPay's: {why}")
        }
        other => other.to_string(),
    }
}
