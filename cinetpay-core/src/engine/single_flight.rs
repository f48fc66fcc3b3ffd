//! One status check at a time per payment, in this process: requests about a
//! payment that arrive while its check is in flight wait for it and share its
//! answer (they read the stored result) instead of asking CinetPay again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::values::TransactionId;

/// The flights of one engine, by transaction id. An entry lives while
/// someone holds a [`Ticket`] for it.
#[derive(Default)]
pub(super) struct Flights {
    map: Mutex<HashMap<TransactionId, Arc<Flight>>>,
}

#[derive(Default)]
struct Flight {
    turn: tokio::sync::Mutex<()>,
    /// Checks completed in this flight so far.
    checks: AtomicU64,
}

/// A place in the queue of one payment's checks.
pub(super) struct Ticket<'a> {
    flights: &'a Flights,
    id: TransactionId,
    flight: Arc<Flight>,
    /// `checks` when this ticket was taken.
    seen: u64,
}

/// The right to check, held until dropped.
pub(super) struct Turn<'t> {
    flight: &'t Flight,
    checked_meanwhile: bool,
    _guard: tokio::sync::MutexGuard<'t, ()>,
}

impl Flights {
    fn lock(&self) -> MutexGuard<'_, HashMap<TransactionId, Arc<Flight>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins the queue of `id`'s checks.
    pub(super) fn join(&self, id: &TransactionId) -> Ticket<'_> {
        let flight = Arc::clone(self.lock().entry(id.clone()).or_default());
        let seen = flight.checks.load(Ordering::Acquire);
        Ticket {
            flights: self,
            id: id.clone(),
            flight,
            seen,
        }
    }

    /// Payments with a flight right now (for tests of the clean-up).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

impl Ticket<'_> {
    /// Waits until no other check of this payment runs here.
    pub(super) async fn turn(&self) -> Turn<'_> {
        let guard = self.flight.turn.lock().await;
        Turn {
            flight: &self.flight,
            checked_meanwhile: self.flight.checks.load(Ordering::Acquire) != self.seen,
            _guard: guard,
        }
    }
}

impl Turn<'_> {
    /// Whether a check of this payment finished after this ticket was taken:
    /// its answer is in the store, so this caller need not ask again.
    pub(super) fn checked_meanwhile(&self) -> bool {
        self.checked_meanwhile
    }

    /// Records that this turn's check finished (its answer is stored).
    pub(super) fn checked(&self) {
        self.flight.checks.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let mut map = self.flights.lock();
        // The map's reference and this ticket's: nobody else waits.
        if Arc::strong_count(&self.flight) == 2 {
            map.remove(&self.id);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waiters_see_the_check_made_while_they_waited_and_entries_are_removed() {
        let flights = Arc::new(Flights::default());
        let id = TransactionId::generate();
        let first = flights.join(&id);
        let turn = first.turn().await;
        assert!(!turn.checked_meanwhile());
        let waiter = {
            let (flights, id) = (Arc::clone(&flights), id.clone());
            tokio::spawn(async move {
                let ticket = flights.join(&id);
                let turn = ticket.turn().await;
                turn.checked_meanwhile()
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        turn.checked();
        drop(turn);
        drop(first);
        assert!(waiter.await.unwrap(), "the waiter shares the first check");
        assert_eq!(flights.len(), 0, "no flight is left behind");
        let later = flights.join(&id);
        assert!(
            !later.turn().await.checked_meanwhile(),
            "a later caller checks again"
        );
    }
}
