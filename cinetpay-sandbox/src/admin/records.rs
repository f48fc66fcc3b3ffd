//! Admin reads: payments, notifications, checks, and waiting for deliveries.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::{AdminError, sandbox};
use crate::error::SandboxError;
use crate::payment::PaymentSnapshot;
use crate::record::{CheckRecord, NotificationRecord};
use crate::state::Shared;

/// Longest wait an admin call may ask for.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// `?transaction_id=...` filter.
#[derive(Debug, Deserialize)]
pub(super) struct Filter {
    transaction_id: Option<String>,
}

/// `?timeout_ms=...` (default 10 000, at most 120 000).
#[derive(Debug, Deserialize)]
pub(super) struct WaitFor {
    timeout_ms: Option<u64>,
}

impl WaitFor {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unwrap_or(10_000)).min(MAX_WAIT)
    }
}

pub(super) async fn payments(State(shared): State<Arc<Shared>>) -> Json<Vec<PaymentSnapshot>> {
    Json(sandbox(&shared).payments())
}

pub(super) async fn payment(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<Json<PaymentSnapshot>, AdminError> {
    sandbox(&shared)
        .payment(&tx)
        .map(Json)
        .ok_or_else(|| SandboxError::UnknownTransaction(tx).into())
}

pub(super) async fn notifications(
    State(shared): State<Arc<Shared>>,
    Query(filter): Query<Filter>,
) -> Json<Vec<NotificationRecord>> {
    let s = sandbox(&shared);
    Json(match filter.transaction_id {
        Some(tx) => s.notifications_for(&tx),
        None => s.notifications(),
    })
}

pub(super) async fn checks(
    State(shared): State<Arc<Shared>>,
    Query(filter): Query<Filter>,
) -> Json<Vec<CheckRecord>> {
    let s = sandbox(&shared);
    Json(match filter.transaction_id {
        Some(tx) => s.checks_for(&tx),
        None => s.checks(),
    })
}

fn known(shared: &Arc<Shared>, tx: &str) -> Result<(), AdminError> {
    sandbox(shared)
        .payment(tx)
        .map(|_| ())
        .ok_or_else(|| SandboxError::UnknownTransaction(tx.to_owned()).into())
}

pub(super) async fn payment_notifications(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<Json<Vec<NotificationRecord>>, AdminError> {
    known(&shared, &tx)?;
    Ok(Json(sandbox(&shared).notifications_for(&tx)))
}

pub(super) async fn payment_checks(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
) -> Result<Json<Vec<CheckRecord>>, AdminError> {
    known(&shared, &tx)?;
    Ok(Json(sandbox(&shared).checks_for(&tx)))
}

/// Long-polls until the payment's notifications are all sent; answers them.
pub(super) async fn wait_payment(
    State(shared): State<Arc<Shared>>,
    Path(tx): Path<String>,
    Query(wait): Query<WaitFor>,
) -> Result<Json<Vec<NotificationRecord>>, AdminError> {
    known(&shared, &tx)?;
    Ok(Json(
        sandbox(&shared)
            .wait_notifications(&tx, wait.timeout())
            .await?,
    ))
}

/// Long-polls until no notification is scheduled at all.
pub(super) async fn wait_all(
    State(shared): State<Arc<Shared>>,
    Query(wait): Query<WaitFor>,
) -> Result<Json<Vec<NotificationRecord>>, AdminError> {
    let s = sandbox(&shared);
    s.wait_idle(wait.timeout()).await?;
    Ok(Json(s.notifications()))
}
