//! # cinetpay-rocket
//!
//! A [Rocket](https://rocket.rs) fairing that takes payments through the
//! CinetPay Checkout API v2 with the [`cinetpay_core`] engine: attach
//! [`CinetPay`], implement [`OrderFulfiller`](cinetpay_core::OrderFulfiller),
//! and the shop answers
//!
//! | route | methods | what |
//! |---|---|---|
//! | `{prefix}/init` | `POST` | form or JSON `order_ref` → `303` to CinetPay's payment page |
//! | `{prefix}/notify` | `GET`, `HEAD` (CinetPay's ping), `POST` | CinetPay's notification, checked with CinetPay, delivered once |
//! | `{prefix}/return` | `GET`, `POST` | the customer back from CinetPay → `303` to the order's page |
//!
//! Other methods get `405` with `Allow`, a body over `body_limit` gets `413`,
//! a body still incomplete after `body_read_timeout_ms` gets `408`: the
//! engine's answers, the same as with `cinetpay-tower` (Rocket 0.5 itself
//! refuses methods it does not know, such as `PROPFIND`, with `400` before
//! routing). One limit is Rocket's own: before any fairing or handler runs,
//! Rocket 0.5 reads the first 14 bytes of every body (to look for a `_method`
//! override), with no time limit, so a client that sends fewer than 14 bytes
//! and stalls holds its connection until it closes it; put a proxy with a
//! body timeout (nginx's `client_body_timeout`) in front of a public Rocket
//! app. The prefix is
//! `/cinetpay` unless configured: it is also what CinetPay is told
//! (`notify_url`, `return_url`), so the routes are always mounted there.
//!
//! ## Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use cinetpay_core::*;
//! use cinetpay_rocket::CinetPay;
//!
//! struct Shop;
//!
//! #[async_trait]
//! impl OrderFulfiller for Shop {
//!     async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
//!         // Look the order up in *your* database: the amount never comes from the browser.
//!         let amount = Amount::new(2500).map_err(|e| QuoteError::NotPayable(e.to_string()))?;
//!         Ok(OrderQuote::new(
//!             Money::new(amount, Currency::Xof),
//!             Description::sanitised(order.as_str()),
//!         ))
//!     }
//!     async fn fulfil(&self, payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
//!         tracing::info!(order = %payment.order_ref, "paid: ship it");
//!         Ok(())
//!     }
//! }
//!
//! #[rocket::get("/")]
//! fn index() -> &'static str {
//!     "my shop"
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .mount("/", rocket::routes![index])
//!         .attach(CinetPay::fairing(Arc::new(MemoryStore::new()), Arc::new(Shop)))
//! }
//! ```
//!
//! with, in `Rocket.toml`:
//!
//! ```toml
//! [default.cinetpay]
//! api_key = "your-api-key"
//! site_id = 123456
//! secret_key = "your-secret-key"
//! public_url = "https://shop.example"
//! ```
//!
//! ## Configuration
//!
//! [`CinetPay::fairing`] reads the `cinetpay` table of Rocket's figment:
//! `[default.cinetpay]` (or `[release.cinetpay]`...) in `Rocket.toml`, or one
//! variable per setting, `ROCKET_CINETPAY_API_KEY`, `ROCKET_CINETPAY_SITE_ID`...
//! (which win over the file, as Rocket's variables do), or
//! `ROCKET_CINETPAY={api_key="...",site_id=123456}`. The keys, their defaults
//! and their meaning are those of
//! [`CheckoutSettings`](cinetpay_core::engine::CheckoutSettings), whose
//! documentation has the table (the same keys as `CINETPAY_*` with
//! `from_env`). A variable keeps its exact text: `ROCKET_CINETPAY_SITE_ID=0012345`
//! is the site id `0012345`, not the number 12345.
//!
//! A missing or invalid setting, an unknown key (a typo) or a value of the
//! wrong type aborts the launch, with an error naming it:
//!
//! ```text
//! CinetPay configuration: `cinetpay.site_id` is missing (set `site_id` in
//! `[default.cinetpay]` of Rocket.toml or ROCKET_CINETPAY_SITE_ID)
//! ```
//!
//! An application that builds its [`Checkout`](cinetpay_core::engine::Checkout)
//! itself attaches [`CinetPay::from_checkout`] instead.
//!
//! ## Background work
//!
//! On liftoff the fairing starts the engine's reconciler (every
//! `reconcile_interval_ms`: deliveries and refund notices still owed, and
//! payments without a final status, polled); on
//! shutdown it stops it and waits for it. Run it on every instance: the
//! store's claims keep each delivery exclusive.
//! [`CinetPay::without_reconciler`] leaves it to you.
//!
//! ## In your own handlers
//!
//! The [`CinetPayCheckout`] request guard gives a handler the checkout, to
//! start a payment from your own route or read a payment. It is a Rocket
//! `Sentinel`: a Rocket that uses it without the fairing does not launch.
//!
//! ## CSRF protection
//!
//! CinetPay's hosted page sends the customer back with a **cross-site `POST`**
//! to `{prefix}/return`, and CinetPay's servers `POST` to `{prefix}/notify`.
//! Neither can carry your CSRF token, so a CSRF fairing that checks every
//! `POST` must **exempt both paths**. This is safe: neither route takes any
//! authority from the request. The return and the notification only name a
//! transaction; the engine then asks CinetPay's `/v2/payment/check` for the
//! truth and compares it with the stored payment (the notification's
//! `x-token` is also verified when `secret_key` is set). A forged request can
//! at worst make the engine check a payment early, and the return route
//! answers only with a redirect to your `return_to` page.
//!
//! `{prefix}/init` is posted by your own page; it may stay behind your CSRF
//! check (the engine ignores form fields other than `order_ref`, so a
//! `csrf_token` field does no harm). Note that the check must run in a
//! fairing (`on_request`): the routes are the fairing's, so a request guard
//! in your handlers never sees them.
//!
//! Cookies: Rocket's cookies default to `SameSite=Strict`, which the browser
//! does not send on the navigation that follows a cross-site `POST`. After the
//! return's `303`, the order page may therefore load without the customer's
//! session; let that page work from its `order_ref` (as the example shop
//! does), or give the session cookie `SameSite=Lax`.

mod config;
mod convert;
mod fairing;
mod guard;
mod routes;

pub use fairing::CinetPay;
pub use guard::CinetPayCheckout;
