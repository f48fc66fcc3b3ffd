//! One row per payment (primary key: the transaction id).
#![allow(missing_docs, unreachable_pub)]

use sea_orm::entity::prelude::*;

use super::secret::SecretText;

/// A stored payment. Every `*_at` column is unix time in microseconds (UTC).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cinetpay_payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub transaction_id: String,
    pub order_ref: String,
    /// `order_ref` while this payment is the order's open payment, `NULL` otherwise.
    /// A unique index on it makes "one open payment per order" atomic.
    pub open_order_ref: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub status: String,
    pub payment_token: Option<String>,
    pub payment_url: Option<String>,
    /// The last verified check; the snapshot is present when `check_code` is not `NULL`.
    pub check_code: Option<String>,
    pub check_message: Option<String>,
    pub check_status: Option<String>,
    pub check_amount: Option<String>,
    pub check_currency: Option<String>,
    pub check_payment_method: Option<String>,
    pub check_operator_id: Option<String>,
    pub check_payment_date: Option<String>,
    pub status_reason: Option<String>,
    pub fulfilled_at: Option<i64>,
    pub claim_owner: Option<String>,
    pub claim_until: Option<i64>,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub failure_notified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// `order_ref` while this payment is the order's accepted payment, `NULL`
    /// otherwise. A unique index on it makes "an order is paid by at most one
    /// payment" a rule of the database.
    pub paid_order_ref: Option<String>,
    /// When `init` replaced this payment by a newer one of its order.
    pub superseded_at: Option<i64>,
    /// Why the payment needs attention (`money_mismatch`, `order_already_paid`, `superseded`).
    pub attention: Option<String>,
    /// The payment `attention` refers to (the order's payer).
    pub attention_ref: Option<String>,
    /// When CinetPay was last asked about this payment.
    pub checked_at: Option<i64>,
    /// When the merchant's refund hook returned `Ok`.
    pub refund_notified_at: Option<i64>,
    /// The CinetPay account the payment was created on (`default` for rows
    /// written before version 3).
    pub account: String,
    /// Its API generation: `v2` (Checkout v2, and rows written before
    /// version 3) or `2026` (the REST API of 2026).
    pub generation: String,
    /// The 2026 API's per-payment notify token: a secret, redacted by `Debug`.
    pub notify_token: Option<SecretText>,
    /// CinetPay's own id of the payment (the 2026 API's `transaction_id`).
    pub cinetpay_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
