//! The delivery log.

use std::sync::Arc;

use cinetpay_core::{DeliveryRecord, DeliverySource, TransactionId};

use crate::check::{Check, trunc_ms};
use crate::fixtures::at;
use crate::{QueryableStore, StoreBackend};

/// The log of one id at millisecond precision.
async fn log_of(c: Check, s: &dyn QueryableStore, id: &str, limit: usize) -> Vec<DeliveryRecord> {
    let mut log = c.ok("deliveries", s.deliveries(id, limit).await);
    for record in &mut log {
        record.at = trunc_ms(record.at);
    }
    log
}

fn ms(mut record: DeliveryRecord) -> DeliveryRecord {
    record.at = trunc_ms(record.at);
    record
}

/// `deliveries` gives one transaction id's records oldest first (records of
/// the same instant in the order they were recorded), at most `limit` (the
/// oldest), with every source and field intact, and nothing of other ids.
pub async fn delivery_log_order_and_limit(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("delivery_log_order_and_limit");
    let store = backend.instance().await;
    let s = &*store;
    let id = TransactionId::generate();
    let other = TransactionId::generate();
    let x = id.as_str();
    let records = [
        DeliveryRecord::new(x, DeliverySource::Notify, "accepted, fulfilled", at(2_000)),
        DeliveryRecord::new(
            x,
            DeliverySource::Return,
            "pending, waiting for the customer",
            at(0),
        ),
        DeliveryRecord::new(other.as_str(), DeliverySource::Notify, "refused", at(1_000)),
        DeliveryRecord::new(x, DeliverySource::Reconcile, "check failed: 503", at(1_000)),
        DeliveryRecord::new(
            x,
            DeliverySource::Notify,
            "duplicate, already fulfilled",
            at(1_000),
        ),
    ];
    for record in &records {
        c.ok(
            "record_deliveries",
            s.record_deliveries(std::slice::from_ref(record)).await,
        );
    }
    let expected: Vec<DeliveryRecord> = [1, 3, 4, 0]
        .iter()
        .map(|&i| ms(records[i].clone()))
        .collect();
    c.eq(
        "deliveries(id, 10): oldest first, same instant in recording order",
        expected.clone(),
        log_of(c, s, x, 10).await,
    );
    c.eq(
        "deliveries(id, 2): the two oldest",
        expected[..2].to_vec(),
        log_of(c, s, x, 2).await,
    );
    c.eq("deliveries(id, 0)", Vec::new(), log_of(c, s, x, 0).await);
    c.eq(
        "deliveries of the other id",
        vec![ms(records[2].clone())],
        log_of(c, s, other.as_str(), 10).await,
    );
    c.eq(
        "deliveries of the id in upper case (ids are compared exactly)",
        Vec::new(),
        log_of(c, s, &x.to_uppercase(), 10).await,
    );
    c.eq(
        "deliveries of an unknown id",
        Vec::new(),
        log_of(c, s, TransactionId::generate().as_str(), 10).await,
    );
}

/// Records keep hostile and bounded strings exactly: an id as received from
/// the network (quotes, `%`, `_`, SQL) matched exactly, never as a pattern; the
/// longest id (64 characters) and outcome (255 characters, multi-byte); and a
/// record built by hand with longer strings is stored cut to those bounds, as
/// [`DeliveryRecord::new`] would cut it, instead of failing.
pub async fn delivery_log_bounded_strings(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("delivery_log_bounded_strings");
    let store = backend.instance().await;
    let s = &*store;
    let tag = TransactionId::generate();

    let hostile = format!("{tag}%_' OR '1'='1\"; DROP TABLE payments; --\\");
    let lookalike = format!("{tag}XX' OR '1'='1\"; DROP TABLE payments; --\\");
    let record = DeliveryRecord::new(&hostile, DeliverySource::Notify, "bad x-token", at(0));
    let near = DeliveryRecord::new(&lookalike, DeliverySource::Notify, "bad x-token", at(1));
    c.ok(
        "record_deliveries",
        s.record_deliveries(std::slice::from_ref(&record)).await,
    );
    c.ok(
        "record_deliveries",
        s.record_deliveries(std::slice::from_ref(&near)).await,
    );
    c.eq(
        "deliveries of a hostile raw id",
        vec![ms(record.clone())],
        log_of(c, s, &record.transaction_id, 10).await,
    );
    c.eq(
        "deliveries of a prefix of an id",
        Vec::new(),
        log_of(c, s, tag.as_str(), 10).await,
    );
    c.eq(
        "deliveries of a pattern-like id",
        Vec::new(),
        log_of(c, s, &format!("{tag}%"), 10).await,
    );

    let long_id = format!("{tag}-é-{}", "9".repeat(80));
    let outcome = "rejeté : x-token invalide — ".repeat(20);
    let bounded = DeliveryRecord::new(&long_id, DeliverySource::Return, &outcome, at(2));
    c.eq(
        "DeliveryRecord::new cuts the id",
        DeliveryRecord::MAX_ID_LEN,
        bounded.transaction_id.chars().count(),
    );
    c.eq(
        "DeliveryRecord::new cuts the outcome",
        DeliveryRecord::MAX_OUTCOME_LEN,
        bounded.outcome.chars().count(),
    );
    c.ok(
        "record_deliveries",
        s.record_deliveries(std::slice::from_ref(&bounded)).await,
    );
    c.eq(
        "deliveries of a 64-character id with a 255-character multi-byte outcome",
        vec![ms(bounded.clone())],
        log_of(c, s, &bounded.transaction_id, 10).await,
    );

    let raw_id = format!("{}-raw-{}", TransactionId::generate(), "7".repeat(80));
    let by_hand = DeliveryRecord {
        transaction_id: raw_id.clone(),
        source: DeliverySource::Reconcile,
        outcome: "é".repeat(400),
        at: at(3),
    };
    c.ok(
        "record_deliveries of an over-long record",
        s.record_deliveries(std::slice::from_ref(&by_hand)).await,
    );
    let cut = DeliveryRecord::new(&raw_id, DeliverySource::Reconcile, &by_hand.outcome, at(3));
    c.eq(
        "an over-long record built by hand, read back by its cut id",
        vec![ms(cut.clone())],
        log_of(c, s, &cut.transaction_id, 10).await,
    );
}

/// `record_deliveries` appends a batch in its order, mixed ids and one
/// over-long line included, exactly as the same lines one by one would be; an
/// empty batch writes nothing. The engine groups the lines of concurrent
/// requests into such batches.
pub async fn delivery_log_batches(backend: Arc<dyn StoreBackend>) {
    let c = Check::new("delivery_log_batches");
    let store = backend.instance().await;
    let s = &*store;
    let id = TransactionId::generate();
    let other = TransactionId::generate();
    let x = id.as_str();
    c.ok("record_deliveries(&[])", s.record_deliveries(&[]).await);
    c.eq(
        "deliveries after an empty batch",
        Vec::new(),
        log_of(c, s, x, 10).await,
    );
    let long_outcome = "é".repeat(400);
    let batch = [
        DeliveryRecord::new(x, DeliverySource::Notify, "pending -> accepted", at(5_000)),
        DeliveryRecord::new(other.as_str(), DeliverySource::Return, "refused", at(5_000)),
        DeliveryRecord::new(
            x,
            DeliverySource::Notify,
            "accepted, already fulfilled",
            at(5_000),
        ),
        DeliveryRecord {
            transaction_id: x.to_owned(),
            source: DeliverySource::Return,
            outcome: long_outcome.clone(),
            at: at(5_000),
        },
        DeliveryRecord::new(x, DeliverySource::Reconcile, "accepted", at(4_000)),
    ];
    c.ok("record_deliveries", s.record_deliveries(&batch).await);
    let cut = DeliveryRecord::new(x, DeliverySource::Return, &long_outcome, at(5_000));
    c.eq(
        "deliveries(id): oldest first, same instant in batch order, long outcome cut",
        vec![
            ms(batch[4].clone()),
            ms(batch[0].clone()),
            ms(batch[2].clone()),
            ms(cut),
        ],
        log_of(c, s, x, 10).await,
    );
    c.eq(
        "deliveries of the other id of the batch",
        vec![ms(batch[1].clone())],
        log_of(c, s, other.as_str(), 10).await,
    );
    let next = DeliveryRecord::new(
        x,
        DeliverySource::Notify,
        "accepted, already fulfilled",
        at(5_000),
    );
    c.ok(
        "record_deliveries after a batch",
        s.record_deliveries(std::slice::from_ref(&next)).await,
    );
    c.eq(
        "a single line after a batch comes after it",
        Some(ms(next)),
        log_of(c, s, x, 10).await.pop(),
    );
}
