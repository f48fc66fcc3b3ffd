//! Admin scenario and check-fault settings, global and per payment.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{AdminError, json_body, sandbox};
use crate::faults::CheckFaults;
use crate::scenario::Scenario;
use crate::state::Shared;

pub(super) async fn get_scenario(State(shared): State<Arc<Shared>>) -> Json<Scenario> {
    Json(sandbox(&shared).scenario())
}

pub(super) async fn put_scenario(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Scenario>, AdminError> {
    let scenario: Scenario = json_body(&body)?;
    sandbox(&shared).set_scenario(scenario.clone());
    Ok(Json(scenario))
}

pub(super) async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<CheckFaults> {
    Json(sandbox(&shared).check_faults())
}

pub(super) async fn put_faults(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<CheckFaults>, AdminError> {
    let faults: CheckFaults = json_body(&body)?;
    sandbox(&shared).set_check_faults(faults.clone());
    Ok(Json(faults))
}

pub(super) async fn put_payment_scenario(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Result<Json<Scenario>, AdminError> {
    let scenario: Scenario = json_body(&body)?;
    sandbox(&shared).set_payment_scenario(&tx, Some(scenario.clone()))?;
    Ok(Json(scenario))
}

pub(super) async fn delete_payment_scenario(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<StatusCode, AdminError> {
    sandbox(&shared).set_payment_scenario(&tx, None)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn put_payment_faults(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Result<Json<CheckFaults>, AdminError> {
    let faults: CheckFaults = json_body(&body)?;
    sandbox(&shared).set_payment_check_faults(&tx, Some(faults.clone()))?;
    Ok(Json(faults))
}

pub(super) async fn delete_payment_faults(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<StatusCode, AdminError> {
    sandbox(&shared).set_payment_check_faults(&tx, None)?;
    Ok(StatusCode::NO_CONTENT)
}
