//! SQLite: the store's writes take turns in the process instead of in
//! SQLite's busy handler.
//!
//! SQLite lets one connection write at a time. A second writer is refused
//! with `SQLITE_BUSY`, and its busy handler retries after sleeping 1, 2, 5,
//! 10, 15, 20, 25 … ms: under concurrent notifications the write lock then
//! sits idle while the writers that want it sleep, and a first notification,
//! whose transaction holds the lock for several statements, waits tens of
//! milliseconds for a lock that is free after a fraction of one. The store's
//! own writes therefore queue here, first come first served, and each starts
//! the moment the one before it ends. Nothing about what is written or when
//! it commits changes: SQLite allowed only one writer at a time anyway.
//! Writes of other processes, or of the merchant's own code on the same
//! file, still meet the store's in SQLite's busy handler, as before.
//!
//! PostgreSQL and MySQL lock rows, not the database: no turn is taken.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DbBackend, DbErr};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::Error;

/// The queue of the store's writers (SQLite), or nothing to queue on.
#[derive(Debug, Clone)]
pub(crate) struct WriteTurns {
    /// One permit: the writer whose turn it is. `None` on PostgreSQL and MySQL.
    queue: Option<Arc<Semaphore>>,
    /// How long a writer waits for its turn, like SQLite's busy timeout.
    wait: Duration,
}

/// A writer's turn: the next one starts when it is dropped.
pub(crate) type Turn<'a> = Option<SemaphorePermit<'a>>;

impl WriteTurns {
    /// Turns for a store on `backend`, each waited for at most `wait`.
    pub(crate) fn new(backend: DbBackend, wait: Duration) -> Self {
        WriteTurns {
            queue: (backend == DbBackend::Sqlite).then(|| Arc::new(Semaphore::new(1))),
            wait,
        }
    }

    /// Waits for this writer's turn. Past the wait the database counts as
    /// busy ([`Error::Unavailable`]): the engine answers 503 and the write is
    /// retried later, as when SQLite's own busy timeout runs out.
    pub(crate) async fn take(&self, action: &'static str) -> Result<Turn<'_>, Error> {
        let Some(queue) = &self.queue else {
            return Ok(None);
        };
        match tokio::time::timeout(self.wait, queue.acquire()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            // The semaphore is never closed; a closed one is a busy database too.
            Ok(Err(_)) | Err(_) => Err(Error::Unavailable {
                action,
                source: DbErr::Custom(format!(
                    "the store's other writes held SQLite's write lock for more than {} ms",
                    self.wait.as_millis()
                )),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::DbBackend;

    use super::WriteTurns;

    #[tokio::test(flavor = "current_thread")]
    async fn sqlite_writers_take_turns_and_a_long_wait_is_a_busy_database() {
        let turns = WriteTurns::new(DbBackend::Sqlite, Duration::from_millis(20));
        let first = turns
            .take("writing")
            .await
            .expect("the first writer's turn");
        assert!(first.is_some());
        let err = turns.take("writing").await.expect_err("the lock is held");
        assert!(err.is_unavailable(), "{err}");
        assert!(err.to_string().contains("20 ms"), "{err}");
        drop(first);
        let next = turns.take("writing").await.expect("free again");
        assert!(next.is_some());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn server_databases_take_no_turn() {
        for backend in [DbBackend::Postgres, DbBackend::MySql] {
            let turns = WriteTurns::new(backend, Duration::ZERO);
            let a = turns.take("writing").await.expect("no queue");
            let b = turns.take("writing").await.expect("no queue");
            assert!(a.is_none() && b.is_none());
        }
    }
}
