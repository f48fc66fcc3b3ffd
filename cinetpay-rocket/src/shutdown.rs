//! The engine work that requests started, counted so that a shutdown can
//! wait for it: each request's engine call runs in a task of its own, which
//! outlives a handler that stops waiting for it (see [`crate::routes`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rocket::tokio::sync::Notify;

/// How many engine calls are running, and a way to wait until none is.
#[derive(Debug, Clone, Default)]
pub(crate) struct InFlight(Arc<Counter>);

#[derive(Debug, Default)]
struct Counter {
    running: AtomicUsize,
    idle: Notify,
}

/// One running engine call; dropping it ends it.
#[derive(Debug)]
pub(crate) struct Running(InFlight);

impl InFlight {
    /// Counts one more engine call, until the returned guard is dropped.
    pub(crate) fn start(&self) -> Running {
        self.0.running.fetch_add(1, Ordering::SeqCst);
        Running(self.clone())
    }

    /// How many engine calls are running.
    pub(crate) fn running(&self) -> usize {
        self.0.running.load(Ordering::SeqCst)
    }

    /// Waits until no engine call runs, for at most `limit`; says whether
    /// none does.
    pub(crate) async fn idle_within(&self, limit: Duration) -> bool {
        rocket::tokio::time::timeout(limit, self.idle())
            .await
            .is_ok()
    }

    async fn idle(&self) {
        loop {
            let notified = self.0.idle.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the count is read: a call ending in between
            // still wakes us.
            notified.as_mut().enable();
            if self.running() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rocket::async_test]
    async fn idle_waits_for_the_last_call() {
        let in_flight = InFlight::default();
        assert!(in_flight.idle_within(Duration::ZERO).await);
        let first = in_flight.start();
        let second = in_flight.start();
        assert_eq!(in_flight.running(), 2);
        assert!(!in_flight.idle_within(Duration::from_millis(20)).await);
        let ends = rocket::tokio::spawn(async move {
            rocket::tokio::time::sleep(Duration::from_millis(30)).await;
            drop(first);
            rocket::tokio::time::sleep(Duration::from_millis(30)).await;
            drop(second);
        });
        assert!(in_flight.idle_within(Duration::from_secs(5)).await);
        assert_eq!(in_flight.running(), 0);
        let _ = ends.await;
    }
}
