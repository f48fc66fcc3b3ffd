//! Turning rows into payments and delivery records, checking every value.

use cinetpay_core::{
    AccountName, Amount, Attention, CheckSnapshot, Currency, DeliveryRecord, DeliverySource,
    Description, Fulfilment, Generation, NotifyToken, OrderRef, Payment, PaymentLookup,
    PaymentStatus, PaymentSummary, Timestamp, TransactionId,
};
use sea_orm::{FromQueryResult, QueryResult};

use crate::entity::{delivery, payment};
use crate::{Error, time};

/// Decodes a payments row selected with every column, in
/// [`payment::Column`]'s order (what [`SeaOrmStore::select_payments`](super::SeaOrmStore)
/// selects).
pub(crate) fn payment_from_row(row: &QueryResult) -> Result<Payment, Error> {
    let model = by_position(row)
        .unwrap_or_else(|| payment::Model::from_query_result(row, "").map_err(|e| e.to_string()));
    let model = model.map_err(|reason| Error::Corrupt {
        transaction_id: row
            .try_get::<String>("", "transaction_id")
            .unwrap_or_default(),
        column: "*",
        reason,
    })?;
    payment_from_model(model)
}

/// The row decoded by position straight from the driver's row: what the
/// engine reads for every notification it syncs, so its cost matters. sea-orm's
/// decoding by name formats each column's name, and an error message for
/// every `NULL`, on every read. `None`: not a driver row (a mock).
fn by_position(row: &QueryResult) -> Option<Result<payment::Model, String>> {
    #[cfg(feature = "sqlite")]
    if let Some(row) = row.try_as_sqlite_row() {
        return Some(model_at(row).map_err(|e| e.to_string()));
    }
    #[cfg(feature = "postgres")]
    if let Some(row) = row.try_as_pg_row() {
        return Some(model_at(row).map_err(|e| e.to_string()));
    }
    #[cfg(feature = "mysql")]
    if let Some(row) = row.try_as_mysql_row() {
        return Some(model_at(row).map_err(|e| e.to_string()));
    }
    let _ = row;
    None
}

/// Column `i` of `row`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
fn at<'r, R, T>(row: &'r R, i: usize) -> Result<T, sea_orm::sqlx::Error>
where
    R: sea_orm::sqlx::Row,
    usize: sea_orm::sqlx::ColumnIndex<R>,
    T: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
{
    row.try_get(i)
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
fn model_at<R>(r: &R) -> Result<payment::Model, sea_orm::sqlx::Error>
where
    R: sea_orm::sqlx::Row,
    usize: sea_orm::sqlx::ColumnIndex<R>,
    for<'r> String: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
    for<'r> i64: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
    for<'r> i32: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
{
    // The order of `payment::Model`'s fields, which is `Column::iter()`'s.
    Ok(payment::Model {
        transaction_id: at(r, 0)?,
        order_ref: at(r, 1)?,
        open_order_ref: at(r, 2)?,
        amount: at(r, 3)?,
        currency: at(r, 4)?,
        description: at(r, 5)?,
        status: at(r, 6)?,
        payment_token: at(r, 7)?,
        payment_url: at(r, 8)?,
        check_code: at(r, 9)?,
        check_message: at(r, 10)?,
        check_status: at(r, 11)?,
        check_amount: at(r, 12)?,
        check_currency: at(r, 13)?,
        check_payment_method: at(r, 14)?,
        check_operator_id: at(r, 15)?,
        check_payment_date: at(r, 16)?,
        status_reason: at(r, 17)?,
        fulfilled_at: at(r, 18)?,
        claim_owner: at(r, 19)?,
        claim_until: at(r, 20)?,
        attempts: at(r, 21)?,
        next_attempt_at: at(r, 22)?,
        last_error: at(r, 23)?,
        failure_notified_at: at(r, 24)?,
        created_at: at(r, 25)?,
        updated_at: at(r, 26)?,
        paid_order_ref: at(r, 27)?,
        superseded_at: at(r, 28)?,
        attention: at(r, 29)?,
        attention_ref: at(r, 30)?,
        checked_at: at(r, 31)?,
        refund_notified_at: at(r, 32)?,
        account: at(r, 33)?,
        generation: at(r, 34)?,
        notify_token: at::<_, Option<String>>(r, 35)?.map(crate::entity::secret::SecretText),
        cinetpay_id: at(r, 36)?,
    })
}

/// The columns of a [`PaymentSummary`]: all a repeated notification of a
/// delivered payment decodes.
pub(crate) const SUMMARY_COLUMNS: [payment::Column; 5] = [
    payment::Column::Status,
    payment::Column::Account,
    payment::Column::Generation,
    payment::Column::NotifyToken,
    payment::Column::FulfilledAt,
];

/// Where [`SUMMARY_COLUMNS`] are in a row of every column (tested below).
const SUMMARY_AT: [usize; 5] = [6, 33, 34, 35, 18];
/// Where they are in a row of [`SUMMARY_COLUMNS`] alone.
const SUMMARY_ALONE: [usize; 5] = [0, 1, 2, 3, 4];

/// Decodes a row of every column, in [`payment::Column`]'s order: the
/// summary alone when the payment is delivered, the whole payment otherwise.
pub(crate) fn lookup_from_row(row: &QueryResult, id: &str) -> Result<PaymentLookup, Error> {
    let summary = summary_at(row, id, SUMMARY_AT)?;
    if summary.is_delivered() {
        return Ok(PaymentLookup::Delivered(summary));
    }
    Ok(PaymentLookup::Open(Box::new(payment_from_row(row)?)))
}

/// Decodes a row of [`SUMMARY_COLUMNS`] alone, of the payment `id`.
pub(crate) fn summary_from_row(row: &QueryResult, id: &str) -> Result<PaymentSummary, Error> {
    summary_at(row, id, SUMMARY_ALONE)
}

/// Decodes the [`SUMMARY_COLUMNS`] of the payment `id`, at `positions` of
/// the driver's row.
fn summary_at(row: &QueryResult, id: &str, positions: [usize; 5]) -> Result<PaymentSummary, Error> {
    let corrupt = |column: &'static str, reason: String| Error::Corrupt {
        transaction_id: id.to_owned(),
        column,
        reason,
    };
    let (status, account, generation, notify_token, fulfilled_at) = summary_columns(row, positions)
        .unwrap_or_else(|| {
            Ok((
                row.try_get("", "status")?,
                row.try_get("", "account")?,
                row.try_get("", "generation")?,
                row.try_get("", "notify_token")?,
                row.try_get("", "fulfilled_at")?,
            ))
        })
        .map_err(|e| corrupt("*", e.to_string()))?;
    Ok(PaymentSummary {
        status: status
            .parse::<PaymentStatus>()
            .map_err(|e| corrupt("status", e.to_string()))?,
        account: AccountName::new(&account).map_err(|e| corrupt("account", e.to_string()))?,
        generation: generation
            .parse::<Generation>()
            .map_err(|e| corrupt("generation", e.to_string()))?,
        // The error names the column, never the secret.
        notify_token: notify_token
            .map(NotifyToken::new)
            .transpose()
            .map_err(|e| corrupt("notify_token", e.to_string()))?,
        fulfilled: fulfilled_at.is_some(),
    })
}

/// A summary row's columns.
type SummaryColumns = (String, String, String, Option<String>, Option<i64>);

/// [`SUMMARY_COLUMNS`] at `positions` of the driver's row; `None`: not a
/// driver row.
fn summary_columns(
    row: &QueryResult,
    positions: [usize; 5],
) -> Option<Result<SummaryColumns, sea_orm::DbErr>> {
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn read<R>(r: &R, positions: [usize; 5]) -> Result<SummaryColumns, sea_orm::DbErr>
    where
        R: sea_orm::sqlx::Row,
        usize: sea_orm::sqlx::ColumnIndex<R>,
        for<'r> String: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
        for<'r> i64: sea_orm::sqlx::Decode<'r, R::Database> + sea_orm::sqlx::Type<R::Database>,
    {
        let column = |e: sea_orm::sqlx::Error| sea_orm::DbErr::Type(e.to_string());
        let [status, account, generation, token, fulfilled] = positions;
        Ok((
            at(r, status).map_err(column)?,
            at(r, account).map_err(column)?,
            at(r, generation).map_err(column)?,
            at(r, token).map_err(column)?,
            at(r, fulfilled).map_err(column)?,
        ))
    }
    #[cfg(feature = "sqlite")]
    if let Some(row) = row.try_as_sqlite_row() {
        return Some(read(row, positions));
    }
    #[cfg(feature = "postgres")]
    if let Some(row) = row.try_as_pg_row() {
        return Some(read(row, positions));
    }
    #[cfg(feature = "mysql")]
    if let Some(row) = row.try_as_mysql_row() {
        return Some(read(row, positions));
    }
    let _ = (row, positions);
    None
}

/// Decodes a delivery log row selected with every column.
pub(crate) fn delivery_from_row(row: &QueryResult) -> Result<DeliveryRecord, Error> {
    let model = delivery::Model::from_query_result(row, "").map_err(|e| Error::Corrupt {
        transaction_id: String::new(),
        column: "*",
        reason: e.to_string(),
    })?;
    let corrupt = |column, reason: String| Error::Corrupt {
        transaction_id: model.transaction_id.clone(),
        column,
        reason,
    };
    Ok(DeliveryRecord {
        source: model
            .source
            .parse::<DeliverySource>()
            .map_err(|e| corrupt("source", e))?,
        at: time::from_db(model.at).ok_or_else(|| corrupt("at", out_of_range(model.at)))?,
        transaction_id: model.transaction_id,
        outcome: model.outcome,
    })
}

fn out_of_range(value: i64) -> String {
    format!("{value} is not a valid unix time in microseconds")
}

fn payment_from_model(m: payment::Model) -> Result<Payment, Error> {
    let id = m.transaction_id.clone();
    let corrupt = |column: &'static str, reason: String| Error::Corrupt {
        transaction_id: id.clone(),
        column,
        reason,
    };
    let at = |column: &'static str, v: i64| -> Result<Timestamp, Error> {
        time::from_db(v).ok_or_else(|| corrupt(column, out_of_range(v)))
    };
    let opt_at = |column: &'static str, v: Option<i64>| v.map(|v| at(column, v)).transpose();

    let check = match m.check_code {
        None => None,
        Some(code) => Some(CheckSnapshot {
            code,
            message: m.check_message.unwrap_or_default(),
            status: m.check_status,
            amount: m.check_amount,
            currency: m.check_currency,
            payment_method: m.check_payment_method,
            operator_id: m.check_operator_id,
            payment_date: m.check_payment_date,
        }),
    };
    let attention = match &m.attention {
        None => None,
        Some(kind) => Some(
            Attention::from_parts(kind, m.attention_ref.as_deref()).ok_or_else(|| {
                corrupt(
                    "attention",
                    format!("{kind:?} with reference {:?}", m.attention_ref),
                )
            })?,
        ),
    };
    Ok(Payment {
        attention,
        superseded_at: opt_at("superseded_at", m.superseded_at)?,
        checked_at: opt_at("checked_at", m.checked_at)?,
        refund_notified_at: opt_at("refund_notified_at", m.refund_notified_at)?,
        transaction_id: TransactionId::parse(&m.transaction_id)
            .map_err(|e| corrupt("transaction_id", e.to_string()))?,
        open: m.open_order_ref.is_some(),
        order_ref: OrderRef::new(m.order_ref).map_err(|e| corrupt("order_ref", e.to_string()))?,
        amount: Amount::new(m.amount).map_err(|e| corrupt("amount", e.to_string()))?,
        currency: m
            .currency
            .parse::<Currency>()
            .map_err(|e| corrupt("currency", e.to_string()))?,
        description: Description::new(m.description)
            .map_err(|e| corrupt("description", e.to_string()))?,
        status: m
            .status
            .parse::<PaymentStatus>()
            .map_err(|e| corrupt("status", e.to_string()))?,
        payment_token: m.payment_token,
        payment_url: m.payment_url,
        account: AccountName::new(&m.account).map_err(|e| corrupt("account", e.to_string()))?,
        generation: m
            .generation
            .parse::<Generation>()
            .map_err(|e| corrupt("generation", e.to_string()))?,
        // The error names the column, never the secret.
        notify_token: m
            .notify_token
            .map(|token| NotifyToken::new(token.0))
            .transpose()
            .map_err(|e| corrupt("notify_token", e.to_string()))?,
        cinetpay_id: m.cinetpay_id,
        check,
        status_reason: m.status_reason,
        fulfilment: Fulfilment {
            fulfilled_at: opt_at("fulfilled_at", m.fulfilled_at)?,
            claim_owner: m.claim_owner,
            claim_until: opt_at("claim_until", m.claim_until)?,
            attempts: u32::try_from(m.attempts)
                .map_err(|_| corrupt("attempts", format!("{} is negative", m.attempts)))?,
            next_attempt_at: opt_at("next_attempt_at", m.next_attempt_at)?,
            last_error: m.last_error,
        },
        failure_notified_at: opt_at("failure_notified_at", m.failure_notified_at)?,
        created_at: at("created_at", m.created_at)?,
        updated_at: at("updated_at", m.updated_at)?,
    })
}

#[cfg(test)]
mod tests {
    use sea_orm::{IdenStatic, Iterable};

    use crate::entity::payment::Column;

    /// `model_at` reads the columns by position: `Column::iter()` (what
    /// `select_payments` selects) must be in this order.
    #[test]
    fn payment_columns_are_in_the_order_they_are_decoded() {
        let selected: Vec<&str> = Column::iter().map(|c| c.as_str()).collect();
        let decoded = [
            "transaction_id",
            "order_ref",
            "open_order_ref",
            "amount",
            "currency",
            "description",
            "status",
            "payment_token",
            "payment_url",
            "check_code",
            "check_message",
            "check_status",
            "check_amount",
            "check_currency",
            "check_payment_method",
            "check_operator_id",
            "check_payment_date",
            "status_reason",
            "fulfilled_at",
            "claim_owner",
            "claim_until",
            "attempts",
            "next_attempt_at",
            "last_error",
            "failure_notified_at",
            "created_at",
            "updated_at",
            "paid_order_ref",
            "superseded_at",
            "attention",
            "attention_ref",
            "checked_at",
            "refund_notified_at",
            "account",
            "generation",
            "notify_token",
            "cinetpay_id",
        ];
        assert_eq!(selected, decoded);
    }

    #[test]
    fn the_summary_is_read_where_its_columns_are() {
        let at: Vec<usize> = super::SUMMARY_COLUMNS
            .iter()
            .map(|c| {
                Column::iter()
                    .position(|d| d.as_str() == c.as_str())
                    .unwrap_or(usize::MAX)
            })
            .collect();
        assert_eq!(at, super::SUMMARY_AT);
    }
}
