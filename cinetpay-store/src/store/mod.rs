//! [`SeaOrmStore`] and its [`PaymentStore`] implementation.
//!
//! Each file holds one group of steps; every conditional step is a single
//! `UPDATE … WHERE …` whose affected-row count says whether it applied.

mod claim;
mod clock;
mod combined;
mod delivery;
mod insert;
mod page;
mod read;
mod row;
mod transition;
mod write_turn;

use std::sync::Arc;

use async_trait::async_trait;
use cinetpay_core::clock::Clock;
use cinetpay_core::{
    CheckSnapshot, Claim, Completion, DeliveryRecord, FulfilmentClaim, InsertOutcome, NewPayment,
    Payment, PaymentFilter, PaymentLookup, PaymentPage, PaymentQueries, PaymentStore, PollQuery,
    Release, StatusChange, StoreError, Timestamp, TransactionId, Transition,
};
use sea_orm::DatabaseConnection;

use crate::tables::Tables;
use crate::{Error, migration};
pub(crate) use write_turn::Turn;
use write_turn::WriteTurns;

/// A [`PaymentStore`] (and [`PaymentQueries`]) on SQLite, PostgreSQL or MySQL/MariaDB, through sea-orm.
///
/// Cheap to clone (the connection pool is shared). Build it with
/// [`SeaOrmStore::connect`], [`SeaOrmStore::new`] or [`SeaOrmStore::builder`],
/// then call [`migrate`](SeaOrmStore::migrate) once at start-up.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use cinetpay_core::PaymentStore;
/// use cinetpay_store::SeaOrmStore;
///
/// let store = SeaOrmStore::connect("sqlite::memory:").await?;
/// store.migrate().await?;
/// let store: Arc<dyn PaymentStore> = Arc::new(store);
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SeaOrmStore {
    db: DatabaseConnection,
    tables: Tables,
    /// Where lease times come from: `None` is the database server's clock.
    lease_clock: Option<Arc<dyn Clock>>,
    /// The read of one payment by id, rendered for this backend and tables.
    find_sql: Arc<str>,
    /// The read of a payment's summary by id: SQLite's first read of a
    /// notification's payment (see `read.rs`).
    find_summary_sql: Arc<str>,
    /// SQLite: the store's writes queue here rather than in SQLite's busy
    /// handler (see `write_turn.rs`).
    turns: WriteTurns,
}

impl std::fmt::Debug for SeaOrmStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection (and so any password in its URL) is never printed.
        f.debug_struct("SeaOrmStore")
            .field("backend", &self.db.get_database_backend())
            .field("table_prefix", &self.tables.prefix())
            .field("schema", &self.tables.schema())
            .finish_non_exhaustive()
    }
}

impl SeaOrmStore {
    /// A store on an existing sea-orm connection, with the default table
    /// prefix `cinetpay_`. The connection is used as it is: for SQLite, prefer
    /// [`SeaOrmStore::connect`], which also sets WAL mode and a busy timeout.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cinetpay_store::SeaOrmStore;
    ///
    /// let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// let store = SeaOrmStore::new(db);
    /// store.migrate().await?;
    /// assert_eq!(store.table_prefix(), "cinetpay_");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_tables(
            db,
            Tables::default(),
            None,
            crate::connect::DEFAULT_BUSY_TIMEOUT,
        )
    }

    /// `busy_timeout`: how long a write waits for its turn (SQLite).
    pub(crate) fn with_tables(
        db: DatabaseConnection,
        tables: Tables,
        lease_clock: Option<Arc<dyn Clock>>,
        busy_timeout: std::time::Duration,
    ) -> Self {
        let turns = WriteTurns::new(db.get_database_backend(), busy_timeout);
        let find_sql = Self::render_find(&db, &tables).into();
        let find_summary_sql = Self::render_find_summary(&db, &tables).into();
        SeaOrmStore {
            db,
            tables,
            lease_clock,
            find_sql,
            find_summary_sql,
            turns,
        }
    }

    /// This write's turn (SQLite; see `write_turn.rs`): held until the
    /// write, or its transaction, ends.
    pub(crate) async fn write_turn(&self, action: &'static str) -> Result<Turn<'_>, Error> {
        self.turns.take(action).await
    }

    /// Creates or upgrades the store's tables and indexes.
    ///
    /// Idempotent, and safe when several instances call it at once at start-up:
    /// it runs under a database-wide lock (`pg_advisory_xact_lock` on
    /// PostgreSQL, `GET_LOCK` on MySQL/MariaDB, the write lock on SQLite) and
    /// records each applied migration in `{prefix}migrations`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::connect("sqlite::memory:").await?;
    /// store.migrate().await?;
    /// store.migrate().await?; // nothing left to do
    /// # Ok(())
    /// # }
    /// ```
    pub async fn migrate(&self) -> Result<(), Error> {
        tracing::debug!(prefix = self.tables.prefix(), schema = ?self.tables.schema(), "migrating cinetpay tables");
        migration::migrate(&self.db, &self.tables).await
    }

    /// Applies only the first `steps` migrations not applied yet: for tests
    /// of an upgrade from an older schema (feature `testing`).
    #[cfg(feature = "testing")]
    pub async fn migrate_steps(&self, steps: u32) -> Result<(), Error> {
        migration::migrate_steps(&self.db, &self.tables, Some(steps)).await
    }

    /// The underlying sea-orm connection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::connect("sqlite::memory:").await?;
    /// assert_eq!(store.connection().get_database_backend(), sea_orm::DbBackend::Sqlite);
    /// # Ok(())
    /// # }
    /// ```
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The table prefix (`cinetpay_` unless chosen with the builder).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::builder()
    ///     .table_prefix("shop_pay_")
    ///     .connect("sqlite::memory:")
    ///     .await?;
    /// assert_eq!(store.table_prefix(), "shop_pay_");
    /// # Ok(())
    /// # }
    /// ```
    pub fn table_prefix(&self) -> &str {
        self.tables.prefix()
    }

    /// The PostgreSQL schema of the tables, when one was chosen.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::connect("sqlite::memory:").await?;
    /// assert_eq!(store.schema(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn schema(&self) -> Option<&str> {
        self.tables.schema()
    }

    /// Closes the connection pool; later calls fail with
    /// [`StoreError::Unavailable`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), cinetpay_store::Error> {
    /// let store = cinetpay_store::SeaOrmStore::connect("sqlite::memory:").await?;
    /// store.close().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn close(&self) -> Result<(), Error> {
        self.db
            .close_by_ref()
            .await
            .map_err(|e| Error::db("closing the pool", e))
    }
}

#[async_trait]
impl PaymentStore for SeaOrmStore {
    async fn insert_payment(&self, new: &NewPayment) -> Result<InsertOutcome, StoreError> {
        let _turn = self.write_turn("recording a new payment").await?;
        Ok(self.insert(new).await?)
    }

    async fn find_payment(&self, id: &TransactionId) -> Result<Option<Payment>, StoreError> {
        Ok(self.find(id).await?)
    }

    async fn find_for_notification(
        &self,
        id: &TransactionId,
    ) -> Result<Option<PaymentLookup>, StoreError> {
        Ok(self.find_for_notice(id).await?)
    }

    async fn attach_payment_page(
        &self,
        id: &TransactionId,
        page: &PaymentPage<'_>,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn("attaching the payment page").await?;
        Ok(self.attach_page(id, page).await?)
    }

    async fn supersede_payment(
        &self,
        id: &TransactionId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn("superseding a payment").await?;
        Ok(self.supersede(id, at).await?)
    }

    async fn transition(
        &self,
        id: &TransactionId,
        change: &StatusChange,
    ) -> Result<Transition, StoreError> {
        let _turn = self.write_turn("changing a payment's status").await?;
        Ok(self.apply_transition(id, change).await?)
    }

    async fn record_check(
        &self,
        id: &TransactionId,
        check: Option<&CheckSnapshot>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn("recording a check").await?;
        Ok(self.note_check(id, check, at).await?)
    }

    async fn claim_fulfilment(
        &self,
        claim: &Claim<'_>,
    ) -> Result<Option<FulfilmentClaim>, StoreError> {
        let _turn = self.write_turn("claiming a delivery").await?;
        Ok(self.claim(claim).await?)
    }

    async fn complete_fulfilment(&self, done: &Completion<'_>) -> Result<bool, StoreError> {
        let _turn = self.write_turn("completing a delivery").await?;
        Ok(self.complete(done).await?)
    }

    async fn release_fulfilment(&self, release: &Release<'_>) -> Result<bool, StoreError> {
        let _turn = self.write_turn("releasing a delivery").await?;
        Ok(self.release(release).await?)
    }

    async fn claim_failure_notice(
        &self,
        id: &TransactionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn("claiming a failure notice").await?;
        Ok(self.claim_notice(id, now).await?)
    }

    async fn record_deliveries(&self, records: &[DeliveryRecord]) -> Result<(), StoreError> {
        let _turn = self.write_turn("writing the delivery log").await?;
        Ok(self.append_deliveries(records).await?)
    }

    async fn accept_and_claim(
        &self,
        id: &TransactionId,
        change: &StatusChange,
        claim: &Claim<'_>,
    ) -> Result<(Transition, Option<FulfilmentClaim>), StoreError> {
        let _turn = self.write_turn("accepting and claiming a payment").await?;
        Ok(self.accept_claim(id, change, claim).await?)
    }

    async fn complete_and_record(
        &self,
        done: &Completion<'_>,
        record: &DeliveryRecord,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn("completing a delivery").await?;
        Ok(self.complete_record(done, record).await?)
    }

    async fn due_fulfilments(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        Ok(self.due(now, limit).await?)
    }

    async fn payments_to_poll(&self, query: &PollQuery) -> Result<Vec<Payment>, StoreError> {
        Ok(self.to_poll(query).await?)
    }
}

#[async_trait]
impl PaymentQueries for SeaOrmStore {
    async fn list_payments(&self, filter: &PaymentFilter) -> Result<Vec<Payment>, StoreError> {
        Ok(self.list(filter).await?)
    }

    async fn deliveries(
        &self,
        transaction_id: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        Ok(self.delivery_log(transaction_id, limit).await?)
    }
}
