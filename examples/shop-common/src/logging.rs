//! The shops' log output: `RUST_LOG` when set, else `info` with the database
//! drivers' statement logs turned down.

use tracing_subscriber::EnvFilter;

/// Installs the log subscriber of a shop binary. Call once, first thing in `main`.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
}

/// The process exit code of a shop's run: failure, with the reason logged, when it could not start.
pub fn exit_code(
    shop: &str,
    run: Result<(), Box<dyn std::error::Error>>,
) -> std::process::ExitCode {
    match run {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{shop} cannot start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
