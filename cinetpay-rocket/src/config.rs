//! `[cinetpay]` in Rocket's figment: the table (`[default.cinetpay]` in
//! `Rocket.toml`, `ROCKET_CINETPAY={api_key="..."}`) and the flat keys that
//! Rocket's environment provider makes of `ROCKET_CINETPAY_API_KEY` and the like.

use cinetpay_core::engine::{CheckoutConfig, CheckoutSettings, ConfigError};
use rocket::figment::value::{Dict, Map, Value};
use rocket::figment::{self, Figment, Metadata, Profile, Provider};

/// The config table the fairing reads.
pub(crate) const KEY: &str = "cinetpay";

/// Reads and validates the settings, or says which one is wrong and where to set it.
pub(crate) fn checkout_config(figment: &Figment) -> Result<CheckoutConfig, String> {
    settings(figment)?
        .into_config()
        .map_err(|e| describe_config_error(&e))
}

/// The settings: the `cinetpay` table, overridden by flat `cinetpay_*` keys
/// (Rocket's environment provider does not split `ROCKET_CINETPAY_API_KEY`
/// into a table and a key). Anything unset keeps the core's default.
pub(crate) fn settings(figment: &Figment) -> Result<CheckoutSettings, String> {
    match figment.find_value(KEY) {
        Ok(Value::Dict(..)) => {}
        Ok(other) => {
            return Err(format!(
                "CinetPay configuration: `{KEY}` must be a table of settings, found {}",
                other.to_actual()
            ));
        }
        Err(e) if e.missing() => {}
        Err(e) => return Err(describe_figment_error(e)),
    }
    let everything: Dict = figment.extract().map_err(describe_figment_error)?;
    let flat: Dict = everything
        .into_iter()
        .filter_map(|(key, value)| {
            let setting = key.strip_prefix("cinetpay_")?;
            let exact = exact_text(setting).map(|raw| Value::String(value.tag(), raw));
            Some((setting.to_owned(), exact.unwrap_or(value)))
        })
        .collect();
    figment
        .focus(KEY)
        .merge(FlatKeys(flat))
        .extract::<CheckoutSettings>()
        .map_err(describe_figment_error)
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

/// A figment error (a typo, a value of the wrong type), naming the key.
fn describe_figment_error(errors: figment::Error) -> String {
    let described: Vec<String> = errors
        .into_iter()
        .map(|e| {
            let key = std::iter::once(KEY)
                .chain(e.path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(".");
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(source) => format!(" (from {} {source})", m.name),
                    None => format!(" (from {})", m.name),
                })
                .unwrap_or_default();
            format!("`{key}`: {}{source}", e.kind)
        })
        .collect();
    format!("CinetPay configuration: {}", described.join("; "))
}

/// A validation error, named as a Rocket developer sets it: the key in
/// `[default.cinetpay]` and the `ROCKET_CINETPAY_*` variable.
pub(crate) fn describe_config_error(error: &ConfigError) -> String {
    let key = error.key();
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
        assert_eq!(config.account().credentials().site_id.as_str(), "123456");
        assert_eq!(
            config.notify_url().as_str(),
            "https://shop.example/cinetpay/notify"
        );
    }

    #[test]
    fn flat_keys_from_the_environment_override_the_table() {
        // What Rocket's `Env::prefixed("ROCKET_")` makes of ROCKET_CINETPAY_PREFIX=/pay
        // and ROCKET_CINETPAY_SITE_ID=42.
        let figment = figment(GOOD)
            .merge(Serialized::global("cinetpay_prefix", "/pay"))
            .merge(Serialized::global("cinetpay_site_id", 42));
        let config = checkout_config(&figment).unwrap();
        assert_eq!(config.prefix(), "/pay");
        assert_eq!(config.account().credentials().site_id.as_str(), "42");
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
            assert_eq!(config.account().credentials().site_id.as_str(), "777");
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
