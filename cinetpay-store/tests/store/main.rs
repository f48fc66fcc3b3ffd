//! cinetpay-store's tests, one binary: the conformance suite and the store's
//! own edge cases on SQLite (memory and file), PostgreSQL and MySQL/MariaDB,
//! migrations and upgrades of databases an older version migrated, outages,
//! several instances on one database, leases under skewed clocks, and the
//! transactional fulfilment.

mod common;
mod engine;

mod accounts;
mod clock_skew;
mod commits;
mod conformance;
mod edge_cases;
mod migrate;
mod multi_instance;
mod rest_first_delivery;
mod transactional;
mod unavailable;
