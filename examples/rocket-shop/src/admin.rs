//! CinetPay's admin view at `/admin/cinetpay`, behind the shop's stand-in
//! operator login ([`shop_common::admin`]): mounted only when the shop has
//! an admin token (`SHOP_ADMIN_TOKEN`).

use std::sync::Arc;

use cinetpay_rocket::cinetpay_core::PaymentQueries;
use cinetpay_rocket::{AdminQueries, admin_routes};
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Build, Responder, Rocket, catch, catchers};
use shop_common::admin::{ADMIN_MOUNT, AdminToken, CHALLENGE};

/// The placeholder for the shop's real authentication, as a request guard:
/// the token as a bearer token or as Basic authentication's password.
pub struct Operator;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Operator {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let authorization = request.headers().get_one("Authorization");
        match request.rocket().state::<AdminToken>() {
            Some(token) if token.allows(authorization) => Outcome::Success(Operator),
            _ => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// The `401` of the admin view: browsers then ask for the token.
#[derive(Responder)]
#[response(status = 401, content_type = "plain")]
struct Challenge(&'static str, Header<'static>);

#[catch(401)]
fn unauthorized() -> Challenge {
    Challenge(
        "operators only\n",
        Header::new("WWW-Authenticate", CHALLENGE),
    )
}

/// Mounts the admin view behind `token`, reading `queries` (none: the
/// `SeaOrmStore` the CinetPay fairing manages); without a token, nothing.
pub(crate) fn mount(
    rocket: Rocket<Build>,
    token: Option<AdminToken>,
    queries: Option<Arc<dyn PaymentQueries>>,
) -> Rocket<Build> {
    let Some(token) = token else {
        return rocket;
    };
    let rocket = match queries {
        Some(queries) => rocket.manage(AdminQueries::new(queries)),
        None => rocket,
    };
    rocket
        .manage(token)
        .mount(ADMIN_MOUNT, admin_routes::<Operator>())
        .register(ADMIN_MOUNT, catchers![unauthorized])
}
