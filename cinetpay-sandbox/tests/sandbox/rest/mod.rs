//! The 2026 REST API, beside v2 on the same server: login and tokens, init
//! validation, status codes, faults, JSON notifications, the hosted page with
//! CinetPay's test numbers, the redirects, and CinetPay's Python SDK.

mod helpers;

mod auth;
mod faults;
mod init;
mod notify;
mod page;
mod python;
mod status;
