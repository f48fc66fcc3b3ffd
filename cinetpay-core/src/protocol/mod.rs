//! CinetPay Checkout API v2 on the wire: requests, responses, result codes,
//! notifications and the `x-token` signature.
//!
//! The wire structs keep CinetPay's own field names and accept what the real
//! API sends (numbers as strings, `null`s, blank dates, older shapes, unknown
//! fields). Typed, validated values live in [`crate::values`].

mod check;
mod codes;
mod envelope;
mod init;
mod notification;
mod outcome;
mod received;
mod x_token;

pub use check::{CheckData, CheckRequest};
pub use codes::{CodeClass, ResultCode};
pub use envelope::Envelope;
pub use init::{
    InitData, InitRequest, InvoiceData, InvoiceDataError, Lang, PaymentRequest, PaymentRequestError,
};
pub use notification::{NOTIFICATION_FIELDS, Notification, NotificationError};
pub use outcome::CheckOutcome;
pub use received::Fields;
pub use x_token::{XTokenError, XTokenMatch, sign, sign_received_order, verify_x_token};
