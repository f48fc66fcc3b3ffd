//! The cases of the suite, one public async fn each, grouped by what they cover.

mod accounts;
mod combined;
mod deliveries;
mod fulfilment;
mod lists;
mod payments;
mod races;
mod status;

pub use accounts::{
    account_and_generation_round_trip, attach_payment_page_records_the_2026_answer,
    find_for_notification_matches_the_payment, no_notify_token_without_a_2026_page,
};
pub use combined::{
    accept_and_claim_in_one_step, accept_and_claim_refused, complete_and_record_in_one_step,
    race_accept_and_claim_one_winner,
};
pub use deliveries::{
    delivery_log_batches, delivery_log_bounded_strings, delivery_log_order_and_limit,
};
pub use fulfilment::{
    claim_and_complete, claim_requires_accepted, complete_after_lease_expiry_without_takeover,
    expired_lease_takeover, lease_on_the_store_clock, refund_notice_claim_protocol,
    release_keep_lease, release_schedules_retry,
};
pub use lists::{
    due_fulfilments_filters_and_order, list_payments_filters_and_pages,
    payments_to_poll_filters_and_order, polling_reaches_every_candidate,
};
pub use payments::{
    attach_payment_page, duplicate_transaction_id_is_conflict, insert_and_find_round_trip,
    open_slot_per_order, payments_for_order_newest_first, superseded_payment_is_never_accepted,
    transition_closes_open_slot, unknown_transaction_changes_nothing,
};
pub use races::{
    race_accept_across_instances, race_accept_one_payer, race_claim_across_instances,
    race_claim_one_winner, race_complete_against_takeover, race_failure_notice_once,
    race_insert_across_instances, race_insert_one_open_payment, race_many_payments_one_winner_each,
    race_takeover_one_winner, race_transition_across_instances, race_transition_one_applied,
};
pub use status::{
    failure_notice_exactly_once, one_accepted_payment_per_order, record_check_keeps_status,
    transition_compare_and_set,
};
