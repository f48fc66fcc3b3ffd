//! The delivery log: one row per notification, return or reconciliation pass.
#![allow(missing_docs, unreachable_pub)]

use sea_orm::entity::prelude::*;

/// One line of the delivery log. `at` is unix time in microseconds (UTC).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cinetpay_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub transaction_id: String,
    pub source: String,
    pub outcome: String,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
