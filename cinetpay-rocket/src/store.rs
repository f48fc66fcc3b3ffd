//! The store the fairing builds on ignite (feature `store`): a
//! [`SeaOrmStore`] on the database that `cinetpay.database_url`, or the
//! `[databases.<name>]` entry that `cinetpay.database` names, points at.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cinetpay_core::OrderFulfiller;
use cinetpay_store::SeaOrmStore;
use rocket::figment::Figment;

use crate::config::{self, DatabaseRef};

/// The future a fulfiller is made in.
pub(crate) type Making =
    Pin<Box<dyn Future<Output = Result<Arc<dyn OrderFulfiller>, String>> + Send>>;

/// Makes the merchant's fulfiller once the store is connected.
pub(crate) type MakeFulfiller = Box<dyn FnOnce(SeaOrmStore) -> Making + Send>;

/// Connects to the database the table names and runs the store's
/// migrations (idempotent, safe from several instances at once); or says
/// which key is missing, or why the connection failed.
pub(crate) async fn connect(
    figment: &Figment,
    database: Option<&DatabaseRef>,
) -> Result<SeaOrmStore, String> {
    let (url, from) = match database {
        Some(DatabaseRef::Url(url)) => (url.clone(), format!("`{}`", config::KEY_DATABASE_URL)),
        Some(DatabaseRef::Named(name)) => (
            config::named_database_url(figment, name)?,
            format!(
                "`databases.{name}.url`, named by `{}`",
                config::KEY_DATABASE
            ),
        ),
        None => {
            return Err(format!(
                "CinetPay store: `{}` is missing (set `database_url` in `[default.cinetpay]` of \
                 Rocket.toml or ROCKET_CINETPAY_DATABASE_URL; or `database = \"<name>\"` to use \
                 the `url` of `[default.databases.<name>]`, the entry rocket_db_pools reads)",
                config::KEY_DATABASE_URL
            ));
        }
    };
    let shown = redact(&url);
    let store = SeaOrmStore::connect(&url).await.map_err(|e| {
        let hint = match &e {
            cinetpay_store::Error::Config { setting: "url", .. } => {
                " (cinetpay-rocket's features `sqlite`, `postgres` and `mysql` enable those of \
                 cinetpay-store)"
            }
            _ => "",
        };
        format!("CinetPay store: cannot connect to {shown} (from {from}): {e}{hint}")
    })?;
    store.migrate().await.map_err(|e| {
        format!("CinetPay store: cannot create or upgrade the payment tables in {shown}: {e}")
    })?;
    tracing::info!("CinetPay store: payments in {shown} (from {from})");
    Ok(store)
}

/// A database URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    let Some(colon) = user_info.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &user_info[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_left_out_of_messages() {
        assert_eq!(
            redact("postgres://shop:s3cr%40t@db.internal:5432/shop?sslmode=require"),
            "postgres://shop:***@db.internal:5432/shop?sslmode=require"
        );
        assert_eq!(
            redact("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
        assert_eq!(
            redact("sqlite://shop.db?mode=rwc"),
            "sqlite://shop.db?mode=rwc"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(redact("postgres://u:p@h"), "postgres://u:***@h");
    }
}
