//! Where the shop's configuration and database are: the `CINETPAY_*`
//! environment, or a Rocket.toml's `[default.cinetpay]` table; the
//! database URL; the store on it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cinetpay_core::engine::{CheckoutConfig, CheckoutSettings, ConfigError};
use cinetpay_store::SeaOrmStore;

use crate::Global;

/// The database when nothing names one: the example shops' SQLite file,
/// which must exist (`mode=rw`: an operator's typo creates no empty database).
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://shop.db?mode=rw";

/// Where the settings came from, to name a setting the way it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The `CINETPAY_*` environment variables.
    Env,
    /// A Rocket.toml (and `ROCKET_CINETPAY_*`).
    Rocket(PathBuf),
}

impl Source {
    /// A few words for the first line of a report.
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Env => "the CINETPAY_* environment".to_owned(),
            Source::Rocket(path) => {
                format!("[cinetpay] of {} (and ROCKET_CINETPAY_*)", path.display())
            }
        }
    }

    /// A validation error, named as the shop's operator sets it.
    pub(crate) fn name_error(&self, error: &ConfigError) -> String {
        match self {
            Source::Env => error.to_string(),
            Source::Rocket(_) => {
                let key = error.key();
                if key.starts_with("accounts.") {
                    return format!("cinetpay.{key} {}", error.problem());
                }
                match error.env() {
                    Some(env) => format!("cinetpay.{key} (ROCKET_{env}) {}", error.problem()),
                    None => error.to_string(),
                }
            }
        }
    }
}

/// The shop's settings, read but not validated.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) settings: CheckoutSettings,
    pub(crate) source: Source,
    /// The database the configuration names, if it does (Rocket's table).
    pub(crate) database_url: Option<String>,
}

impl Loaded {
    /// The settings, validated.
    pub(crate) fn config(&self) -> Result<CheckoutConfig, String> {
        self.settings
            .clone()
            .into_config()
            .map_err(|e| format!("configuration: {}", self.source.name_error(&e)))
    }
}

/// Reads the settings from Rocket.toml when there is one, else from the environment.
pub(crate) fn load(global: &Global) -> Result<Loaded, String> {
    let rocket = match &global.rocket_toml {
        Some(path) => Some(path.clone()),
        None => {
            let here = PathBuf::from("Rocket.toml");
            here.is_file().then_some(here)
        }
    };
    match rocket {
        Some(path) => rocket_settings(&path, &global.rocket_profile),
        None => Ok(Loaded {
            settings: CheckoutSettings::from_env().map_err(|e| format!("configuration: {e}"))?,
            source: Source::Env,
            database_url: None,
        }),
    }
}

/// The `[cinetpay]` table as the Rocket fairing reads it: `[default]`, then
/// the profile, then `[global]`, then the `ROCKET_CINETPAY_*` variables.
fn rocket_settings(path: &Path, profile: &str) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: toml::Table = text
        .parse()
        .map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
    let mut merged = toml::Table::new();
    for section in ["default", profile, "global"] {
        if let Some(toml::Value::Table(table)) = file.get(section) {
            merge(&mut merged, table);
        }
    }
    let mut table = match merged.remove("cinetpay") {
        Some(toml::Value::Table(table)) => table,
        Some(_) => return Err(format!("{}: `cinetpay` must be a table", path.display())),
        None => toml::Table::new(),
    };
    for key in CheckoutSettings::KEYS
        .iter()
        .copied()
        .chain(["database_url", "database"])
        .filter(|k| *k != "accounts")
    {
        let var = format!("ROCKET_CINETPAY_{}", key.to_ascii_uppercase());
        if let Some(value) = std::env::var(&var).ok().filter(|v| !v.trim().is_empty()) {
            table.insert(key.to_owned(), toml::Value::String(value));
        }
    }
    let text_of = |value: toml::Value, key: &str| match value {
        toml::Value::String(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("cinetpay.{key} must be a non-empty string")),
    };
    let url = table
        .remove("database_url")
        .map(|v| text_of(v, "database_url"))
        .transpose()?;
    let named = table
        .remove("database")
        .map(|v| text_of(v, "database"))
        .transpose()?;
    let database_url = match (url, named) {
        (Some(url), _) => Some(url),
        (None, Some(name)) => {
            let url = merged
                .get("databases")
                .and_then(|d| d.get(&name))
                .and_then(|d| d.get("url"))
                .and_then(toml::Value::as_str)
                .ok_or_else(|| {
                    format!(
                        "cinetpay.database = {name:?} names [databases.{name}], which has no url in {}",
                        path.display()
                    )
                })?;
            Some(url.to_owned())
        }
        (None, None) => None,
    };
    let settings: CheckoutSettings = toml::Value::Table(table)
        .try_into()
        .map_err(|e| format!("{}: [cinetpay]: {e}", path.display()))?;
    Ok(Loaded {
        settings,
        source: Source::Rocket(path.to_owned()),
        database_url,
    })
}

/// `over` merged into `base`, tables key by key (a profile's
/// `[release.cinetpay]` overrides some keys of `[default.cinetpay]`).
fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(mine)), toml::Value::Table(theirs)) => merge(mine, theirs),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The database URL: the flag or `DATABASE_URL`, else the configuration's,
/// else the shops' SQLite default.
pub(crate) fn database_url(global: &Global, loaded: Option<&Loaded>) -> String {
    global
        .database_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| loaded.and_then(|l| l.database_url.clone()))
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// The shop's store, on its database, as it is (never migrated here).
pub(crate) async fn store(
    global: &Global,
    loaded: Option<&Loaded>,
) -> Result<Arc<SeaOrmStore>, String> {
    let url = database_url(global, loaded);
    let mut builder = SeaOrmStore::builder().table_prefix(global.table_prefix.clone());
    if let Some(schema) = &global.schema {
        builder = builder.schema(schema.clone());
    }
    let store = builder.connect(&url).await.map_err(|e| {
        format!(
            "database {}: {e} (set --database-url or DATABASE_URL)",
            redacted_url(&url)
        )
    })?;
    Ok(Arc::new(store))
}

/// The store, for commands that only read it: the configuration is read
/// only when it is what names the database.
pub(crate) async fn store_for_reading(global: &Global) -> Result<Arc<SeaOrmStore>, String> {
    if global
        .database_url
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty())
    {
        return store(global, None).await;
    }
    let loaded = load(global)?;
    store(global, Some(&loaded)).await
}

/// A database URL without its password, for messages.
pub(crate) fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rocket_toml_profiles_merge_and_the_named_database_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Rocket.toml");
        std::fs::write(
            &path,
            r#"
[default.databases.shop]
url = "sqlite://shop.db?mode=rwc"

[default.cinetpay]
database = "shop"
api_key = "key"
site_id = 123456
public_url = "http://127.0.0.1:8000"
fulfil_timeout_ms = 4000

[default.cinetpay.accounts.ci]
api_key = "ci-key"

[release.databases.shop]
url = "postgres://shop@db.internal/shop"

[release.cinetpay]
public_url = "https://shop.example.com"

[release.cinetpay.accounts.ci]
site_id = 42
"#,
        )
        .unwrap();
        let release = rocket_settings(&path, "release").unwrap();
        assert_eq!(
            release.database_url.as_deref(),
            Some("postgres://shop@db.internal/shop")
        );
        let s = &release.settings;
        assert_eq!(s.public_url.as_deref(), Some("https://shop.example.com"));
        assert_eq!(
            s.site_id.as_deref(),
            Some("123456"),
            "a TOML number is read as text"
        );
        assert_eq!(s.fulfil_timeout_ms, 4000);
        let ci = &s.accounts.as_ref().unwrap()["ci"];
        assert_eq!(
            (ci.api_key.as_deref(), ci.site_id.as_deref()),
            (Some("ci-key"), Some("42")),
            "tables merge key by key"
        );
        let debug = rocket_settings(&path, "debug").unwrap();
        assert_eq!(
            debug.database_url.as_deref(),
            Some("sqlite://shop.db?mode=rwc")
        );
        assert_eq!(
            debug.settings.public_url.as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert!(matches!(debug.source, Source::Rocket(_)));

        std::fs::write(&path, "[default.cinetpay]\nsit_id = 1\n").unwrap();
        let typo = rocket_settings(&path, "release").unwrap_err();
        assert!(typo.contains("sit_id"), "{typo}");
        std::fs::write(&path, "[default.cinetpay]\ndatabase = \"nope\"\n").unwrap();
        let missing = rocket_settings(&path, "release").unwrap_err();
        assert!(missing.contains("[databases.nope]"), "{missing}");
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted_url("postgres://shop:hunter2@db/shop"),
            "postgres://shop:***@db/shop"
        );
        assert_eq!(redacted_url("sqlite://shop.db"), "sqlite://shop.db");
    }
}
