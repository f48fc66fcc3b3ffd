//! The delivery log's writer: lines from concurrent requests share one
//! [`PaymentStore::record_deliveries`] call (group commit).
//!
//! A line that records something new (a status change, a fulfilment attempt,
//! an error) is *awaited*: the request answers only once its line is stored, so
//! that no record of a change is lost. A line that records nothing new (a
//! notification of a payment left for a human, a return checked a moment ago)
//! is *written behind*: the answer does not wait for it. Such lines are written
//! within one store round trip; a process that dies in that window loses them,
//! and only them. A repeat about a payment already delivered writes no line at
//! all (it is counted): see [`Checkout::sync`](super::Checkout::sync).
//! [`Checkout::flush_delivery_log`](super::Checkout::flush_delivery_log) waits
//! until every queued line is stored (graceful shutdown, tests).
//!
//! No long-lived task: the first line of a burst spawns a flusher on the
//! current Tokio runtime, which writes batches until the queue is empty and
//! then ends. While only written-behind lines wait, the flusher lingers up to
//! [`LINGER`] to gather more of them into one write (a burst of duplicates
//! then costs one commit, not one each); an awaited line cuts that short. The flusher is detached, so a request dropped while it waits
//! (a client that hangs up) does not lose its line.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, oneshot};

use crate::model::DeliveryRecord;
use crate::store::PaymentStore;

/// At most this many lines per store call.
const MAX_BATCH: usize = 256;

/// How long written-behind lines may wait for company before they are written.
const LINGER: std::time::Duration = std::time::Duration::from_millis(10);

/// Lines written behind that may wait in memory; beyond, a new one is dropped
/// (and counted in a warning) rather than letting a stalled store grow the queue.
const MAX_BEHIND: usize = 10_000;

/// Whether the caller waits until its line is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Durability {
    /// The request answers after the line is stored (or its write failed and was logged).
    Awaited,
    /// The line is queued; the request answers at once.
    WrittenBehind,
}

/// The group-commit writer of one engine.
pub(super) struct DeliveryLog {
    store: Arc<dyn PaymentStore>,
    queue: Mutex<Queue>,
    /// Signalled each time a flusher leaves an empty queue.
    drained: Notify,
    /// Signalled when an awaited line is queued: the flusher stops lingering.
    urgent: Notify,
}

#[derive(Default)]
struct Queue {
    lines: Vec<Queued>,
    /// Written-behind lines among `lines`.
    behind: usize,
    /// Awaited lines among `lines`.
    awaited: usize,
    /// A flusher is running (or spawned and about to run).
    flushing: bool,
    /// Written-behind lines dropped because the queue was full, not yet reported.
    dropped: usize,
}

struct Queued {
    record: DeliveryRecord,
    stored: Option<oneshot::Sender<()>>,
}

impl DeliveryLog {
    pub(super) fn new(store: Arc<dyn PaymentStore>) -> Self {
        Self {
            store,
            queue: Mutex::new(Queue::default()),
            drained: Notify::new(),
            urgent: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // The queue stays consistent whatever panicked while holding it: every
        // change to it is a single push, drain or flag store.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `record`; with [`Durability::Awaited`], returns once it is stored
    /// (or its write failed, which the flusher logs). Never fails.
    pub(super) async fn append(self: &Arc<Self>, record: DeliveryRecord, durability: Durability) {
        let (stored, wait) = match durability {
            Durability::Awaited => {
                let (tx, rx) = oneshot::channel();
                (Some(tx), Some(rx))
            }
            Durability::WrittenBehind => (None, None),
        };
        let start_flusher = {
            let mut queue = self.lock();
            if stored.is_none() {
                if queue.behind >= MAX_BEHIND {
                    queue.dropped += 1;
                    return;
                }
                queue.behind += 1;
            } else {
                queue.awaited += 1;
            }
            queue.lines.push(Queued { record, stored });
            !std::mem::replace(&mut queue.flushing, true)
        };
        if wait.is_some() {
            self.urgent.notify_one();
        }
        if start_flusher {
            tokio::spawn(Arc::clone(self).flush_until_empty());
        }
        if let Some(wait) = wait {
            // An error means the flusher was torn down with the runtime; the
            // line is then lost with everything else the runtime held.
            if wait.await.is_err() {
                tracing::warn!("the delivery log writer stopped before storing a line");
            }
        }
    }

    /// Writes batches until the queue is empty.
    async fn flush_until_empty(self: Arc<Self>) {
        let mut running = Running {
            log: &self,
            finished: false,
        };
        loop {
            let linger = {
                let queue = self.lock();
                !queue.lines.is_empty() && queue.awaited == 0 && queue.lines.len() < MAX_BATCH
            };
            if linger {
                tokio::select! {
                    () = tokio::time::sleep(LINGER) => {}
                    () = self.urgent.notified() => {}
                }
            }
            let (batch, dropped) = {
                let mut queue = self.lock();
                if queue.lines.is_empty() {
                    queue.flushing = false;
                    drop(queue);
                    running.finished = true;
                    self.drained.notify_waiters();
                    return;
                }
                let n = queue.lines.len().min(MAX_BATCH);
                let batch: Vec<Queued> = queue.lines.drain(..n).collect();
                let behind = batch.iter().filter(|q| q.stored.is_none()).count();
                queue.behind -= behind;
                queue.awaited -= batch.len() - behind;
                (batch, std::mem::take(&mut queue.dropped))
            };
            if dropped > 0 {
                tracing::warn!(
                    dropped,
                    "delivery log lines of duplicate notifications dropped: the store is not keeping up"
                );
            }
            let (records, waiting): (Vec<DeliveryRecord>, Vec<_>) =
                batch.into_iter().map(|q| (q.record, q.stored)).unzip();
            self.write(&records).await;
            for stored in waiting.into_iter().flatten() {
                // The waiting request may have gone away: nothing to tell.
                let _ = stored.send(());
            }
        }
    }

    /// Writes one batch. When the store refuses it for something other than
    /// an outage (one bad line, say), the lines are written one by one, so
    /// that one line never loses the others.
    async fn write(&self, records: &[DeliveryRecord]) {
        let Err(error) = self.store.record_deliveries(records).await else {
            return;
        };
        if records.len() == 1 || error.is_transient() {
            tracing::warn!(%error, lines = records.len(), "could not append to the delivery log");
            return;
        }
        tracing::warn!(%error, lines = records.len(), "the delivery log refused a batch; writing its lines one by one");
        let mut lost = 0usize;
        for record in records {
            if let Err(error) = self
                .store
                .record_deliveries(std::slice::from_ref(record))
                .await
            {
                lost += 1;
                tracing::warn!(%error, transaction_id = %super::untrusted::Untrusted(&record.transaction_id), "could not append a delivery log line");
            }
        }
        if lost > 0 {
            tracing::warn!(lost, lines = records.len(), "delivery log lines lost");
        }
    }

    /// Returns once the queue is empty: every line queued before the call is
    /// stored (or its write failed and was logged).
    pub(super) async fn flush(self: &Arc<Self>) {
        loop {
            let drained = self.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            let start_flusher = {
                let mut queue = self.lock();
                if queue.lines.is_empty() && !queue.flushing {
                    return;
                }
                // Lines left by a flusher that was torn down: start another.
                !queue.lines.is_empty() && !std::mem::replace(&mut queue.flushing, true)
            };
            if start_flusher {
                tokio::spawn(Arc::clone(self).flush_until_empty());
            }
            drained.await;
        }
    }
}

/// Clears `flushing` if the flusher's task ends without emptying the queue
/// (a panicking store, a runtime shutting down), so that the next line or
/// [`DeliveryLog::flush`] starts a new flusher.
struct Running<'a> {
    log: &'a DeliveryLog,
    finished: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.log.lock().flushing = false;
        self.log.drained.notify_waiters();
    }
}
