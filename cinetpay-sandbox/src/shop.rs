//! [`ShopSettings`]: what a shop needs to start against a sandbox, in the
//! three forms the adapters read.

use std::borrow::Cow;
use std::fmt;

use cinetpay_core::engine::{CheckoutConfig, CheckoutSettings, ConfigError};

use crate::generation::Generation;

/// The public URL of the shop that [`Sandbox::shop_settings`](crate::Sandbox::shop_settings)
/// assumes when none is given: where the example axum shop listens.
pub const DEFAULT_SHOP_URL: &str = "http://127.0.0.1:3000";

/// The prefix of a Rocket app's environment variables (`ROCKET_CINETPAY_API_KEY`...).
const ROCKET_ENV_PREFIX: &str = "ROCKET_";

/// The Rocket.toml table that `cinetpay-rocket` reads.
const ROCKET_TABLE: &str = "[default.cinetpay]";

/// `name`, taken from cinetpay-core's own list of settings
/// ([`CheckoutSettings::KEYS`]). Evaluated when this crate is compiled: a
/// setting core renames or drops fails the build here rather than printing a
/// variable no shop reads.
const fn core_key(name: &str) -> &'static str {
    let keys = CheckoutSettings::KEYS;
    let mut i = 0;
    while i < keys.len() {
        let key = keys[i];
        let (a, b) = (key.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return key;
            }
        }
        i += 1;
    }
    panic!("not a cinetpay-core setting")
}

const API_KEY: &str = core_key("api_key");
const SITE_ID: &str = core_key("site_id");
const SECRET_KEY: &str = core_key("secret_key");
const API_URL: &str = core_key("api_url");
const PUBLIC_URL: &str = core_key("public_url");
const API_PASSWORD: &str = core_key("api_password");

/// The environment variable of a setting, as cinetpay-core reads it:
/// `CINETPAY_` and the key in upper case.
fn env_name(key: &str) -> String {
    format!("CINETPAY_{}", key.to_ascii_uppercase())
}

/// The settings a shop needs to start against a sandbox: its credentials,
/// the sandbox's URL as `api_url` and the shop's own public URL (from which
/// the shop makes the `notify_url` the sandbox posts to). Every other setting
/// keeps cinetpay-core's default.
///
/// Made by [`Sandbox::shop_settings`](crate::Sandbox::shop_settings). Its
/// `Display` is what the binary prints at start-up: the same settings as
/// `CINETPAY_*` variables (an axum or tower app, [`env`](Self::env)), as
/// `ROCKET_CINETPAY_*` variables ([`rocket_env`](Self::rocket_env)) and as a
/// Rocket.toml table ([`rocket_toml`](Self::rocket_toml)), each block headed
/// by a `#` comment so that it can be pasted as is into a shell, an `.env`
/// file or Rocket.toml.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::Sandbox;
/// let sandbox = Sandbox::builder().start().await?;
/// let settings = sandbox.shop_settings("http://127.0.0.1:3000");
/// let printed = settings.to_string();
/// assert!(printed.contains("\nCINETPAY_PUBLIC_URL=http://127.0.0.1:3000\n"));
/// assert!(printed.contains("\nROCKET_CINETPAY_PUBLIC_URL=http://127.0.0.1:3000\n"));
/// assert!(printed.contains("\n[default.cinetpay]\n"));
/// // What a shop would make of them: a valid configuration, pointing at the sandbox.
/// let config = settings.config()?;
/// assert_eq!(config.account().client_config().base_url, sandbox.url());
/// assert_eq!(config.notify_url().as_str(), "http://127.0.0.1:3000/cinetpay/notify");
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
///
/// For the 2026 API ([`Sandbox::shop_settings_2026`](crate::Sandbox::shop_settings_2026),
/// or a sandbox built with [`Generation::Rest2026`]) the settings are
/// `api_key` (`sk_test_…`), `api_password`, `api_url` and `public_url`:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::{Generation, Sandbox};
/// let sandbox = Sandbox::builder().generation(Generation::Rest2026).start().await?;
/// let printed = sandbox.shop_settings("http://127.0.0.1:3000").to_string();
/// let password = sandbox.credentials_2026().api_password().to_owned();
/// assert!(printed.contains("\nCINETPAY_API_KEY=sk_test_"));
/// assert!(printed.contains(&format!("\nCINETPAY_API_PASSWORD={password}\n")));
/// assert!(printed.contains(&format!("\nCINETPAY_API_URL={}\n", sandbox.url().as_str().trim_end_matches('/'))));
/// assert!(!printed.contains("SITE_ID"));
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    generation: Generation,
    settings: Vec<(&'static str, String)>,
}

impl ShopSettings {
    pub(crate) fn new(
        api_key: &str,
        site_id: &str,
        secret_key: &str,
        api_url: &str,
        shop_url: &str,
    ) -> Self {
        ShopSettings {
            generation: Generation::V2,
            settings: vec![
                (API_KEY, api_key.to_owned()),
                (SITE_ID, site_id.to_owned()),
                (SECRET_KEY, secret_key.to_owned()),
                (API_URL, api_url.to_owned()),
                (PUBLIC_URL, shop_url.to_owned()),
            ],
        }
    }

    pub(crate) fn rest(api_key: &str, api_password: &str, api_url: &str, shop_url: &str) -> Self {
        ShopSettings {
            generation: Generation::Rest2026,
            settings: vec![
                (API_KEY, api_key.to_owned()),
                (API_PASSWORD, api_password.to_owned()),
                (API_URL, api_url.to_owned()),
                (PUBLIC_URL, shop_url.to_owned()),
            ],
        }
    }

    /// The API generation these settings are for.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// The settings as (key, value) pairs. For v2, in the order of
    /// [`CheckoutSettings::KEYS`], whose keys they are: `api_key`, `site_id`,
    /// `secret_key`, `api_url`, `public_url`. For 2026: `api_key`,
    /// `api_password`, `api_url`, `public_url`.
    pub fn settings(&self) -> &[(&'static str, String)] {
        &self.settings
    }

    /// The `CINETPAY_*` environment variables, such as
    /// `("CINETPAY_PUBLIC_URL", "http://127.0.0.1:3000")`: what
    /// [`CheckoutSettings::from_env`] reads (an axum or tower app).
    pub fn env(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(key, value)| (env_name(key), value.clone()))
            .collect()
    }

    /// The `ROCKET_CINETPAY_*` environment variables, such as
    /// `("ROCKET_CINETPAY_PUBLIC_URL", "http://127.0.0.1:3000")`: what
    /// `cinetpay-rocket` reads from a Rocket app's environment.
    pub fn rocket_env(&self) -> Vec<(String, String)> {
        self.env()
            .into_iter()
            .map(|(name, value)| (format!("{ROCKET_ENV_PREFIX}{name}"), value))
            .collect()
    }

    /// The `[default.cinetpay]` table of a Rocket.toml, one `key = "value"`
    /// line per setting, each line ending with a newline.
    pub fn rocket_toml(&self) -> String {
        let mut table = format!("{ROCKET_TABLE}\n");
        for (key, value) in &self.settings {
            table.push_str(&format!("{key} = {}\n", toml_string(value)));
        }
        table
    }

    /// The settings as cinetpay-core reads them from the [`env`](Self::env)
    /// variables, through [`CheckoutSettings::from_lookup`] (either
    /// generation: the credentials select it).
    pub fn checkout_settings(&self) -> Result<CheckoutSettings, ConfigError> {
        let env = self.env();
        CheckoutSettings::from_lookup(|name| {
            env.iter()
                .find(|(variable, _)| variable == name)
                .map(|(_, value)| value.clone())
        })
    }

    /// The configuration a shop started with these settings would have, or
    /// the first setting it would refuse (a shop URL that is not an http(s)
    /// URL, say).
    pub fn config(&self) -> Result<CheckoutConfig, ConfigError> {
        self.checkout_settings()?.into_config()
    }
}

impl fmt::Display for ShopSettings {
    /// The three blocks the binary prints, separated by blank lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "# An axum or tower app (cinetpay-tower), in its environment:"
        )?;
        for (name, value) in self.env() {
            writeln!(f, "{name}={}", shell_word(&value))?;
        }
        writeln!(f)?;
        writeln!(f, "# A Rocket app (cinetpay-rocket), in its environment:")?;
        for (name, value) in self.rocket_env() {
            writeln!(f, "{name}={}", shell_word(&value))?;
        }
        writeln!(f)?;
        writeln!(f, "# Or in its Rocket.toml:")?;
        write!(f, "{}", self.rocket_toml())
    }
}

/// `value` as one shell word: as is when it holds only characters a shell
/// leaves alone, else in single quotes.
fn shell_word(value: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(format!("'{}'", value.replace('\'', r"'\''")))
    }
}

/// `value` as a TOML basic string.
fn toml_string(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_are_cores_and_so_are_their_variables() {
        let settings = ShopSettings::new("k", "1", "s", "http://127.0.0.1:4010", DEFAULT_SHOP_URL);
        let keys: Vec<&str> = settings.settings().iter().map(|(k, _)| *k).collect();
        let in_core_order: Vec<&str> = CheckoutSettings::KEYS
            .into_iter()
            .filter(|k| keys.contains(k))
            .collect();
        assert_eq!(keys, in_core_order);
        for key in keys {
            // Core's own name for the variable, as its errors give it.
            let core = ConfigError::setting(key, "").env().map(str::to_owned);
            assert_eq!(Some(env_name(key)), core, "{key}");
        }
    }

    #[test]
    fn the_2026_form_prints_the_key_the_password_and_both_urls() {
        let settings = ShopSettings::rest(
            "sk_test_abc",
            "pa ss",
            "http://127.0.0.1:4010",
            DEFAULT_SHOP_URL,
        );
        assert_eq!(settings.generation(), Generation::Rest2026);
        let env = settings.env();
        let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "CINETPAY_API_KEY",
                "CINETPAY_API_PASSWORD",
                "CINETPAY_API_URL",
                "CINETPAY_PUBLIC_URL"
            ]
        );
        let printed = settings.to_string();
        assert!(
            printed.contains("\nCINETPAY_API_KEY=sk_test_abc\n"),
            "{printed}"
        );
        assert!(
            printed.contains("\nCINETPAY_API_PASSWORD='pa ss'\n"),
            "{printed}"
        );
        assert!(
            printed.contains("\nROCKET_CINETPAY_API_PASSWORD='pa ss'\n"),
            "{printed}"
        );
        assert!(
            printed.contains("\napi_password = \"pa ss\"\n"),
            "{printed}"
        );
        assert!(!printed.contains("SITE_ID") && !printed.contains("SECRET_KEY"));
    }

    #[test]
    fn values_are_quoted_where_a_shell_or_toml_needs_it() {
        assert_eq!(shell_word("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(shell_word("a$b'c"), r"'a$b'\''c'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(toml_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(toml_string("a\u{7f}"), r#""a\u007F""#);

        let settings = ShopSettings::new(
            r#"key"with\odd'$chars"#,
            "1",
            "s",
            "http://127.0.0.1:4010",
            DEFAULT_SHOP_URL,
        );
        let printed = settings.to_string();
        assert!(
            printed.contains(r#"CINETPAY_API_KEY='key"with\odd'\''$chars'"#),
            "{printed}"
        );
        let toml: toml::Table = settings.rocket_toml().parse().expect("TOML");
        assert_eq!(
            toml["default"]["cinetpay"]["api_key"].as_str(),
            Some(r#"key"with\odd'$chars"#)
        );
    }
}
