//! The views of a 2026 payment that differ from v2's: the test numbers
//! under the phone field, and the outcome, which sends the browser to
//! `success_url` or `failed_url` (a plain `GET`, the URL as given) or, while
//! pending, reloads itself until the payment ends.

use super::html::{escape, page_with};
use super::i18n::{Texts, texts};
use super::view::{footer, summary};
use crate::payment::{Payment, PaymentState};
use crate::rest::{codes, phones};
use crate::state::Config;

/// Seconds before the browser leaves for the shop.
const REDIRECT_AFTER: u32 = 1;
/// Seconds between reloads of a pending payment's page.
const RELOAD_EVERY: u32 = 2;

/// CinetPay's test numbers and what each does (docs/rest-api-2026.md §8).
pub(super) fn test_numbers(t: &Texts) -> String {
    let items: String = phones::TEST_NUMBERS
        .iter()
        .map(|(number, _, fr, en)| {
            let label = if t.lang == "en" { en } else { fr };
            format!("<dt><code>{number}</code></dt><dd>{label}</dd>")
        })
        .collect();
    let transfer = if t.lang == "en" {
        "transfers only: a payment goes as chosen"
    } else {
        "transferts seulement : un paiement suit le bouton choisi"
    };
    format!(
        "<p class=\"label\">{}</p><dl class=\"test-numbers\">{items}\
<dt><code>{}</code></dt><dd>{transfer}</dd></dl><p></p>",
        t.test_numbers,
        phones::TRANSFER_TEST_NUMBER,
    )
}

/// Where the payment stands; redirects to the shop once it ended.
pub(super) fn outcome(p: &Payment, config: &Config) -> String {
    let t = texts(p.lang());
    let Some(rest) = &p.rest else {
        return String::new();
    };
    let (class, title, target) = match &p.state {
        PaymentState::Accepted => ("accepted", t.accepted, Some(&rest.success_url)),
        PaymentState::Refused { .. } if codes::of_state(&p.state) == 2003 => {
            ("refused", t.expired, Some(&rest.failed_url))
        }
        PaymentState::Refused { .. } => ("refused", t.refused, Some(&rest.failed_url)),
        PaymentState::Cancelled => ("cancelled", t.cancelled, Some(&rest.failed_url)),
        PaymentState::Created | PaymentState::Waiting { .. } => ("waiting", t.waiting, None),
    };
    let code = codes::of_state(&p.state);
    let next = match target {
        Some(url) => format!(
            "<p class=\"muted\">{}</p><p><a class=\"primary\" id=\"cinetpay-return\" href=\"{}\">{}</a></p>",
            t.redirecting,
            escape(url),
            t.back_to_merchant
        ),
        None => format!("<p class=\"muted\">{}</p>", t.checking),
    };
    let card = format!(
        "<section class=\"card\"><p class=\"status {class}\">{title}</p>\
<p class=\"muted\"><code>{code} {status}</code></p>{next}</section>",
        status = codes::status(code),
    );
    let refresh = match target {
        Some(url) => (REDIRECT_AFTER, Some(url.as_str())),
        None => (RELOAD_EVERY, None),
    };
    page_with(
        t.lang,
        title,
        &format!("{}{card}{}", summary(p, config, t), footer(t)),
        None,
        Some(refresh),
    )
}
