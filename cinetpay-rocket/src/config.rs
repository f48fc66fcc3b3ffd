//! `[cinetpay]` in Rocket's figment: the table (`[default.cinetpay]` in
//! `Rocket.toml`, `ROCKET_CINETPAY={api_key="..."}`) and the flat keys that
//! Rocket's environment provider makes of `ROCKET_CINETPAY_API_KEY` and the
//! like; where the store's database is (`database_url`, or `database`
//! naming an entry of `[databases]`); Rocket's own shutdown periods.

use std::time::Duration;

#[cfg(test)]
use cinetpay_core::engine::CheckoutConfig;
use cinetpay_core::engine::{CheckoutSettings, ConfigError};
use rocket::figment::value::{Dict, Map, Tag, Value};
use rocket::figment::{self, Figment, Metadata, Profile, Provider};

/// The config table the fairing reads.
pub(crate) const KEY: &str = "cinetpay";

/// The keys of the table that are the fairing's, not the engine's.
const DATABASE_URL: &str = "database_url";
const DATABASE: &str = "database";
/// The same, in full, for messages.
pub(crate) const KEY_DATABASE_URL: &str = "cinetpay.database_url";
pub(crate) const KEY_DATABASE: &str = "cinetpay.database";

/// What the `cinetpay` table holds.
#[derive(Debug)]
pub(crate) struct Table {
    /// The engine's settings.
    pub(crate) settings: CheckoutSettings,
    /// Where the store's database is, when the table says.
    pub(crate) database: Option<DatabaseRef>,
}

/// Where the table says the store's database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DatabaseRef {
    /// `database_url = "..."`.
    Url(String),
    /// `database = "<name>"`: the `url` of `[databases.<name>]`, shared with
    /// the app's own pool (`rocket_db_pools` reads the same entry).
    Named(String),
}

impl DatabaseRef {
    /// The key that set it, for messages.
    pub(crate) fn key(&self) -> &'static str {
        match self {
            DatabaseRef::Url(_) => KEY_DATABASE_URL,
            DatabaseRef::Named(_) => KEY_DATABASE,
        }
    }
}

/// Reads and validates the settings, or says which one is wrong and where to set it.
#[cfg(test)]
pub(crate) fn checkout_config(figment: &Figment) -> Result<CheckoutConfig, String> {
    read(figment)?
        .settings
        .into_config()
        .map_err(|e| describe_config_error(&e))
}

/// The settings alone (see [`read`]).
#[cfg(test)]
pub(crate) fn settings(figment: &Figment) -> Result<CheckoutSettings, String> {
    read(figment).map(|table| table.settings)
}

/// The table: the `cinetpay` table, overridden by flat `cinetpay_*` keys
/// (Rocket's environment provider does not split `ROCKET_CINETPAY_API_KEY`
/// into a table and a key). Anything unset keeps the core's default. The
/// fairing's own keys (`database_url`, `database`) are taken out before the
/// engine's settings are read, so that these stay strict about typos.
pub(crate) fn read(figment: &Figment) -> Result<Table, String> {
    match figment.find_value(KEY) {
        Ok(Value::Dict(..)) => {}
        Ok(other) => {
            return Err(format!(
                "CinetPay configuration: `{KEY}` must be a table of settings, found {}",
                other.to_actual()
            ));
        }
        Err(e) if e.missing() => {}
        Err(e) => return Err(describe_figment_error(e, None)),
    }
    let everything: Dict = figment
        .extract()
        .map_err(|e| describe_figment_error(e, None))?;
    let flat: Dict = everything
        .into_iter()
        .filter_map(|(key, value)| {
            let setting = key.strip_prefix("cinetpay_")?;
            let exact = exact_text(setting).map(|raw| Value::String(value.tag(), raw));
            Some((setting.to_owned(), exact.unwrap_or(value)))
        })
        .collect();
    let merged = figment.focus(KEY).merge(FlatKeys(flat));
    let mut table: Dict = merged
        .extract()
        .map_err(|e| describe_figment_error(e, None))?;
    let url = take_text(&mut table, DATABASE_URL, &merged)?;
    let named = take_text(&mut table, DATABASE, &merged)?;
    let database = match (url, named) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "CinetPay configuration: set one of `{KEY}.{DATABASE_URL}` and \
                 `{KEY}.{DATABASE}`, not both"
            ));
        }
        (Some(url), None) => Some(DatabaseRef::Url(url)),
        (None, Some(name)) => Some(DatabaseRef::Named(name)),
        (None, None) => None,
    };
    // The rest, read as the engine's settings. Values keep their tags, so an
    // error can still say where its value came from (`merged` knows).
    let known = Value::Dict(Tag::Default, table.clone());
    let settings = Figment::from(Stripped(table))
        .extract::<CheckoutSettings>()
        .map_err(|e| describe_figment_error(e, Some((&known, &merged))))?;
    Ok(Table { settings, database })
}

/// Takes `key` out of the table: a non-empty string, or an error naming it.
fn take_text(table: &mut Dict, key: &str, merged: &Figment) -> Result<Option<String>, String> {
    let Some(value) = table.remove(key) else {
        return Ok(None);
    };
    let source = source_of(merged.get_metadata(value.tag()));
    match value.into_string() {
        Some(text) if !text.trim().is_empty() => Ok(Some(text)),
        _ => Err(format!(
            "CinetPay configuration: `{KEY}.{key}` must be a non-empty string{source}"
        )),
    }
}

/// The `url` of `[databases.<name>]`, as `rocket_db_pools` reads it.
#[cfg(feature = "store")]
pub(crate) fn named_database_url(figment: &Figment, name: &str) -> Result<String, String> {
    let key = format!("databases.{name}.url");
    match figment.extract_inner::<String>(&key) {
        Ok(url) if !url.trim().is_empty() => Ok(url),
        Ok(_) => Err(format!("CinetPay store: `{key}` is empty")),
        Err(e) if e.missing() => Err(format!(
            "CinetPay store: `{key}` is missing (`{KEY}.{DATABASE} = \"{name}\"` names it: set \
             `url` in `[default.databases.{name}]` of Rocket.toml or ROCKET_DATABASES)"
        )),
        Err(e) => Err(format!("CinetPay store: `{key}`: {e}")),
    }
}

/// Rocket's shutdown periods: `shutdown.grace` and `shutdown.mercy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShutdownPeriods {
    /// How long requests may go on after a shutdown is asked for.
    pub(crate) grace: Duration,
    /// How long connections then get to close.
    pub(crate) mercy: Duration,
}

impl ShutdownPeriods {
    /// The periods of a Rocket configuration.
    pub(crate) fn of(shutdown: &rocket::config::Shutdown) -> Self {
        ShutdownPeriods {
            grace: Duration::from_secs(shutdown.grace.into()),
            mercy: Duration::from_secs(shutdown.mercy.into()),
        }
    }

    /// The periods a figment sets, before Rocket has read it (Rocket's
    /// defaults where it sets none; Rocket itself refuses a bad value).
    pub(crate) fn of_figment(figment: &Figment) -> Self {
        let defaults = rocket::config::Shutdown::default();
        let seconds = |key: &str, default: u32| {
            let seconds = figment.extract_inner::<u32>(key).unwrap_or(default);
            Duration::from_secs(seconds.into())
        };
        ShutdownPeriods {
            grace: seconds("shutdown.grace", defaults.grace),
            mercy: seconds("shutdown.mercy", defaults.mercy),
        }
    }

    /// `grace + mercy`: how long a shutdown lets work go on.
    pub(crate) fn total(self) -> Duration {
        self.grace + self.mercy
    }

    /// The warning to give when a fulfilment may take longer than a
    /// shutdown lets it: the settings to change, with values.
    pub(crate) fn too_short_for(self, fulfil_timeout: Duration) -> Option<String> {
        if self.total() >= fulfil_timeout {
            return None;
        }
        let needed = fulfil_timeout.as_secs() + u64::from(fulfil_timeout.subsec_nanos() > 0);
        let grace = needed.saturating_sub(self.mercy.as_secs());
        Some(format!(
            "CinetPay: Rocket's shutdown.grace ({}s) + shutdown.mercy ({}s) is shorter than \
             cinetpay.fulfil_timeout_ms ({} ms): a delivery still running when the app stops \
             is cut off when the process exits (its claim is kept until the lease ends, then \
             it is retried). Set `grace = {grace}` in `[default.shutdown]` of Rocket.toml \
             (ROCKET_SHUTDOWN={{grace={grace}}}), or lower cinetpay.fulfil_timeout_ms to {} \
             or less",
            self.grace.as_secs(),
            self.mercy.as_secs(),
            fulfil_timeout.as_millis(),
            self.total().as_millis(),
        ))
    }
}

/// The exact text of `ROCKET_CINETPAY_<KEY>`, when that variable is set.
///
/// Rocket's environment provider parses `ROCKET_CINETPAY_SITE_ID=0012345`
/// as the number 12345 and `+225…` as a positive number, losing the text a
/// site id or a key must keep; the settings read numbers from text anyway,
/// so the variable's own text is given instead (with the parsed value's tag,
/// so that an error still names the variable it came from).
fn exact_text(setting: &str) -> Option<String> {
    let name = format!("ROCKET_CINETPAY_{}", setting.to_ascii_uppercase());
    std::env::var(name).ok()
}

/// The `cinetpay_*` keys, named after where they usually come from.
struct FlatKeys(Dict);

impl Provider for FlatKeys {
    fn metadata(&self) -> Metadata {
        Metadata::named("ROCKET_CINETPAY_* variables")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Map::from([(Profile::Global, self.0.clone())]))
    }
}

/// The table without the fairing's own keys; its values keep their tags.
struct Stripped(Dict);

impl Provider for Stripped {
    fn metadata(&self) -> Metadata {
        Metadata::named("the cinetpay table")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Map::from([(Profile::Default, self.0.clone())]))
    }
}

/// `" (from <provider> <source>)"`, or nothing.
fn source_of(metadata: Option<&Metadata>) -> String {
    metadata
        .map(|m| match &m.source {
            Some(source) => format!(" (from {} {source})", m.name),
            None => format!(" (from {})", m.name),
        })
        .unwrap_or_default()
}

/// A figment error (a typo, a value of the wrong type), naming the key.
/// With `values`, the table read and the figment it came from: an error
/// without metadata is told where its value came from by its path.
fn describe_figment_error(errors: figment::Error, values: Option<(&Value, &Figment)>) -> String {
    let described: Vec<String> = errors
        .into_iter()
        .map(|e| {
            let key = std::iter::once(KEY)
                .chain(e.path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(".");
            let found = values.and_then(|(table, figment)| {
                let value = table.clone().find(&e.path.join("."))?;
                figment.get_metadata(value.tag()).cloned()
            });
            let source = source_of(found.as_ref().or(e.metadata.as_ref()));
            format!("`{key}`: {}{source}", e.kind)
        })
        .collect();
    format!("CinetPay configuration: {}", described.join("; "))
}

/// A validation error, named as a Rocket developer sets it: the key in
/// `[default.cinetpay]` and the `ROCKET_CINETPAY_*` variable.
pub(crate) fn describe_config_error(error: &ConfigError) -> String {
    let key = error.key();
    // A named account's setting, such as `accounts.cm.api_password`.
    if let Some(rest) = key.strip_prefix("accounts.")
        && let Some((account, setting)) = rest.split_once('.')
    {
        return format!(
            "CinetPay configuration: `{KEY}.{key}` {problem} (set `{setting}` in \
             `[default.{KEY}.accounts.{account}]` of Rocket.toml)",
            problem = error.problem()
        );
    }
    match error.env() {
        Some(env) => format!(
            "CinetPay configuration: `{KEY}.{key}` {problem} (set `{key}` in `[default.{KEY}]` \
             of Rocket.toml or ROCKET_{env})",
            problem = error.problem()
        ),
        None => format!("CinetPay configuration: {error}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rocket::figment::providers::{Format, Serialized, Toml};

    use super::*;

    fn figment(toml: &str) -> Figment {
        Figment::from(rocket::Config::default()).merge(Toml::string(toml).nested())
    }

    const GOOD: &str = r#"
        [default.cinetpay]
        api_key = "key-from-toml"
        site_id = 123456
        secret_key = "secret-from-toml"
        public_url = "https://shop.example"
    "#;

    #[test]
    fn a_table_gives_the_core_defaults_for_what_it_leaves_out() {
        let config = checkout_config(&figment(GOOD)).unwrap();
        let defaults = CheckoutSettings::default();
        assert_eq!(config.prefix(), defaults.prefix);
        assert_eq!(config.body_limit(), defaults.body_limit);
        assert_eq!(
            config.reconcile_interval().as_millis(),
            u128::from(defaults.reconcile_interval_ms)
        );
        assert_eq!(
            config.account().v2_credentials().unwrap().site_id.as_str(),
            "123456"
        );
        assert_eq!(
            config.notify_url().as_str(),
            "https://shop.example/cinetpay/notify"
        );
    }

    #[test]
    fn the_2026_api_and_several_accounts_come_from_tables() {
        let rest = checkout_config(&figment(
            r#"
            [default.cinetpay]
            api_key = "sk_live_from_toml"
            api_password = "pw"
            public_url = "https://shop.example"
        "#,
        ))
        .unwrap();
        assert_eq!(
            rest.account().generation(),
            cinetpay_core::Generation::Rest2026
        );
        assert_eq!(
            rest.account().client_config().base_url.as_str(),
            "https://api.cinetpay.co/"
        );
        let two = checkout_config(&figment(
            r#"
            [default.cinetpay]
            public_url = "https://shop.example"
            [default.cinetpay.accounts.ci]
            api_key = "v2-key"
            site_id = 111
            secret_key = "s"
            currency = "XOF"
            [default.cinetpay.accounts.cm]
            api_key = "sk_test_cm"
            api_password = "pw"
            currency = "XAF"
        "#,
        ))
        .unwrap();
        let names: Vec<&str> = two.accounts().iter().map(|a| a.name().as_str()).collect();
        assert_eq!(names, ["ci", "cm"]);
        let err = checkout_config(&figment(
            r#"
            [default.cinetpay]
            public_url = "https://shop.example"
            [default.cinetpay.accounts.cm]
            api_key = "sk_test_cm"
        "#,
        ))
        .unwrap_err();
        assert!(
            err.contains("`cinetpay.accounts.cm.api_password` is missing")
                && err.contains("`[default.cinetpay.accounts.cm]`"),
            "{err}"
        );
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own signature
    fn flat_keys_from_the_environment_override_the_table() {
        // In a Jail: `settings` reads `ROCKET_CINETPAY_*` for their exact
        // text, and the Jail serialises environment access with the other
        // test that sets them (it ran concurrently and raced on
        // ROCKET_CINETPAY_SITE_ID before).
        figment::Jail::expect_with(|_jail| {
            // What Rocket's `Env::prefixed("ROCKET_")` makes of ROCKET_CINETPAY_PREFIX=/pay
            // and ROCKET_CINETPAY_SITE_ID=42.
            let figment = figment(GOOD)
                .merge(Serialized::global("cinetpay_prefix", "/pay"))
                .merge(Serialized::global("cinetpay_site_id", 42));
            let config = checkout_config(&figment)?;
            assert_eq!(config.prefix(), "/pay");
            assert_eq!(
                config.account().v2_credentials().unwrap().site_id.as_str(),
                "42"
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own signature
    fn rocket_toml_and_rocket_cinetpay_variables_as_rocket_reads_them() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "Rocket.toml",
                r#"
                [default.cinetpay]
                api_key = "key-from-file"
                site_id = 1
                secret_key = "secret-from-file"
                public_url = "https://shop.example"
                prefix = "/from-file"
                "#,
            )?;
            jail.set_env("ROCKET_CINETPAY_SITE_ID", "777");
            jail.set_env("ROCKET_CINETPAY_PREFIX", "/from-env");
            jail.set_env("ROCKET_CINETPAY_RECONCILE_INTERVAL_MS", "5000");
            let config = checkout_config(&rocket::Config::figment())?;
            assert_eq!(
                config.account().v2_credentials().unwrap().site_id.as_str(),
                "777"
            );
            // A numeric value keeps its exact text (leading zeros, a `+`).
            jail.set_env("ROCKET_CINETPAY_SITE_ID", "0012345");
            jail.set_env("ROCKET_CINETPAY_API_KEY", "+22500123");
            let exact = settings(&rocket::Config::figment())?;
            assert_eq!(exact.site_id.as_deref(), Some("0012345"));
            assert_eq!(exact.api_key.as_deref(), Some("+22500123"));
            jail.set_env("ROCKET_CINETPAY_SITE_ID", "777");
            assert_eq!(config.prefix(), "/from-env");
            assert_eq!(config.reconcile_interval().as_millis(), 5000);
            assert_eq!(config.public_url().as_str(), "https://shop.example/");

            jail.set_env("ROCKET_CINETPAY_SIT_ID", "1");
            let err = checkout_config(&rocket::Config::figment()).unwrap_err();
            assert!(err.contains("`cinetpay.sit_id`: unknown field"), "{err}");
            assert!(
                err.ends_with("(from `ROCKET_` environment variable(s))"),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn a_missing_setting_is_named_with_its_key_and_variable() {
        let err = checkout_config(&figment(
            "[default.cinetpay]\napi_key = \"k\"\npublic_url = \"https://shop.example\"",
        ))
        .unwrap_err();
        assert_eq!(
            err,
            "CinetPay configuration: `cinetpay.site_id` is missing (set `site_id` in \
             `[default.cinetpay]` of Rocket.toml or ROCKET_CINETPAY_SITE_ID)"
        );
        let err = checkout_config(&figment("")).unwrap_err();
        assert!(err.contains("`cinetpay.api_key` is missing"), "{err}");
    }

    #[test]
    fn a_bad_value_is_named() {
        let bad_prefix = format!("{GOOD}\nprefix = \"pay/\"");
        let err = checkout_config(&figment(&bad_prefix)).unwrap_err();
        assert!(
            err.contains("`cinetpay.prefix` must start with '/'"),
            "{err}"
        );
        let secret = GOOD.replace("\"secret-from-toml\"", "\"has space SECRETVALUE\"");
        let err = checkout_config(&figment(&secret)).unwrap_err();
        assert!(err.contains("`cinetpay.secret_key`"), "{err}");
        assert!(!err.contains("SECRETVALUE"), "{err}");
    }

    #[test]
    fn a_typo_or_a_wrong_type_is_named() {
        let typo = format!("{GOOD}\nsit_id = 1");
        let err = checkout_config(&figment(&typo)).unwrap_err();
        assert!(err.contains("sit_id"), "{err}");
        let wrong_type = format!("{GOOD}\nbody_limit = \"lots\"");
        let err = checkout_config(&figment(&wrong_type)).unwrap_err();
        assert!(err.contains("`cinetpay.body_limit`"), "{err}");
        let not_a_table = figment("[default]\ncinetpay = 5");
        let err = checkout_config(&not_a_table).unwrap_err();
        assert!(err.contains("`cinetpay` must be a table"), "{err}");
    }
}
