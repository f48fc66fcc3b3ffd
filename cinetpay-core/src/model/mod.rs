//! The domain model the engine and every [`PaymentStore`](crate::PaymentStore) share.

mod delivery;
mod payment;
mod status;

pub use delivery::{DeliveryRecord, DeliverySource};
pub use payment::{CheckSnapshot, Fulfilment, FulfilmentClaim, NewPayment, Payment, Timestamp};
pub use status::{PaymentStatus, PaymentStatusError};
