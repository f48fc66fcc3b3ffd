//! The engine's accounts: each configured CinetPay account with its
//! [`Gateway`], found by name (a payment's), by v2 site id (a notification's)
//! or for a quote (an init's).

use super::config::{AccountApi, AccountConfig, CheckoutConfig, ConfigError};
use super::gateway::{CheckoutV2, Gateway, Rest2026};
use crate::client::Client;
use crate::fulfiller::OrderQuote;
use crate::model::AccountName;
use crate::protocol::PaymentRequestError;
use crate::rest::RestClient;

/// One account, ready: its settings and its generation's gateway.
pub(crate) struct Account {
    pub(crate) config: AccountConfig,
    pub(crate) gateway: AccountGateway,
}

/// The gateway of one account, by generation.
pub(crate) enum AccountGateway {
    CheckoutV2(CheckoutV2),
    Rest2026(Rest2026),
}

impl Account {
    pub(crate) fn gateway(&self) -> &dyn Gateway {
        match &self.gateway {
            AccountGateway::CheckoutV2(g) => g,
            AccountGateway::Rest2026(g) => g,
        }
    }
}

/// Every account of one engine (at least one).
pub(crate) struct Accounts {
    list: Vec<Account>,
}

impl Accounts {
    /// Builds each account's client; `v2_client` replaces the first
    /// Checkout v2 account's (tests, custom TLS), and must have its site id.
    pub(crate) fn build(
        config: &CheckoutConfig,
        mut v2_client: Option<Client>,
    ) -> Result<Self, ConfigError> {
        let notify_url = config.notify_url().clone();
        let return_url = config.return_url().clone();
        let built = |name: &AccountName, e: crate::client::ClientError| {
            ConfigError::other(
                format!("Checkout builder: client of account {name}"),
                format!("cannot be built: {e}"),
            )
        };
        let mut list = Vec::with_capacity(config.accounts().len());
        for account in config.accounts() {
            let gateway = match &account.api {
                AccountApi::CheckoutV2(credentials) => {
                    let client = match v2_client.take() {
                        Some(client) => {
                            if client.credentials().site_id != credentials.site_id {
                                return Err(ConfigError::other(
                                    "Checkout builder: client",
                                    format!(
                                        "uses site id {} but the config has {}",
                                        client.credentials().site_id,
                                        credentials.site_id
                                    ),
                                ));
                            }
                            client
                        }
                        None => Client::new(credentials.clone(), account.client.clone())
                            .map_err(|e| built(&account.name, e))?,
                    };
                    AccountGateway::CheckoutV2(CheckoutV2::new(
                        client,
                        notify_url.clone(),
                        return_url.clone(),
                    ))
                }
                AccountApi::Rest2026(credentials) => {
                    let client = RestClient::new(credentials.clone(), account.client.clone())
                        .map_err(|e| built(&account.name, e))?;
                    AccountGateway::Rest2026(Rest2026::new(
                        client,
                        notify_url.clone(),
                        return_url.clone(),
                        account.country.map(|c| c.calling_code()),
                    ))
                }
            };
            list.push(Account {
                config: account.clone(),
                gateway,
            });
        }
        if v2_client.is_some() {
            return Err(ConfigError::other(
                "Checkout builder: client",
                "is a Checkout v2 client, but no account is on Checkout v2",
            ));
        }
        Ok(Accounts { list })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Account> {
        self.list.iter()
    }

    /// The account of a stored payment.
    pub(crate) fn named(&self, name: &AccountName) -> Option<&Account> {
        self.list.iter().find(|a| &a.config.name == name)
    }

    /// The Checkout v2 account a notification's `cpm_site_id` names; with a
    /// single v2 account, that one whatever the site id (its gateway then
    /// refuses a foreign site id, after the `x-token`).
    pub(crate) fn v2_for_site(&self, site_id: &str) -> Option<&Account> {
        let v2 = || {
            self.list
                .iter()
                .filter(|a| matches!(a.gateway, AccountGateway::CheckoutV2(_)))
        };
        v2().find(|a| {
            a.config
                .v2_credentials()
                .is_some_and(|c| c.site_id.as_str() == site_id)
        })
        .or_else(|| {
            let mut all = v2();
            match (all.next(), all.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        })
    }

    /// The first Checkout v2 client (`Checkout::client`).
    pub(crate) fn first_v2_client(&self) -> Option<&Client> {
        self.list.iter().find_map(|a| match &a.gateway {
            AccountGateway::CheckoutV2(g) => Some(g.client()),
            AccountGateway::Rest2026(_) => None,
        })
    }

    /// The first 2026 API client.
    pub(crate) fn first_rest_client(&self) -> Option<&RestClient> {
        self.list.iter().find_map(|a| match &a.gateway {
            AccountGateway::Rest2026(g) => Some(g.client()),
            AccountGateway::CheckoutV2(_) => None,
        })
    }

    /// The account a quote is paid on: the one it names; else the one
    /// account configured for its currency; else the one account with no
    /// currency set.
    pub(crate) fn for_quote<'a>(
        &'a self,
        quote: &OrderQuote,
    ) -> Result<&'a Account, PaymentRequestError> {
        let invalid = |problem: String| PaymentRequestError::Invalid {
            field: "account",
            problem,
        };
        if let Some(name) = &quote.account {
            let account = self
                .named(name)
                .ok_or_else(|| invalid(format!("{name} is not a configured account")))?;
            if !account.config.takes(quote.money.currency) {
                return Err(invalid(format!(
                    "{name} takes {} only, not {}",
                    account
                        .config
                        .currency
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                    quote.money.currency
                )));
            }
            return Ok(account);
        }
        let currency = quote.money.currency;
        let pick = |candidates: Vec<&'a Account>, what: &str| match candidates.as_slice() {
            [one] => Ok(Some(*one)),
            [] => Ok(None),
            several => Err(invalid(format!(
                "{} accounts take {currency} ({}): the quote must name one (OrderQuote::on_account)",
                what,
                several
                    .iter()
                    .map(|a| a.config.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
        let exact = self
            .list
            .iter()
            .filter(|a| a.config.currency == Some(currency))
            .collect();
        if let Some(account) = pick(exact, "several")? {
            return Ok(account);
        }
        let open = self
            .list
            .iter()
            .filter(|a| a.config.currency.is_none())
            .collect();
        pick(open, "several currency-less")?
            .ok_or_else(|| invalid(format!("no configured account takes {currency}")))
    }
}
