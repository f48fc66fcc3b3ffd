//! `migrate()`: its own migration table, the chosen prefix or schema,
//! idempotence, and several instances migrating one database at once.

mod common;

use cinetpay_store::SeaOrmStore;
use common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
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
async fn versions(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let sql = format!("SELECT version FROM {table} ORDER BY version");
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("read migration table")
        .iter()
        .map(|row| row.try_get::<String>("", "version").expect("version"))
        .collect()
}

const V1: &str = "m20260601_000001_create_tables";

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
    assert_eq!(versions(db, "shop_pay_migrations").await, [V1]);
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
        [V1]
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
    assert_eq!(versions(&admin, &table).await, [V1]);
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
