use std::fmt;

use serde::{Deserialize, Serialize};

use super::Timestamp;

/// What told the engine to look at a payment.
///
/// Stored in the delivery log by its [`as_str`](Self::as_str) name, which
/// [`FromStr`](std::str::FromStr) reads back:
///
/// ```
/// use cinetpay_core::DeliverySource;
/// for source in [
///     DeliverySource::Notify,
///     DeliverySource::Return,
///     DeliverySource::Reconcile,
///     DeliverySource::Operator,
/// ] {
///     assert_eq!(source.as_str().parse::<DeliverySource>(), Ok(source));
/// }
/// assert_eq!(DeliverySource::Operator.to_string(), "operator");
/// assert!("cron".parse::<DeliverySource>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverySource {
    /// CinetPay's server-to-server notification.
    Notify,
    /// The customer's browser coming back.
    Return,
    /// The background reconciler.
    Reconcile,
    /// An operator's command (`cinetpay sync`, `cinetpay reconcile`): a
    /// person asked, not CinetPay nor the customer.
    Operator,
}

impl DeliverySource {
    /// The stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliverySource::Notify => "notify",
            DeliverySource::Return => "return",
            DeliverySource::Reconcile => "reconcile",
            DeliverySource::Operator => "operator",
        }
    }
}

impl fmt::Display for DeliverySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeliverySource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "notify" => Ok(DeliverySource::Notify),
            "return" => Ok(DeliverySource::Return),
            "reconcile" => Ok(DeliverySource::Reconcile),
            "operator" => Ok(DeliverySource::Operator),
            other => Err(format!("unknown delivery source {other:?}")),
        }
    }
}

/// One line of the delivery log: a notification, a return or a reconciliation
/// pass, and what the engine made of it.
///
/// `transaction_id` is the raw id as received (bounded to 64 characters), so that
/// notifications for unknown or malformed ids are logged too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The transaction id as received.
    pub transaction_id: String,
    /// Where it came from.
    pub source: DeliverySource,
    /// A short outcome, such as `"accepted, fulfilled"` or `"bad x-token"` (at most 255 characters).
    pub outcome: String,
    /// When it was received.
    pub at: Timestamp,
}

impl DeliveryRecord {
    /// Longest `transaction_id` kept.
    pub const MAX_ID_LEN: usize = 64;
    /// Longest `outcome` kept.
    pub const MAX_OUTCOME_LEN: usize = 255;

    /// A record with both strings cut to their bounds and NUL bytes replaced
    /// (see [`storable`](super::storable)).
    pub fn new(transaction_id: &str, source: DeliverySource, outcome: &str, at: Timestamp) -> Self {
        DeliveryRecord {
            transaction_id: super::storable(transaction_id, Self::MAX_ID_LEN),
            source,
            outcome: super::storable(outcome, Self::MAX_OUTCOME_LEN),
            at,
        }
    }
}
