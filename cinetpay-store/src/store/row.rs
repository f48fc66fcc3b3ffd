//! Turning rows into payments and delivery records, checking every value.

use cinetpay_core::{
    AccountName, Amount, Attention, CheckSnapshot, Currency, DeliveryRecord, DeliverySource,
    Description, Fulfilment, Generation, NotifyToken, OrderRef, Payment, PaymentStatus, Timestamp,
    TransactionId,
};
use sea_orm::{FromQueryResult, QueryResult};

use crate::entity::{delivery, payment};
use crate::{Error, time};

/// Decodes a payments row selected with every column.
pub(crate) fn payment_from_row(row: &QueryResult) -> Result<Payment, Error> {
    let model = payment::Model::from_query_result(row, "").map_err(|e| Error::Corrupt {
        transaction_id: row
            .try_get::<String>("", "transaction_id")
            .unwrap_or_default(),
        column: "*",
        reason: e.to_string(),
    })?;
    payment_from_model(model)
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
