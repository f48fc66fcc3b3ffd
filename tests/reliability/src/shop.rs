//! [`Shop`]: a merchant whose `fulfil` is scripted per payment and watched:
//! calls, successes, overlapping runs and calls after a success.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError};

use async_trait::async_trait;
use cinetpay_core::{
    Amount, Currency, Description, FulfilError, Money, OrderFulfiller, OrderQuote, OrderRef,
    Payment, PaymentStatus, QuoteError, TransactionId,
};
use tokio::sync::Semaphore;

/// What `fulfil` does on one call for one payment.
#[derive(Debug, Clone)]
pub enum Act {
    /// Delivers: returns `Ok`.
    Succeed,
    /// Returns an error.
    Fail,
    /// Panics.
    Panic,
    /// Never returns (the engine's timeout cuts it off).
    Hang,
    /// Waits for a permit of the gate (given back when done), then delivers:
    /// the test opens the gate with `add_permits`.
    WaitFor(Arc<Semaphore>),
}

/// What happened to the deliveries of one payment.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    script: VecDeque<Act>,
    /// `fulfil` calls started.
    pub calls: u32,
    /// Calls that returned `Ok`.
    pub successes: u32,
    /// Calls that failed on purpose (error, panic or hang).
    pub faults: u32,
    /// Calls running now.
    pub in_flight: u32,
    /// The most calls ever running at once.
    pub max_in_flight: u32,
    /// Calls started after a call had returned `Ok` (must stay 0).
    pub calls_after_success: u32,
    /// The `attempt` numbers the engine passed, in call order.
    pub attempts: Vec<u32>,
    /// `payment_failed` calls.
    pub failure_notices: u32,
}

/// A shop whose every order costs 1000 XOF, and whose `fulfil` follows a
/// script per payment (then succeeds), keeping a [`Ledger`] per payment.
///
/// Shared by every instance of a test (the merchant's warehouse is one).
#[derive(Debug, Default)]
pub struct Shop {
    ledgers: Mutex<HashMap<String, Ledger>>,
}

/// The accounting of a set of accepted payments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Successful `fulfil` calls.
    pub deliveries: u32,
    /// Successful calls beyond the first, summed over payments.
    pub duplicates: u32,
    /// Payments never delivered.
    pub lost: u32,
    /// The most calls running at once for one payment.
    pub max_in_flight: u32,
    /// Calls started after a success, summed over payments.
    pub calls_after_success: u32,
    /// Faults the scripts injected (errors, panics, hangs).
    pub faults: u32,
}

/// Decrements a payment's in-flight count however the call ends: returned,
/// panicked, timed out or dropped with its dying instance.
struct InFlight<'a> {
    shop: &'a Shop,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(ledger) = self.shop.lock().get_mut(&self.id) {
            ledger.in_flight = ledger.in_flight.saturating_sub(1);
        }
    }
}

/// What [`Act::Panic`] panics with (the engine keeps it as the attempt's error).
pub const PANIC_MESSAGE: &str = "the warehouse exploded";

/// The panics a script asks for are expected: they are not printed (any
/// other panic is, as usual).
fn quiet_scripted_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload_as_str() != Some(PANIC_MESSAGE) {
                default(info);
            }
        }));
    });
}

impl Shop {
    /// A shop with no script: every `fulfil` succeeds.
    pub fn new() -> Arc<Self> {
        quiet_scripted_panics();
        Arc::new(Shop::default())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Ledger>> {
        self.ledgers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the next `fulfil` calls for `id` do, in order (then: succeed).
    pub fn script(&self, id: &TransactionId, acts: impl IntoIterator<Item = Act>) {
        self.lock()
            .entry(id.to_string())
            .or_default()
            .script
            .extend(acts);
    }

    /// The ledger of one payment.
    pub fn ledger(&self, id: &TransactionId) -> Ledger {
        self.lock().get(id.as_str()).cloned().unwrap_or_default()
    }

    /// Successful `fulfil` calls for `id`.
    pub fn successes(&self, id: &TransactionId) -> u32 {
        self.ledger(id).successes
    }

    /// `fulfil` calls for `id`.
    pub fn calls(&self, id: &TransactionId) -> u32 {
        self.ledger(id).calls
    }

    /// Successful `fulfil` calls over every payment.
    pub fn total_successes(&self) -> u32 {
        self.lock().values().map(|l| l.successes).sum()
    }

    /// Accounts for `accepted` (each must be delivered once), and checks that
    /// no other payment was delivered at all.
    pub fn tally(&self, accepted: &[TransactionId]) -> Tally {
        let ledgers = self.lock();
        let mut tally = Tally::default();
        for (id, ledger) in ledgers.iter() {
            tally.deliveries += ledger.successes;
            tally.duplicates += ledger.successes.saturating_sub(1);
            tally.max_in_flight = tally.max_in_flight.max(ledger.max_in_flight);
            tally.calls_after_success += ledger.calls_after_success;
            tally.faults += ledger.faults;
            assert!(
                ledger.successes == 0 || accepted.iter().any(|a| a.as_str() == id),
                "payment {id} was delivered but is not among the accepted ones"
            );
        }
        tally.lost = accepted
            .iter()
            .filter(|id| ledgers.get(id.as_str()).is_none_or(|l| l.successes == 0))
            .count() as u32;
        tally
    }
}

#[async_trait]
impl OrderFulfiller for Shop {
    async fn quote(&self, _order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let money = Money::new(
            Amount::new(1000).map_err(|e| QuoteError::Unavailable(e.to_string()))?,
            Currency::Xof,
        );
        let description =
            Description::new("Commande").map_err(|e| QuoteError::Unavailable(e.to_string()))?;
        Ok(OrderQuote::new(money, description))
    }

    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
        assert_eq!(
            payment.status,
            PaymentStatus::Accepted,
            "fulfil of a payment that is not accepted"
        );
        let id = payment.transaction_id.to_string();
        let act = {
            let mut ledgers = self.lock();
            let ledger = ledgers.entry(id.clone()).or_default();
            ledger.calls += 1;
            ledger.attempts.push(attempt);
            if ledger.successes > 0 {
                ledger.calls_after_success += 1;
            }
            ledger.in_flight += 1;
            ledger.max_in_flight = ledger.max_in_flight.max(ledger.in_flight);
            let act = ledger.script.pop_front().unwrap_or(Act::Succeed);
            if matches!(act, Act::Fail | Act::Panic | Act::Hang) {
                ledger.faults += 1;
            }
            act
        };
        let _running = InFlight {
            shop: self,
            id: id.clone(),
        };
        match act {
            Act::Succeed => {}
            Act::Fail => return Err(FulfilError::new("the warehouse said no")),
            Act::Panic => panic!("{}", PANIC_MESSAGE),
            Act::Hang => std::future::pending::<()>().await,
            Act::WaitFor(gate) => {
                let _permit = gate
                    .acquire()
                    .await
                    .map_err(|_| FulfilError::new("the gate was closed"))?;
            }
        }
        if let Some(ledger) = self.lock().get_mut(&id) {
            ledger.successes += 1;
        }
        Ok(())
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        self.lock()
            .entry(payment.transaction_id.to_string())
            .or_default()
            .failure_notices += 1;
        Ok(())
    }
}
