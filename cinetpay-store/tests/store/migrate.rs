//! `migrate()`: its own migration table, the chosen prefix or schema,
//! idempotence, and several instances migrating one database at once.

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
use cinetpay_store::SeaOrmStore;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Instances starting at once.
const INSTANCES: usize = 6;

/// Table names of the current database/schema (`schema` on PostgreSQL).
async fn tables(db: &DatabaseConnection, schema: Option<&str>) -> Vec<String> {
    let backend = db.get_database_backend();
    let stmt = match backend {
        DbBackend::Sqlite => Statement::from_string(
            backend,
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' ORDER BY name",
        ),
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT table_name::text AS t FROM information_schema.tables \
             WHERE table_schema = $1 ORDER BY table_name",
            [schema.unwrap_or("public").into()],
        ),
        _ => Statement::from_string(
            backend,
            "SELECT table_name AS t FROM information_schema.tables \
             WHERE table_schema = DATABASE() ORDER BY table_name",
        ),
    };
    db.query_all_raw(stmt)
        .await
        .expect("list tables")
        .iter()
        .map(|row| row.try_get::<String>("", "t").expect("table name"))
        .collect()
}

/// The versions recorded in `table` (qualified as needed).
pub(super) async fn versions(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let sql = format!("SELECT version FROM {table} ORDER BY version");
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("read migration table")
        .iter()
        .map(|row| row.try_get::<String>("", "version").expect("version"))
        .collect()
}

/// Every migration of the store, in order.
pub(super) const VERSIONS: [&str; 3] = [
    "m20260601_000001_create_tables",
    "m20261201_000002_one_payment_per_order",
    "m20261201_000003_accounts_and_notify_tokens",
];

#[tokio::test]
async fn own_migration_table_with_the_chosen_prefix() {
    let store = SeaOrmStore::builder()
        .table_prefix("shop_pay_")
        .connect("sqlite::memory:")
        .await
        .expect("connect");
    let db = store.connection();
    // The host application's own sea-orm migrations, with a version we do not know.
    db.execute_unprepared(
        "CREATE TABLE seaql_migrations (version VARCHAR PRIMARY KEY, applied_at BIGINT NOT NULL);
         INSERT INTO seaql_migrations VALUES ('m20240101_000001_host_app', 0);",
    )
    .await
    .expect("host migrations");
    store
        .migrate()
        .await
        .expect("migrate beside the host's migrations");
    store.migrate().await.expect("migrate again");
    assert_eq!(
        tables(db, None).await,
        [
            "seaql_migrations",
            "shop_pay_deliveries",
            "shop_pay_migrations",
            "shop_pay_payments",
            "sqlite_sequence"
        ]
    );
    assert_eq!(versions(db, "shop_pay_migrations").await, VERSIONS);
    assert_eq!(
        versions(db, "seaql_migrations").await,
        ["m20240101_000001_host_app"]
    );
}

#[tokio::test]
async fn two_prefixes_live_side_by_side() {
    let a = SeaOrmStore::connect("sqlite::memory:")
        .await
        .expect("connect");
    let b = SeaOrmStore::builder()
        .table_prefix("other_")
        .build(a.connection().clone())
        .expect("build");
    a.migrate().await.expect("migrate a");
    b.migrate().await.expect("migrate b");
    let names = tables(a.connection(), None).await;
    for t in [
        "cinetpay_payments",
        "cinetpay_migrations",
        "other_payments",
        "other_migrations",
    ] {
        assert!(names.iter().any(|n| n == t), "{t} missing from {names:?}");
    }
}

#[tokio::test]
async fn a_schema_is_for_postgres_only() {
    let err = SeaOrmStore::builder()
        .schema("payments")
        .connect("sqlite::memory:")
        .await
        .expect_err("schema on SQLite");
    assert!(err.to_string().contains("schema"), "{err}");
}

/// `INSTANCES` stores with separate pools migrate at once, twice over.
async fn concurrent(stores: &[SeaOrmStore]) {
    for _ in 0..2 {
        let results = futures_util::future::join_all(stores.iter().map(SeaOrmStore::migrate)).await;
        for r in results {
            r.expect("concurrent migrate");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrate_on_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    let mut stores = Vec::new();
    for _ in 0..INSTANCES {
        stores.push(SeaOrmStore::connect(&url).await.expect("connect"));
    }
    concurrent(&stores).await;
    assert_eq!(
        versions(stores[0].connection(), "cinetpay_migrations").await,
        VERSIONS
    );
}

async fn concurrent_on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "mig");
    let mut stores = Vec::new();
    for _ in 0..INSTANCES {
        let store = place
            .builder(&place.prefix)
            .max_connections(2)
            .connect(&url)
            .await
            .expect("connect");
        stores.push(store);
    }
    concurrent(&stores).await;
    let admin = admin(&url).await;
    let names = tables(&admin, place.schema.as_deref()).await;
    let p = &place.prefix;
    for t in ["payments", "deliveries", "migrations"] {
        assert!(
            names.contains(&format!("{p}{t}")),
            "{p}{t} missing from {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n == "seaql_migrations"), "{names:?}");
    let table = match &place.schema {
        Some(schema) => format!("\"{schema}\".\"{p}migrations\""),
        None => format!("`{p}migrations`"),
    };
    assert_eq!(versions(&admin, &table).await, VERSIONS);
    place.drop_all(&admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrate_on_postgres() {
    concurrent_on_server(
        POSTGRES_VAR,
        "concurrent_migrate_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrate_on_mysql() {
    concurrent_on_server(MYSQL_VAR, "concurrent_migrate_on_mysql", DbBackend::MySql).await;
}

/// Rows written by version 1, where an order could end with two accepted
/// payments: after the upgrade the order is paid by one (the delivered one,
/// else the oldest), the other is a duplicate to refund, and a third
/// payment of a paid order can no longer be accepted.
async fn upgrade_brings_version_1_rows_in_line(store: SeaOrmStore) {
    use cinetpay_core::{Attention, Owed, PaymentStatus, PaymentStore, RefundReason, Transition};
    use cinetpay_testing::fixtures::{accepted_change, at, new_payment, order_ref};

    use super::common::stored_payment;

    store.migrate_steps(1).await.expect("version 1");
    let table = super::common::payments_table(&store);
    let raw = store.connection().clone();
    let accept = |id: &str, fulfilled: Option<i64>| {
        let fulfilled = fulfilled.map_or("NULL".to_owned(), |t| t.to_string());
        format!(
            "UPDATE {table} SET status = 'accepted', open_order_ref = NULL, fulfilled_at = {fulfilled} \
             WHERE transaction_id = '{id}'"
        )
    };
    let (paid, twice) = (order_ref("upgrade"), order_ref("upgrade-single"));
    // The older payment was never delivered; the younger one was.
    let older = new_payment(&paid, 1500, at(0));
    let delivered = new_payment(&paid, 1500, at(1_000));
    let single = new_payment(&twice, 1500, at(2_000));
    for (new, fulfilled) in [(&older, None), (&delivered, Some(5_000)), (&single, None)] {
        super::common::insert_old_row(&store, new).await;
        raw.execute_unprepared(&accept(new.transaction_id.as_str(), fulfilled))
            .await
            .expect("a version 1 row");
    }

    store.migrate().await.expect("the upgrade");
    let payer = stored_payment(&store, &delivered.transaction_id).await;
    assert_eq!(payer.status, PaymentStatus::Accepted);
    assert!(payer.is_fulfilled());
    let duplicate = stored_payment(&store, &older.transaction_id).await;
    assert_eq!(duplicate.status, PaymentStatus::NeedsAttention);
    assert_eq!(
        duplicate.attention,
        Some(Attention::Refund(RefundReason::OrderAlreadyPaid {
            by: delivered.transaction_id.clone()
        }))
    );
    assert_eq!(duplicate.owed(), Some(Owed::RefundNotice));
    assert_eq!(
        stored_payment(&store, &single.transaction_id).await.owed(),
        Some(Owed::Delivery)
    );

    // The order is held by its payer: another payment of it cannot be accepted.
    let another = new_payment(&twice, 1500, at(3_000));
    store.insert_payment(&another).await.expect("insert");
    let change = accepted_change(&another, PaymentStatus::Pending, at(4_000));
    assert_eq!(
        store
            .transition(&another.transaction_id, &change)
            .await
            .expect("transition"),
        Transition::OrderAlreadyPaid(single.transaction_id.clone())
    );
    store.migrate().await.expect("a second run does nothing");
}

#[tokio::test]
async fn upgrade_on_sqlite() {
    let store = SeaOrmStore::connect("sqlite::memory:")
        .await
        .expect("connect");
    upgrade_brings_version_1_rows_in_line(store).await;
}

async fn upgrade_on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "up");
    let store = place
        .builder(&place.prefix)
        .connect(&url)
        .await
        .expect("connect");
    upgrade_brings_version_1_rows_in_line(store).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test]
async fn upgrade_on_postgres() {
    upgrade_on_server(
        POSTGRES_VAR,
        "migrate::upgrade_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn upgrade_on_mysql() {
    upgrade_on_server(MYSQL_VAR, "migrate::upgrade_on_mysql", DbBackend::MySql).await;
}

/// Every event at `INFO` or above, of every crate, on this thread.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        let bytes = std::mem::take(&mut *self.0.lock().expect("capture"));
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// A start-up on a migrated database logs nothing at `INFO` or above (no
/// "relation … already exists, skipping" notices, no "No pending
/// migrations"); the first one says what it applied.
async fn later_start_ups_are_silent(builder: impl Fn() -> cinetpay_store::StoreBuilder, url: &str) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let start_up = || async {
        let store = builder().connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
    };
    start_up().await;
    // The capture works (a line of this test's own). The first start-up's
    // own lines are not required: tests on other threads register the same
    // callsites at the same time, and tracing may then miss a few events of a
    // thread-scoped subscriber.
    tracing::info!("capture probe");
    let first = captured.lines();
    assert!(
        first.iter().any(|l| l.contains("capture probe")),
        "the capture works: {first:?}"
    );
    for _ in 0..2 {
        start_up().await;
        let later = captured.lines();
        assert!(later.is_empty(), "a later start-up logged: {later:#?}");
    }
}

#[tokio::test]
async fn later_start_ups_are_silent_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    later_start_ups_are_silent(SeaOrmStore::builder, &url).await;
}

async fn later_start_ups_are_silent_on_server(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "quiet");
    later_start_ups_are_silent(|| place.builder(&place.prefix).max_connections(2), &url).await;
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test]
async fn later_start_ups_are_silent_on_postgres() {
    later_start_ups_are_silent_on_server(
        POSTGRES_VAR,
        "later_start_ups_are_silent_on_postgres",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn later_start_ups_are_silent_on_mysql() {
    later_start_ups_are_silent_on_server(
        MYSQL_VAR,
        "later_start_ups_are_silent_on_mysql",
        DbBackend::MySql,
    )
    .await;
}
