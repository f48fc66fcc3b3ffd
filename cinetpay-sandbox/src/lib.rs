#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-sandbox
//!
//! A local CinetPay, for tests and for development: CinetPay offers no test
//! environment for checkout v2, so this crate plays CinetPay. It speaks both
//! of CinetPay's API generations on the same server:
//!
//! - **Checkout v2**: it answers `POST /v2/payment` and `POST /v2/payment/check`
//!   as documented, serves a hosted payment page, sends signed notifications
//!   to the shop's `notify_url`, posts the customer back to `return_url`;
//! - **the 2026 REST API** (docs/rest-api-2026.md): `POST /v1/oauth/login`,
//!   `POST /v1/payment`, `GET /v1/payment/{id}`, the same hosted page with
//!   CinetPay's test phone numbers, JSON notifications carrying the
//!   `notify_token`, and redirects to `success_url` / `failed_url`
//!   ([below](#the-2026-rest-api)).
//!
//! It misbehaves on demand (duplicate, late, missing or forged
//! notifications; failing, hanging, slow or lying checks; expired tokens in
//! every form, 500s, `1200` after a timed-out init, status answers with
//! foreign ids). Everything it sends and is asked is recorded or counted.
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
//! | `POST /v1/oauth/login`, `POST /v1/payment`, `GET /v1/payment/{id}` | the 2026 REST API, [below](#the-2026-rest-api) |
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
//! | `POST /_sandbox/payments/{tx}/expire` | a 2026 payment expires (`2003`) |
//! | `GET /_sandbox/rest` | the 2026 account, [`RestFaults`] and [`RestCounters`] |
//! | `GET`/`PUT /_sandbox/rest/faults`, `GET /_sandbox/rest/counters` | the 2026 faults, the counters |
//! | `POST /_sandbox/rest/tokens/expire` | every 2026 token expires now: `{"expired": n}` |
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
//! With `--generation 2026` it prints the 2026 form instead:
//! `CINETPAY_API_KEY=sk_test_…`, `CINETPAY_API_PASSWORD=…`,
//! `CINETPAY_API_URL` and `CINETPAY_PUBLIC_URL` (and their Rocket forms),
//! which a shop reads as a 2026 API account.
//!
//! Every other setting keeps its default (see
//! `cinetpay_core::engine::CheckoutSettings`). The binary checks the settings
//! the way a shop would and refuses to start when a shop could not (a
//! `--shop-url` that is not an http(s) URL). Every flag (`--port`, `--host`,
//! `--site-id`, `--api-key`, `--secret-key`, `--public-url`, `--shop-url`,
//! `--generation`, `--rest-api-key`, `--rest-api-password`, `--rest-country`,
//! `--token-lifetime-s`, `--test-number-delay-ms`, the scenario, check-fault
//! and 2026 fault flags) has a `CINETPAY_SANDBOX_*` environment variable;
//! `--help` lists them.

//!
//! ## The 2026 REST API
//!
//! Always served beside v2; [`SandboxBuilder::generation`] (the binary's
//! `--generation v2|2026`, default `v2`) only chooses which credentials
//! [`Sandbox::shop_settings`] presents. The 2026 account has fake, fixed
//! credentials of the documented shape ([`DEFAULT_REST_API_KEY`]
//! `sk_test_…`, [`DEFAULT_REST_API_PASSWORD`]; [`Sandbox::credentials_2026`]),
//! one country ([`DEFAULT_REST_COUNTRY`] `CI`: currency XOF, phones +225;
//! [`SandboxBuilder::rest_country`]) and a token lifetime
//! ([`DEFAULT_TOKEN_LIFETIME`], 86 400 s; [`SandboxBuilder::token_lifetime`]).
//! Point a 2026 client's base URL (the Python SDK's `base_url`) at
//! [`Sandbox::url`]: the paths are CinetPay's.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cinetpay_sandbox::{Operator, Sandbox};
//! use serde_json::{Value, json};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let http = reqwest::Client::new();
//! let credentials = sandbox.credentials_2026();
//! let login: Value = http
//!     .post(sandbox.url().join("v1/oauth/login")?)
//!     .json(&json!({"api_key": credentials.api_key(), "api_password": credentials.api_password()}))
//!     .send().await?.json().await?;
//! let token = login["access_token"].as_str().unwrap_or_default();
//! let init: Value = http
//!     .post(sandbox.url().join("v1/payment")?)
//!     .bearer_auth(token)
//!     .json(&json!({
//!         "currency": "XOF", "merchant_transaction_id": "ORDER-123", "amount": 1000,
//!         "lang": "fr", "designation": "Test payment", "client_email": "test@example.com",
//!         "client_first_name": "Jane", "client_last_name": "Doe",
//!         "success_url": "https://m.test/success", "failed_url": "https://m.test/failed",
//!         "notify_url": "http://127.0.0.1:9/notify",
//!     }))
//!     .send().await?.json().await?;
//! assert_eq!(init["details"]["code"], 2001);
//! sandbox.pay("ORDER-123", Operator::OrangeMoney)?;
//! let status: Value = http
//!     .get(sandbox.url().join("v1/payment/ORDER-123")?)
//!     .bearer_auth(token)
//!     .send().await?.json().await?;
//! assert_eq!((status["code"].as_i64(), status["status"].as_str()), (Some(100), Some("SUCCESS")));
//! assert_eq!(status["transaction_id"], init["transaction_id"]);
//! assert_eq!(sandbox.rest_counters().logins, 1);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/oauth/login` | `{api_key, api_password}` (JSON, or form) → `{code:200, status:"OK", access_token, token_type:"bearer", expires_in}` |
//! | `POST /v1/payment` | Bearer; the fields of docs §3.1 → `{code:200, status:"OK", payment_token, notify_token, transaction_id, merchant_transaction_id, payment_url, details{code, status, message, must_be_redirected}}` |
//! | `GET /v1/payment/{id}` | Bearer; `{id}` = `merchant_transaction_id`, CinetPay's `transaction_id` or `payment_token` → `{code, status, merchant_transaction_id, transaction_id, user{name, email, phone_number}}` |
//! | `GET /payment/{token}` | the hosted page, as for v2 (FR/EN by `lang`), listing the test numbers |
//!
//! Refusals carry `{code, status, message, description}` (both texts: the
//! Python SDK reads `description`, others `message`):
//!
//! | case | code | HTTP |
//! |---|---|---|
//! | login without `api_key` / `api_password` | `1004 INVALID_PARAMS` | 422 |
//! | login with wrong credentials | `1005 INVALID_CREDENTIALS` | 401 |
//! | no, malformed or unknown Bearer token | `1002 INVALID_TOKEN` | 401, or the [`TokenErrorForm`] in force |
//! | expired token (lifetime over, or [`Sandbox::expire_tokens`]) | `1003 EXPIRED_TOKEN` | 401, or the [`TokenErrorForm`] in force |
//! | a field breaks a rule below | `1004 INVALID_PARAMS`, the description names the field | 422 |
//! | `merchant_transaction_id` already used (by either generation) | `1200 TRANSACTION_EXIST`, "La transaction existe déjà" | 200 |
//! | status of an unknown id | `404 NOT_FOUND` | 404 |
//!
//! Init rules, checked in this order (docs §3.1): `currency` one of XOF XAF
//! GNF CDF USD **and** the account's; `merchant_transaction_id` 1–30
//! characters of `A-Z 0-9 -`; `amount` a JSON integer from 100 to 2 500 000;
//! `lang` `fr`/`en`; `designation` 1–255; `client_first_name`,
//! `client_last_name` 2–255 after trimming; `client_email` an address;
//! `client_phone_number` (required with `direct_pay`) E.164
//! `^\+[1-9][0-9]{7,14}$` with the account's calling code; `success_url`,
//! `failed_url`, `notify_url` http(s) URLs of at most 120 characters;
//! `channel`, when sent, `PUSH`/`OTP`/`QRCODE`; `payment_method` (required
//! with `direct_pay`) an operator of the account's country (`OM_CI`,
//! `MTN_CI`, `MOOV_CI`, `WAVE_CI`...); `direct_pay` a boolean; `otp_code` 4–6
//! digits. Unknown fields are ignored.
//!
//! Status codes (docs §5), from the payment's state ([`PaymentState`]; the
//! same decisions as v2 drive a 2026 payment, with 2026 codes or v2 ones,
//! which are translated):
//!
//! | state | `code status` |
//! |---|---|
//! | initialised | `2001 INITIATED` |
//! | [waiting](Sandbox::leave_waiting) (`2002`, or any v2 pending code) | `2002 PENDING` |
//! | [paid](Sandbox::pay) | `100 SUCCESS` |
//! | [refused](Sandbox::decide) with `2004`, `2005`, `2006`, `2007`, `2008`, `2010`, `2011` | that code (`2005 INSUFFICIENT_BALANCE`...); v2's `602` → `2005`, `604` → `2004`, others → `2010 FAILED` |
//! | [expired](Sandbox::expire) | `2003 EXPIRED` |
//! | [cancelled](Sandbox::cancel) | `2010 FAILED` |
//!
//! ### Test phone numbers
//!
//! CinetPay's documented test numbers (docs §8), when the customer pays on
//! the hosted page of a 2026 payment (typed `+2250707070700`, `07 07 07 07
//! 00` or `00225…`), or given as `client_phone_number` of a `direct_pay`
//! init:
//!
//! | number | what happens |
//! |---|---|
//! | `+2250707070700` | immediate success |
//! | `+2250707070701` | `2002 PENDING`, then success after [`SandboxBuilder::test_number_delay`] (3 s) |
//! | `+2250707070703` | immediate failure (`2010 FAILED`) |
//! | `+2250707070704` | `2002 PENDING`, then `2010 FAILED` after the delay |
//! | `+2250707070706` | `2002 PENDING` forever |
//! | any other (`+2250707000001` is the transfer test number) | on the page, the button pressed decides; for `direct_pay`, pending until a test decides |
//!
//! A direct payment answers at once with the state it reached:
//! `details {100 SUCCESS | 2010 FAILED | 2002 PENDING, must_be_redirected: false}`.
//!
//! ### Redirects and notifications
//!
//! Once the payment ends, the page sends the browser to `success_url` (paid)
//! or `failed_url` (refused, expired, cancelled) with a plain `GET` of the URL
//! as given, after one second (`<meta http-equiv="refresh">`, and a link); a
//! pending payment's page reloads itself every two seconds until then.
//!
//! When a 2026 payment reaches a final state (paid, refused, expired,
//! cancelled), the sandbox `POST`s `application/json` to `notify_url`:
//! `{"notify_token", "merchant_transaction_id", "transaction_id",
//! "user": {"name", "email", "phone_number"}}`, without a signature header.
//! Pending steps are not notified. The [`Scenario`] applies (copies,
//! concurrency, delays, `never_send`, `ping_first`, an extra one), and
//! [`Scenario::bad_notify_token`] / [`Scenario::omit_notify_token`] forge or
//! leave out the token; the v2-only faults (`wrong_site_id`, `x-token`) do
//! nothing to JSON notifications. Records keep the body
//! ([`NotificationRecord::json`]).
//!
//! ### 2026 faults and counters
//!
//! [`RestFaults`] (builder, [`Sandbox::set_rest_faults`], `PUT
//! /_sandbox/rest/faults`, the binary's "2026 API faults" flags): the
//! [`TokenErrorForm`] of token errors (HTTP 401 at the root by default; HTTP
//! 200 with `message` only, as the fixtures; HTTP 422; nested in `details`
//! under a root `1004` with HTTP 422 or 200), HTTP 500 for the next K
//! logins / inits / status calls, inits that create the payment and then
//! hold the answer (the client times out; its retry gets `1200`), status
//! answers with a foreign `merchant_transaction_id` or `transaction_id`, and
//! latency. [`Sandbox::expire_tokens`] (`POST /_sandbox/rest/tokens/expire`)
//! expires every token now. [`RestCounters`] ([`Sandbox::rest_counters`],
//! `GET /_sandbox/rest/counters`) count logins, refused logins, inits,
//! payments, `1200`s, status calls, `1002`s, `1003`s, 500s and timed-out
//! inits. `GET /_sandbox/rest` shows the account, the faults and counters;
//! `POST /_sandbox/payments/{id}/expire` expires a payment.
//!
//! ### Assumptions on what docs/rest-api-2026.md leaves UNKNOWN
//!
//! - **HTTP status of errors.** Token and credential errors: 401 (the PHP SDK
//!   expects 401/422; with 401 the Python SDK also retries, since it raises
//!   on any status ≥ 400); validation: 422 (docs §4); `1200`: 200 with a
//!   `description`, as docs §9 shows it; unknown transaction: 404. Every
//!   other form of token error is a fault to test against.
//! - **Nested token errors**: the root is `{code: 1004, status:
//!   "INVALID_PARAMS", message, details: {code, status, message}}`; only the
//!   `details` part was reported.
//! - **`merchant_transaction_id` characters**: `A-Z 0-9 -` only (a shop saw
//!   lower case and `_` refused); the Python SDK allows any 1–30 characters.
//! - **A foreign currency** (known, not the account's) is `1004`, not a
//!   payment failure.
//! - **Status answers** carry no `amount`, `currency` nor `description` (no
//!   SDK models them; a `description` would make the Python SDK raise on
//!   `2010`). `user.phone_number` is the payer's number, else the client's.
//! - **Notifications**: JSON with `Content-Type: application/json`, only on
//!   final states, no `status` field, no retries; one per final state (a
//!   refusal that later turns into success is notified twice).
//! - **Returns**: a `GET` of `success_url` / `failed_url` without added
//!   parameters; a cancelled or expired payment goes to `failed_url`.
//! - **`2003 EXPIRED`** ends the payment here (the SDKs call it pending:
//!   whether to wait on is the client's decision).
//! - **One id space**: v2 and 2026 payments share ids (a 2026 init reusing a
//!   v2 id is `1200`) but not APIs: `/v2/payment/check` does not report 2026
//!   payments, nor `/v1/payment/{id}` v2 ones.
//! - A [`Sandbox::reset`] keeps issued tokens valid.
//!
//! ### Where the Python SDK and docs/rest-api-2026.md disagree
//!
//! The test `rest::python` runs `cinetpay-python` 0.1.0 (PyPI) against the
//! sandbox: its `base_url` setting (HTTPS, or `http://` on `localhost` /
//! `127.0.0.1`) takes [`Sandbox::url`].
//!
//! - `channel`: the SDK requires it, the PHP SDK never sends it: the sandbox
//!   accepts it absent (docs §3.1).
//! - Currency `USD`: the SDK allows it; the sandbox takes the account's
//!   currency only (the PHP rule, docs §3.1), so USD is `1004`.
//! - Phone: the SDK checks `^\+\d{8,15}$`; the sandbox follows docs (E.164,
//!   no leading 0, the account's calling code), which is stricter.
//! - `merchant_transaction_id`: see above; the sandbox is stricter.
//! - Token errors: the SDK logs in again on `1003` only, and only when it
//!   sees an error, i.e. HTTP ≥ 400 or a `description`. docs §9's fixture
//!   (HTTP 200, `message` only) is, for the SDK, a payment status of code
//!   1003: the sandbox keeps that form as a fault (the test shows the SDK
//!   falling for it) and answers HTTP 401 with both texts by default, which
//!   every SDK recognises.
//! - `1002 INVALID_TOKEN`: the PHP SDK retries on it, the Python one does
//!   not; the sandbox answers `1002` only for tokens it never issued, so a
//!   client's retry cannot help, whichever it does.
//! - Status by `payment_token`: the Python SDK's docs offer it, PHP and SEAM
//!   use `merchant_transaction_id`: the sandbox answers all three ids.

#![warn(clippy::unwrap_used)]

mod admin;
mod api;
mod builder;
mod codes;
mod counters;
mod decision;
mod drive;
mod error;
mod faults;
mod generation;
mod handle;
mod notify;
mod operator;
mod page;
mod payment;
mod record;
mod rest;
mod rest_faults;
mod sandbox;
mod scenario;
mod server;
mod shop;
mod signer;
mod state;

pub use builder::{
    DEFAULT_API_KEY, DEFAULT_REST_API_KEY, DEFAULT_REST_API_PASSWORD, DEFAULT_REST_COUNTRY,
    DEFAULT_SECRET_KEY, DEFAULT_SITE_ID, DEFAULT_TOKEN_LIFETIME, SandboxBuilder,
};
pub use counters::RestCounters;
pub use decision::Decision;
pub use error::SandboxError;
pub use faults::CheckFaults;
pub use generation::{Generation, UnknownGeneration};
pub use handle::SandboxHandle;
pub use operator::{Operator, UnknownOperator};
pub use payment::{PaymentSnapshot, PaymentState};
pub use record::{CheckRecord, NotificationKind, NotificationRecord};
pub use rest::account::RestCredentials;
pub use rest::payment::RestDetails;
pub use rest_faults::{RestFaults, TokenErrorForm};
pub use sandbox::Sandbox;
pub use scenario::Scenario;
pub use shop::{DEFAULT_SHOP_URL, ShopSettings};
pub use signer::{SIGNED_FIELDS, x_token};
