//! `POST {prefix}/init`: an order reference in, a payment page out.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::json;

use super::body::{self, BodyError};
use crate::engine::{Checkout, CustomerError, CustomerErrorKind, response};
use crate::values::OrderRef;

pub(super) async fn handle(checkout: &Checkout, request: Request<Bytes>) -> Response<Bytes> {
    if request.method() != Method::POST {
        return response::method_not_allowed("POST");
    }
    let wants_json = body::wants_json(&request);
    let reject = |status: StatusCode, message: String| {
        tracing::info!(%status, %message, "init refused");
        answer(
            wants_json,
            CustomerError::new(status, CustomerErrorKind::BadRequest, message),
        )
    };
    let raw = match body::field(&request, "order_ref") {
        Ok(Some(raw)) => raw,
        Ok(None) => return reject(StatusCode::BAD_REQUEST, "order_ref is missing".to_owned()),
        Err(BodyError::UnsupportedType(mime)) => {
            return reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "unsupported content type {mime:?}: send order_ref as application/x-www-form-urlencoded or application/json"
                ),
            );
        }
        Err(BodyError::BadJson(why)) => return reject(StatusCode::BAD_REQUEST, why),
        Err(BodyError::NotUtf8) => {
            return reject(
                StatusCode::BAD_REQUEST,
                "body is not valid UTF-8".to_owned(),
            );
        }
    };
    let order = match OrderRef::new(raw) {
        Ok(order) => order,
        Err(e) => {
            return reject(
                StatusCode::BAD_REQUEST,
                format!("order_ref is invalid: {e}"),
            );
        }
    };
    match checkout.start_payment(&order).await {
        Ok(started) if wants_json => response::json(StatusCode::OK, &started),
        Ok(started) => response::see_other(&started.payment_url),
        Err(e) => {
            // The detail goes to the log; the customer sees a short, fixed text.
            tracing::info!(error = %e, "init failed");
            answer(wants_json, e.customer_error())
        }
    }
}

/// A customer error as JSON `{"error": message}`, or as a plain-text page
/// that carries the [`CustomerError`] in its extensions for the shop's layout.
fn answer(wants_json: bool, error: CustomerError) -> Response<Bytes> {
    if wants_json {
        return response::json(error.status(), &json!({ "error": error.message() }));
    }
    let mut page = response::text(error.status(), error.message().to_owned());
    page.extensions_mut().insert(error);
    page
}
