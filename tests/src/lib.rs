//! # cinetpay-e2e
//!
//! The end-to-end suite of cinetpay-rs: each case starts a
//! [`cinetpay_sandbox`] and an example shop on ephemeral ports, and drives
//! them over real HTTP as CinetPay and a customer's browser would. What a
//! case asserts is what a user would notice: the order's `payment_status` and
//! its deliveries (`GET /orders/{order_ref}` as JSON), the notifications the
//! sandbox sent and the HTTP status the shop answered, and how many times the
//! shop asked `/v2/payment/check`.
//!
//! The harness is written once and parameterised by:
//!
//! * [`Adapter`]: the web framework serving the shop (see [`adapter`] for how a
//!   new one plugs in: one variant, one match arm, one line per store in the
//!   matrix);
//! * [`StoreKind`]: `MemoryStore`, SQLite, PostgreSQL and MySQL/MariaDB (see
//!   [`store`] for the environment variables and the skip rule).
//!
//! The shop is the example shop's own parts, assembled in [`shop`] with the
//! hooks only tests need (planned delivery failures, the memory store, the
//! engine's clock), which the example shops do not carry.
//!
//! [`World::start`] builds one case's world; the cases live in [`cases`],
//! grouped by theme; `tests/matrix.rs` runs every case on every adapter and
//! store, each as its own test (`axum_sqlite::success`...).

pub mod adapter;
pub mod cases;
pub mod chromedriver;
pub mod shop;
pub mod store;
pub mod world;

pub use adapter::Adapter;
pub use shop::TestShop;
pub use store::StoreKind;
pub use world::World;
