//! The cases of the suite, one public async fn each, grouped by what they cover.

mod deliveries;
mod fulfilment;
mod lists;
mod payments;
mod races;
mod status;

pub use deliveries::{
    delivery_log_batches, delivery_log_bounded_strings, delivery_log_order_and_limit,
};
pub use fulfilment::{
    claim_and_complete, claim_requires_accepted, complete_after_lease_expiry_without_takeover,
    expired_lease_takeover, release_schedules_retry,
};
pub use lists::{due_fulfilments_filters_and_order, stale_pending_filters_and_order};
pub use payments::{
    attach_payment_page, duplicate_transaction_id_is_conflict, insert_and_find_round_trip,
    open_slot_per_order, payments_for_order_newest_first, transition_closes_open_slot,
    unknown_transaction_changes_nothing,
};
pub use races::{
    race_claim_one_winner, race_complete_against_takeover, race_failure_notice_once,
    race_insert_one_open_payment, race_many_payments_one_winner_each, race_takeover_one_winner,
    race_transition_one_applied,
};
pub use status::{failure_notice_exactly_once, transition_compare_and_set};
