//! Applies a decision to a payment: validates it, moves the state, and starts
//! the notification plan of the scenario in force.

use std::sync::Arc;

use chrono::Utc;

use crate::codes::{self, Kind};
use crate::decision::Decision;
use crate::error::SandboxError;
use crate::notify::plan::{self, Plan};
use crate::payment::{PaymentSnapshot, PaymentState};
use crate::rest::codes as rest_codes;
use crate::scenario::Scenario;
use crate::state::Shared;

/// Whether `code` is of `kind`: a v2 code for any payment, a 2026 code
/// (`2010`, `2002`...) also for a 2026 one.
fn check_code(
    code: &str,
    kind: Kind,
    expected: &'static str,
    rest: bool,
) -> Result<(), SandboxError> {
    if codes::kind(code) == Some(kind) || (rest && rest_codes::kind(code) == Some(kind)) {
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
    decide_as(shared, transaction_id, decision, scenario, None)
}

/// [`decide`], with the payer's number known whatever the decision (the
/// number a customer typed on a 2026 page, also when the payment fails).
pub(crate) fn decide_as(
    shared: &Arc<Shared>,
    transaction_id: &str,
    decision: Decision,
    scenario: Option<Scenario>,
    payer: Option<String>,
) -> Result<PaymentSnapshot, SandboxError> {
    let rest = shared
        .lock()
        .payments
        .get(transaction_id)
        .is_some_and(|p| p.rest.is_some());
    match &decision {
        Decision::Refuse { code, .. } => check_code(code, Kind::Failure, "failure", rest)?,
        Decision::Wait { code, .. } => check_code(code, Kind::Pending, "pending", rest)?,
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
        let phone = match (&decision, payer) {
            (_, Some(payer)) => payer,
            (
                Decision::Pay {
                    phone: Some(phone), ..
                },
                None,
            ) if !phone.trim().is_empty() => phone.trim().to_owned(),
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

/// The scenario a decision on `transaction_id` plays when given none: the
/// payment's own, else the global one.
pub(crate) fn scenario_in_force(
    shared: &Shared,
    transaction_id: &str,
) -> Result<Scenario, SandboxError> {
    let state = shared.lock();
    let payment = state
        .payments
        .get(transaction_id)
        .ok_or_else(|| SandboxError::UnknownTransaction(transaction_id.to_owned()))?;
    Ok(payment
        .scenario
        .clone()
        .unwrap_or_else(|| state.scenario.clone()))
}
