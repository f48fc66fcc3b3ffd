//! The three views: the payment form, the outcome (with the return form),
//! and "not found".

use super::html::{amount, escape, page};
use super::i18n::{Texts, texts};
use crate::operator::Operator;
use crate::payment::{Payment, PaymentState};
use crate::state::Config;

/// The id of the return form, submitted by the inline script.
const RETURN_FORM: &str = "cinetpay-return";

/// Merchant, amount, description and reference.
pub(super) fn summary(p: &Payment, config: &Config, t: &Texts) -> String {
    let r = &p.request;
    let account = if p.rest.is_some() {
        format!("{} {}", t.account_label, config.rest.country.code())
    } else {
        format!("site {}", config.site_id.as_str())
    };
    format!(
        "<section class=\"card\"><span class=\"badge\">SANDBOX</span>\
<h1>{merchant}</h1><p class=\"muted\">{merchant_label} · {account}</p>\
<p class=\"label\" style=\"margin-top:14px\">{amount_label}</p>\
<p class=\"amount\">{amount}</p><p class=\"desc\">{description}</p>\
<dl><dt>{reference_label}</dt><dd>{tx}</dd></dl></section>",
        merchant = escape(&config.merchant_name),
        merchant_label = t.merchant_label,
        account = escape(&account),
        amount_label = t.amount_label,
        amount = amount(r.amount, &r.currency, t.lang),
        description = escape(&r.description),
        reference_label = t.reference_label,
        tx = escape(&r.transaction_id),
    )
}

pub(super) fn footer(t: &Texts) -> String {
    format!("<footer>{}</footer>", t.sandbox_notice)
}

/// The payment form: operator choice, phone, and the four decisions.
pub(crate) fn payment_form(
    p: &Payment,
    config: &Config,
    error: Option<&str>,
    chosen: Option<Operator>,
) -> String {
    let t = texts(p.lang());
    let offered: Vec<Operator> = Operator::ALL.into_iter().filter(|o| p.offers(*o)).collect();
    let chosen = chosen
        .filter(|o| offered.contains(o))
        .or_else(|| offered.first().copied());
    let operators: String = offered
        .iter()
        .map(|o| {
            format!(
                "<label class=\"op\"><input type=\"radio\" name=\"operator\" value=\"{code}\"{checked}> {label}<code>{code}</code></label>",
                code = o.code(),
                label = o.label(),
                checked = if Some(*o) == chosen { " checked" } else { "" },
            )
        })
        .collect();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = if offered.is_empty() {
        format!("<p class=\"error\">{}</p>", t.no_operator)
    } else {
        let phone = p.request.customer_phone_number.as_deref().unwrap_or("");
        let locked = if p.request.lock_phone_number == Some(true) {
            " readonly"
        } else {
            ""
        };
        format!(
            "<fieldset><legend>{choose}</legend>{operators}</fieldset>\
<label class=\"field\">{phone_label}<input name=\"phone\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel\" value=\"{phone}\" placeholder=\"07 07 00 00 01\"{locked}></label>{hint}\
<button class=\"primary\" type=\"submit\" name=\"action\" value=\"pay\">{pay} {amount}</button>\
<p class=\"label\" style=\"margin-top:16px\">{test_actions}</p>\
<div class=\"secondary\">\
<button type=\"submit\" name=\"action\" value=\"refuse\">{refuse}</button>\
<button type=\"submit\" name=\"action\" value=\"wait\">{wait}</button>\
<button class=\"danger\" type=\"submit\" name=\"action\" value=\"cancel\">{cancel}</button></div>",
            choose = t.choose_operator,
            phone_label = t.phone_label,
            phone = escape(phone),
            hint = if p.rest.is_some() {
                super::rest_view::test_numbers(t)
            } else {
                String::new()
            },
            pay = t.pay,
            amount = amount(p.request.amount, &p.request.currency, t.lang),
            test_actions = t.test_actions,
            refuse = t.refuse,
            wait = t.wait,
            cancel = t.cancel,
        )
    };
    let form =
        format!("<section class=\"card\">{error}<form method=\"post\">{body}</form></section>");
    page(
        t.lang,
        t.title,
        &format!("{}{form}{}", summary(p, config, t), footer(t)),
        None,
    )
}

/// The outcome of a decision and the form that sends the customer back to
/// `return_url` (`POST transaction_id` and `token`), submitted by a tiny
/// inline script when `auto_return`; the button works without JavaScript.
pub(crate) fn outcome(p: &Payment, config: &Config, auto_return: bool, page_url: &str) -> String {
    let t = texts(p.lang());
    let (class, title) = match &p.state {
        PaymentState::Accepted => ("accepted", t.accepted),
        PaymentState::Refused { .. } => ("refused", t.refused),
        PaymentState::Cancelled => ("cancelled", t.cancelled),
        PaymentState::Created | PaymentState::Waiting { .. } => ("waiting", t.waiting),
    };
    let redirecting = if auto_return {
        format!("<p class=\"muted\">{}</p>", t.redirecting)
    } else {
        String::new()
    };
    let back_to_page = if p.state.is_accepted() {
        String::new()
    } else {
        format!(
            "<p style=\"text-align:center;margin:14px 0 0\"><a href=\"{}\">{}</a></p>",
            escape(page_url),
            t.back_to_page
        )
    };
    let card = format!(
        "<section class=\"card\"><p class=\"status {class}\">{title}</p>{redirecting}\
<form id=\"{RETURN_FORM}\" method=\"post\" action=\"{action}\">\
<input type=\"hidden\" name=\"transaction_id\" value=\"{tx}\">\
<input type=\"hidden\" name=\"token\" value=\"{token}\">\
<button class=\"primary\" type=\"submit\">{back}</button></form>{back_to_page}</section>",
        action = escape(&p.request.return_url),
        tx = escape(&p.request.transaction_id),
        token = escape(&p.token),
        back = t.back_to_merchant,
    );
    let script = format!("document.getElementById('{RETURN_FORM}').submit();");
    page(
        t.lang,
        title,
        &format!("{}{card}{}", summary(p, config, t), footer(t)),
        auto_return.then_some(script.as_str()),
    )
}

/// An unknown payment token.
pub(crate) fn not_found() -> String {
    let t = texts("fr");
    page(
        t.lang,
        t.not_found_title,
        &format!(
            "<section class=\"card\"><span class=\"badge\">SANDBOX</span><h1>{}</h1><p>{}</p></section>{}",
            t.not_found_title,
            t.not_found_text,
            footer(t)
        ),
        None,
    )
}
