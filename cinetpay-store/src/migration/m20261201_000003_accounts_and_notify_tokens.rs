//! Version 3: the CinetPay account and API generation of each payment, and
//! what the 2026 API answers at init besides the page: the per-payment
//! notify token and CinetPay's own id of the payment.
//!
//! Adds four columns to the payments table. `account` and `generation` are
//! `NOT NULL` with a default, so every row written before reads as a
//! Checkout v2 payment of the default account without a data migration (all
//! three databases fill an added column's default into existing rows);
//! `notify_token` and `cinetpay_id` are nullable.
//!
//! The two defaulted columns are `VARCHAR`, not `TEXT`: MySQL refuses a
//! literal default on a `TEXT` column. The defaults are written here as
//! literals, not taken from `cinetpay-core`, because an applied migration
//! must never change; a test checks they are the core's defaults.

use sea_orm::sea_query::ColumnDef;
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

use crate::entity::payment::Column as P;
use crate::tables::Tables;

/// The account of rows written before version 3 (`AccountName::DEFAULT`).
const DEFAULT_ACCOUNT: &str = "default";
/// The generation of rows written before version 3 (`Generation::CheckoutV2`).
const DEFAULT_GENERATION: &str = "v2";

pub(super) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(super) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn new_columns() -> [ColumnDef; 4] {
        [
            // An `AccountName` is at most 32 characters.
            ColumnDef::new(P::Account)
                .string_len(32)
                .not_null()
                .default(DEFAULT_ACCOUNT)
                .to_owned(),
            ColumnDef::new(P::Generation)
                .string_len(8)
                .not_null()
                .default(DEFAULT_GENERATION)
                .to_owned(),
            // CinetPay documents no length for either.
            ColumnDef::new(P::NotifyToken).text().null().to_owned(),
            ColumnDef::new(P::CinetpayId).text().null().to_owned(),
        ]
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000003_accounts_and_notify_tokens"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::columns::add_missing(manager, &self.tables, Self::new_columns()).await
    }
}

#[cfg(test)]
mod tests {
    use cinetpay_core::{AccountName, Generation};

    #[test]
    fn defaults_are_the_cores_defaults() {
        assert_eq!(super::DEFAULT_ACCOUNT, AccountName::DEFAULT);
        assert_eq!(AccountName::default().as_str(), super::DEFAULT_ACCOUNT);
        assert_eq!(super::DEFAULT_GENERATION, Generation::default().as_str());
    }
}
