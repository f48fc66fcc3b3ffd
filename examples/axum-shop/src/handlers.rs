//! The shop's own routes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shop_common::catalogue::{self, CATALOGUE};
use shop_common::pages::{self, OrderView};
use shop_common::setup::Shop;

use crate::negotiate::{read_body, wants_json};

pub(crate) async fn catalogue() -> Html<String> {
    Html(pages::catalogue_page())
}

pub(crate) async fn products() -> Response {
    Json(CATALOGUE).into_response()
}

#[derive(Deserialize)]
pub(crate) struct NewOrder {
    product_id: String,
}

fn error(headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    if wants_json(headers) {
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        (
            status,
            Html(pages::message_page(
                status.canonical_reason().unwrap_or("Error"),
                message,
            )),
        )
            .into_response()
    }
}

pub(crate) async fn create_order(
    State(shop): State<Shop>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let new: NewOrder = match read_body(&headers, &body) {
        Ok(new) => new,
        Err(message) => return error(&headers, StatusCode::BAD_REQUEST, &message),
    };
    let Some(product) = catalogue::product(&new.product_id) else {
        return error(&headers, StatusCode::NOT_FOUND, "no such product");
    };
    let order = match shop.orders.create(product).await {
        Ok(order) => order,
        Err(e) => {
            tracing::error!(error = %e, "cannot create order");
            return error(
                &headers,
                StatusCode::SERVICE_UNAVAILABLE,
                "the shop cannot take orders right now",
            );
        }
    };
    let location = format!("/orders/{}", order.order_ref);
    if wants_json(&headers) {
        (
            StatusCode::CREATED,
            [(header::LOCATION, location)],
            Json(order),
        )
            .into_response()
    } else {
        Redirect::to(&location).into_response()
    }
}

pub(crate) async fn show_order(
    State(shop): State<Shop>,
    Path(order_ref): Path<String>,
    headers: HeaderMap,
) -> Response {
    match OrderView::load(&shop.orders, shop.payments.as_ref(), &order_ref).await {
        Ok(Some(view)) if wants_json(&headers) => Json(view).into_response(),
        Ok(Some(view)) => Html(pages::order_page(&view, &shop.pay_action())).into_response(),
        Ok(None) => error(&headers, StatusCode::NOT_FOUND, "no such order"),
        Err(e) => {
            tracing::error!(error = %e, "cannot load order");
            error(
                &headers,
                StatusCode::SERVICE_UNAVAILABLE,
                "orders are unavailable right now",
            )
        }
    }
}
