//! # cinetpay-sandbox
//!
//! A local CinetPay Checkout API v2 for tests and development.
//!
//! Start it on an ephemeral port, point a `cinetpay_core::Client` (or a shop)
//! at [`Sandbox::url`], initialise a payment, decide it headless with
//! [`Sandbox::pay`], and wait for the signed notification:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use cinetpay_core::{protocol::PaymentRequest, *};
//! use cinetpay_sandbox::{Operator, Sandbox};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let client = Client::new(sandbox.credentials(), sandbox.client_config())?;
//! let request = PaymentRequest::new(
//!     TransactionId::generate(),
//!     Money::new(Amount::new(1000)?, Currency::Xof),
//!     Description::new("Commande 42")?,
//!     "http://127.0.0.1:9/notify".parse()?, // nobody listens: the delivery fails, and is recorded
//!     "http://127.0.0.1:9/return".parse()?,
//! );
//! client.init_payment(&request).await?;
//! let tx = request.transaction_id.as_str();
//! sandbox.pay(tx, Operator::OrangeMoney)?;
//! let sent = sandbox.wait_notifications(tx, Duration::from_secs(10)).await?;
//! assert_eq!(sent.len(), 1);
//! assert!(sent[0].error.is_some());
//! let check = client.check_payment(&request.transaction_id).await?;
//! assert_eq!((check.code.as_str(), check.data.unwrap().status.as_deref()), ("00", Some("ACCEPTED")));
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

// Library code never unwraps: what comes from the network or a database is handled.
#![warn(clippy::unwrap_used)]

mod admin;
mod api;
mod builder;
mod drive;
mod error;
mod handle;
mod notify;
mod operator;
mod page;
mod payment;
mod record;
mod sandbox;
mod scenario;
mod server;
mod signer;
mod state;

pub use builder::{DEFAULT_API_KEY, DEFAULT_SECRET_KEY, DEFAULT_SITE_ID, SandboxBuilder};
pub use error::SandboxError;
pub use handle::SandboxHandle;
pub use operator::{Operator, UnknownOperator};
pub use payment::{Decision, PaymentSnapshot, PaymentState};
pub use record::{CheckRecord, NotificationKind, NotificationRecord};
pub use sandbox::Sandbox;
pub use scenario::{CheckFaults, Scenario};
pub use signer::{SIGNED_FIELDS, x_token};
