//! What the example shops (`axum-shop`, `rocket-shop`) share, so that each shop
//! is only its `main` (which builds the payment engine in plain sight) and the
//! code its web framework asks for:
//!
//! * [`admin`]: the stand-in operator login in front of CinetPay's admin view
//!   (`SHOP_ADMIN_TOKEN`; off by default);
//! * [`catalogue`]: the products and their prices (the only source of amounts);
//! * [`orders`]: the shop's own orders and the deliveries made for them;
//! * [`fulfiller`]: the shop's [`OrderFulfiller`](cinetpay_core::OrderFulfiller);
//! * [`pages`]: the HTML pages and the JSON view of an order;
//! * [`setup`]: [`Shop`](setup::Shop), the state the shop's routes share;
//! * [`dev`]: the development defaults (SQLite, and the embedded CinetPay
//!   sandbox when no `CINETPAY_API_KEY` is set);
//! * [`logging`]: the shop binaries' log output;
//! * [`signals`]: the stop signal (Ctrl-C or SIGTERM) for graceful shutdown.
//!
//! Test hooks (planned delivery failures, the memory store, skewed clocks)
//! are not here: the test crates wrap these parts with `cinetpay-testing`'s.

pub mod admin;
pub mod catalogue;
pub mod dev;
pub mod fulfiller;
pub mod logging;
pub mod orders;
pub mod pages;
pub mod setup;
pub mod signals;
