//! The domain model the engine and every [`PaymentStore`](crate::PaymentStore) share.

mod account;
mod attention;
mod delivery;
mod payment;
mod status;
mod summary;
mod text;

pub use account::{AccountName, AccountNameError, Generation, GenerationError};
pub use attention::{Attention, RefundReason};
pub use delivery::{DeliveryRecord, DeliverySource};
pub use payment::{
    CheckSnapshot, Fulfilment, FulfilmentClaim, NewPayment, Owed, Payment, Timestamp,
};
pub use status::{PaymentStatus, PaymentStatusError};
pub use summary::{PaymentLookup, PaymentSummary};
pub use text::storable;
