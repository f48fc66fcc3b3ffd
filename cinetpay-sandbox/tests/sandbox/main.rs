//! cinetpay-sandbox's tests, one binary: the API's fidelity, the core client
//! against the sandbox, the hosted page, the notification scenarios, the
//! signer, the admin API, the binary itself, and the 2026 REST API (with
//! CinetPay's Python SDK).

mod common;

mod admin;
mod api;
mod binary;
mod client;
mod page;
mod rest;
mod scenarios;
mod shop_settings;
mod x_token;
