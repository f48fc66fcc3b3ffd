//! What the sandbox did and was asked: every notification it sent and every
//! check it answered, for assertions in tests.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why a notification was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A `GET` ping without data.
    Ping,
    /// An intermediate state (`WAITING` or `REFUSED` first).
    Intermediate,
    /// The (first copy of the) final state of a decision.
    Final,
    /// A further copy of the final notification.
    Duplicate,
    /// One more notification after the final ones.
    Extra,
    /// Sent on demand ([`Sandbox::notify_again`](crate::Sandbox::notify_again)).
    Manual,
}

/// One notification the sandbox sent to a shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    /// Order of sending, from 1, across the sandbox.
    pub seq: u64,
    /// The transaction it is about.
    pub transaction_id: String,
    /// Why it was sent.
    pub kind: NotificationKind,
    /// `POST` or `GET`.
    pub method: &'static str,
    /// Where it went.
    pub url: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The form fields, in the order posted (empty for a ping); for a 2026
    /// notification, the text fields of its JSON body (`notify_token`,
    /// `merchant_transaction_id`, `transaction_id`).
    pub fields: Vec<(String, String)>,
    /// The `x-token` header sent, if any (v2 only).
    pub x_token: Option<String>,
    /// The JSON body of a 2026 notification; `None` for a v2 form or a ping.
    pub json: Option<serde_json::Value>,
    /// The payment state the notification was about (`accepted`, `waiting`...).
    pub state: String,
    /// The shop's HTTP status, when it answered.
    pub status: Option<u16>,
    /// The start of the shop's body (at most 2000 characters).
    pub body: Option<String>,
    /// Transport error or timeout, when the shop did not answer.
    pub error: Option<String>,
    /// How long the shop took.
    pub duration_ms: u64,
}

impl NotificationRecord {
    /// A field's value as posted.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The shop answered `200`.
    pub fn delivered(&self) -> bool {
        self.status == Some(200)
    }
}

/// One call to `/v2/payment/check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckRecord {
    /// Order of arrival, from 1, across the sandbox.
    pub seq: u64,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The transaction id asked for, if any.
    pub transaction_id: Option<String>,
    /// The token asked for, if any.
    pub token: Option<String>,
    /// `json` or `form`.
    pub format: &'static str,
    /// The HTTP status answered (`0` when the call hung past shutdown).
    pub http_status: u16,
    /// The result code answered, when an envelope was sent.
    pub code: Option<String>,
    /// `data.status` answered, when data was sent.
    pub status: Option<String>,
    /// The fault injected, if any: `http_500`, `hang`, `tampered`.
    pub fault: Option<&'static str>,
}
