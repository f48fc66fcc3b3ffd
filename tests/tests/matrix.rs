//! Every case on every adapter and store, each its own test:
//! `{adapter}_{store}::{case}`, e.g. `axum_sqlite::success`.
//!
//! Run one adapter or store with a filter: `cargo test -p cinetpay-e2e axum_sqlite::`;
//! one case everywhere: `cargo test -p cinetpay-e2e ::success`.
//!
//! The cases of the 2026 REST API run on every adapter and store too, in
//! `{adapter}_{store}_2026` (`cargo test --workspace --test matrix -- _2026`),
//! and the shop with one Checkout v2 and one 2026 account (`mixed`) in
//! `{adapter}_{store}_mixed`. The Checkout v2-only cases (x-token, site id,
//! tampering at the check) stay in the v2 modules.
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

/// The cases of `cinetpay_e2e::cases::rest2026`, as [`with_every_case`].
macro_rules! with_every_2026_case {
    ($then:ident!($($args:tt)*)) => {
        $then!($($args)*;
            success,
            refused,
            return_before_notification,
            duplicate_notifications,
            forged_notify_token,
            missing_notify_token,
            token_of_another_payment,
            ping,
            unknown_transaction,
        );
    };
}

/// One test per case (`case_fns::$case`, the enclosing module's import)
/// for one adapter, store and mode.
macro_rules! cases {
    ($adapter:ident, $store:ident, $mode:ident; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let name = concat!(module_path!(), "::", stringify!($case));
                let Some(world) = cinetpay_e2e::World::start_with(
                    cinetpay_e2e::Adapter::$adapter,
                    cinetpay_e2e::StoreKind::$store,
                    shop_common::dev::SandboxMode::$mode,
                    name,
                )
                .await
                else {
                    return;
                };
                case_fns::$case(&world).await;
            }
        )*
    };
}

/// The matrix: per adapter and store, one module of Checkout v2 cases, one
/// of 2026 cases and one of the mixed shop.
macro_rules! matrix {
    ($($module:ident, $module_2026:ident, $module_mixed:ident: $adapter:ident x $store:ident;)*) => {
        $(
            mod $module {
                use cinetpay_e2e::cases as case_fns;
                with_every_case!(cases!($adapter, $store, V2));
            }
            mod $module_2026 {
                use cinetpay_e2e::cases::rest2026 as case_fns;
                with_every_2026_case!(cases!($adapter, $store, Rest2026));
            }
            mod $module_mixed {
                use cinetpay_e2e::cases::rest2026 as case_fns;
                cases!($adapter, $store, Mixed; mixed_accounts);
            }
        )*
    };
}

// A new adapter adds its four lines here (and its arm in `cinetpay_e2e::adapter`).
matrix! {
    axum_memory, axum_memory_2026, axum_memory_mixed: Axum x Memory;
    axum_sqlite, axum_sqlite_2026, axum_sqlite_mixed: Axum x Sqlite;
    axum_postgres, axum_postgres_2026, axum_postgres_mixed: Axum x Postgres;
    axum_mysql, axum_mysql_2026, axum_mysql_mixed: Axum x Mysql;
    rocket_memory, rocket_memory_2026, rocket_memory_mixed: Rocket x Memory;
    rocket_sqlite, rocket_sqlite_2026, rocket_sqlite_mixed: Rocket x Sqlite;
    rocket_postgres, rocket_postgres_2026, rocket_postgres_mixed: Rocket x Postgres;
    rocket_mysql, rocket_mysql_2026, rocket_mysql_mixed: Rocket x Mysql;
}
