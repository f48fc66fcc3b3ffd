//! Plays a scenario's notification steps in the background.

use std::sync::Arc;

use chrono::Utc;
use futures_util::future::join_all;

use super::fields::{Notice, notice};
use super::sender;
use crate::payment::PaymentState;
use crate::record::NotificationKind;
use crate::scenario::Scenario;
use crate::state::Shared;

/// The notifications that follow one decision.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) transaction_id: String,
    /// The payment's generation when the decision was made; a newer decision
    /// stops this plan.
    pub(crate) generation: u64,
    /// States still to enter, one notification each (the first state was set
    /// by the decision itself); the last one is the final state.
    pub(crate) later_steps: Vec<PaymentState>,
    pub(crate) scenario: Scenario,
}

/// Starts the plan; [`crate::Sandbox::wait_notifications`] waits for it.
pub(crate) fn spawn(shared: Arc<Shared>, plan: Plan) {
    let delivery = shared.begin_delivery(&plan.transaction_id);
    let runtime = shared.runtime.clone();
    runtime.spawn(async move {
        let _delivery = delivery;
        run(&shared, plan).await;
    });
}

async fn run(shared: &Shared, plan: Plan) {
    let Plan {
        transaction_id: tx,
        generation,
        later_steps,
        scenario,
    } = plan;
    if !shared.sleep(scenario.delay).await {
        return;
    }
    if scenario.ping_first {
        let Some((url, _)) = current(shared, &tx, generation, &scenario) else {
            return;
        };
        sender::ping(shared, &tx, &url).await;
    }
    let total = later_steps.len() + 1;
    let mut later = later_steps.into_iter();
    for step in 0..total {
        if step > 0 {
            if !shared.sleep(scenario.interval).await {
                return;
            }
            let Some(state) = later.next() else { return };
            if !advance(shared, &tx, generation, state) {
                return;
            }
        }
        let Some((url, notice)) = current(shared, &tx, generation, &scenario) else {
            return;
        };
        let Some(notice) = notice else { continue };
        if step + 1 < total {
            sender::post(shared, &tx, &url, NotificationKind::Intermediate, notice).await;
        } else {
            copies(shared, &tx, &url, notice, &scenario).await;
        }
    }
    if scenario.extra_after_final {
        if !shared.sleep(scenario.interval).await {
            return;
        }
        if let Some((url, Some(notice))) = current(shared, &tx, generation, &scenario) {
            sender::post(shared, &tx, &url, NotificationKind::Extra, notice).await;
        }
    }
}

/// Sends the final notification `scenario.copies` times.
async fn copies(shared: &Shared, tx: &str, url: &str, notice: Notice, scenario: &Scenario) {
    let count = scenario.copies.max(1);
    let kind = |i: u32| {
        if i == 0 {
            NotificationKind::Final
        } else {
            NotificationKind::Duplicate
        }
    };
    if scenario.concurrent {
        join_all((0..count).map(|i| sender::post(shared, tx, url, kind(i), notice.clone()))).await;
    } else {
        for i in 0..count {
            sender::post(shared, tx, url, kind(i), notice.clone()).await;
        }
    }
}

/// Enters the next state, unless a newer decision superseded the plan.
fn advance(shared: &Shared, tx: &str, generation: u64, state: PaymentState) -> bool {
    let mut guard = shared.lock();
    match guard.payments.get_mut(tx) {
        Some(p) if p.generation == generation => {
            p.enter(state, Utc::now());
            true
        }
        _ => false,
    }
}

/// The payment's `notify_url` and current notification, unless a newer
/// decision superseded the plan (or the sandbox was reset). The notification
/// is `None` for a 2026 payment that is not in a final state: CinetPay
/// notifies those "when a transaction reaches a final status".
fn current(
    shared: &Shared,
    tx: &str,
    generation: u64,
    scenario: &Scenario,
) -> Option<(String, Option<Notice>)> {
    let guard = shared.lock();
    let p = guard
        .payments
        .get(tx)
        .filter(|p| p.generation == generation)?;
    let notice =
        (p.rest.is_none() || p.state.is_final()).then(|| notice(&shared.config, p, scenario));
    Some((p.request.notify_url.clone(), notice))
}
