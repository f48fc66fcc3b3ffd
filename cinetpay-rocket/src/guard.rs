//! [`CinetPayCheckout`]: the checkout in the merchant's own handlers.

use std::ops::Deref;

use cinetpay_core::engine::Checkout;
use rocket::http::Status;
use rocket::request::{self, FromRequest, Request};
use rocket::{Ignite, Rocket, Sentinel};

use crate::fairing::{CinetPay, Managed};

/// A request guard giving the merchant's own handlers the [`Checkout`] that
/// the [`CinetPay`] fairing serves: to start a payment from their own route,
/// read a payment, reconcile by hand...
///
/// It is a [`Sentinel`]: a Rocket that uses it without the fairing attached
/// does not launch.
///
/// ```
/// use cinetpay_core::OrderRef;
/// use cinetpay_rocket::CinetPayCheckout;
/// use rocket::http::Status;
/// use rocket::response::Redirect;
///
/// /// "Buy now": start the payment of an order and go to CinetPay's page.
/// #[rocket::post("/orders/<order>/pay")]
/// async fn pay(order: &str, checkout: CinetPayCheckout<'_>) -> Result<Redirect, Status> {
///     let order = OrderRef::new(order).map_err(|_| Status::NotFound)?;
///     match checkout.start_payment(&order).await {
///         Ok(started) => Ok(Redirect::to(started.payment_url)),
///         Err(e) => Err(Status::new(e.http_status().as_u16())),
///     }
/// }
/// # let _ = rocket::build().mount("/", rocket::routes![pay]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CinetPayCheckout<'r>(&'r Checkout);

impl<'r> CinetPayCheckout<'r> {
    /// The checkout, for as long as the request.
    pub fn get(self) -> &'r Checkout {
        self.0
    }
}

impl Deref for CinetPayCheckout<'_> {
    type Target = Checkout;

    fn deref(&self) -> &Checkout {
        self.0
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CinetPayCheckout<'r> {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        match CinetPay::checkout(request.rocket()) {
            Some(checkout) => request::Outcome::Success(CinetPayCheckout(checkout)),
            None => {
                tracing::error!("CinetPayCheckout used without the CinetPay fairing attached");
                request::Outcome::Error((
                    Status::InternalServerError,
                    "the CinetPay fairing is not attached",
                ))
            }
        }
    }
}

impl Sentinel for CinetPayCheckout<'_> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        let missing = rocket.state::<Managed>().is_none();
        if missing {
            tracing::error!(
                "a route uses the CinetPayCheckout guard, but the CinetPay fairing is not \
                 attached: add `.attach(CinetPay::fairing(store, fulfiller))`"
            );
        }
        missing
    }
}
