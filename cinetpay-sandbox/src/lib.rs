//! # cinetpay-sandbox
//!
//! A local CinetPay Checkout API v2, for tests and for development: CinetPay
//! offers no test environment for checkout v2, so this crate plays CinetPay.
//! It answers `POST /v2/payment` and `POST /v2/payment/check` as documented,
//! serves a hosted payment page, sends signed notifications to the shop's
//! `notify_url`, posts the customer back to `return_url`, and misbehaves on
//! demand (duplicate, late, missing or forged notifications; failing, hanging,
//! slow or lying checks). Everything it sends and is asked is recorded.
//!
//! It is a library (start it in a test, on an ephemeral port, so that tests
//! run in parallel) and a binary (`cargo run -p cinetpay-sandbox -- --port 4010`).
//!
//! ## In a test
//!
//! Start it, point a `cinetpay_core::Client` (or a shop, through the settings
//! of [`Sandbox::shop_settings`]) at [`Sandbox::url`], initialise a payment,
//! decide it headless with [`Sandbox::pay`], and wait for the notifications:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use cinetpay_core::{protocol::PaymentRequest, *};
//! use cinetpay_sandbox::{Operator, Sandbox};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let client = Client::new(sandbox.credentials(), sandbox.client_config())?;
//! let request = PaymentRequest::new(
//!     TransactionId::generate(),
//!     Money::new(Amount::new(1000)?, Currency::Xof),
//!     Description::new("Commande 42")?,
//!     "http://127.0.0.1:9/notify".parse()?, // nobody listens: the delivery fails, and is recorded
//!     "http://127.0.0.1:9/return".parse()?,
//! );
//! client.init_payment(&request).await?;
//! let tx = request.transaction_id.as_str();
//! sandbox.pay(tx, Operator::OrangeMoney)?;
//! let sent = sandbox.wait_notifications(tx, Duration::from_secs(10)).await?;
//! assert_eq!(sent.len(), 1);
//! assert!(sent[0].error.is_some());
//! let check = client.check_payment(&request.transaction_id).await?;
//! assert_eq!((check.code.as_str(), check.data.unwrap().status.as_deref()), ("00", Some("ACCEPTED")));
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! An end-to-end test of a shop: create an order, post the shop's init route,
//! read the transaction id (from the shop, or [`Sandbox::last_payment`]), call
//! [`Sandbox::pay`] (or drive the HTML page), then
//! [`Sandbox::wait_notifications`] and assert on the shop's state and on the
//! [`NotificationRecord`]s (fields, `x-token`, the shop's status and body).
//!
//! ## Routes
//!
//! | route | what |
//! |---|---|
//! | `POST /v2/payment` | init (JSON, or form-urlencoded as community code sends) |
//! | `POST /v2/payment/check` | check by `transaction_id`, or by `token` / `payment_token` (JSON or form) |
//! | `GET /payment/{token}` | the payment page (`payment_url`) |
//! | `POST /payment/{token}` | the page's form: `action` = `pay`, `refuse`, `wait` or `cancel`; `operator`; `phone` |
//! | `/_sandbox/...` | the admin API, below |
//!
//! ## API fidelity
//!
//! Answers are CinetPay's envelope `{code, message, description, data,
//! api_response_id}` (`description` and `data` left out when absent; the
//! response id looks like `1663323067.7677`). CinetPay does not document the
//! HTTP status of refusals: the sandbox answers **400** with the error
//! envelope, **200** otherwise, so that clients must read the envelope.
//!
//! Init checks, in this order:
//!
//! | case | code | message |
//! |---|---|---|
//! | body neither JSON nor form, or not an object | `608` | `MINIMUM_REQUIRED_FIELDS` |
//! | `apikey` missing / unknown | `608` / `609` | `AUTH_NOT_FOUND` |
//! | `site_id` missing / not this key's | `608` / `613` | `ERROR_SITE_ID_NOTVALID` |
//! | `transaction_id`, `amount`, `currency`, `description`, `notify_url` or `return_url` missing or blank | `608`, the description names the field | |
//! | `amount` not an integer (`12.5`, `"abc"`; `"1000"` is read) | `611` | `ERROR_AMOUNT_TYPE` |
//! | `amount` ≤ 0 | `641` | `ERROR_AMOUNT_TOO_LOW` |
//! | `amount` not a multiple of 5 | `608` | |
//! | `currency` not `XOF`, `XAF`, `CDF`, `GNF`, `USD` | `612` | `ERROR_CURRENCY_NOTVALID` |
//! | `description` with `#`, `/`, `$`, `_` or `&` (the docs advise against them) | `608` | |
//! | `notify_url` / `return_url` not an http(s) URL | `608` | |
//! | `channels` not `ALL`, `MOBILE_MONEY`, `CREDIT_CARD`, `WALLET` (default `ALL`) | `608` | |
//! | `lang` not `fr` / `en` | `615` | `ERROR_LANGUAGE_NOTVALID` |
//! | `CREDIT_CARD` without one of the seven `customer_*` card fields | `608`, naming it | |
//! | `lock_phone_number` without `customer_phone_number`; `invoice_data` over 3 entries | `608` | |
//! | `transaction_id` already used (undocumented code) | `608`, "already used" | |
//!
//! Success: `201 CREATED`, `data.payment_token` (64 characters) and
//! `data.payment_url` (`{url}payment/{token}`).
//!
//! Check answers (numbers as strings, `metadata` `null` when not sent):
//!
//! | state | code, message | `data.status` | `operator_id`, `payment_date` |
//! |---|---|---|---|
//! | initialised, no decision | `662 WAITING_CUSTOMER_PAYMENT` | `WAITING_FOR_CUSTOMER` | `null`, `" "` |
//! | [left waiting](Sandbox::leave_waiting) | `662` (or `623`, `663`, `664`) | `WAITING_FOR_CUSTOMER` | `null`, `" "` |
//! | [paid](Sandbox::pay) | `00 SUCCES` | `ACCEPTED` | `MP220915.2257.A76307`-like, `YYYY-MM-DD HH:MM:SS` |
//! | [refused](Sandbox::refuse) | `600 PAYMENT_FAILED` (or `602`, `604`, `606`, `625`, `807`–`812`) | `REFUSED` | `null`, `" "` |
//! | [cancelled](Sandbox::cancel) | `627 TRANSACTION_CANCEL` | `REFUSED` | `null`, `" "` |
//! | unknown transaction (undocumented) | `624 UNKNOWN_ERROR`, "transaction not found", HTTP 400 | | |
//!
//! A refusal may still become an acceptance (push operators do that); an
//! acceptance is final. `payment_method` is the operator's code ([`Operator`]:
//! `OM`, `MOMO`, `FLOOZ`, `WAVECI`, `VISAM`), `null` before one was chosen;
//! which operators a payment offers follows its `channels` (the card only
//! with the card fields, as CinetPay's page does).
//!
//! ## Notifications
//!
//! A form-urlencoded `POST` of the 16 documented fields in [`SIGNED_FIELDS`]
//! order (`cpm_trans_date` is the init time `YYYY-MM-DD HH:MM:SS`,
//! `cpm_version` `V4`, `cpm_payment_config` `Single`, `cpm_page_action`
//! `Payment`, `cpm_custom` the init `metadata`, `cpm_designation` the
//! description, `cpm_error_message` `SUCCES` or the state's message,
//! `cpm_phone_prefixe` `225` for XOF...), with the header `x-token`: the
//! lowercase hex HMAC-SHA256 of the 16 values, keyed by the secret key.
//! The sandbox computes it with its own code ([`x_token`]), checked against
//! the published test vector, so that a bug in `cinetpay-core`'s verifier
//! cannot hide behind a shared one. A shop has [`SandboxBuilder::notify_timeout`]
//! (10 s) to answer; redirects are not followed.
//!
//! ## Scenarios and faults
//!
//! A [`Scenario`] says how the notifications of a decision are delivered
//! (copies, concurrently or not, delay, never, `WAITING` first, `REFUSED`
//! first, an extra one after the final one, a `GET` ping first, a foreign site
//! id, a bad or missing `x-token`); [`CheckFaults`] say how the check
//! misbehaves (HTTP 500 or a hang for the next K calls, latency, another
//! amount or currency). Both are global ([`Sandbox::set_scenario`],
//! [`Sandbox::set_check_faults`], the builder, the binary's flags) or per
//! payment ([`Sandbox::set_payment_scenario`],
//! [`Sandbox::set_payment_check_faults`]), which wins over the global ones;
//! [`Sandbox::decide_with`] sets one for a single decision.
//!
//! ## Admin API
//!
//! JSON in and out, under `/_sandbox` (no clash with CinetPay's paths).
//! Errors are `{"error": "..."}` with 400 (bad JSON), 404 (unknown
//! transaction), 408 (wait timed out), 409 (already accepted, operator not
//! offered) or 422 (a code of the wrong kind).
//!
//! | route | what |
//! |---|---|
//! | `GET /_sandbox` | API URL, credentials, settings in force |
//! | `POST /_sandbox/reset` | forget payments and records, restore start-up settings |
//! | `GET /_sandbox/payments`, `GET /_sandbox/payments/{tx}` | [`PaymentSnapshot`]s |
//! | `POST /_sandbox/payments/{tx}/pay` | body (optional) `{"operator":"OM","phone":"0707000001","scenario":{...}}` |
//! | `POST /_sandbox/payments/{tx}/refuse` | `{"operator":"OM","code":"602"}` (default `600`) |
//! | `POST /_sandbox/payments/{tx}/wait` | `{"operator":"OM","code":"663"}` (default `662`) |
//! | `POST /_sandbox/payments/{tx}/cancel` | |
//! | `POST /_sandbox/payments/{tx}/ping` | a `GET` ping to `notify_url` now; answers its record |
//! | `POST /_sandbox/payments/{tx}/notify` | a signed notification of the current state now |
//! | `GET /_sandbox/payments/{tx}/notifications` | its [`NotificationRecord`]s |
//! | `GET /_sandbox/payments/{tx}/notifications/wait?timeout_ms=10000` | long-poll until its notifications are all sent |
//! | `GET /_sandbox/payments/{tx}/checks` | its [`CheckRecord`]s |
//! | `PUT`/`DELETE /_sandbox/payments/{tx}/scenario` | its own [`Scenario`] (`{"copies":3,"concurrent":true,"delay_ms":500,...}`) |
//! | `PUT`/`DELETE /_sandbox/payments/{tx}/check-faults` | its own [`CheckFaults`] (`{"fail_next":2,"latency_ms":300,"amount":900,...}`) |
//! | `GET`/`PUT /_sandbox/scenario`, `GET`/`PUT /_sandbox/check-faults` | the global ones |
//! | `GET /_sandbox/notifications?transaction_id=`, `GET /_sandbox/checks?transaction_id=` | every record |
//! | `GET /_sandbox/wait?timeout_ms=` | long-poll until no notification is scheduled |
//!
//! ## The binary
//!
//! `cargo run -p cinetpay-sandbox -- --port 4010` prints every setting a shop
//! needs to start against it ([`Sandbox::shop_settings`], [`ShopSettings`]):
//! the (fake, fixed) credentials ([`DEFAULT_SITE_ID`], [`DEFAULT_API_KEY`],
//! [`DEFAULT_SECRET_KEY`]), its base URL as `api_url` and the shop's public
//! URL as `public_url`, given by `--shop-url` (default [`DEFAULT_SHOP_URL`],
//! where the example axum shop listens; `--shop-url http://127.0.0.1:8000` for
//! the Rocket one). It prints them three times, to paste as they are:
//!
//! ```text
//! # An axum or tower app (cinetpay-tower), in its environment:
//! CINETPAY_API_KEY=sandbox-api-key-not-a-real-key
//! CINETPAY_SITE_ID=424242
//! CINETPAY_SECRET_KEY=sandbox-secret-key-not-a-real-key
//! CINETPAY_API_URL=http://127.0.0.1:4010
//! CINETPAY_PUBLIC_URL=http://127.0.0.1:3000
//!
//! # A Rocket app (cinetpay-rocket), in its environment:
//! ROCKET_CINETPAY_API_KEY=sandbox-api-key-not-a-real-key
//! ROCKET_CINETPAY_SITE_ID=424242
//! ROCKET_CINETPAY_SECRET_KEY=sandbox-secret-key-not-a-real-key
//! ROCKET_CINETPAY_API_URL=http://127.0.0.1:4010
//! ROCKET_CINETPAY_PUBLIC_URL=http://127.0.0.1:3000
//!
//! # Or in its Rocket.toml:
//! [default.cinetpay]
//! api_key = "sandbox-api-key-not-a-real-key"
//! site_id = "424242"
//! secret_key = "sandbox-secret-key-not-a-real-key"
//! api_url = "http://127.0.0.1:4010"
//! public_url = "http://127.0.0.1:3000"
//! ```
//!
//! Every other setting keeps its default (see
//! `cinetpay_core::engine::CheckoutSettings`). The binary checks the settings
//! the way a shop would and refuses to start when a shop could not (a
//! `--shop-url` that is not an http(s) URL). Every flag (`--port`, `--host`,
//! `--site-id`, `--api-key`, `--secret-key`, `--public-url`, `--shop-url`, the
//! scenario and check-fault flags) has a `CINETPAY_SANDBOX_*` environment
//! variable; `--help` lists them.

#![warn(clippy::unwrap_used)]

mod admin;
mod api;
mod builder;
mod codes;
mod decision;
mod drive;
mod error;
mod faults;
mod handle;
mod notify;
mod operator;
mod page;
mod payment;
mod record;
mod sandbox;
mod scenario;
mod server;
mod shop;
mod signer;
mod state;

pub use builder::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY, DEFAULT_SITE_ID, SandboxBuilder};
pub use decision::Decision;
pub use error::SandboxError;
pub use faults::CheckFaults;
pub use handle::SandboxHandle;
pub use operator::{Operator, UnknownOperator};
pub use payment::{PaymentSnapshot, PaymentState};
pub use record::{CheckRecord, NotificationKind, NotificationRecord};
pub use sandbox::Sandbox;
pub use scenario::Scenario;
pub use shop::{DEFAULT_SHOP_URL, ShopSettings};
pub use signer::{SIGNED_FIELDS, x_token};
