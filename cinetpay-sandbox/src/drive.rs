//! Applies a decision to a payment: validates it, moves the state, and starts
//! the notification plan of the scenario in force.

use std::sync::Arc;

use chrono::Utc;

use crate::codes::{self, Kind};
use crate::decision::Decision;
use crate::error::SandboxError;
use crate::notify::plan::{self, Plan};
use crate::payment::{PaymentSnapshot, PaymentState};
use crate::scenario::Scenario;
use crate::state::Shared;

fn check_code(code: &str, kind: Kind, expected: &'static str) -> Result<(), SandboxError> {
    if codes::kind(code) == Some(kind) {
        Ok(())
    } else {
        Err(SandboxError::InvalidCode {
            code: code.chars().take(16).collect(),
            expected,
        })
    }
}

/// The states a scenario walks through for a decision; the last is the
/// decision's own.
fn steps(scenario: &Scenario, final_state: PaymentState) -> Vec<PaymentState> {
    let mut steps = Vec::new();
    if scenario.waiting_first && !matches!(final_state, PaymentState::Waiting { .. }) {
        steps.push(PaymentState::Waiting {
            code: "662".to_owned(),
        });
    }
    if scenario.refused_first && final_state.is_accepted() {
        steps.push(PaymentState::Refused {
            code: "600".to_owned(),
        });
    }
    steps.push(final_state);
    steps
}

/// Applies `decision` to `transaction_id` with `scenario` (else the payment's
/// own, else the global one). The first state is set before this returns;
/// notifications follow in the background.
pub(crate) fn decide(
    shared: &Arc<Shared>,
    transaction_id: &str,
    decision: Decision,
    scenario: Option<Scenario>,
) -> Result<PaymentSnapshot, SandboxError> {
    match &decision {
        Decision::Refuse { code, .. } => check_code(code, Kind::Failure, "failure")?,
        Decision::Wait { code, .. } => check_code(code, Kind::Pending, "pending")?,
        Decision::Pay { .. } | Decision::Cancel => {}
    }
    let mut state = shared.lock();
    let global = state.scenario.clone();
    let payment = state
        .payments
        .get_mut(transaction_id)
        .ok_or_else(|| SandboxError::UnknownTransaction(transaction_id.to_owned()))?;
    if payment.state.is_accepted() {
        return Err(SandboxError::AlreadyAccepted(transaction_id.to_owned()));
    }
    if let Some(operator) = decision.operator() {
        if !payment.offers(operator) {
            return Err(SandboxError::OperatorNotOffered {
                transaction_id: transaction_id.to_owned(),
                operator,
                channels: payment.request.channels.clone(),
            });
        }
        let phone = match &decision {
            Decision::Pay {
                phone: Some(phone), ..
            } if !phone.trim().is_empty() => phone.trim().to_owned(),
            _ => payment.payer_phone(operator),
        };
        payment.operator = Some(operator);
        payment.phone = Some(phone);
    }
    let scenario = scenario
        .or_else(|| payment.scenario.clone())
        .unwrap_or(global);
    let final_state = decision.state();
    let mut steps = if scenario.never_send {
        vec![final_state]
    } else {
        steps(&scenario, final_state)
    };
    payment.generation += 1;
    let first = steps.remove(0);
    payment.enter(first, Utc::now());
    let snapshot = payment.snapshot(shared.payment_url(&payment.token));
    let generation = payment.generation;
    drop(state);
    tracing::info!(transaction_id, ?decision, "decision");
    if !scenario.never_send {
        plan::spawn(
            Arc::clone(shared),
            Plan {
                transaction_id: transaction_id.to_owned(),
                generation,
                later_steps: steps,
                scenario,
            },
        );
    }
    Ok(snapshot)
}
