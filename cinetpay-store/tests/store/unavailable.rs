//! A database that is down gives `StoreError::Unavailable` (the engine answers
//! 503), never a panic; and the store recovers when the database comes back.

use std::sync::Arc;
use std::time::Duration;

use super::common::{MYSQL_VAR, POSTGRES_VAR, Place, admin, server_url};
use cinetpay_core::{PaymentStore, StoreError, TransactionId};
use cinetpay_store::SeaOrmStore;
use cinetpay_testing::fixtures::{at, new_payment, order_ref, page};
use sea_orm::DbBackend;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

fn assert_unavailable<T: std::fmt::Debug>(what: &str, result: Result<T, StoreError>) {
    match result {
        Err(err @ StoreError::Unavailable { .. }) => {
            let source = std::error::Error::source(&err);
            assert!(
                source.is_some(),
                "{what}: the database error is kept as the source"
            );
        }
        other => panic!("{what}: expected StoreError::Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    for url in [
        "postgres://postgres@127.0.0.1:1/test",
        "mysql://root@127.0.0.1:1/test",
    ] {
        let err = SeaOrmStore::builder()
            .connect_timeout(Duration::from_secs(2))
            .connect(url)
            .await
            .expect_err("nothing listens on port 1");
        assert!(err.is_unavailable(), "{url}: {err:?}");
        let text = err.to_string();
        assert!(text.contains("unavailable while connecting"), "{text}");
        assert_unavailable(url, Err::<(), _>(err.into()));
    }
}

#[tokio::test]
async fn a_closed_pool_is_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("closed.db").display()
    );
    let store = SeaOrmStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.close().await.expect("close");
    let id = TransactionId::generate();
    assert_unavailable("find_payment", store.find_payment(&id).await);
    let new = new_payment(&order_ref("closed"), 1500, at(0));
    assert_unavailable("insert_payment", store.insert_payment(&new).await);
    assert_unavailable(
        "claim_fulfilment",
        store
            .claim_fulfilment(&cinetpay_core::Claim {
                transaction_id: &id,
                owner: "me",
                now: at(0),
                lease: Duration::from_secs(1),
            })
            .await,
    );
    assert!(store.migrate().await.expect_err("migrate").is_unavailable());
}

/// A TCP relay to the real server, which can be cut (every open connection
/// dropped, nothing accepted) and restored on the same port.
struct Relay {
    port: u16,
    target: String,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let port = listener.local_addr().expect("addr").port();
        let mut relay = Relay {
            port,
            target,
            task: None,
        };
        relay.serve(listener);
        relay
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            let mut pipes = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                pipes.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// The database "goes down": connections cut, new ones refused.
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// The database "comes back" on the same port.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind relay");
        self.serve(listener);
    }
}

/// host:port of a database URL (`scheme://user@host:port/db`).
fn host_port(url: &str) -> String {
    let rest = url.split("://").nth(1).expect("url");
    let authority = rest.split('/').next().expect("authority");
    authority.rsplit('@').next().expect("host").to_owned()
}

async fn goes_down_and_comes_back(var: &str, test: &str, backend: DbBackend) {
    let Some(url) = server_url(var, test) else {
        return;
    };
    let target = host_port(&url);
    let mut relay = Relay::start(target.clone()).await;
    let relayed = url.replacen(&target, &format!("127.0.0.1:{}", relay.port), 1);
    let place = Place::new(backend, "down");
    let store = place
        .builder(&place.prefix)
        .max_connections(2)
        .connect_timeout(Duration::from_secs(1))
        .acquire_timeout(Duration::from_secs(2))
        .connect(&relayed)
        .await
        .expect("connect through the relay");
    store.migrate().await.expect("migrate");
    let store: Arc<dyn PaymentStore> = Arc::new(store);
    let new = new_payment(&order_ref("down"), 1500, at(0));
    store.insert_payment(&new).await.expect("insert");

    relay.cut().await;
    let id = new.transaction_id.clone();
    assert_unavailable("find_payment while down", store.find_payment(&id).await);
    assert_unavailable(
        "claim_fulfilment while down",
        store
            .claim_fulfilment(&cinetpay_core::Claim {
                transaction_id: &id,
                owner: "me",
                now: at(0),
                lease: Duration::from_secs(1),
            })
            .await,
    );
    assert_unavailable(
        "insert_payment while down",
        store
            .insert_payment(&new_payment(&order_ref("down"), 1500, at(0)))
            .await,
    );

    relay.restore().await;
    let mut found = None;
    for _ in 0..20 {
        match store.find_payment(&id).await {
            Ok(p) => {
                found = p;
                break;
            }
            Err(e) => {
                assert!(e.is_transient(), "while coming back: {e:?}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    assert_eq!(
        found.map(|p| p.transaction_id),
        Some(id),
        "the store works again"
    );
    place.drop_all(&admin(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_down_is_unavailable_then_recovers() {
    goes_down_and_comes_back(
        POSTGRES_VAR,
        "postgres_going_down_is_unavailable_then_recovers",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_going_down_is_unavailable_then_recovers() {
    goes_down_and_comes_back(
        MYSQL_VAR,
        "mysql_going_down_is_unavailable_then_recovers",
        DbBackend::MySql,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stuck_statement_is_unavailable() {
    use sea_orm::{ConnectionTrait, TransactionTrait};

    let test = "postgres_stuck_statement_is_unavailable";
    let Some(url) = server_url(POSTGRES_VAR, test) else {
        return;
    };
    let place = Place::new(DbBackend::Postgres, "stuck");
    let store = place
        .builder(&place.prefix)
        .statement_timeout(Duration::from_millis(300))
        .connect(&url)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let new = new_payment(&order_ref("stuck"), 1500, at(0));
    store.insert_payment(&new).await.expect("insert");

    // Another session holds the row: the store's update waits, then the
    // server cancels it.
    let admin = admin(&url).await;
    let blocker = admin.begin().await.expect("begin");
    let schema = place.schema.clone().expect("a schema of its own");
    let lock = format!(
        "SELECT 1 FROM \"{schema}\".\"{}payments\" WHERE transaction_id = '{}' FOR UPDATE",
        place.prefix, new.transaction_id
    );
    blocker
        .execute_unprepared(&lock)
        .await
        .expect("lock the row");
    let started = std::time::Instant::now();
    let stuck = store
        .attach_payment_page(&new.transaction_id, &page("tok", "https://pay/x", at(1)))
        .await;
    assert_unavailable("an update stuck behind a lock", stuck);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    blocker.rollback().await.expect("rollback");
    assert!(
        store
            .attach_payment_page(&new.transaction_id, &page("tok", "https://pay/x", at(2)))
            .await
            .expect("attach once the lock is gone")
    );
    place.drop_all(&admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_stuck_statement_is_cut_by_the_statement_timeout() {
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

    let test = "mysql_stuck_statement_is_cut_by_the_statement_timeout";
    let Some(url) = server_url(MYSQL_VAR, test) else {
        return;
    };
    let place = Place::new(DbBackend::MySql, "stuck");
    // One connection: the one `migrate` used (and lifted the limit on) is
    // the one the statements below run on.
    let store = place
        .builder(&place.prefix)
        .max_connections(1)
        .statement_timeout(Duration::from_secs(1))
        .connect(&url)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let raw = store.connection();
    let version = raw
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT VERSION() AS v",
        ))
        .await
        .expect("version")
        .and_then(|row| row.try_get::<String>("", "v").ok())
        .expect("a version");
    let mariadb = version.contains("MariaDB");

    let started = std::time::Instant::now();
    let slept = raw.execute_unprepared("SELECT SLEEP(3)").await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{version}: took {took:?}");
    if mariadb {
        // MySQL's interrupted SLEEP answers 1 instead of failing.
        let err = slept.expect_err("SLEEP(3) cut by max_statement_time");
        assert!(err.to_string().contains("max_statement_time"), "{err}");
    }

    if mariadb {
        // MySQL's max_execution_time leaves writes alone: on MariaDB an update
        // stuck behind another session's row lock is cut too, and the store
        // answers Unavailable.
        let new = new_payment(&order_ref("stuck"), 1500, at(0));
        store.insert_payment(&new).await.expect("insert");
        let admin = admin(&url).await;
        let blocker = admin.begin().await.expect("begin");
        let lock = format!(
            "SELECT 1 FROM `{}payments` WHERE transaction_id = '{}' FOR UPDATE",
            place.prefix, new.transaction_id
        );
        blocker
            .execute_unprepared(&lock)
            .await
            .expect("lock the row");
        let started = std::time::Instant::now();
        let stuck = store
            .attach_payment_page(&new.transaction_id, &page("tok", "https://pay/x", at(1)))
            .await;
        assert_unavailable("an update stuck behind a lock", stuck);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        blocker.rollback().await.expect("rollback");
        assert!(
            store
                .attach_payment_page(&new.transaction_id, &page("tok", "https://pay/x", at(2)))
                .await
                .expect("attach once the lock is gone")
        );
    }
    place.drop_all(&admin(&url).await).await;
}

/// The connection's id on the server (`pg_backend_pid()`, `CONNECTION_ID()`).
async fn server_session(store: &SeaOrmStore, backend: DbBackend) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = match backend {
        DbBackend::Postgres => "SELECT CAST(pg_backend_pid() AS BIGINT) AS id",
        _ => "SELECT CAST(CONNECTION_ID() AS SIGNED) AS id",
    };
    store
        .connection()
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .expect("the session's id")
        .and_then(|row| row.try_get::<i64>("", "id").ok())
        .expect("an id")
}

/// A connection the server closed while it sat idle in the pool is found
/// dead by the ping before use and replaced: the store's statement succeeds.
/// By default every connection is pinged; with `ping_connections_idle_for`
/// one idle that long.
async fn closed_while_idle_is_replaced(var: &str, test: &str, backend: DbBackend) {
    for ping_after in [None, Some(Duration::from_millis(200))] {
        closed_while_idle(var, test, backend, ping_after).await;
    }
}

async fn closed_while_idle(
    var: &str,
    test: &str,
    backend: DbBackend,
    ping_after: Option<Duration>,
) {
    use sea_orm::ConnectionTrait;
    let Some(url) = server_url(var, test) else {
        return;
    };
    let place = Place::new(backend, "idle");
    let mut builder = place.builder(&place.prefix).max_connections(1);
    if let Some(idle) = ping_after {
        builder = builder.ping_connections_idle_for(idle);
    }
    let store = builder.connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let new = new_payment(&order_ref("idle"), 1500, at(0));
    store.insert_payment(&new).await.expect("insert");
    let before = server_session(&store, backend).await;
    let admin = admin(&url).await;
    let kill = match backend {
        DbBackend::Postgres => format!("SELECT pg_terminate_backend({before})"),
        _ => format!("KILL {before}"),
    };
    admin
        .execute_unprepared(&kill)
        .await
        .expect("the server closes the store's connection");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let found = store
        .find_payment(&new.transaction_id)
        .await
        .expect("the dead connection was replaced before use");
    assert_eq!(found.map(|p| p.transaction_id), Some(new.transaction_id));
    let after = server_session(&store, backend).await;
    assert_ne!(before, after, "a new connection ({ping_after:?})");
    place.drop_all(&admin).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connection_closed_while_idle_is_replaced() {
    closed_while_idle_is_replaced(
        POSTGRES_VAR,
        "postgres_connection_closed_while_idle_is_replaced",
        DbBackend::Postgres,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_connection_closed_while_idle_is_replaced() {
    closed_while_idle_is_replaced(
        MYSQL_VAR,
        "mysql_connection_closed_while_idle_is_replaced",
        DbBackend::MySql,
    )
    .await;
}
