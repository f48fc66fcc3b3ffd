//! Admin decisions: `POST /_sandbox/payments/{tx}/{pay,refuse,cancel,wait,expire,ping,notify}`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::{AdminError, json_body, sandbox};
use crate::decision::Decision;
use crate::operator::Operator;
use crate::payment::PaymentSnapshot;
use crate::record::NotificationRecord;
use crate::scenario::Scenario;
use crate::state::Shared;

/// The optional JSON body of a decision:
/// `{"operator":"OM","phone":"0707000001","code":"602","scenario":{...}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct DecisionBody {
    /// Default `OM`.
    operator: Option<Operator>,
    /// For `pay`.
    phone: Option<String>,
    /// For `refuse` (default `600`) and `wait` (default `662`).
    code: Option<String>,
    /// A scenario for this decision only.
    scenario: Option<Scenario>,
}

type Decided = Result<Json<PaymentSnapshot>, AdminError>;

fn apply(
    shared: &Arc<Shared>,
    tx: &str,
    body: DecisionBody,
    decision: impl FnOnce(Operator, Option<String>, Option<String>) -> Decision,
) -> Decided {
    let operator = body.operator.unwrap_or(Operator::OrangeMoney);
    let decision = decision(operator, body.phone, body.code);
    let s = sandbox(shared);
    let snapshot = match body.scenario {
        Some(scenario) => s.decide_with(tx, decision, scenario)?,
        None => s.decide(tx, decision)?,
    };
    Ok(Json(snapshot))
}

pub(super) async fn pay(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Decided {
    apply(&shared, &tx, json_body(&body)?, |operator, phone, _| {
        Decision::Pay { operator, phone }
    })
}

pub(super) async fn refuse(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Decided {
    apply(&shared, &tx, json_body(&body)?, |operator, _, code| {
        Decision::Refuse {
            operator,
            code: code.unwrap_or_else(|| "600".to_owned()),
        }
    })
}

pub(super) async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Decided {
    apply(&shared, &tx, json_body(&body)?, |_, _, _| Decision::Cancel)
}

pub(super) async fn wait(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    body: Bytes,
) -> Decided {
    apply(&shared, &tx, json_body(&body)?, |operator, _, code| {
        Decision::Wait {
            operator,
            code: code.unwrap_or_else(|| "662".to_owned()),
        }
    })
}

pub(super) async fn expire(State(shared): State<Arc<Shared>>, Path(tx): Path<String>) -> Decided {
    Ok(Json(sandbox(&shared).expire(&tx)?))
}

pub(super) async fn ping(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<Json<NotificationRecord>, AdminError> {
    Ok(Json(sandbox(&shared).notify_ping(&tx).await?))
}

pub(super) async fn notify_again(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<Json<NotificationRecord>, AdminError> {
    Ok(Json(sandbox(&shared).notify_again(&tx).await?))
}
