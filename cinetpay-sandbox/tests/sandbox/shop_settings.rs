//! The settings the sandbox prints for a shop are complete: each of the three
//! printed forms (`CINETPAY_*`, `ROCKET_CINETPAY_*`, the Rocket.toml table),
//! read the way cinetpay-core and cinetpay-rocket read it, gives a valid
//! configuration that points at the sandbox and at the shop.

use cinetpay_core::engine::{CheckoutConfig, CheckoutSettings};
use cinetpay_core::protocol::PaymentRequest;
use cinetpay_core::{Amount, Client, Credentials, Currency, Description, Money, TransactionId};
use cinetpay_sandbox::{DEFAULT_SHOP_URL, Sandbox};
use url::Url;

/// What the sandbox printed, block by block.
#[derive(Debug)]
pub(super) struct Printed {
    /// The `CINETPAY_*` lines, unquoted.
    pub(super) env: Vec<(String, String)>,
    /// The `ROCKET_CINETPAY_*` lines, unquoted.
    pub(super) rocket_env: Vec<(String, String)>,
    /// The `[default.cinetpay]` table, up to the next blank line.
    pub(super) rocket_toml: String,
}

impl Printed {
    /// Reads printed text as a user would paste it.
    pub(super) fn parse(text: &str) -> Printed {
        let mut env = Vec::new();
        let mut rocket_env = Vec::new();
        for line in text.lines() {
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            if !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                continue;
            }
            let value = unquote(value);
            if name.starts_with("CINETPAY_") {
                env.push((name.to_owned(), value));
            } else if name.starts_with("ROCKET_CINETPAY_") {
                rocket_env.push((name.to_owned(), value));
            }
        }
        let rocket_toml = text
            .lines()
            .skip_while(|line| *line != "[default.cinetpay]")
            .take_while(|line| !line.trim().is_empty())
            .map(|line| format!("{line}\n"))
            .collect();
        Printed {
            env,
            rocket_env,
            rocket_toml,
        }
    }

    /// The `CINETPAY_*` lines, read by cinetpay-core as an axum or tower app
    /// reads its environment.
    pub(super) fn read_env(&self) -> CheckoutSettings {
        CheckoutSettings::from_lookup(lookup(&self.env)).expect("the CINETPAY_* lines parse")
    }

    /// The `ROCKET_CINETPAY_*` lines without their `ROCKET_` prefix, read by
    /// cinetpay-core.
    pub(super) fn read_rocket_env(&self) -> CheckoutSettings {
        let stripped: Vec<(String, String)> = self
            .rocket_env
            .iter()
            .map(|(name, value)| {
                let name = name.strip_prefix("ROCKET_").expect("ROCKET_ prefix");
                (name.to_owned(), value.clone())
            })
            .collect();
        CheckoutSettings::from_lookup(lookup(&stripped)).expect("the ROCKET_CINETPAY_* lines parse")
    }

    /// The table `cinetpay` of the profile `default`, as Rocket's figment
    /// gives it to cinetpay-rocket.
    pub(super) fn read_rocket_toml(&self) -> CheckoutSettings {
        let document: toml::Table = self.rocket_toml.parse().expect("the table is TOML");
        document["default"]["cinetpay"]
            .clone()
            .try_into()
            .expect("the table holds cinetpay settings only")
    }

    /// The value printed for `name` among the `CINETPAY_*` lines.
    pub(super) fn env_value(&self, name: &str) -> Option<&str> {
        value_of(&self.env, name)
    }

    /// The value printed for `name` among the `ROCKET_CINETPAY_*` lines.
    pub(super) fn rocket_env_value(&self, name: &str) -> Option<&str> {
        value_of(&self.rocket_env, name)
    }
}

fn value_of<'a>(lines: &'a [(String, String)], name: &str) -> Option<&'a str> {
    lines
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn lookup(lines: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| value_of(lines, name).map(str::to_owned)
}

/// A shell word as the sandbox prints it: as is, or in single quotes.
fn unquote(value: &str) -> String {
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(quoted) => quoted.replace(r"'\''", "'"),
        None => value.to_owned(),
    }
}

/// Every form holds the same settings, `CINETPAY_PUBLIC_URL` among them, and
/// each one, validated, is a configuration of the shop at `shop_url` talking
/// to the sandbox at `api_url` with `credentials`.
pub(super) fn assert_complete(
    printed: &Printed,
    api_url: &Url,
    credentials: &Credentials,
    shop_url: &str,
) {
    assert_eq!(printed.env_value("CINETPAY_PUBLIC_URL"), Some(shop_url));
    assert_eq!(
        printed.rocket_env_value("ROCKET_CINETPAY_PUBLIC_URL"),
        Some(shop_url)
    );
    let names: Vec<&str> = printed.env.iter().map(|(n, _)| n.as_str()).collect();
    let rocket_names: Vec<String> = printed
        .rocket_env
        .iter()
        .map(|(n, _)| n.replacen("ROCKET_", "", 1))
        .collect();
    assert_eq!(
        rocket_names, names,
        "both environments name the same settings"
    );

    let from_env = printed.read_env();
    assert_eq!(
        printed.read_rocket_env(),
        from_env,
        "ROCKET_CINETPAY_* = CINETPAY_*"
    );
    assert_eq!(
        printed.read_rocket_toml(),
        from_env,
        "Rocket.toml = CINETPAY_*"
    );
    let config = from_env
        .into_config()
        .unwrap_or_else(|e| panic!("a shop starts with the printed settings: {e}"));
    assert_points_at(&config, api_url, credentials, shop_url);
}

fn assert_points_at(
    config: &CheckoutConfig,
    api_url: &Url,
    credentials: &Credentials,
    shop_url: &str,
) {
    assert_eq!(&config.account().client_config().base_url, api_url);
    assert_eq!(config.account().v2_credentials().unwrap(), credentials);
    assert_eq!(
        config.notify_url().as_str(),
        format!("{}/cinetpay/notify", shop_url.trim_end_matches('/'))
    );
}

#[tokio::test]
async fn every_printed_form_starts_a_shop_that_talks_to_the_sandbox() {
    let sandbox = Sandbox::builder()
        .site_id("555001")
        .api_key("printed-api-key")
        .secret_key("printed-secret-key")
        .start()
        .await
        .expect("sandbox starts");
    let shop_url = "http://127.0.0.1:8000";
    let settings = sandbox.shop_settings(shop_url);
    let printed = Printed::parse(&settings.to_string());
    assert_complete(&printed, &sandbox.url(), &sandbox.credentials(), shop_url);
    assert_eq!(printed.env.len(), settings.settings().len());

    // The configuration the printed settings make is accepted by the
    // sandbox: the payment is initialised with the shop's own URLs.
    let config = printed.read_env().into_config().expect("valid config");
    let client = Client::new(
        config.account().v2_credentials().unwrap().clone(),
        config.account().client_config().clone(),
    )
    .expect("client");
    let request = PaymentRequest::new(
        TransactionId::generate(),
        Money::new(Amount::new(500).expect("amount"), Currency::Xof),
        Description::new("Commande 7").expect("description"),
        config.notify_url().clone(),
        config.return_url().clone(),
    );
    client.init_payment(&request).await.expect("init accepted");
    let payment = sandbox
        .payment(request.transaction_id.as_str())
        .expect("initialised");
    assert_eq!(payment.notify_url, "http://127.0.0.1:8000/cinetpay/notify");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_library_and_the_printed_text_agree() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox starts");
    let settings = sandbox.shop_settings(DEFAULT_SHOP_URL);
    let printed = Printed::parse(&settings.to_string());
    assert_eq!(printed.env, settings.env());
    assert_eq!(printed.rocket_env, settings.rocket_env());
    assert_eq!(printed.rocket_toml, settings.rocket_toml());
    assert_eq!(
        settings.checkout_settings().expect("parses"),
        printed.read_env()
    );
    assert_points_at(
        &settings.config().expect("valid"),
        &sandbox.url(),
        &sandbox.credentials(),
        DEFAULT_SHOP_URL,
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_shop_url_no_shop_accepts_is_reported() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox starts");
    let err = sandbox
        .shop_settings("ftp://shop.example")
        .config()
        .expect_err("not an http URL");
    assert_eq!(err.env(), Some("CINETPAY_PUBLIC_URL"));
    sandbox.shutdown().await;
}
