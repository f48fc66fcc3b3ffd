//! The store's schema migrations, recorded in its own migration table
//! (`{prefix}migrations`, never sea-orm's `seaql_migrations`), and the
//! start-up lock that lets several instances call `migrate()` at once.

mod columns;
mod lock;
mod m20260601_000001_create_tables;
mod m20261201_000002_one_payment_per_order;
mod m20261201_000003_accounts_and_notify_tokens;

use sea_orm::DynIden;
use sea_orm::sea_query::{Alias, IntoIden};
use sea_orm_migration::{MigrationTrait, MigratorTraitSelf};

use crate::tables::Tables;

pub(crate) use lock::migrate;
#[cfg(feature = "testing")]
pub(crate) use lock::migrate_steps;

/// The migrations of one store, bound to its table names.
struct Migrator {
    tables: Tables,
    /// How many pending migrations to apply (`None`: all).
    steps: Option<u32>,
}

impl MigratorTraitSelf for Migrator {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260601_000001_create_tables::Migration::new(
                self.tables.clone(),
            )),
            Box::new(m20261201_000002_one_payment_per_order::Migration::new(
                self.tables.clone(),
            )),
            Box::new(m20261201_000003_accounts_and_notify_tokens::Migration::new(
                self.tables.clone(),
            )),
        ]
    }

    fn migration_table_name(&self) -> DynIden {
        Alias::new(self.tables.migrations()).into_iden()
    }
}
