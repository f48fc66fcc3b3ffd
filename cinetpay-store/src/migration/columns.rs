//! Adding columns to the payments table.

use sea_orm::sea_query::{ColumnDef, Table};
use sea_orm_migration::{DbErr, SchemaManager};

use crate::tables::Tables;

/// Adds each of `columns` the payments table does not have yet, one `ALTER
/// TABLE` each (SQLite alters one column per statement).
///
/// MySQL DDL is not transactional: checking what is already there lets a
/// migration cut short simply run again.
pub(super) async fn add_missing(
    manager: &SchemaManager<'_>,
    tables: &Tables,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    let table = tables.name("payments");
    for mut column in columns {
        if manager.has_column(&table, column.get_column_name()).await? {
            continue;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(tables.payments())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
