//! The two tables of the order book.

// sea-orm's derive macros generate public items inside these private modules.
#![allow(unreachable_pub, missing_docs)]

pub(crate) mod order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_orders")]
    pub struct Model {
        #[sea_orm(
            primary_key,
            auto_increment = false,
            column_type = "String(StringLen::N(64))"
        )]
        pub order_ref: String,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub product_id: String,
        pub amount: i64,
        #[sea_orm(column_type = "String(StringLen::N(3))")]
        pub currency: String,
        pub created_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod delivery {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub order_ref: String,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub transaction_id: String,
        pub attempt: i64,
        pub delivered_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod refund {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shop_refunds")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub order_ref: String,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub transaction_id: String,
        #[sea_orm(column_type = "String(StringLen::N(255))")]
        pub reason: String,
        pub noted_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
