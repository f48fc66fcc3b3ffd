//! JSON or HTML: what the client asked for, and the shop's answers.

use std::convert::Infallible;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::content::RawHtml;
use rocket::response::status::Created;
use rocket::response::{Redirect, Responder};
use rocket::serde::json::{Json, Value, json};
use shop_common::orders::Order;
use shop_common::pages::{self, OrderView};

/// Whether the client asked for JSON: one of its `Accept` headers names
/// `application/json` (as the axum shop decides).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wants {
    json: bool,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Wants {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        let json = request
            .headers()
            .get("Accept")
            .any(|accept| accept.contains("application/json"));
        Outcome::Success(Wants { json })
    }
}

impl Wants {
    /// The client asked for JSON.
    pub(crate) fn json(self) -> bool {
        self.json
    }

    /// An error as JSON `{"error": ...}` or as a page.
    pub(crate) fn error(self, status: Status, message: &str) -> Reply {
        if self.json {
            Reply::Error((status, Json(json!({ "error": message }))))
        } else {
            Reply::Page((
                status,
                RawHtml(pages::message_page(status.reason_lossy(), message)),
            ))
        }
    }
}

/// Every answer of the shop's own routes.
#[derive(Responder)]
pub(crate) enum Reply {
    /// An HTML page.
    Page((Status, RawHtml<String>)),
    /// An error as JSON: `{"error": "..."}`.
    Error((Status, Json<Value>)),
    /// An order as JSON.
    Order(Json<OrderView>),
    /// `201` with `Location` and the new order as JSON.
    Created(Created<Json<Order>>),
    /// `303 See Other`.
    SeeOther(Redirect),
}
