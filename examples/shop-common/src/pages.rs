//! The shop's pages (plain HTML, no JavaScript) and the JSON view of an order.

use cinetpay_core::{OrderRef, PaymentQueries, PaymentStatus, StoreError};
use serde::Serialize;

use crate::catalogue::{self, CATALOGUE};
use crate::orders::{Delivery, OrderBook, OrderError};

/// An order as the order page and `GET /orders/{order_ref}` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderView {
    /// The order reference.
    pub order_ref: String,
    /// The product ordered.
    pub product_id: String,
    /// The product's name.
    pub product_name: String,
    /// The amount.
    pub amount: i64,
    /// The currency.
    pub currency: String,
    /// `unpaid` before any payment, else the status of the order's payment
    /// (`pending`, `accepted`, `refused`, `cancelled`, `needs_attention`, `start_failed`).
    pub payment_status: String,
    /// The transaction id of that payment.
    pub transaction_id: Option<String>,
    /// One entry per successful delivery.
    pub deliveries: Vec<Delivery>,
}

/// Why an order view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The order book failed.
    #[error(transparent)]
    Orders(#[from] OrderError),
    /// The payment store failed.
    #[error(transparent)]
    Payments(#[from] StoreError),
}

impl OrderView {
    /// Loads the order, its payment status and its deliveries. `None` when there is no such order.
    pub async fn load(
        orders: &OrderBook,
        payments: &dyn PaymentQueries,
        order_ref: &str,
    ) -> Result<Option<OrderView>, ViewError> {
        let Some(order) = orders.get(order_ref).await? else {
            return Ok(None);
        };
        let deliveries = orders.deliveries(order_ref).await?;
        let (payment_status, transaction_id) = match OrderRef::new(order_ref) {
            Ok(reference) => {
                let payments = payments.payments_for_order(&reference, 20).await?;
                // An accepted payment wins over any later failed attempt.
                let shown = payments
                    .iter()
                    .find(|p| p.status == PaymentStatus::Accepted)
                    .or_else(|| payments.first());
                match shown {
                    Some(p) => (
                        p.status.as_str().to_owned(),
                        Some(p.transaction_id.to_string()),
                    ),
                    None => ("unpaid".to_owned(), None),
                }
            }
            Err(_) => ("unpaid".to_owned(), None),
        };
        let product_name = catalogue::product(&order.product_id)
            .map_or_else(|| order.product_id.clone(), |p| p.name.to_owned());
        Ok(Some(OrderView {
            order_ref: order.order_ref,
            product_id: order.product_id,
            product_name,
            amount: order.amount,
            currency: order.currency,
            payment_status,
            transaction_id,
            deliveries,
        }))
    }

    /// Paid and delivered at least once.
    pub fn is_paid(&self) -> bool {
        self.payment_status == "accepted"
    }
}

/// Escapes text for HTML.
///
/// ```
/// assert_eq!(shop_common::pages::escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d2a33}\
h1{font-size:1.5rem}ul{padding:0;list-style:none}li{border:1px solid #d6dde3;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0;display:flex;justify-content:space-between;align-items:center}\
button{background:#0a7c3e;color:#fff;border:0;border-radius:.4rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}\
.status{font-weight:600}.accepted{color:#0a7c3e}.refused,.cancelled,.needs_attention,.start_failed{color:#b3261e}.muted{color:#5b6b77}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        title = escape(title)
    )
}

/// The catalogue: one "Order" button per product (a form posting `product_id` to `/orders`).
pub fn catalogue_page() -> String {
    let items: String = CATALOGUE
        .iter()
        .map(|p| {
            format!(
                "<li><span>{name}<br><span class=\"muted\">{price} {currency}</span></span>\
<form method=\"post\" action=\"/orders\"><input type=\"hidden\" name=\"product_id\" value=\"{id}\">\
<button type=\"submit\">Order</button></form></li>",
                name = escape(p.name),
                price = p.price,
                currency = p.currency,
                id = escape(p.id),
            )
        })
        .collect();
    layout(
        "Boutique",
        &format!(
            "<h1>Boutique</h1><p class=\"muted\">Pay with mobile money or card through CinetPay.</p><ul>{items}</ul>"
        ),
    )
}

/// The order page: status, deliveries, and a Pay button (a form posting
/// `order_ref` to `pay_action`, e.g. `/cinetpay/init`) while unpaid.
pub fn order_page(view: &OrderView, pay_action: &str) -> String {
    let pay = if view.is_paid() {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"order_ref\" value=\"{order}\">\
<button type=\"submit\" id=\"pay\">Pay {amount} {currency}</button></form>",
            action = escape(pay_action),
            order = escape(&view.order_ref),
            amount = view.amount,
            currency = escape(&view.currency),
        )
    };
    let deliveries = if view.deliveries.is_empty() {
        "<p class=\"muted\">No delivery yet.</p>".to_owned()
    } else {
        let items: String = view
            .deliveries
            .iter()
            .map(|d| {
                format!(
                    "<li><span>Delivered {at}</span><span class=\"muted\">{tx} (attempt {attempt})</span></li>",
                    at = d.delivered_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    tx = escape(&d.transaction_id),
                    attempt = d.attempt,
                )
            })
            .collect();
        format!("<ul id=\"deliveries\">{items}</ul>")
    };
    layout(
        &format!("Order {}", view.order_ref),
        &format!(
            "<p><a href=\"/\">&larr; Catalogue</a></p><h1>Order {order}</h1>\
<p>{product}: <strong>{amount} {currency}</strong></p>\
<p>Payment: <span id=\"payment-status\" class=\"status {status}\">{status}</span></p>{pay}\
<h2>Deliveries</h2>{deliveries}",
            order = escape(&view.order_ref),
            product = escape(&view.product_name),
            amount = view.amount,
            currency = escape(&view.currency),
            status = escape(&view.payment_status),
        ),
    )
}

/// A plain page for "not found" and errors.
pub fn message_page(title: &str, message: &str) -> String {
    layout(
        title,
        &format!(
            "<p><a href=\"/\">&larr; Catalogue</a></p><h1>{}</h1><p>{}</p>",
            escape(title),
            escape(message)
        ),
    )
}
