//! The shop's own routes.

use cinetpay_rocket::CinetPayCheckout;
use rocket::form::{self, Form};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::response::status::Created;
use rocket::serde::json::{self, Json};
use rocket::{State, get, post};
use serde::Deserialize;
use shop_common::catalogue::{self, CATALOGUE, Product};
use shop_common::pages::{self, OrderView};

use crate::ShopState;

use crate::negotiate::{Reply, Wants};

#[get("/")]
pub(crate) fn index() -> RawHtml<String> {
    RawHtml(pages::catalogue_page())
}

#[get("/api/products")]
pub(crate) fn products() -> Json<&'static [Product]> {
    Json(CATALOGUE)
}

/// `POST /orders`: what to buy.
#[derive(Debug, Deserialize, rocket::FromForm)]
pub(crate) struct NewOrder {
    product_id: String,
}

#[post("/orders", format = "json", data = "<order>")]
pub(crate) async fn create_order_json(
    shop: &State<ShopState>,
    order: Result<Json<NewOrder>, json::Error<'_>>,
    wants: Wants,
) -> Reply {
    match order {
        Ok(order) => create_order(shop, &order.product_id, wants).await,
        Err(e) => wants.error(Status::BadRequest, &format!("invalid JSON body: {e}")),
    }
}

#[post("/orders", data = "<order>", rank = 2)]
pub(crate) async fn create_order_form(
    shop: &State<ShopState>,
    order: Result<Form<NewOrder>, form::Errors<'_>>,
    wants: Wants,
) -> Reply {
    match order {
        Ok(order) => create_order(shop, &order.product_id, wants).await,
        Err(e) => wants.error(Status::BadRequest, &format!("invalid form body: {e}")),
    }
}

async fn create_order(shop: &ShopState, product_id: &str, wants: Wants) -> Reply {
    let Some(product) = catalogue::product(product_id) else {
        return wants.error(Status::NotFound, "no such product");
    };
    let order = match shop.orders.create(product).await {
        Ok(order) => order,
        Err(e) => {
            tracing::error!(error = %e, "cannot create order");
            return wants.error(
                Status::ServiceUnavailable,
                "the shop cannot take orders right now",
            );
        }
    };
    let location = format!("/orders/{}", order.order_ref);
    if wants.json() {
        Reply::Created(Created::new(location).body(Json(order)))
    } else {
        Reply::SeeOther(Redirect::to(location))
    }
}

#[get("/orders/<order_ref>")]
pub(crate) async fn show_order(
    shop: &State<ShopState>,
    checkout: CinetPayCheckout<'_>,
    order_ref: &str,
    wants: Wants,
) -> Reply {
    let pay_action = format!("{}/init", checkout.config().prefix());
    match OrderView::load(&shop.orders, shop.payments.as_ref(), order_ref).await {
        Ok(Some(view)) if wants.json() => Reply::Order(Json(view)),
        Ok(Some(view)) => Reply::Page((Status::Ok, RawHtml(pages::order_page(&view, &pay_action)))),
        Ok(None) => wants.error(Status::NotFound, "no such order"),
        Err(e) => {
            tracing::error!(error = %e, "cannot load order");
            wants.error(
                Status::ServiceUnavailable,
                "orders are unavailable right now",
            )
        }
    }
}
