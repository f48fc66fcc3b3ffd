//! The reliability suites, one module per theme, in one test binary:
//!
//! * `store_faults`: the store fails at every step of the sync path;
//! * `database_outage`: PostgreSQL connections killed, databases unreachable;
//! * `fulfiller_faults`: the merchant's code panics, hangs and fails;
//! * `instance_death`: an instance dies while it holds a fulfilment claim;
//! * `check_api_down`: CinetPay's check API is down for minutes.
//!
//! Each test prints its figures as its last line:
//! `cargo test -p cinetpay-reliability -- --nocapture`.

mod faults {
    pub(crate) mod check_api_down;
    pub(crate) mod database_outage;
    pub(crate) mod fulfiller_faults;
    pub(crate) mod instance_death;
    pub(crate) mod store_faults;
}
