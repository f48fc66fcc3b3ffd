//! The sandbox's shared state: its configuration, its payments, the records,
//! and the bookkeeping that lets a test wait for notifications.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use cinetpay_core::{ApiKey, SecretKey, SiteId};
use tokio::sync::watch;
use url::Url;

use crate::counters::RestCounters;
use crate::faults::CheckFaults;
use crate::generation::Generation;
use crate::payment::Payment;
use crate::record::{CheckRecord, NotificationRecord};
use crate::rest::RestConfig;
use crate::rest::token::TokenBook;
use crate::rest_faults::RestFaults;
use crate::scenario::Scenario;

/// Settings fixed at start-up.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) site_id: SiteId,
    pub(crate) api_key: ApiKey,
    pub(crate) secret_key: SecretKey,
    /// Base URL of this sandbox, with a trailing slash.
    pub(crate) base_url: Url,
    pub(crate) merchant_name: String,
    /// The scenario and check faults at start-up, restored by a reset.
    pub(crate) initial_scenario: Scenario,
    pub(crate) initial_check_faults: CheckFaults,
    /// The generation whose credentials the shop settings present.
    pub(crate) generation: Generation,
    /// The 2026 account.
    pub(crate) rest: RestConfig,
    /// The 2026 faults at start-up, restored by a reset.
    pub(crate) initial_rest_faults: RestFaults,
}

/// Everything that changes.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) payments: HashMap<String, Payment>,
    /// Transaction ids in creation order.
    pub(crate) order: Vec<String>,
    /// Payment token → transaction id.
    pub(crate) tokens: HashMap<String, String>,
    pub(crate) scenario: Scenario,
    pub(crate) check_faults: CheckFaults,
    pub(crate) notifications: Vec<NotificationRecord>,
    pub(crate) checks: Vec<CheckRecord>,
    /// Notification plans still running, per transaction id.
    pub(crate) in_flight: HashMap<String, usize>,
    /// The 2026 access tokens issued.
    pub(crate) rest_tokens: TokenBook,
    /// CinetPay's `transaction_id` of a 2026 payment → its merchant id.
    pub(crate) rest_ids: HashMap<String, String>,
    pub(crate) rest_faults: RestFaults,
    pub(crate) counters: RestCounters,
    seq: u64,
}

/// Records kept of each kind; older ones are dropped (a long-running binary
/// must not grow without bound).
const MAX_RECORDS: usize = 10_000;

fn push_bounded<T>(records: &mut Vec<T>, record: T) {
    if records.len() >= MAX_RECORDS {
        records.drain(..records.len() + 1 - MAX_RECORDS);
    }
    records.push(record);
}

impl State {
    /// Keeps a notification record.
    pub(crate) fn record_notification(&mut self, record: NotificationRecord) {
        push_bounded(&mut self.notifications, record);
    }

    /// Keeps a check record.
    pub(crate) fn record_check(&mut self, record: CheckRecord) {
        push_bounded(&mut self.checks, record);
    }

    /// The next record sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The transaction id of a payment token.
    pub(crate) fn by_token(&self, token: &str) -> Option<&Payment> {
        self.tokens.get(token).and_then(|tx| self.payments.get(tx))
    }

    /// The key of the 2026 payment that `id` names: its
    /// `merchant_transaction_id`, CinetPay's `transaction_id` or its
    /// `payment_token`, tried in that order.
    pub(crate) fn rest_key(&self, id: &str) -> Option<String> {
        let is_rest = |tx: &String| self.payments.get(tx).is_some_and(|p| p.rest.is_some());
        Some(id.to_owned())
            .filter(is_rest)
            .or_else(|| self.rest_ids.get(id).cloned().filter(is_rest))
            .or_else(|| self.tokens.get(id).cloned().filter(is_rest))
    }

    pub(crate) fn pending_deliveries(&self, transaction_id: Option<&str>) -> usize {
        match transaction_id {
            Some(tx) => self.in_flight.get(tx).copied().unwrap_or(0),
            None => self.in_flight.values().sum(),
        }
    }
}

/// The state shared by the HTTP handlers, the background senders and the
/// [`Sandbox`](crate::Sandbox) controller.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    /// The client that delivers notifications.
    pub(crate) http: reqwest::Client,
    /// The runtime the sandbox was started on, for background deliveries
    /// started from synchronous calls.
    pub(crate) runtime: tokio::runtime::Handle,
    state: Mutex<State>,
    /// Bumped whenever a delivery ends, so that waiters can look again.
    progress: watch::Sender<u64>,
    /// `true` once the sandbox shuts down.
    shutdown: watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn new(config: Config, http: reqwest::Client) -> Self {
        let state = State {
            scenario: config.initial_scenario.clone(),
            check_faults: config.initial_check_faults.clone(),
            rest_faults: config.initial_rest_faults.clone(),
            ..State::default()
        };
        Shared {
            config,
            http,
            runtime: tokio::runtime::Handle::current(),
            state: Mutex::new(state),
            progress: watch::Sender::new(0),
            shutdown: watch::Sender::new(false),
        }
    }

    /// The state. A panic while it was held cannot leave it half-written in a
    /// way that matters to a test double, so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The hosted page of a payment token.
    pub(crate) fn payment_url(&self, token: &str) -> String {
        format!("{}payment/{token}", self.config.base_url)
    }

    /// Marks one more notification plan as running for `transaction_id`; the
    /// returned guard marks it done when dropped (even on panic or shutdown).
    pub(crate) fn begin_delivery(self: &std::sync::Arc<Self>, transaction_id: &str) -> Delivery {
        *self
            .lock()
            .in_flight
            .entry(transaction_id.to_owned())
            .or_insert(0) += 1;
        Delivery {
            shared: std::sync::Arc::clone(self),
            transaction_id: transaction_id.to_owned(),
        }
    }

    /// A receiver that changes whenever a delivery ends.
    pub(crate) fn progress(&self) -> watch::Receiver<u64> {
        self.progress.subscribe()
    }

    /// Notes that something happened that a waiter may want to see.
    pub(crate) fn bump(&self) {
        self.progress.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Asks every background task and the server to stop.
    pub(crate) fn shut_down(&self) {
        self.shutdown.send_replace(true);
        self.bump();
    }

    /// Resolves when the sandbox shuts down.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.shutdown.subscribe();
        // An error means the sender is gone, which only happens at drop: stop too.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }

    /// Sleeps, unless the sandbox shuts down first. `false` on shutdown.
    pub(crate) async fn sleep(&self, duration: Duration) -> bool {
        if duration.is_zero() {
            return !*self.shutdown.borrow();
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            () = self.stopped() => false,
        }
    }
}

/// A running notification plan; see [`Shared::begin_delivery`].
#[derive(Debug)]
pub(crate) struct Delivery {
    shared: std::sync::Arc<Shared>,
    transaction_id: String,
}

impl Drop for Delivery {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            if let Some(n) = state.in_flight.get_mut(&self.transaction_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    state.in_flight.remove(&self.transaction_id);
                }
            }
        }
        self.shared.bump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_bounded_and_keep_the_newest() {
        let mut records = Vec::new();
        for i in 0..MAX_RECORDS + 5 {
            push_bounded(&mut records, i);
        }
        assert_eq!(records.len(), MAX_RECORDS);
        assert_eq!(records.first(), Some(&5));
        assert_eq!(records.last(), Some(&(MAX_RECORDS + 4)));
    }
}
