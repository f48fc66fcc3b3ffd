//! Version 1: the payments table, the delivery log, and their indexes.

use sea_orm::DbBackend;
use sea_orm::sea_query::{ColumnDef, Index, IndexCreateStatement, Table, TableCreateStatement};
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

use crate::entity::delivery::Column as D;
use crate::entity::payment::Column as P;
use crate::tables::Tables;

pub(super) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(super) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn payments(&self) -> TableCreateStatement {
        let text = |c: P| ColumnDef::new(c).text().null().to_owned();
        let at = |c: P| ColumnDef::new(c).big_integer().null().to_owned();
        Table::create()
            .table(self.tables.payments())
            .if_not_exists()
            .col(
                ColumnDef::new(P::TransactionId)
                    .string_len(64)
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(P::OrderRef).string_len(128).not_null())
            .col(ColumnDef::new(P::OpenOrderRef).string_len(128).null())
            .col(ColumnDef::new(P::Amount).big_integer().not_null())
            .col(ColumnDef::new(P::Currency).string_len(8).not_null())
            .col(ColumnDef::new(P::Description).string_len(255).not_null())
            .col(ColumnDef::new(P::Status).string_len(32).not_null())
            .col(text(P::PaymentToken))
            .col(text(P::PaymentUrl))
            .col(text(P::CheckCode))
            .col(text(P::CheckMessage))
            .col(text(P::CheckStatus))
            .col(text(P::CheckAmount))
            .col(text(P::CheckCurrency))
            .col(text(P::CheckPaymentMethod))
            .col(text(P::CheckOperatorId))
            .col(text(P::CheckPaymentDate))
            .col(text(P::StatusReason))
            .col(at(P::FulfilledAt))
            .col(text(P::ClaimOwner))
            .col(at(P::ClaimUntil))
            .col(ColumnDef::new(P::Attempts).integer().not_null().default(0))
            .col(at(P::NextAttemptAt))
            .col(text(P::LastError))
            .col(at(P::FailureNotifiedAt))
            .col(ColumnDef::new(P::CreatedAt).big_integer().not_null())
            .col(ColumnDef::new(P::UpdatedAt).big_integer().not_null())
            .to_owned()
    }

    fn deliveries(&self) -> TableCreateStatement {
        Table::create()
            .table(self.tables.deliveries())
            .if_not_exists()
            .col(
                ColumnDef::new(D::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(D::TransactionId).string_len(64).not_null())
            .col(ColumnDef::new(D::Source).string_len(16).not_null())
            .col(ColumnDef::new(D::Outcome).string_len(255).not_null())
            .col(ColumnDef::new(D::At).big_integer().not_null())
            .to_owned()
    }

    /// Every lookup the engine does, each served by one index.
    fn payment_indexes(&self) -> Vec<IndexCreateStatement> {
        let t = &self.tables;
        vec![
            // find_open_payment / insert_payment: at most one open payment per order.
            Index::create()
                .name(t.name("payments_open_order_ref"))
                .table(t.payments())
                .col(P::OpenOrderRef)
                .unique()
                .to_owned(),
            // payments_for_order, newest first.
            Index::create()
                .name(t.name("payments_order_ref"))
                .table(t.payments())
                .col(P::OrderRef)
                .col(P::CreatedAt)
                .to_owned(),
            // due_fulfilments: status = accepted, fulfilled_at IS NULL, oldest first.
            Index::create()
                .name(t.name("payments_due"))
                .table(t.payments())
                .col(P::Status)
                .col(P::FulfilledAt)
                .col(P::CreatedAt)
                .to_owned(),
            // stale_pending: status = pending, least recently updated first.
            Index::create()
                .name(t.name("payments_stale"))
                .table(t.payments())
                .col(P::Status)
                .col(P::UpdatedAt)
                .to_owned(),
        ]
    }

    fn delivery_indexes(&self) -> Vec<IndexCreateStatement> {
        let t = &self.tables;
        vec![
            Index::create()
                .name(t.name("deliveries_transaction_id"))
                .table(t.deliveries())
                .col(D::TransactionId)
                .col(D::At)
                .col(D::Id)
                .to_owned(),
        ]
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260601_000001_create_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            (self.payments(), self.payment_indexes()),
            (self.deliveries(), self.delivery_indexes()),
        ];
        for (mut table, indexes) in tables {
            if manager.get_database_backend() == DbBackend::MySql {
                // MySQL DDL is not transactional: one CREATE TABLE with its
                // indexes inline is all or nothing. Binary collation: ids and
                // order references are case-sensitive keys.
                for mut index in indexes {
                    table.index(&mut index);
                }
                table
                    .engine("InnoDB")
                    .character_set("utf8mb4")
                    .collate("utf8mb4_bin");
                manager.create_table(table).await?;
            } else {
                // PostgreSQL and SQLite: this runs inside the migration's
                // transaction, so the table and its indexes appear together.
                manager.create_table(table).await?;
                for mut index in indexes {
                    manager
                        .create_index(index.if_not_exists().to_owned())
                        .await?;
                }
            }
        }
        Ok(())
    }
}
