//! [`SandboxBuilder`]: credentials (of both generations), address and
//! start-up scenario.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::{ApiKey, SecretKey, SiteId};
use url::Url;

use crate::error::SandboxError;
use crate::faults::CheckFaults;
use crate::generation::Generation;
use crate::handle::SandboxHandle;
use crate::rest::RestConfig;
use crate::rest::account::{self, RestCredentials};
use crate::rest_faults::RestFaults;
use crate::sandbox::Sandbox;
use crate::scenario::Scenario;
use crate::server;
use crate::state::{Config, Shared};

/// The default site id: clearly fake, for local use only.
pub const DEFAULT_SITE_ID: &str = "424242";
/// The default API key: clearly fake, for local use only.
pub const DEFAULT_API_KEY: &str = "sandbox-api-key-not-a-real-key";
/// The default secret key (signs notifications): clearly fake, for local use only.
pub const DEFAULT_SECRET_KEY: &str = "sandbox-secret-key-not-a-real-key";
/// The default 2026 API key: a test key's shape (`sk_test_`), clearly fake.
pub const DEFAULT_REST_API_KEY: &str = "sk_test_sandbox_not_a_real_key";
/// The default 2026 API password: clearly fake, for local use only.
pub const DEFAULT_REST_API_PASSWORD: &str = "sandbox-api-password-not-a-real-password";
/// The default 2026 token lifetime: CinetPay's `expires_in` (24 h).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// The default country of the 2026 account (Côte d'Ivoire: XOF, +225, the test numbers' country).
pub const DEFAULT_REST_COUNTRY: &str = "CI";

/// Configures and starts a sandbox.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use cinetpay_sandbox::{CheckFaults, Generation, RestFaults, Sandbox, Scenario};
/// let sandbox = Sandbox::builder()
///     .site_id("123456")
///     .api_key("my-test-api-key")
///     .secret_key("my-test-secret")
///     .scenario(Scenario::new().copies(2))
///     .check_faults(CheckFaults::new().fail_next(1))
///     .generation(Generation::Rest2026)
///     .rest_api_key("sk_test_my_shop")
///     .rest_api_password("my-password")
///     .token_lifetime(Duration::from_secs(60))
///     .rest_faults(RestFaults::new().fail_next_status(1))
///     .start()
///     .await?;
/// assert_eq!(sandbox.site_id(), "123456");
/// assert_eq!(sandbox.credentials_2026().api_key(), "sk_test_my_shop");
/// assert_eq!(sandbox.generation(), Generation::Rest2026);
/// assert!(sandbox.url().as_str().starts_with("http://127.0.0.1:"));
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SandboxBuilder {
    site_id: String,
    api_key: String,
    secret_key: String,
    bind: SocketAddr,
    public_url: Option<String>,
    merchant_name: String,
    notify_timeout: Duration,
    scenario: Scenario,
    check_faults: CheckFaults,
    generation: Generation,
    rest_api_key: String,
    rest_api_password: String,
    rest_country: String,
    token_lifetime: Duration,
    test_number_delay: Duration,
    rest_faults: RestFaults,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            site_id: DEFAULT_SITE_ID.to_owned(),
            api_key: DEFAULT_API_KEY.to_owned(),
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            public_url: None,
            merchant_name: "Boutique de test".to_owned(),
            notify_timeout: Duration::from_secs(10),
            scenario: Scenario::default(),
            check_faults: CheckFaults::default(),
            generation: Generation::default(),
            rest_api_key: DEFAULT_REST_API_KEY.to_owned(),
            rest_api_password: DEFAULT_REST_API_PASSWORD.to_owned(),
            rest_country: DEFAULT_REST_COUNTRY.to_owned(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            test_number_delay: Duration::from_secs(3),
            rest_faults: RestFaults::default(),
        }
    }
}

impl SandboxBuilder {
    /// The site id accepted (default [`DEFAULT_SITE_ID`]).
    pub fn site_id(mut self, site_id: impl Into<String>) -> Self {
        self.site_id = site_id.into();
        self
    }

    /// The API key accepted (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = api_key.into();
        self
    }

    /// The secret key that signs notifications (default [`DEFAULT_SECRET_KEY`]).
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = secret_key.into();
        self
    }

    /// The address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The base URL to advertise in `payment_url` and [`Sandbox::url`], when
    /// the sandbox is reached through another name (a proxy, a container).
    /// Default: `http://` and the bound address.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// The merchant name shown on the payment page.
    pub fn merchant_name(mut self, name: impl Into<String>) -> Self {
        self.merchant_name = name.into();
        self
    }

    /// How long a shop may take to answer a notification (default 10 s).
    pub fn notify_timeout(mut self, timeout: Duration) -> Self {
        self.notify_timeout = timeout;
        self
    }

    /// The global scenario at start-up.
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// The global check faults at start-up.
    pub fn check_faults(mut self, faults: CheckFaults) -> Self {
        self.check_faults = faults;
        self
    }

    /// Which generation's credentials [`Sandbox::shop_settings`] presents
    /// (default [`Generation::V2`]). Both APIs are served either way.
    pub fn generation(mut self, generation: Generation) -> Self {
        self.generation = generation;
        self
    }

    /// The 2026 API key accepted by `POST /v1/oauth/login` (default
    /// [`DEFAULT_REST_API_KEY`]).
    pub fn rest_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.rest_api_key = api_key.into();
        self
    }

    /// The 2026 API password (default [`DEFAULT_REST_API_PASSWORD`]).
    pub fn rest_api_password(mut self, api_password: impl Into<String>) -> Self {
        self.rest_api_password = api_password.into();
        self
    }

    /// The 2026 account's country, `CI`, `SN`, `CM`... (default
    /// [`DEFAULT_REST_COUNTRY`]): it fixes the currency an init must use and
    /// the calling code of its phone numbers.
    pub fn rest_country(mut self, country: impl Into<String>) -> Self {
        self.rest_country = country.into();
        self
    }

    /// How long a 2026 access token lives, reported as `expires_in` (default
    /// [`DEFAULT_TOKEN_LIFETIME`]; `expires_in` rounds up to whole seconds).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// How long the test numbers "pending then success / failure" stay
    /// pending (default 3 s, docs/rest-api-2026.md §8).
    pub fn test_number_delay(mut self, delay: Duration) -> Self {
        self.test_number_delay = delay;
        self
    }

    /// The 2026 faults at start-up.
    pub fn rest_faults(mut self, faults: RestFaults) -> Self {
        self.rest_faults = faults;
        self
    }

    fn rest_credential(name: &'static str, value: String) -> Result<String, SandboxError> {
        let reason = if value.trim().is_empty() {
            "it is empty"
        } else if value.chars().any(char::is_whitespace) {
            "it contains white space"
        } else {
            return Ok(value);
        };
        Err(SandboxError::RestCredential { name, reason })
    }

    fn base_url(public_url: Option<&str>, bound: SocketAddr) -> Result<Url, SandboxError> {
        let text = public_url.map_or_else(|| format!("http://{bound}/"), str::to_owned);
        let mut url = Url::parse(&text).map_err(|_| SandboxError::PublicUrl(text.clone()))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(SandboxError::PublicUrl(text));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(url)
    }

    /// Binds the socket and starts serving. Must be called within a Tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        let site_id = SiteId::new(self.site_id)?;
        let api_key = ApiKey::new(self.api_key)?;
        let secret_key = SecretKey::new(self.secret_key)?;
        let rest = RestConfig {
            credentials: RestCredentials::new(
                Self::rest_credential("api_key", self.rest_api_key)?,
                Self::rest_credential("api_password", self.rest_api_password)?,
            ),
            country: account::country(&self.rest_country)
                .ok_or_else(|| SandboxError::UnknownCountry(self.rest_country.clone()))?,
            token_lifetime: self.token_lifetime,
            test_number_delay: self.test_number_delay,
        };
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: self.bind,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: self.bind,
            source,
        })?;
        let base_url = Self::base_url(self.public_url.as_deref(), local_addr)?;
        let http = reqwest::Client::builder()
            .timeout(self.notify_timeout)
            .connect_timeout(self.notify_timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cinetpay-sandbox/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SandboxError::HttpClient(e.to_string()))?;
        let config = Config {
            site_id,
            api_key,
            secret_key,
            base_url,
            merchant_name: self.merchant_name,
            initial_scenario: self.scenario,
            initial_check_faults: self.check_faults,
            generation: self.generation,
            rest,
            initial_rest_faults: self.rest_faults,
        };
        let shared = Arc::new(Shared::new(config, http));
        let server = server::serve(Arc::clone(&shared), listener);
        tracing::info!(
            url = %shared.config.base_url,
            site_id = %shared.config.site_id,
            generation = %shared.config.generation,
            "CinetPay sandbox listening (Checkout v2 and the 2026 REST API)"
        );
        Ok(SandboxHandle::new(Sandbox { shared }, local_addr, server))
    }
}
