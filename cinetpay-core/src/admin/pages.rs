//! The three pages: the list with its filters, one payment with its
//! delivery log and the "sync now" form, and a message (not found, refused).
//! Plain HTML forms and links, no JavaScript; every value goes through
//! [`Html::text`].

use super::Links;
use super::csrf;
use super::filter::ListQuery;
use super::html::{Html, layout};
use super::view::{PaymentDetail, PaymentRow, SyncNotice};
use crate::model::{PaymentStatus, Timestamp};

fn at(time: &Timestamp) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn nav(page: &mut Html, links: &Links) {
    page.raw("<nav><a href=\"")
        .text(links.list(""))
        .raw("\">All payments</a><a href=\"")
        .text(links.list("needs_attention=1"))
        .raw("\">Needs attention</a><a href=\"")
        .text(links.list("failing=1"))
        .raw("\">Failing fulfilment</a><a href=\"")
        .text(links.list("refund=1"))
        .raw("\">To refund</a></nav>");
}

fn status(page: &mut Html, status: PaymentStatus) {
    page.raw("<span class=\"status ")
        .text(status)
        .raw("\">")
        .text(status)
        .raw("</span>");
}

fn checkbox(page: &mut Html, name: &'static str, label: &'static str, checked: bool) {
    page.raw("<label class=\"check\"><input type=\"checkbox\" value=\"1\" name=\"")
        .raw(name)
        .raw("\"")
        .raw(if checked { " checked" } else { "" })
        .raw(">")
        .raw(label)
        .raw("</label>");
}

fn filters(page: &mut Html, links: &Links, query: &ListQuery) {
    page.raw("<form class=\"filters\" method=\"get\" action=\"")
        .text(links.list(""))
        .raw("\"><label>Status<select name=\"status\"><option value=\"\">any</option>");
    for s in PaymentStatus::ALL {
        page.raw("<option value=\"").text(s).raw("\"");
        if query.status == Some(s) {
            page.raw(" selected");
        }
        page.raw(">").text(s).raw("</option>");
    }
    page.raw("</select></label>");
    checkbox(page, "failing", "Failing fulfilment", query.failing);
    checkbox(
        page,
        "refund",
        "To refund (duplicates, superseded)",
        query.refund,
    );
    page.raw("<label>Created since<input name=\"since\" placeholder=\"2026-01-31\" value=\"")
        .text(query.since.as_ref().map_or("", |(text, _)| text.as_str()))
        .raw("\"></label><label>Order<input name=\"order\" value=\"")
        .text(query.order.as_ref().map_or("", |o| o.as_str()))
        .raw("\"></label>");
    if let Some(limit) = query.limit {
        page.raw("<input type=\"hidden\" name=\"limit\" value=\"")
            .text(limit)
            .raw("\">");
    }
    page.raw("<button type=\"submit\">Filter</button></form>");
}

/// The list: filters, one row per payment, and the next page's link.
pub(crate) fn list_page(
    links: &Links,
    query: &ListQuery,
    rows: &[PaymentRow],
    next: Option<&str>,
) -> String {
    let mut page = Html::default();
    nav(&mut page, links);
    page.raw("<h1>Payments</h1>");
    filters(&mut page, links, query);
    if rows.is_empty() {
        page.raw("<p id=\"no-payments\" class=\"muted\">No payment matches.</p>");
    } else {
        page.raw("<div class=\"scroll\"><table id=\"payments\"><thead><tr><th>Created</th><th>Transaction</th><th>Order</th>\
<th>Amount</th><th>Status</th><th>Attention</th><th>Delivery</th><th>Account</th></tr></thead><tbody>");
        for row in rows {
            page.raw("<tr><td>")
                .text(at(&row.created_at))
                .raw("</td><td><a class=\"payment\" href=\"")
                .text(links.payment(row.transaction_id.as_str(), ""))
                .raw("\">")
                .text(&row.transaction_id)
                .raw("</a></td><td>")
                .text(&row.order_ref)
                .raw("</td><td>")
                .text(row.amount)
                .raw(" ")
                .text(row.currency)
                .raw("</td><td>");
            status(&mut page, row.status);
            page.raw("</td><td>").opt(row.attention).raw("</td><td>");
            if row.delivered {
                page.raw("delivered");
            } else if row.attempts > 0 {
                page.text(format!("{} failed attempt(s)", row.attempts));
                if let Some(error) = &row.last_error {
                    page.raw("<br><span class=\"muted\">")
                        .text(error)
                        .raw("</span>");
                }
            } else {
                page.raw("<span class=\"muted\">—</span>");
            }
            page.raw("</td><td>")
                .text(&row.account)
                .raw(" <span class=\"muted\">")
                .text(row.generation)
                .raw("</span></td></tr>");
        }
        page.raw("</tbody></table></div>");
    }
    if let Some(next) = next {
        page.raw("<p><a id=\"next-page\" href=\"")
            .text(next)
            .raw("\">Next page &rarr;</a></p>");
    }
    layout("Payments", page)
}

fn row(page: &mut Html, label: &'static str, value: Option<impl std::fmt::Display>) {
    page.raw("<dt>")
        .raw(label)
        .raw("</dt><dd>")
        .opt(value)
        .raw("</dd>");
}

fn time_row(page: &mut Html, label: &'static str, value: Option<&Timestamp>) {
    row(page, label, value.map(at));
}

/// One payment: its facts, the last check, the delivery, the log, and the
/// "sync now" form carrying `csrf_token`.
pub(crate) fn payment_page(
    links: &Links,
    payment: &PaymentDetail,
    notice: Option<SyncNotice>,
    csrf_token: &str,
) -> String {
    let id = payment.transaction_id.as_str();
    let mut page = Html::default();
    nav(&mut page, links);
    page.raw("<h1>Payment <span id=\"transaction-id\">")
        .text(id)
        .raw("</span></h1>");
    if let Some(notice) = notice {
        page.raw(if notice.is_error() {
            "<p id=\"sync-notice\" class=\"notice error\">"
        } else {
            "<p id=\"sync-notice\" class=\"notice\">"
        })
        .text(notice.describe(payment.status))
        .raw("</p>");
    }
    page.raw("<dl><dt>Status</dt><dd id=\"status\">");
    status(&mut page, payment.status);
    page.raw("</dd>");
    row(&mut page, "Why", payment.status_reason.as_deref());
    row(&mut page, "Attention", payment.attention);
    row(&mut page, "Refund", payment.refund_reason.as_deref());
    row(&mut page, "Order", Some(&payment.order_ref));
    row(
        &mut page,
        "Amount",
        Some(format!("{} {}", payment.amount, payment.currency)),
    );
    row(&mut page, "Description", Some(&payment.description));
    row(
        &mut page,
        "Account",
        Some(format!("{} ({})", payment.account, payment.generation)),
    );
    row(&mut page, "CinetPay id", payment.cinetpay_id.as_deref());
    row(
        &mut page,
        "Open",
        Some(if payment.open { "yes" } else { "no" }),
    );
    time_row(&mut page, "Created", Some(&payment.created_at));
    time_row(&mut page, "Updated", Some(&payment.updated_at));
    time_row(&mut page, "Superseded", payment.superseded_at.as_ref());
    time_row(&mut page, "Last checked", payment.checked_at.as_ref());
    page.raw("</dl><h2>Last check</h2>");
    match &payment.check {
        None => {
            page.raw("<p class=\"muted\">Never checked with CinetPay.</p>");
        }
        Some(check) => {
            page.raw("<dl id=\"check\">");
            row(
                &mut page,
                "Code",
                Some(format!("{} {}", check.code, check.message)),
            );
            row(&mut page, "Status", check.status.as_deref());
            row(
                &mut page,
                "Amount",
                check
                    .amount
                    .as_ref()
                    .map(|a| format!("{a} {}", check.currency.as_deref().unwrap_or(""))),
            );
            row(&mut page, "Method", check.payment_method.as_deref());
            row(&mut page, "Operator id", check.operator_id.as_deref());
            row(&mut page, "Paid at", check.payment_date.as_deref());
            page.raw("</dl>");
        }
    }
    let f = &payment.fulfilment;
    page.raw("<h2>Fulfilment</h2><dl id=\"fulfilment\">");
    time_row(&mut page, "Delivered", f.fulfilled_at.as_ref());
    row(&mut page, "Attempts", Some(f.attempts));
    row(&mut page, "Last error", f.last_error.as_deref());
    time_row(&mut page, "Next attempt", f.next_attempt_at.as_ref());
    time_row(&mut page, "Claimed until", f.claimed_until.as_ref());
    time_row(
        &mut page,
        "Failure notified",
        payment.failure_notified_at.as_ref(),
    );
    time_row(
        &mut page,
        "Refund notified",
        payment.refund_notified_at.as_ref(),
    );
    page.raw("</dl><form method=\"post\" action=\"")
        .text(links.sync(id))
        .raw("\"><input type=\"hidden\" name=\"")
        .raw(csrf::FIELD)
        .raw("\" value=\"")
        .text(csrf_token)
        .raw("\"><button type=\"submit\" id=\"sync-now\">Sync now</button> \
<span class=\"muted\">asks CinetPay for the payment's status and delivers it if it is paid</span></form>\
<h2>Delivery log</h2>");
    if payment.deliveries.is_empty() {
        page.raw("<p class=\"muted\">No line yet.</p>");
    } else {
        page.raw("<table id=\"deliveries\"><thead><tr><th>At</th><th>Source</th><th>Outcome</th></tr></thead><tbody>");
        for line in &payment.deliveries {
            page.raw("<tr><td>")
                .text(at(&line.at))
                .raw("</td><td>")
                .text(line.source)
                .raw("</td><td>")
                .text(&line.outcome)
                .raw("</td></tr>");
        }
        page.raw("</tbody></table>");
    }
    layout(&format!("Payment {id}"), page)
}

/// A short page: not found, a refused form, a bad filter.
pub(crate) fn message_page(links: &Links, title: &str, message: &str) -> String {
    let mut page = Html::default();
    nav(&mut page, links);
    page.raw("<h1>")
        .text(title)
        .raw("</h1><p id=\"message\">")
        .text(message)
        .raw("</p>");
    layout(title, page)
}
