#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # cinetpay-store
//!
//! The production [`PaymentStore`](cinetpay_core::PaymentStore) of cinetpay-rs,
//! on [sea-orm](https://www.sea-ql.org/SeaORM): SQLite (one file, nothing to
//! install), PostgreSQL and MySQL/MariaDB (several app instances on one
//! database).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use cinetpay_core::PaymentStore;
//! use cinetpay_store::SeaOrmStore;
//!
//! let store = SeaOrmStore::connect("sqlite::memory:").await?;
//! store.migrate().await?; // idempotent; safe from several instances at once
//! let store: Arc<dyn PaymentStore> = Arc::new(store);
//! # let _ = store;
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! One per database, as sqlx and sea-orm have them: `sqlite` (the default),
//! `postgres`, `mysql` (MySQL and MariaDB). An app compiles only the drivers
//! it enables; a URL of another database is refused at
//! [`connect`](SeaOrmStore::connect) with an error naming the feature. The
//! store depends on `cinetpay-core` without its `engine` feature (no HTTP
//! client, no TLS): a SQLite-only build of this crate is 160 crates.
//!
//! ```toml
//! # PostgreSQL only:
//! cinetpay-store = { version = "0.1", default-features = false, features = ["postgres"] }
//! ```
//!
//! ## On a pool the app already has
//!
//! [`StoreBuilder::build`] takes a sea-orm [`DatabaseConnection`](sea_orm::DatabaseConnection);
//! an sqlx pool of the same sqlx version becomes one with sea-orm's
//! connectors, so that the store shares the app's connections:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sea_orm::SqlxSqliteConnector;
//! use sea_orm::sqlx::SqlitePool;
//!
//! let pool: SqlitePool = SqlitePool::connect("sqlite::memory:").await?; // the app's pool
//! let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
//! let store = cinetpay_store::SeaOrmStore::builder().build(db)?;
//! store.migrate().await?;
//! # Ok(())
//! # }
//! ```
//!
//! (`SqlxPostgresConnector::from_sqlx_postgres_pool` and
//! `SqlxMySqlConnector::from_sqlx_mysql_pool` likewise.) The pool's own
//! settings then apply: for a SQLite file, WAL mode and `synchronous = FULL`
//! are what [`connect`](SeaOrmStore::connect) would set.
//!
//! ## Tables
//!
//! With the default prefix `cinetpay_` (see [`StoreBuilder::table_prefix`];
//! PostgreSQL can also use a schema, [`StoreBuilder::schema`]):
//!
//! * `cinetpay_payments`: one row per transaction id (primary key) with the
//!   order reference, amount (`BIGINT`), currency, description, status,
//!   payment token and URL, the last verified check (code, message, status,
//!   amount, currency, payment method, operator id, payment date), the status
//!   reason, the claim columns (`fulfilled_at`, `claim_owner`, `claim_until`,
//!   `attempts`, `next_attempt_at`, `last_error`), `failure_notified_at`,
//!   `created_at`, `updated_at`; `superseded_at` (init replaced the payment),
//!   `attention` and `attention_ref` (why it needs a human: `money_mismatch`,
//!   `order_already_paid` with the payer's id, `superseded`), `checked_at`
//!   (when CinetPay was last asked), `refund_notified_at`; `account` and
//!   `generation` (the CinetPay account the payment was created on and its
//!   API generation, `v2` or `2026`; rows written before they were recorded
//!   read `default` and `v2`), `notify_token` (the 2026 API's per-payment
//!   notify token: a secret, kept in clear because notifications are checked
//!   against it, so access to the table is access to it) and `cinetpay_id`
//!   (CinetPay's own id of the payment on the 2026 API); `open_order_ref`,
//!   which holds the order reference while the payment is the order's open
//!   payment and `NULL` otherwise, and `paid_order_ref`, which holds it while
//!   the payment is the order's accepted payment. Unique indexes on both make
//!   "one open payment per order" and "an order is paid by one payment" rules
//!   of the database (`UNIQUE` allows many `NULL`s on all three).
//!   Other indexes: `(order_ref, created_at)`, `(status, fulfilled_at,
//!   created_at)` for due work, `(status, created_at)` for polling.
//! * `cinetpay_deliveries`: the delivery log (`id` auto-increment,
//!   `transaction_id`, `source`, `outcome`, `at`), indexed on
//!   `(transaction_id, at, id)` (a transaction's log is read oldest first).
//! * `cinetpay_migrations`: the applied migrations of this crate: its own
//!   table, so that it never mixes with the host application's `seaql_migrations`.
//!
//! On MySQL/MariaDB the tables use `utf8mb4` with the binary collation
//! `utf8mb4_bin`: transaction ids and order references are case-sensitive
//! keys (`"ord-1"` and `"ORD-1"` are two orders).
//!
//! ## Timestamps
//!
//! Every time is a `BIGINT` of **unix microseconds, UTC**. One integer type
//! compares and sorts identically on SQLite, PostgreSQL and MySQL, carries no
//! time zone a driver or session setting could shift, and round-trips exactly
//! at microsecond precision (the precision of PostgreSQL's own `timestamptz`);
//! digits below the microsecond are dropped on write. To read them:
//! `to_timestamp(created_at / 1e6)` (PostgreSQL),
//! `FROM_UNIXTIME(created_at / 1e6)` (MySQL),
//! `datetime(created_at / 1e6, 'unixepoch')` (SQLite).
//!
//! ## Concurrency
//!
//! Every conditional step is one statement: the open slot is the unique
//! index; `transition` is `UPDATE … WHERE status = <from>` (to `accepted`
//! also `SET paid_order_ref = order_ref … AND superseded_at IS NULL`: a second
//! payment of the order breaks the unique index, and the store names the
//! payer); a claim is `UPDATE … SET claim_owner, claim_until = <db now> +
//! lease, attempts = attempts + 1 WHERE <something is owed> AND (claim_until
//! IS NULL OR claim_until <= <db now>) AND (next_attempt_at IS NULL OR
//! next_attempt_at <= now)`; complete and release add `AND claim_owner =
//! <owner>`; the affected-row count says who won.
//!
//! Leases are measured on **the database server's clock** (`<db now>` above:
//! `clock_timestamp()` on PostgreSQL, `UTC_TIMESTAMP(6)` on MySQL, `julianday('now')`
//! on SQLite), the one clock every instance shares: an instance whose own
//! clock runs minutes ahead sees another's live claim as live. Tests that move
//! time give the store a clock ([`StoreBuilder::lease_clock`]). Each database serialises concurrent updates of one
//! row (row locks on PostgreSQL and InnoDB, re-evaluating the `WHERE` on the
//! latest version; the database write lock on SQLite), so exactly one of any
//! number of instances wins, without any in-process lock.
//!
//! SQLite runs in WAL mode with a busy timeout (5 s by default), so that
//! concurrent writers wait for each other instead of failing, and with
//! `synchronous = FULL`, so that a committed claim or completion survives a
//! power cut. Several processes may share one SQLite file on one machine
//! (never over a network file system).
//!
//! ## The transactional fulfilment
//!
//! [`SeaOrmStore::fulfil_in_transaction`] turns a [`TransactionalFulfiller`]
//! (whose `fulfil` receives the store's [`DatabaseTransaction`](sea_orm::DatabaseTransaction))
//! into the engine's fulfiller: the shop's own writes and the payment's
//! delivery mark commit together, fenced by the claim, so they happen exactly
//! once whatever fails when. The shop's tables must live in the store's database.
//!
//! ## Errors
//!
//! [`Error`] says what failed and keeps the database error as its source; it
//! converts into [`StoreError`](cinetpay_core::StoreError). A database that is
//! down, a full pool, a lock timeout or a busy SQLite file give
//! [`StoreError::Unavailable`](cinetpay_core::StoreError::Unavailable), so the
//! engine answers `503` and CinetPay tries again later.

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

mod connect;
mod entity;
mod error;
mod migration;
mod store;
mod tables;
mod time;
mod transactional;

pub use connect::StoreBuilder;
pub use error::Error;
pub use store::SeaOrmStore;
pub use transactional::{InTransaction, TransactionStep, TransactionalFulfiller};
