//! The `cinetpay` binary, driven as an operator runs it: against the local
//! CinetPay sandbox and a real database (a SQLite file always; PostgreSQL
//! and MySQL/MariaDB when `CINETPAY_TEST_POSTGRES_URL` and
//! `CINETPAY_TEST_MYSQL_URL` name them, required under `CI=true`).
#![allow(clippy::unwrap_used)]

mod common;
mod doctor;
mod export;
mod payments;
mod reconcile;
mod sync;
