//! Version 3 of the schema (the account and API generation of each payment,
//! the 2026 API's notify token and CinetPay's id) on a database that the
//! previous version migrated and filled: the rows read as Checkout v2
//! payments of the default account, and take the new data from then on.

use cinetpay_core::{
    AccountName, Generation, NotifyToken, PaymentFilter, PaymentPage, PaymentQueries,
    PaymentStatus, PaymentStore,
};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::fixtures::{at, new_payment, order_ref};
use sea_orm::{ConnectionTrait, DbBackend};

use super::common::{
    MYSQL_VAR, POSTGRES_VAR, Place, admin, insert_old_row, payments_table, server_url,
    stored_payment, table,
};
use super::migrate::{VERSIONS, versions};

/// Rows written by version 2 (a pending payment with its page, an accepted
/// and delivered one) survive the upgrade unchanged and read `default`, v2,
/// no notify token and no CinetPay id; then a 2026 page and a payment of
/// another account are stored as on a new database.
async fn upgrade_from_version_2(store: SeaOrmStore) {
    store.migrate_steps(2).await.expect("version 2");
    let payments = payments_table(&store);
    let raw = store.connection().clone();
    let pending = new_payment(&order_ref("v2-pending"), 1500, at(0));
    let paid = new_payment(&order_ref("v2-paid"), 2500, at(1_000));
    for (new, update) in [
        (
            &pending,
            "payment_token = 'tok-v2', payment_url = 'https://checkout.cinetpay.com/payment/tok-v2'",
        ),
        (
            &paid,
            "status = 'accepted', open_order_ref = NULL, paid_order_ref = order_ref, \
             fulfilled_at = 5000",
        ),
    ] {
        insert_old_row(&store, new).await;
        let sql = format!(
            "UPDATE {payments} SET {update} WHERE transaction_id = '{}'",
            new.transaction_id
        );
        raw.execute_unprepared(&sql).await.expect("a version 2 row");
    }

    store.migrate().await.expect("the upgrade to version 3");
    assert_eq!(versions(&raw, &table(&store, "migrations")).await, VERSIONS);
    let listed = store
        .list_payments(&PaymentFilter::newest(10))
        .await
        .expect("list the upgraded rows");
    assert_eq!(listed.len(), 2, "{listed:?}");
    for p in &listed {
        assert_eq!(p.account.as_str(), AccountName::DEFAULT, "{p:?}");
        assert_eq!(p.generation, Generation::CheckoutV2, "{p:?}");
        assert!(p.notify_token.is_none() && p.cinetpay_id.is_none(), "{p:?}");
    }
    let old_pending = stored_payment(&store, &pending.transaction_id).await;
    assert_eq!(old_pending.payment_token.as_deref(), Some("tok-v2"));
    assert!(old_pending.open);
    let old_paid = stored_payment(&store, &paid.transaction_id).await;
    assert_eq!(old_paid.status, PaymentStatus::Accepted);
    assert!(old_paid.is_fulfilled());

    // The upgraded pending payment takes a 2026 answer, in one write.
    let token = NotifyToken::new("nt_9c1e77d2b04c").expect("token");
    let page = PaymentPage {
        payment_token: "tok-2026",
        payment_url: "https://checkout.cinetpay.com/payment/tok-2026",
        notify_token: Some(&token),
        cinetpay_id: Some("27ba4e1b-9c2d"),
        at: at(2_000),
    };
    assert!(
        store
            .attach_payment_page(&pending.transaction_id, &page)
            .await
            .expect("attach")
    );
    let attached = stored_payment(&store, &pending.transaction_id).await;
    assert_eq!(
        attached.notify_token.as_ref().map(NotifyToken::expose),
        Some("nt_9c1e77d2b04c")
    );
    assert_eq!(attached.cinetpay_id.as_deref(), Some("27ba4e1b-9c2d"));

    // A payment of another account on the 2026 API, as on a new database.
    let mut cm = new_payment(&order_ref("v3-cm"), 1500, at(3_000));
    cm.account = AccountName::new("cm").expect("account");
    cm.generation = Generation::Rest2026;
    store.insert_payment(&cm).await.expect("insert");
    let found = stored_payment(&store, &cm.transaction_id).await;
    assert_eq!(
        (found.account.as_str(), found.generation),
        ("cm", Generation::Rest2026)
    );
    store.migrate().await.expect("a second run does nothing");
}

/// An upgrade cut short after its first column (MySQL's DDL is not
/// transactional: the column stays) runs again: it adds the others and
/// records itself.
async fn a_cut_short_upgrade_runs_again(store: SeaOrmStore) {
    store.migrate_steps(2).await.expect("version 2");
    let survivor = new_payment(&order_ref("cut-short"), 1500, at(0));
    insert_old_row(&store, &survivor).await;
    let sql = format!(
        "ALTER TABLE {} ADD COLUMN account VARCHAR(32) NOT NULL DEFAULT 'default'",
        payments_table(&store)
    );
    store
        .connection()
        .execute_unprepared(&sql)
        .await
        .expect("the first column of a cut-short upgrade");
    store.migrate().await.expect("the upgrade, again");
    assert_eq!(
        versions(store.connection(), &table(&store, "migrations")).await,
        VERSIONS
    );
    let found = stored_payment(&store, &survivor.transaction_id).await;
    assert_eq!(
        (found.account.as_str(), found.generation),
        (AccountName::DEFAULT, Generation::CheckoutV2)
    );
}

#[tokio::test]
async fn upgrade_from_version_2_on_sqlite() {
    let connect = || SeaOrmStore::connect("sqlite::memory:");
    upgrade_from_version_2(connect().await.expect("connect")).await;
    a_cut_short_upgrade_runs_again(connect().await.expect("connect")).await;
}

async fn on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let (first, second) = (Place::new(backend, "v3"), Place::new(backend, "v3cut"));
    let connect = |place: &Place| {
        place
            .builder(&place.prefix)
            .max_connections(2)
            .connect(&url)
    };
    upgrade_from_version_2(connect(&first).await.expect("connect")).await;
    a_cut_short_upgrade_runs_again(connect(&second).await.expect("connect")).await;
    let admin = admin(&url).await;
    first.drop_all(&admin).await;
    second.drop_all(&admin).await;
}

#[tokio::test]
async fn upgrade_from_version_2_on_postgres() {
    on_server(
        POSTGRES_VAR,
        "accounts::upgrade_from_version_2_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn upgrade_from_version_2_on_mysql() {
    on_server(
        MYSQL_VAR,
        "accounts::upgrade_from_version_2_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
