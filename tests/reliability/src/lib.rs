//! # cinetpay-reliability
//!
//! The reliability suites of cinetpay-rs: what the engine does when the parts
//! around it fail. Each test breaks one thing on purpose, brings it back, and
//! proves with a final accounting that every accepted payment was delivered
//! exactly once:
//!
//! * `store_faults`: a [`FaultyStore`](cinetpay_testing::FaultyStore)
//!   fails every step of the sync path in turn;
//! * `database_outage`: PostgreSQL connections killed with
//!   `pg_terminate_backend`, and PostgreSQL or MariaDB unreachable behind a
//!   [`TcpProxy`] that is cut and restored;
//! * `fulfiller_faults`: the merchant's code panics, hangs and fails;
//! * `instance_death`: an instance dies holding a fulfilment claim;
//! * `check_api_down`: CinetPay's check API is down for minutes.
//!
//! Each test prints its figures as its last line (see [`Figures`]); run with
//! `cargo test -p cinetpay-reliability -- --nocapture` to see them.
//!
//! The parts the tests share: a [`Rig`] (a sandbox CinetPay, a manual clock and
//! a counting [`Shop`]), the [`TcpProxy`], and the [`db`] helpers for the
//! database servers.

pub mod db;
mod figures;
mod proxy;
mod rig;

/// The counting merchant of every test: `cinetpay-testing`'s scripted fulfiller.
pub use cinetpay_testing::{Act, Ledger, PANIC_MESSAGE, ScriptedFulfiller as Shop, Tally};
pub use figures::Figures;
pub use proxy::TcpProxy;
pub use rig::{PREFIX, Rig, RigOptions};
