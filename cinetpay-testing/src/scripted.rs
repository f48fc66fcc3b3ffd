//! [`ScriptedFulfiller`]: a merchant whose answers are scripted and whose
//! every call is counted, for testing a shop or a store against the engine.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use cinetpay_core::{
    Amount, Currency, Description, FulfilError, Money, OrderFulfiller, OrderQuote, OrderRef,
    Payment, PaymentStatus, QuoteError, RefundReason, TransactionId,
};
use tokio::sync::Semaphore;

/// What one `fulfil` call does.
#[derive(Debug, Clone)]
pub enum Act {
    /// Delivers: the wrapped fulfiller's `fulfil` (if any), then `Ok`.
    Succeed,
    /// Returns [`FulfilError`] with this text.
    Fail(&'static str),
    /// Panics with [`PANIC_MESSAGE`] (not printed by the panic hook).
    Panic,
    /// Never returns: the engine's `fulfil_timeout` cuts it off.
    Hang,
    /// Sleeps, then delivers.
    Sleep(Duration),
    /// Waits for a permit of the gate (given back when done), then delivers:
    /// the test opens the gate with [`Semaphore::add_permits`].
    WaitFor(Arc<Semaphore>),
}

impl Act {
    fn is_fault(&self) -> bool {
        matches!(self, Act::Fail(_) | Act::Panic | Act::Hang)
    }
}

/// What [`Act::Panic`] panics with.
pub const PANIC_MESSAGE: &str = "the warehouse exploded (a scripted panic)";

/// What happened to one payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// `fulfil` calls started.
    pub calls: u32,
    /// Calls that returned `Ok`.
    pub successes: u32,
    /// Calls the script made fail (error, panic or hang).
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
    /// `payment_needs_refund` calls, with their reasons.
    pub refunds: Vec<RefundReason>,
}

/// The accounting of a set of payments that must each be delivered once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Successful `fulfil` calls.
    pub deliveries: u32,
    /// Successful calls beyond the first, summed over payments.
    pub duplicates: u32,
    /// Payments of the set never delivered.
    pub lost: u32,
    /// Payments delivered that are not in the set (must stay 0).
    pub unexpected: u32,
    /// The most calls running at once for one payment.
    pub max_in_flight: u32,
    /// Calls started after a success, summed over payments.
    pub calls_after_success: u32,
    /// Faults the scripts injected.
    pub faults: u32,
}

#[derive(Default)]
struct State {
    quotes: HashMap<String, Result<OrderQuote, QuoteError>>,
    quote_calls: u32,
    /// For any payment, before the per-order and per-payment scripts.
    any: VecDeque<Act>,
    by_order: HashMap<String, VecDeque<Act>>,
    by_payment: HashMap<String, VecDeque<Act>>,
    ledgers: HashMap<String, Ledger>,
    /// Transaction ids in the order their `fulfil` returned `Ok`.
    fulfilled: Vec<TransactionId>,
}

/// A merchant for tests: `quote` answers what the test priced (every other
/// order costs 1000 XOF), `fulfil` follows scripts of [`Act`]s and then
/// succeeds, and every call is written in a [`Ledger`] per payment.
///
/// It can wrap the shop's real fulfiller ([`wrapping`](Self::wrapping)): the
/// quotes and deliveries are then the shop's, with faults injected in front.
///
/// Scripts are consumed in this order: [`script`](Self::script) (the next
/// calls, any payment), then [`script_order`](Self::script_order), then
/// [`script_payment`](Self::script_payment).
///
/// ```
/// use std::sync::Arc;
/// use cinetpay_testing::{Act, ScriptedFulfiller};
///
/// let merchant = ScriptedFulfiller::new();
/// // The first two deliveries fail, then the warehouse is back.
/// merchant.script([Act::Fail("warehouse closed"), Act::Fail("warehouse closed")]);
/// let fulfiller: Arc<dyn cinetpay_core::OrderFulfiller> = merchant.clone();
/// # let _ = fulfiller;
/// // ... run the shop, then:
/// assert_eq!(merchant.successes(), 0);
/// ```
pub struct ScriptedFulfiller {
    state: Mutex<State>,
    inner: Option<Arc<dyn OrderFulfiller>>,
}

impl std::fmt::Debug for ScriptedFulfiller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedFulfiller")
            .field("wraps", &self.inner.is_some())
            .finish_non_exhaustive()
    }
}

/// Keeps a payment's in-flight count right however the call ends:
/// returned, panicked, timed out or dropped.
struct InFlight<'a> {
    merchant: &'a ScriptedFulfiller,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(ledger) = self.merchant.lock().ledgers.get_mut(&self.id) {
            ledger.in_flight = ledger.in_flight.saturating_sub(1);
        }
    }
}

fn default_quote() -> Result<OrderQuote, QuoteError> {
    let amount = Amount::new(1000).map_err(|e| QuoteError::Unavailable(e.to_string()))?;
    let description =
        Description::new("Commande test").map_err(|e| QuoteError::Unavailable(e.to_string()))?;
    Ok(OrderQuote::new(
        Money::new(amount, Currency::Xof),
        description,
    ))
}

impl ScriptedFulfiller {
    /// A merchant whose every order costs 1000 XOF and whose deliveries
    /// succeed until scripted otherwise.
    pub fn new() -> Arc<Self> {
        Arc::new(ScriptedFulfiller {
            state: Mutex::new(State::default()),
            inner: None,
        })
    }

    /// The shop's own fulfiller with scripted faults in front: `quote`,
    /// `payment_failed` and `payment_needs_refund` are `inner`'s, and a
    /// `fulfil` whose act is [`Act::Succeed`] (or a delay) calls `inner`'s;
    /// the call counts as a success when `inner` returns `Ok`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use cinetpay_testing::{Act, ScriptedFulfiller};
    /// # fn demo(shop_fulfiller: Arc<dyn cinetpay_core::OrderFulfiller>) {
    /// let merchant = ScriptedFulfiller::wrapping(shop_fulfiller);
    /// merchant.script([Act::Panic]);
    /// # }
    /// ```
    pub fn wrapping(inner: Arc<dyn OrderFulfiller>) -> Arc<Self> {
        Arc::new(ScriptedFulfiller {
            state: Mutex::new(State::default()),
            inner: Some(inner),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `order` costs `money` from now on.
    pub fn price(&self, order: &str, money: Money) {
        let quote = Description::new("Commande test")
            .map(|d| OrderQuote::new(money, d))
            .map_err(|e| QuoteError::Unavailable(e.to_string()));
        self.lock().quotes.insert(order.to_owned(), quote);
    }

    /// `quote(order)` answers `answer` from now on (a quote with a
    /// customer, [`QuoteError::NotPayable`], ...).
    pub fn quote_with(&self, order: &str, answer: Result<OrderQuote, QuoteError>) {
        self.lock().quotes.insert(order.to_owned(), answer);
    }

    /// What the next `fulfil` calls do, whatever the payment.
    pub fn script(&self, acts: impl IntoIterator<Item = Act>) {
        self.lock().any.extend(acts);
    }

    /// What the next `fulfil` calls for payments of `order` do.
    pub fn script_order(&self, order: &str, acts: impl IntoIterator<Item = Act>) {
        self.lock()
            .by_order
            .entry(order.to_owned())
            .or_default()
            .extend(acts);
    }

    /// What the next `fulfil` calls for the payment `id` do.
    pub fn script_payment(&self, id: &TransactionId, acts: impl IntoIterator<Item = Act>) {
        self.lock()
            .by_payment
            .entry(id.to_string())
            .or_default()
            .extend(acts);
    }

    /// Acts not consumed yet, over every script.
    pub fn pending_acts(&self) -> usize {
        let state = self.lock();
        state.any.len()
            + state.by_order.values().map(VecDeque::len).sum::<usize>()
            + state.by_payment.values().map(VecDeque::len).sum::<usize>()
    }

    /// The ledger of one payment (empty if it was never called).
    pub fn ledger(&self, id: &TransactionId) -> Ledger {
        self.lock()
            .ledgers
            .get(id.as_str())
            .cloned()
            .unwrap_or_default()
    }

    /// `fulfil` calls, over every payment.
    pub fn calls(&self) -> u32 {
        self.lock().ledgers.values().map(|l| l.calls).sum()
    }

    /// Successful `fulfil` calls, over every payment.
    pub fn successes(&self) -> u32 {
        self.lock().ledgers.values().map(|l| l.successes).sum()
    }

    /// The most `fulfil` calls ever running at once for one payment.
    pub fn max_in_flight(&self) -> u32 {
        self.lock()
            .ledgers
            .values()
            .map(|l| l.max_in_flight)
            .max()
            .unwrap_or(0)
    }

    /// The payments `fulfil` returned `Ok` for, in that order (a payment
    /// delivered twice appears twice).
    pub fn fulfilled(&self) -> Vec<TransactionId> {
        self.lock().fulfilled.clone()
    }

    /// `payment_failed` calls, over every payment.
    pub fn failure_notices(&self) -> u32 {
        self.lock()
            .ledgers
            .values()
            .map(|l| l.failure_notices)
            .sum()
    }

    /// Every `payment_needs_refund` call: the payment and the reason.
    pub fn refunds(&self) -> Vec<(TransactionId, RefundReason)> {
        let state = self.lock();
        let mut out: Vec<(TransactionId, RefundReason)> = Vec::new();
        for (id, ledger) in &state.ledgers {
            let Ok(id) = TransactionId::parse(id) else {
                continue;
            };
            out.extend(ledger.refunds.iter().map(|r| (id.clone(), r.clone())));
        }
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        out
    }

    /// `quote` calls.
    pub fn quote_calls(&self) -> u32 {
        self.lock().quote_calls
    }

    /// Accounts for `expected`, each of which must be delivered exactly once.
    ///
    /// ```
    /// # use cinetpay_testing::{ScriptedFulfiller, Tally};
    /// let merchant = ScriptedFulfiller::new();
    /// let tally = merchant.tally(&[]);
    /// assert_eq!(tally, Tally::default());
    /// ```
    pub fn tally(&self, expected: &[TransactionId]) -> Tally {
        let state = self.lock();
        let mut tally = Tally::default();
        for (id, ledger) in &state.ledgers {
            tally.deliveries += ledger.successes;
            tally.duplicates += ledger.successes.saturating_sub(1);
            tally.max_in_flight = tally.max_in_flight.max(ledger.max_in_flight);
            tally.calls_after_success += ledger.calls_after_success;
            tally.faults += ledger.faults;
            if ledger.successes > 0 && !expected.iter().any(|e| e.as_str() == id) {
                tally.unexpected += 1;
            }
        }
        tally.lost = expected
            .iter()
            .filter(|id| {
                state
                    .ledgers
                    .get(id.as_str())
                    .is_none_or(|l| l.successes == 0)
            })
            .count()
            .try_into()
            .unwrap_or(u32::MAX);
        tally
    }

    /// Starts a call: counts it and takes its act.
    fn begin(&self, payment: &Payment, attempt: u32) -> Act {
        let mut state = self.lock();
        let id = payment.transaction_id.as_str();
        let act = state
            .any
            .pop_front()
            .or_else(|| {
                state
                    .by_order
                    .get_mut(payment.order_ref.as_str())
                    .and_then(VecDeque::pop_front)
            })
            .or_else(|| state.by_payment.get_mut(id).and_then(VecDeque::pop_front))
            .unwrap_or(Act::Succeed);
        let ledger = state.ledgers.entry(id.to_owned()).or_default();
        ledger.calls += 1;
        ledger.attempts.push(attempt);
        if ledger.successes > 0 {
            ledger.calls_after_success += 1;
        }
        ledger.in_flight += 1;
        ledger.max_in_flight = ledger.max_in_flight.max(ledger.in_flight);
        if act.is_fault() {
            ledger.faults += 1;
        }
        act
    }
}

#[async_trait]
impl OrderFulfiller for ScriptedFulfiller {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let scripted = {
            let mut state = self.lock();
            state.quote_calls += 1;
            state.quotes.get(order.as_str()).cloned()
        };
        match (scripted, &self.inner) {
            (Some(answer), _) => answer,
            (None, Some(inner)) => inner.quote(order).await,
            (None, None) => default_quote(),
        }
    }

    async fn fulfil(&self, payment: &Payment, attempt: u32) -> Result<(), FulfilError> {
        if payment.status != PaymentStatus::Accepted {
            return Err(FulfilError::new(format!(
                "fulfil called for a {} payment",
                payment.status
            )));
        }
        let act = self.begin(payment, attempt);
        let _running = InFlight {
            merchant: self,
            id: payment.transaction_id.to_string(),
        };
        match act {
            Act::Succeed => {}
            Act::Fail(why) => return Err(FulfilError::new(why)),
            Act::Panic => std::panic::panic_any(PANIC_MESSAGE),
            Act::Hang => std::future::pending::<()>().await,
            Act::Sleep(pause) => tokio::time::sleep(pause).await,
            Act::WaitFor(gate) => {
                let _permit = gate
                    .acquire()
                    .await
                    .map_err(|_| FulfilError::new("the gate was closed"))?;
            }
        }
        if let Some(inner) = &self.inner {
            inner.fulfil(payment, attempt).await?;
        }
        let mut state = self.lock();
        if let Some(ledger) = state.ledgers.get_mut(payment.transaction_id.as_str()) {
            ledger.successes += 1;
        }
        state.fulfilled.push(payment.transaction_id.clone());
        Ok(())
    }

    async fn payment_failed(&self, payment: &Payment) -> Result<(), FulfilError> {
        self.lock()
            .ledgers
            .entry(payment.transaction_id.to_string())
            .or_default()
            .failure_notices += 1;
        match &self.inner {
            Some(inner) => inner.payment_failed(payment).await,
            None => Ok(()),
        }
    }

    async fn payment_needs_refund(
        &self,
        payment: &Payment,
        reason: &RefundReason,
    ) -> Result<(), FulfilError> {
        self.lock()
            .ledgers
            .entry(payment.transaction_id.to_string())
            .or_default()
            .refunds
            .push(reason.clone());
        match &self.inner {
            Some(inner) => inner.payment_needs_refund(payment, reason).await,
            None => Ok(()),
        }
    }

    fn records_delivery(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|inner| inner.records_delivery())
    }
}
