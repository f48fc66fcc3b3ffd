//! Every case on every adapter and store, each its own test:
//! `{adapter}_{store}::{case}`, e.g. `axum_sqlite::success`.
//!
//! Run one adapter or store with a filter: `cargo test -p cinetpay-e2e axum_sqlite::`;
//! one case everywhere: `cargo test -p cinetpay-e2e ::success`.
//!
//! Also here, in `minimal`: the minimal example (`examples/axum-minimal`)
//! takes a payment, and the README shows it as it is.

mod minimal;

/// Calls `$then!($($args)*; case, case, ...)` with every case of
/// `cinetpay_e2e::cases`. A new case is added here once.
macro_rules! with_every_case {
    ($then:ident!($($args:tt)*)) => {
        $then!($($args)*;
            // happy.rs
            success,
            refused,
            cancelled,
            return_before_notification,
            notification_never_sent,
            waiting_then_accepted,
            refused_then_accepted,
            // duplicates.rs
            concurrent_duplicate_notifications,
            accepted_then_late_refused,
            // tampering.rs
            amount_tampered_at_check,
            currency_tampered_at_check,
            // faults.rs
            check_fails_twice_then_recovers,
            check_down_then_next_notification,
            fulfiller_fails_twice_then_succeeds,
            // rejects.rs
            wrong_site_id,
            bad_x_token,
            missing_x_token,
            ping,
            unknown_transaction,
            oversized_body,
            // init.rs
            double_click_on_pay,
        );
    };
}

/// One test per case for one adapter and store.
macro_rules! cases {
    ($adapter:ident, $store:ident; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let name = concat!(module_path!(), "::", stringify!($case));
                let Some(world) = cinetpay_e2e::World::start(
                    cinetpay_e2e::Adapter::$adapter,
                    cinetpay_e2e::StoreKind::$store,
                    name,
                )
                .await
                else {
                    return;
                };
                cinetpay_e2e::cases::$case(&world).await;
            }
        )*
    };
}

/// The matrix: one module per adapter and store.
macro_rules! matrix {
    ($($module:ident: $adapter:ident x $store:ident;)*) => {
        $(
            mod $module {
                with_every_case!(cases!($adapter, $store));
            }
        )*
    };
}

// A new adapter adds its four lines here (and its arm in `cinetpay_e2e::adapter`).
matrix! {
    axum_memory: Axum x Memory;
    axum_sqlite: Axum x Sqlite;
    axum_postgres: Axum x Postgres;
    axum_mysql: Axum x Mysql;
    rocket_memory: Rocket x Memory;
    rocket_sqlite: Rocket x Sqlite;
    rocket_postgres: Rocket x Postgres;
    rocket_mysql: Rocket x Mysql;
}
