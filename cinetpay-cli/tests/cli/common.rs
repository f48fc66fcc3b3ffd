//! The command under test, the databases it runs on, and a shop's engine
//! that makes the payments it looks at.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{
    Amount, Currency, Description, FulfilError, Money, OrderFulfiller, OrderQuote, OrderRef,
    Payment, QuoteError, TransactionId, async_trait,
};
use cinetpay_sandbox::{Sandbox, SandboxHandle, Scenario};
use cinetpay_store::SeaOrmStore;
use sea_orm::{ConnectionTrait, Database, DbBackend};

/// The environment variable that names the PostgreSQL test database.
pub(crate) const POSTGRES_VAR: &str = "CINETPAY_TEST_POSTGRES_URL";
/// The environment variable that names the MySQL/MariaDB test database.
pub(crate) const MYSQL_VAR: &str = "CINETPAY_TEST_MYSQL_URL";

/// The URL in `var`, or `None` after one line saying the test was skipped.
/// Under `CI=true` a missing variable fails the test instead: CI must prove
/// every database (as cinetpay-store's tests do).
pub(crate) fn server_url(var: &str, test: &str) -> Option<String> {
    let example = if var == POSTGRES_VAR {
        "postgres://postgres@127.0.0.1:5432/test"
    } else {
        "mysql://root@127.0.0.1:3306/test"
    };
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{test}: {var} is not set and CI=true; CI must run every database (e.g. {var}={example})"
        ),
        _ => {
            eprintln!("skipped {test} on {var}: set {var} (e.g. {var}={example}) to run it");
            None
        }
    }
}

/// A name nobody else uses: `{tag}{pid}_{n}_{random}`, lower case.
pub(crate) fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{tag}{}_{n}_{:06x}",
        std::process::id() % 100_000,
        rand::random::<u32>() & 0xff_ffff
    )
}

/// One database for one test: a SQLite file in a temporary directory, or
/// a schema (PostgreSQL) or table prefix (MySQL) of its own on a server.
pub(crate) struct Db {
    pub(crate) name: &'static str,
    pub(crate) url: String,
    schema: Option<String>,
    prefix: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    /// A SQLite file of its own.
    pub(crate) fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Db {
            name: "sqlite",
            url: format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display()),
            schema: None,
            prefix: "cinetpay_".to_owned(),
            _dir: Some(dir),
        }
    }

    /// SQLite always; PostgreSQL and MySQL when their variables name them.
    pub(crate) fn all(test: &str) -> Vec<Db> {
        let mut all = vec![Db::sqlite()];
        if let Some(url) = server_url(POSTGRES_VAR, test) {
            all.push(Db {
                name: "postgres",
                url,
                schema: Some(unique_name("t_cli_")),
                prefix: "cinetpay_".to_owned(),
                _dir: None,
            });
        }
        if let Some(url) = server_url(MYSQL_VAR, test) {
            all.push(Db {
                name: "mysql",
                url,
                schema: None,
                prefix: format!("{}_", unique_name("tcli")),
                _dir: None,
            });
        }
        all
    }

    /// The shop's store on it, migrated.
    pub(crate) async fn store(&self) -> Arc<SeaOrmStore> {
        let mut builder = SeaOrmStore::builder().table_prefix(self.prefix.clone());
        if let Some(schema) = &self.schema {
            builder = builder.schema(schema.clone());
        }
        let store = builder
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{}: cannot reach the test database: {e}", self.name));
        store.migrate().await.expect("migrations");
        Arc::new(store)
    }

    /// The command's options that name this database's tables.
    pub(crate) fn args(&self) -> Vec<String> {
        let mut args = vec!["--table-prefix".to_owned(), self.prefix.clone()];
        if let Some(schema) = &self.schema {
            args.extend(["--schema".to_owned(), schema.clone()]);
        }
        args
    }

    /// Drops what this test created on a server.
    pub(crate) async fn drop_all(&self) {
        if self._dir.is_some() {
            return;
        }
        let db = Database::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test database: {e}"));
        if let Some(schema) = &self.schema {
            let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            if let Err(e) = db.execute_unprepared(&sql).await {
                eprintln!("clean-up of schema {schema} failed: {e}");
            }
            return;
        }
        for base in ["payments", "deliveries", "migrations"] {
            let sql = format!("DROP TABLE IF EXISTS `{}{base}`", self.prefix);
            if let Err(e) = db.execute_unprepared(&sql).await {
                eprintln!("clean-up of {}{base} failed: {e}", self.prefix);
            }
        }
        debug_assert_eq!(db.get_database_backend(), DbBackend::MySql);
    }
}

/// What the command printed and how it exited.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The lines of stdout that contain `needle`.
    pub(crate) fn lines_with(&self, needle: &str) -> Vec<&str> {
        self.stdout.lines().filter(|l| l.contains(needle)).collect()
    }

    /// Panics, showing everything, unless it exited with `code`.
    pub(crate) fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `cinetpay` with only `env` set, in an empty directory (no
/// Rocket.toml, no shop.db), without blocking the runtime (the sandbox
/// answers it from this test's runtime).
pub(crate) async fn cinetpay(env: &[(&str, String)], args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    cinetpay_in(dir.path(), env, args).await
}

/// [`cinetpay`] in `dir`.
pub(crate) async fn cinetpay_in(
    dir: &std::path::Path,
    env: &[(&str, String)],
    args: &[&str],
) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cinetpay"));
    command.env_clear().current_dir(dir).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), command.output())
        .await
        .expect("cinetpay finishes within a minute")
        .expect("cinetpay runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    // Shown with the test's failure (or with --nocapture).
    eprintln!(
        "$ cinetpay {}
{}{}(exit {})",
        args.join(" "),
        run.stdout,
        run.stderr,
        run.code
    );
    run
}

/// A shop: every order costs 1000 XOF; deliveries are counted.
#[derive(Debug, Default)]
pub(crate) struct ShopFulfiller {
    pub(crate) delivered: AtomicUsize,
}

#[async_trait]
impl OrderFulfiller for ShopFulfiller {
    async fn quote(&self, order: &OrderRef) -> Result<OrderQuote, QuoteError> {
        let money = Money::new(
            Amount::new(1000).map_err(|e| QuoteError::Unavailable(e.to_string()))?,
            Currency::Xof,
        );
        Ok(OrderQuote::new(
            money,
            Description::sanitised(&format!("Order {order}")),
        ))
    }

    async fn fulfil(&self, _payment: &Payment, _attempt: u32) -> Result<(), FulfilError> {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The shop's engine over a test database, on a quiet sandbox (it never
/// notifies: the tests say who syncs).
pub(crate) struct Shop {
    pub(crate) sandbox: SandboxHandle,
    pub(crate) store: Arc<SeaOrmStore>,
    pub(crate) checkout: Checkout,
    pub(crate) fulfiller: Arc<ShopFulfiller>,
    pub(crate) db: Db,
}

/// The public URL the tests' shops give CinetPay (nobody listens there).
pub(crate) const PUBLIC_URL: &str = "http://127.0.0.1:9";

impl Shop {
    pub(crate) async fn on(db: Db) -> Shop {
        let sandbox = Sandbox::builder()
            .scenario(Scenario::new().never_send(true))
            .start()
            .await
            .expect("the sandbox starts");
        let store = db.store().await;
        let settings = CheckoutSettings {
            api_key: Some(sandbox.api_key().to_owned()),
            site_id: Some(sandbox.site_id().to_owned()),
            secret_key: Some(sandbox.secret_key().to_owned()),
            api_url: Some(sandbox.url().as_str().trim_end_matches('/').to_owned()),
            public_url: Some(PUBLIC_URL.to_owned()),
            poll_after_ms: 0,
            ..CheckoutSettings::default()
        };
        let fulfiller = Arc::new(ShopFulfiller::default());
        let checkout = Checkout::builder()
            .config(settings.into_config().expect("valid settings"))
            .store(store.clone())
            .fulfiller(fulfiller.clone())
            .build()
            .expect("the engine builds");
        Shop {
            sandbox,
            store,
            checkout,
            fulfiller,
            db,
        }
    }

    /// The environment of the command, for this shop.
    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CINETPAY_API_KEY", self.sandbox.api_key().to_owned()),
            ("CINETPAY_SITE_ID", self.sandbox.site_id().to_owned()),
            ("CINETPAY_SECRET_KEY", self.sandbox.secret_key().to_owned()),
            (
                "CINETPAY_API_URL",
                self.sandbox.url().as_str().trim_end_matches('/').to_owned(),
            ),
            ("CINETPAY_PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("DATABASE_URL", self.db.url.clone()),
        ]
    }

    /// `cinetpay <db options> <args>` for this shop.
    pub(crate) async fn run(&self, args: &[&str]) -> Run {
        self.run_with(&[], args).await
    }

    /// The same, with more variables.
    pub(crate) async fn run_with(&self, extra: &[(&str, String)], args: &[&str]) -> Run {
        let mut env = self.env();
        env.extend(extra.iter().cloned());
        let mut all: Vec<String> = self.db.args();
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        cinetpay(&env, &all).await
    }

    /// A payment of `order` started by the shop; the customer has not decided.
    pub(crate) async fn started(&self, order: &str) -> TransactionId {
        self.checkout
            .start_payment(&OrderRef::new(order).expect("an order reference"))
            .await
            .expect("init")
            .transaction_id
    }

    /// A payment of `order` the customer paid, whose notification was lost:
    /// pending in the shop's database, accepted at CinetPay.
    pub(crate) async fn paid_pending(&self, order: &str) -> TransactionId {
        let id = self.started(order).await;
        self.sandbox
            .pay(id.as_str(), cinetpay_sandbox::Operator::OrangeMoney)
            .expect("the sandbox takes the payment");
        id
    }

    /// The stored payment `id`.
    pub(crate) async fn payment(&self, id: &TransactionId) -> Payment {
        use cinetpay_core::PaymentStore;
        self.store
            .find_payment(id)
            .await
            .expect("the store answers")
            .expect("the payment is stored")
    }

    pub(crate) async fn finish(self) {
        self.checkout.flush_delivery_log().await;
        self.db.drop_all().await;
        self.sandbox.shutdown().await;
    }
}
