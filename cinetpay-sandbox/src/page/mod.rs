//! The hosted payment page: `GET /payment/{token}` shows it, `POST` applies
//! the customer's decision, then sends the browser back to `return_url`
//! (v2) or to `success_url` / `failed_url` (2026, [`rest_view`]).

mod html;
mod i18n;
mod rest_view;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::decision::Decision;
use crate::drive;
use crate::error::SandboxError;
use crate::operator::Operator;
use crate::payment::PaymentState;
use crate::rest::phones::{self, Otherwise};
use crate::state::Shared;

/// The page routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/payment/{token}", get(show).post(submit))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(view::not_found())).into_response()
}

/// Renders the outcome (or the form, with `error`) of the payment of `token`.
fn render(
    shared: &Shared,
    token: &str,
    form_error: Option<(&str, Option<Operator>)>,
    auto_return: bool,
) -> Response {
    let state = shared.lock();
    let Some(p) = state.by_token(token) else {
        return not_found();
    };
    match form_error {
        Some((error, chosen)) => (
            StatusCode::BAD_REQUEST,
            Html(view::payment_form(p, &shared.config, Some(error), chosen)),
        )
            .into_response(),
        None if p.rest.is_some() && (auto_return || !matches!(p.state, PaymentState::Created)) => {
            Html(rest_view::outcome(p, &shared.config)).into_response()
        }
        None if p.state.is_final() || auto_return => Html(view::outcome(
            p,
            &shared.config,
            auto_return && p.state.is_final(),
            &shared.payment_url(token),
        ))
        .into_response(),
        None => Html(view::payment_form(p, &shared.config, None, p.operator)).into_response(),
    }
}

async fn show(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    render(&shared, &token, None, false)
}

/// The submitted form: `action` (`pay`, `refuse`, `wait`, `cancel`),
/// `operator` (a `payment_method` code) and `phone`.
#[derive(Debug, Default)]
struct Submitted {
    action: String,
    operator: Option<String>,
    phone: Option<String>,
}

impl Submitted {
    fn parse(body: &[u8]) -> Self {
        let mut form = Submitted::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "action" => form.action = v.into_owned(),
                "operator" => form.operator = Some(v.into_owned()),
                "phone" => form.phone = Some(v.trim().to_owned()).filter(|p| !p.is_empty()),
                _ => {}
            }
        }
        form
    }
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let form = Submitted::parse(&body);
    let (transaction_id, lang, rest) = {
        let state = shared.lock();
        match state.by_token(&token) {
            Some(p) => (
                p.request.transaction_id.clone(),
                p.lang().to_owned(),
                p.rest.is_some(),
            ),
            None => return not_found(),
        }
    };
    let t = i18n::texts(&lang);
    let operator = form
        .operator
        .as_deref()
        .and_then(|o| o.parse::<Operator>().ok());
    // 2026: the phone decides when it is a test number (docs §8).
    let (refused, waiting) = if rest {
        ("2010", "2002")
    } else {
        ("600", "662")
    };
    if rest
        && form.action == "pay"
        && let (Some(operator), Some(phone)) = (operator, form.phone.as_deref())
    {
        return decided(
            &shared,
            &token,
            phones::apply(&shared, &transaction_id, phone, operator, Otherwise::Pay),
        );
    }
    let decision = match (form.action.as_str(), operator) {
        ("cancel", _) => Decision::Cancel,
        ("pay", Some(operator)) => Decision::Pay {
            operator,
            phone: form.phone,
        },
        ("refuse", Some(operator)) => Decision::Refuse {
            operator,
            code: refused.to_owned(),
        },
        ("wait", Some(operator)) => Decision::Wait {
            operator,
            code: waiting.to_owned(),
        },
        _ => return render(&shared, &token, Some((t.choose_first, None)), false),
    };
    decided(
        &shared,
        &token,
        drive::decide(&shared, &transaction_id, decision, None),
    )
}

/// The page after a decision: its outcome, or the form with the reason.
fn decided(
    shared: &Shared,
    token: &str,
    result: Result<crate::payment::PaymentSnapshot, SandboxError>,
) -> Response {
    match result {
        Ok(_) | Err(SandboxError::AlreadyAccepted(_)) => render(shared, token, None, true),
        Err(e @ SandboxError::OperatorNotOffered { .. }) => {
            render(shared, token, Some((&e.to_string(), None)), false)
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
