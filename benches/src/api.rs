//! The two CinetPay API generations the notification runs measure: Checkout
//! v2 (form notifications signed with `x-token`, `/v2/payment/check`) and the
//! 2026 REST API (JSON notifications carrying the payment's `notify_token`,
//! `GET /v1/payment/{id}` with a bearer token from `POST /v1/oauth/login`).
//! One sandbox serves both.

use serde::Serialize;

use crate::cli::ServerKind;

/// Which API a pair of servers and its payments speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub(crate) enum Api {
    /// Checkout v2.
    #[serde(rename = "v2")]
    V2,
    /// The 2026 REST API.
    #[serde(rename = "2026")]
    Rest2026,
}

impl Api {
    /// `v2` or `2026`, as the report writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::V2 => "v2",
            Api::Rest2026 => "2026",
        }
    }

    /// Ours and the naive handler for this API.
    pub(crate) fn servers(self) -> (ServerKind, ServerKind) {
        match self {
            Api::V2 => (ServerKind::Shop, ServerKind::Naive),
            Api::Rest2026 => (ServerKind::Shop2026, ServerKind::Naive2026),
        }
    }

    /// The prefix of the ids of the payments a run adds (and removes after
    /// it). The 2026 API takes only `A-Z`, `0-9` and `-`.
    pub(crate) fn added_prefix(self) -> &'static str {
        match self {
            Api::V2 => crate::db::ADDED_PREFIX,
            Api::Rest2026 => crate::db::ADDED_PREFIX_2026,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_prefixes() {
        assert_eq!(Api::V2.name(), "v2");
        assert_eq!(Api::Rest2026.name(), "2026");
        assert_eq!(
            serde_json::to_value(Api::Rest2026).unwrap_or_default(),
            "2026"
        );
        assert!(
            Api::Rest2026
                .added_prefix()
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '-')
        );
    }
}
