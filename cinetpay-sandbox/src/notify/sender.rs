//! Delivers one notification (or ping) to a shop and records the outcome.

use std::time::Instant;

use chrono::Utc;
use reqwest::header::CONTENT_TYPE;

use super::fields::Notice;
use crate::record::{NotificationKind, NotificationRecord};
use crate::state::Shared;

/// Longest part of a shop's answer kept in a record.
const BODY_EXCERPT: usize = 2000;

/// What the shop answered.
type Outcome = Result<(u16, String), String>;

/// Posts `notice` to `url` as CinetPay does (v2: form-urlencoded with an
/// `x-token` header; 2026: JSON), waits for the answer within the sandbox's
/// notify timeout, and records it.
pub(crate) async fn post(
    shared: &Shared,
    transaction_id: &str,
    url: &str,
    kind: NotificationKind,
    notice: Notice,
) -> NotificationRecord {
    let mut request = match &notice.json {
        Some(json) => shared
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(json.to_string()),
        None => {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(notice.fields.iter())
                .finish();
            shared
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
        }
    };
    if let Some(token) = &notice.x_token {
        request = request.header("x-token", token);
    }
    let pending = Pending::start(shared, transaction_id, url, kind, "POST");
    let outcome = deliver(shared, request).await;
    pending.finish(shared, notice, outcome)
}

/// Sends CinetPay's `GET` ping (no data) to `url` and records it.
pub(crate) async fn ping(shared: &Shared, transaction_id: &str, url: &str) -> NotificationRecord {
    let pending = Pending::start(shared, transaction_id, url, NotificationKind::Ping, "GET");
    let outcome = deliver(shared, shared.http.get(url)).await;
    let notice = Notice {
        fields: Vec::new(),
        x_token: None,
        json: None,
        state: "ping".to_owned(),
    };
    pending.finish(shared, notice, outcome)
}

async fn deliver(shared: &Shared, request: reqwest::RequestBuilder) -> Outcome {
    let exchange = async {
        let response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(describe)?;
        Ok((status, body.chars().take(BODY_EXCERPT).collect()))
    };
    tokio::select! {
        outcome = exchange => outcome,
        () = shared.stopped() => Err("the sandbox shut down before the shop answered".to_owned()),
    }
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "the shop did not answer in time".to_owned()
    } else if e.is_connect() {
        format!("cannot connect to the shop: {e}")
    } else {
        e.to_string()
    }
}

/// A delivery under way: its sequence number and start time.
struct Pending {
    seq: u64,
    transaction_id: String,
    url: String,
    kind: NotificationKind,
    method: &'static str,
    sent_at: chrono::DateTime<Utc>,
    started: Instant,
}

impl Pending {
    fn start(
        shared: &Shared,
        transaction_id: &str,
        url: &str,
        kind: NotificationKind,
        method: &'static str,
    ) -> Self {
        Pending {
            seq: shared.lock().next_seq(),
            transaction_id: transaction_id.to_owned(),
            url: url.to_owned(),
            kind,
            method,
            sent_at: Utc::now(),
            started: Instant::now(),
        }
    }

    fn finish(self, shared: &Shared, notice: Notice, outcome: Outcome) -> NotificationRecord {
        let (status, body, error) = match outcome {
            Ok((status, body)) => (Some(status), Some(body), None),
            Err(e) => (None, None, Some(e)),
        };
        let record = NotificationRecord {
            seq: self.seq,
            transaction_id: self.transaction_id,
            kind: self.kind,
            method: self.method,
            url: self.url,
            sent_at: self.sent_at,
            fields: notice.fields,
            x_token: notice.x_token,
            json: notice.json,
            state: notice.state,
            status,
            body,
            error,
            duration_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        match (&record.status, &record.error) {
            (Some(200), _) => tracing::info!(
                transaction_id = %record.transaction_id, kind = ?record.kind, state = %record.state,
                "notification delivered"
            ),
            (Some(status), _) => tracing::warn!(
                transaction_id = %record.transaction_id, kind = ?record.kind, status,
                "the shop did not answer 200 to a notification"
            ),
            (None, error) => tracing::warn!(
                transaction_id = %record.transaction_id, kind = ?record.kind, error = ?error,
                "notification not delivered"
            ),
        }
        shared.lock().record_notification(record.clone());
        shared.bump();
        record
    }
}
