//! The errors `POST {prefix}/init` shows a customer, as a typed value a
//! shop can render in its own layout.

use http::StatusCode;

/// What went wrong for the customer who clicked "pay", as the shop may show it.
///
/// Every page (not JSON) answer of `POST {prefix}/init` that is an error
/// carries one in its response [extensions](http::Response::extensions): the
/// answer's body is [`message`](Self::message), in plain text, unless the
/// shop renders its own page from it. With axum, a `map_response` layer does
/// that; with Rocket, the fairing can hand these answers to the app's
/// catchers (see `cinetpay-rocket`).
///
/// ```
/// use axum::{Router, middleware::map_response, response::{Html, IntoResponse, Response}};
/// use cinetpay_core::engine::{CustomerError, CustomerErrorKind};
///
/// /// The shop's layout around the engine's customer errors.
/// async fn in_my_layout(response: Response) -> Response {
///     let Some(error) = response.extensions().get::<CustomerError>().cloned() else {
///         return response;
///     };
///     let advice = match error.kind() {
///         CustomerErrorKind::NotPayable { .. } => "See your order page.",
///         _ if error.retry_later() => "Please try again in a moment.",
///         _ => "",
///     };
///     let page = format!("<main><h1>{}</h1><p>{advice}</p></main>", error.message());
///     (error.status(), Html(page)).into_response()
/// }
///
/// # fn demo(payments: Router) -> Router {
/// let app = Router::new().merge(payments).layer(map_response(in_my_layout));
/// # app }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerError {
    status: StatusCode,
    kind: CustomerErrorKind,
    message: String,
}

/// Which customer-facing failure a [`CustomerError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CustomerErrorKind {
    /// The request was not a usable "pay" form: `order_ref` missing or
    /// invalid, or a body that is neither a form nor JSON (400, 415).
    BadRequest,
    /// The merchant's `quote` does not know the order (404).
    UnknownOrder,
    /// The merchant's `quote` says the order cannot be paid now, for example
    /// because it is already paid (409). `reason` is the merchant's own text
    /// from [`QuoteError::NotPayable`](crate::QuoteError::NotPayable); the
    /// default page does not show it.
    NotPayable {
        /// The merchant's reason.
        reason: String,
    },
    /// Another click's init of this order is creating its payment (409).
    InProgress,
    /// The order cannot be priced, CinetPay cannot be reached, or the store
    /// is down: trying again later may work (503).
    Unavailable,
    /// CinetPay refused to create the payment page, answered something
    /// unusable, or the quote gave a request CinetPay would refuse (500, 502).
    PaymentPageNotCreated,
}

impl CustomerError {
    pub(crate) fn new(status: StatusCode, kind: CustomerErrorKind, message: String) -> Self {
        CustomerError {
            status,
            kind,
            message,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Which failure it is.
    pub fn kind(&self) -> &CustomerErrorKind {
        &self.kind
    }

    /// The short text the default page shows: never a CinetPay text, a
    /// store error or the merchant's own reason.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the same click may work in a moment (the payment is being
    /// created, or something is unavailable).
    pub fn retry_later(&self) -> bool {
        matches!(
            self.kind,
            CustomerErrorKind::InProgress | CustomerErrorKind::Unavailable
        )
    }
}

impl std::fmt::Display for CustomerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.status)
    }
}
