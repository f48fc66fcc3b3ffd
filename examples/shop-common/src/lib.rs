//! What the example shops (`axum-shop`, `rocket-shop`) share, so that each shop
//! is only the code its web framework asks for:
//!
//! * [`catalogue`]: the products and their prices (the only source of amounts);
//! * [`orders`]: the shop's own orders and the deliveries made for them;
//! * [`fulfiller`]: the shop's [`OrderFulfiller`](cinetpay_core::OrderFulfiller),
//!   with switches to make deliveries fail on purpose (for tests);
//! * [`pages`]: the HTML pages and the JSON view of an order;
//! * [`logging`]: the shop binaries' log output;
//! * [`setup`]: start-up from the environment — SQLite by default, the embedded
//!   CinetPay sandbox when no `CINETPAY_API_KEY` is set;
//! * [`signals`]: the stop signal (Ctrl-C or SIGTERM) for graceful shutdown.

pub mod catalogue;
pub mod fulfiller;
pub mod logging;
pub mod orders;
pub mod pages;
pub mod setup;
pub mod signals;
