//! Notifications to the shop's `notify_url`: their fields and signature
//! ([`fields`]), the 2026 JSON body ([`json`]), their delivery and record
//! ([`sender`]), and the steps a scenario plays after a decision ([`plan`]).

pub(crate) mod fields;
pub(crate) mod json;
pub(crate) mod plan;
pub(crate) mod sender;
