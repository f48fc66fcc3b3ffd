//! cinetpay-sandbox's tests, one binary: the API's fidelity, the core client
//! against the sandbox, the hosted page, the notification scenarios, the
//! signer, the admin API and the binary itself.

mod common;

mod admin;
mod api;
mod binary;
mod client;
mod page;
mod scenarios;
mod shop_settings;
mod x_token;
