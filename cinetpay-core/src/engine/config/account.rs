//! [`AccountConfig`]: one CinetPay account, validated.

use std::fmt;

use crate::client::ClientConfig;
use crate::model::{AccountName, Generation};
use crate::rest::RestCredentials;
use crate::values::{Country, Credentials, Currency};

/// The credentials of one account, which fix its API generation.
#[derive(Clone, PartialEq, Eq)]
pub enum AccountApi {
    /// Checkout v2: site id, API key and (optional) secret key.
    CheckoutV2(Credentials),
    /// The 2026 REST API: an `sk_test_`/`sk_live_` key and its password.
    Rest2026(RestCredentials),
}

impl fmt::Debug for AccountApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both credential types redact their secrets in `Debug`.
        match self {
            AccountApi::CheckoutV2(c) => f.debug_tuple("CheckoutV2").field(c).finish(),
            AccountApi::Rest2026(c) => f.debug_tuple("Rest2026").field(c).finish(),
        }
    }
}

/// One CinetPay account: its name, the currency it takes, its credentials
/// (and so its API generation) and the client that talks to it.
#[derive(Clone)]
pub struct AccountConfig {
    pub(crate) name: AccountName,
    pub(crate) currency: Option<Currency>,
    pub(crate) country: Option<Country>,
    pub(crate) api: AccountApi,
    pub(crate) client: ClientConfig,
}

impl fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountConfig")
            .field("name", &self.name)
            .field("currency", &self.currency)
            .field("country", &self.country)
            .field("api", &self.api)
            .field("api_url", &self.client.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl AccountConfig {
    /// The account's name (`default` for a shop that names none).
    pub fn name(&self) -> &AccountName {
        &self.name
    }

    /// The only currency this account takes, when configured: quotes in it
    /// are paid on this account unless they name another.
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// The account's country, when configured (its currency is the
    /// account's, and the 2026 API wants its calling code on phones).
    pub fn country(&self) -> Option<Country> {
        self.country
    }

    /// The credentials.
    pub fn api(&self) -> &AccountApi {
        &self.api
    }

    /// The API generation, from the credentials.
    pub fn generation(&self) -> Generation {
        match self.api {
            AccountApi::CheckoutV2(_) => Generation::CheckoutV2,
            AccountApi::Rest2026(_) => Generation::Rest2026,
        }
    }

    /// Site id, API key and secret key, on a Checkout v2 account.
    pub fn v2_credentials(&self) -> Option<&Credentials> {
        match &self.api {
            AccountApi::CheckoutV2(c) => Some(c),
            AccountApi::Rest2026(_) => None,
        }
    }

    /// API key and password, on a 2026 API account.
    pub fn rest_credentials(&self) -> Option<&RestCredentials> {
        match &self.api {
            AccountApi::Rest2026(c) => Some(c),
            AccountApi::CheckoutV2(_) => None,
        }
    }

    /// The settings of the account's CinetPay client (API URL, timeouts,
    /// retries of the status check).
    pub fn client_config(&self) -> &ClientConfig {
        &self.client
    }

    /// Whether notifications are accepted without an `x-token`: a Checkout
    /// v2 account without a secret key. The engine says so at `error` level
    /// when it starts. (The 2026 API's notifications always carry the
    /// payment's notify token.)
    pub fn accepts_unsigned_notifications(&self) -> bool {
        self.v2_credentials()
            .is_some_and(|c| c.secret_key.is_none())
    }

    /// Whether this account takes a quote in `currency` when the quote names
    /// no account: its configured currency, or any when none is configured.
    pub(crate) fn takes(&self, currency: Currency) -> bool {
        self.currency.is_none_or(|c| c == currency)
    }
}
