//! The cases, by theme. Each takes a started [`World`] and
//! panics with a message naming what a user would have seen go wrong.
//!
//! Add a case here and to the list in `tests/matrix.rs`, and it runs on every
//! adapter and store. The cases of the 2026 REST API are in [`rest2026`]
//! (their own list in `tests/matrix.rs`, run on every adapter and store too).

mod duplicates;
mod faults;
mod happy;
mod init;
mod rejects;
pub mod rest2026;
mod tampering;

pub use duplicates::*;
pub use faults::*;
pub use happy::*;
pub use init::*;
pub use rejects::*;
pub use tampering::*;

use cinetpay_sandbox::NotificationRecord;

use crate::world::{OrderJson, World};

/// The shop's answers to a list of notifications, in sending order
/// (`None`: no answer).
pub(crate) fn answers(sent: &[NotificationRecord]) -> Vec<Option<u16>> {
    sent.iter().map(|r| r.status).collect()
}

/// Asserts the order's payment status and number of deliveries, all of them
/// paid by `transaction_id`.
pub(crate) fn assert_order(
    order: &OrderJson,
    status: &str,
    deliveries: usize,
    transaction_id: &str,
) {
    assert_eq!(
        order.payment_status, status,
        "payment status of order {}: {order:?}",
        order.order_ref
    );
    assert_eq!(
        order.deliveries.len(),
        deliveries,
        "deliveries of order {}: {order:?}",
        order.order_ref
    );
    assert!(
        order
            .deliveries
            .iter()
            .all(|d| d.transaction_id == transaction_id),
        "every delivery is paid by {transaction_id}: {order:?}"
    );
    assert_eq!(
        order.transaction_id.as_deref(),
        Some(transaction_id),
        "the order shows its payment"
    );
}

/// Where the return sends the browser for a payment of `order_ref` in `status`.
pub(crate) fn order_page(order_ref: &str, status: &str, transaction_id: &str) -> String {
    format!("/orders/{order_ref}?payment={status}&transaction_id={transaction_id}")
}

/// Asserts that the world's shop and sandbox agree nothing was delivered
/// twice: the store's attempt count for the payment.
pub(crate) async fn assert_attempts(w: &World, transaction_id: &str, attempts: u32) {
    let payment = w
        .payment(transaction_id)
        .await
        .expect("the payment is stored");
    assert_eq!(
        payment.fulfilment.attempts, attempts,
        "fulfiller attempts of {transaction_id}: {:?}",
        payment.fulfilment
    );
}
