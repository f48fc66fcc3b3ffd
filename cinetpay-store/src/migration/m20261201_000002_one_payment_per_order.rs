//! Version 2: one accepted payment per order, superseded payments, the
//! reason of `needs_attention`, when each payment was last checked, and the
//! refund notice.
//!
//! Adds six nullable columns to the payments table and a unique index on
//! `paid_order_ref`. Rows written by version 1 are brought in line: each
//! order's accepted payment (the one delivered first, else the oldest) holds
//! the order; any other accepted payment of the same order was a duplicate
//! payment, and becomes `needs_attention` (`order_already_paid`) with a
//! refund notice owed, as the engine now does it.

use sea_orm::sea_query::{ColumnDef, Expr, ExprTrait, Index, Order, Query};
use sea_orm::{ConnectionTrait, DbBackend, Iden};
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

use crate::entity::payment::Column as P;
use crate::tables::Tables;

pub(super) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(super) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn new_columns() -> [ColumnDef; 6] {
        [
            ColumnDef::new(P::PaidOrderRef)
                .string_len(128)
                .null()
                .to_owned(),
            ColumnDef::new(P::SupersededAt)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(P::Attention)
                .string_len(32)
                .null()
                .to_owned(),
            ColumnDef::new(P::AttentionRef)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(P::CheckedAt).big_integer().null().to_owned(),
            ColumnDef::new(P::RefundNotifiedAt)
                .big_integer()
                .null()
                .to_owned(),
        ]
    }

    /// Version 1's accepted payments: each order's first one holds the
    /// order; the others become duplicates to refund.
    async fn bring_rows_in_line(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let select = Query::select()
            .columns([P::TransactionId, P::OrderRef])
            .from(self.tables.payments())
            .and_where(Expr::col(P::Status).eq("accepted"))
            .and_where(Expr::col(P::PaidOrderRef).is_null())
            .order_by(P::OrderRef, Order::Asc)
            .order_by_expr(Expr::col(P::FulfilledAt).is_null(), Order::Asc)
            .order_by(P::FulfilledAt, Order::Asc)
            .order_by(P::CreatedAt, Order::Asc)
            .order_by(P::TransactionId, Order::Asc)
            .to_owned();
        let rows = db.query_all(&select).await?;
        let mut payer: Option<(String, String)> = None;
        for row in rows {
            let id: String = row.try_get("", &P::TransactionId.to_string())?;
            let order: String = row.try_get("", &P::OrderRef.to_string())?;
            let update = match &payer {
                Some((paid_order, by)) if *paid_order == order => Query::update()
                    .table(self.tables.payments())
                    .value(P::Status, "needs_attention")
                    .value(P::Attention, "order_already_paid")
                    .value(P::AttentionRef, by.clone())
                    .value(
                        P::StatusReason,
                        format!("duplicate payment of an order already paid by {by}: refund it"),
                    )
                    .and_where(Expr::col(P::TransactionId).eq(id.clone()))
                    .to_owned(),
                _ => {
                    payer = Some((order.clone(), id.clone()));
                    Query::update()
                        .table(self.tables.payments())
                        .value(P::PaidOrderRef, order)
                        .and_where(Expr::col(P::TransactionId).eq(id.clone()))
                        .to_owned()
                }
            };
            db.execute(&update).await?;
        }
        Ok(())
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_one_payment_per_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = &self.tables;
        let table = t.name("payments");
        // MySQL DDL is not transactional: each step checks what is already
        // there, so that a migration cut short can simply run again.
        super::columns::add_missing(manager, t, Self::new_columns()).await?;
        self.bring_rows_in_line(manager).await?;
        let index = t.name("payments_paid_order_ref");
        if !manager.has_index(&table, &index).await? {
            let mut create = Index::create()
                .name(&index)
                .table(t.payments())
                .col(P::PaidOrderRef)
                .unique()
                .to_owned();
            if manager.get_database_backend() != DbBackend::MySql {
                create.if_not_exists();
            }
            manager.create_index(create).await?;
        }
        // payments_to_poll: the candidates by status and age.
        let index = t.name("payments_poll");
        if !manager.has_index(&table, &index).await? {
            let mut create = Index::create()
                .name(&index)
                .table(t.payments())
                .col(P::Status)
                .col(P::CreatedAt)
                .to_owned();
            if manager.get_database_backend() != DbBackend::MySql {
                create.if_not_exists();
            }
            manager.create_index(create).await?;
        }
        Ok(())
    }
}
