//! Values validated at construction: money, identifiers, channels, descriptions,
//! customers and credentials. Once you hold one of these, it is valid on the wire.

mod channels;
mod country;
mod credentials;
mod customer;
mod description;
mod money;
mod order_ref;
mod transaction_id;

pub use channels::{Channels, ChannelsError};
pub use country::Country;
pub use credentials::{
    ApiKey, ApiPassword, CredentialError, Credentials, NotifyToken, SecretKey, SiteId,
};
pub use customer::{CardCustomer, CardCustomerError, Customer};
pub use description::{Description, DescriptionError};
pub use money::{Amount, AmountError, Currency, CurrencyError, Money};
pub use order_ref::{OrderRef, OrderRefError};
pub use transaction_id::{TransactionId, TransactionIdError};
