//! `cinetpay-sandbox`: a local CinetPay (Checkout API v2 and the 2026 REST
//! API) for development.
//!
//! ```text
//! cargo run -p cinetpay-sandbox -- --port 4010
//! cargo run -p cinetpay-sandbox -- --port 4010 --generation 2026
//! ```
//!
//! Every flag has an environment variable (`CINETPAY_SANDBOX_*`); `--help`
//! lists them. Start-up prints every setting a shop needs to start against
//! it (`--shop-url` is the shop's public URL; `--generation` picks the v2 or
//! the 2026 credentials), three times: as `CINETPAY_*` variables for an axum
//! or tower app, as `ROCKET_CINETPAY_*` variables and as a
//! `[default.cinetpay]` Rocket.toml table for a Rocket app.

#![warn(clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use cinetpay_sandbox::{
    CheckFaults, DEFAULT_API_KEY, DEFAULT_REST_API_KEY, DEFAULT_REST_API_PASSWORD,
    DEFAULT_REST_COUNTRY, DEFAULT_SECRET_KEY, DEFAULT_SHOP_URL, DEFAULT_SITE_ID, Generation,
    RestFaults, Sandbox, Scenario, TokenErrorForm,
};
use clap::Parser;

/// A local CinetPay: Checkout API v2 (`POST /v2/payment`, `POST /v2/payment/check`)
/// and the 2026 REST API (`POST /v1/oauth/login`, `POST /v1/payment`,
/// `GET /v1/payment/{id}`), a hosted payment page, notifications and fault injection.
///
/// The default credentials are fake and fixed, for local use only. The admin
/// API (drive payments, set scenarios, read what was sent) is under /_sandbox.
#[derive(Debug, Parser)]
#[command(name = "cinetpay-sandbox", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, env = "CINETPAY_SANDBOX_PORT", default_value_t = 4010)]
    port: u16,
    /// Address to listen on. The admin API has no authentication: keep it local.
    #[arg(long, env = "CINETPAY_SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Site id the sandbox accepts.
    #[arg(long, env = "CINETPAY_SANDBOX_SITE_ID", default_value = DEFAULT_SITE_ID)]
    site_id: String,
    /// API key the sandbox accepts.
    #[arg(long, env = "CINETPAY_SANDBOX_API_KEY", default_value = DEFAULT_API_KEY)]
    api_key: String,
    /// Secret key that signs notifications (x-token).
    #[arg(long, env = "CINETPAY_SANDBOX_SECRET_KEY", default_value = DEFAULT_SECRET_KEY)]
    secret_key: String,
    /// Which API's settings to print for the shop: v2 (apikey + site_id) or
    /// 2026 (api_key + api_password). Both APIs are served either way.
    #[arg(long, env = "CINETPAY_SANDBOX_GENERATION", default_value = "v2")]
    generation: Generation,
    /// 2026 API key the sandbox accepts at POST /v1/oauth/login.
    #[arg(long, env = "CINETPAY_SANDBOX_REST_API_KEY", default_value = DEFAULT_REST_API_KEY)]
    rest_api_key: String,
    /// 2026 API password the sandbox accepts.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_REST_API_PASSWORD",
        default_value = DEFAULT_REST_API_PASSWORD
    )]
    rest_api_password: String,
    /// Country of the 2026 account (fixes its currency and phone calling code).
    #[arg(long, env = "CINETPAY_SANDBOX_REST_COUNTRY", default_value = DEFAULT_REST_COUNTRY)]
    rest_country: String,
    /// Lifetime of a 2026 access token, in seconds (expires_in).
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_TOKEN_LIFETIME_S",
        default_value_t = 86_400
    )]
    token_lifetime_s: u64,
    /// How long the "pending then ..." test phone numbers stay pending, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_TEST_NUMBER_DELAY_MS",
        default_value_t = 3_000
    )]
    test_number_delay_ms: u64,
    /// Base URL advertised in payment_url, when reached through a proxy or container.
    #[arg(long, env = "CINETPAY_SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
    /// Public base URL of the shop the sandbox will notify, printed as its
    /// CINETPAY_PUBLIC_URL (the shop makes its notify_url of it).
    #[arg(long, env = "CINETPAY_SANDBOX_SHOP_URL", default_value = DEFAULT_SHOP_URL)]
    shop_url: String,
    /// Merchant name shown on the payment page.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_MERCHANT_NAME",
        default_value = "Boutique de test"
    )]
    merchant_name: String,
    /// How long a shop may take to answer a notification, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_NOTIFY_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    notify_timeout_ms: u64,

    /// Scenario: send the final notification N times.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_COPIES",
        default_value_t = 1,
        help_heading = "Notification scenario"
    )]
    copies: u32,
    /// Scenario: send the copies concurrently.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CONCURRENT",
        help_heading = "Notification scenario"
    )]
    concurrent: bool,
    /// Scenario: wait this long (ms) before the first notification.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_NOTIFY_DELAY_MS",
        default_value_t = 0,
        help_heading = "Notification scenario"
    )]
    notify_delay_ms: u64,
    /// Scenario: wait this long (ms) between steps.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_NOTIFY_INTERVAL_MS",
        default_value_t = 200,
        help_heading = "Notification scenario"
    )]
    notify_interval_ms: u64,
    /// Scenario: never send notifications.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_NEVER_NOTIFY",
        help_heading = "Notification scenario"
    )]
    never_notify: bool,
    /// Scenario: notify WAITING (662) first, then the final state.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_WAITING_FIRST",
        help_heading = "Notification scenario"
    )]
    waiting_first: bool,
    /// Scenario: before an acceptance, notify a refusal (600) first.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_REFUSED_FIRST",
        help_heading = "Notification scenario"
    )]
    refused_first: bool,
    /// Scenario: send one more notification after the final ones.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_EXTRA_AFTER_FINAL",
        help_heading = "Notification scenario"
    )]
    extra_after_final: bool,
    /// Scenario: ping notify_url with GET before the first notification.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_PING_FIRST",
        help_heading = "Notification scenario"
    )]
    ping_first: bool,
    /// Scenario: notifications carry a foreign cpm_site_id.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_WRONG_SITE_ID",
        help_heading = "Notification scenario"
    )]
    wrong_site_id: bool,
    /// Scenario: notifications carry an x-token signed with the wrong key.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_BAD_X_TOKEN",
        help_heading = "Notification scenario"
    )]
    bad_x_token: bool,
    /// Scenario: notifications carry no x-token header.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_OMIT_X_TOKEN",
        help_heading = "Notification scenario"
    )]
    omit_x_token: bool,
    /// Scenario: 2026 notifications carry a forged notify_token.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_BAD_NOTIFY_TOKEN",
        help_heading = "Notification scenario"
    )]
    bad_notify_token: bool,
    /// Scenario: 2026 notifications carry no notify_token.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_OMIT_NOTIFY_TOKEN",
        help_heading = "Notification scenario"
    )]
    omit_notify_token: bool,

    /// 2026 fault: HTTP status of token errors (200, 401 or 422).
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_TOKEN_ERROR_STATUS",
        default_value_t = 401,
        help_heading = "2026 API faults"
    )]
    token_error_status: u16,
    /// 2026 fault: token errors nested in `details` (the root says 1004).
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_TOKEN_ERROR_IN_DETAILS",
        help_heading = "2026 API faults"
    )]
    token_error_in_details: bool,
    /// 2026 fault: the next K logins answer HTTP 500.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_LOGIN_FAIL_NEXT",
        default_value_t = 0,
        help_heading = "2026 API faults"
    )]
    login_fail_next: u32,
    /// 2026 fault: the next K inits answer HTTP 500.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_INIT_FAIL_NEXT",
        default_value_t = 0,
        help_heading = "2026 API faults"
    )]
    init_fail_next: u32,
    /// 2026 fault: the next K status calls answer HTTP 500.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_STATUS_FAIL_NEXT",
        default_value_t = 0,
        help_heading = "2026 API faults"
    )]
    status_fail_next: u32,
    /// 2026 fault: the next K inits create the payment, then hold the answer
    /// (--init-hang-ms): a retry gets 1200 TRANSACTION_EXIST.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_INIT_TIMEOUT_NEXT",
        default_value_t = 0,
        help_heading = "2026 API faults"
    )]
    init_timeout_next: u32,
    /// 2026 fault: how long a timed-out init holds, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_INIT_HANG_MS",
        default_value_t = 30_000,
        help_heading = "2026 API faults"
    )]
    init_hang_ms: u64,
    /// 2026 fault: latency added to every 2026 call, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_REST_LATENCY_MS",
        default_value_t = 0,
        help_heading = "2026 API faults"
    )]
    rest_latency_ms: u64,
    /// 2026 fault: status answers carry a foreign merchant_transaction_id.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_FOREIGN_MERCHANT_TRANSACTION_ID",
        help_heading = "2026 API faults"
    )]
    foreign_merchant_transaction_id: bool,
    /// 2026 fault: status answers carry a foreign transaction_id.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_FOREIGN_TRANSACTION_ID",
        help_heading = "2026 API faults"
    )]
    foreign_transaction_id: bool,

    /// Check fault: the next K checks answer HTTP 500.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_FAIL_NEXT",
        default_value_t = 0,
        help_heading = "Check faults"
    )]
    check_fail_next: u32,
    /// Check fault: the next K checks hang (see --check-hang-ms).
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_HANG_NEXT",
        default_value_t = 0,
        help_heading = "Check faults"
    )]
    check_hang_next: u32,
    /// Check fault: how long a hanging check holds, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_HANG_MS",
        default_value_t = 30_000,
        help_heading = "Check faults"
    )]
    check_hang_ms: u64,
    /// Check fault: latency added to every check, in milliseconds.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_LATENCY_MS",
        default_value_t = 0,
        help_heading = "Check faults"
    )]
    check_latency_ms: u64,
    /// Check fault: report this amount instead of the one initialised.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_AMOUNT",
        help_heading = "Check faults"
    )]
    check_amount: Option<i64>,
    /// Check fault: report this currency instead of the one initialised.
    #[arg(
        long,
        env = "CINETPAY_SANDBOX_CHECK_CURRENCY",
        help_heading = "Check faults"
    )]
    check_currency: Option<String>,
}

impl Args {
    fn scenario(&self) -> Scenario {
        Scenario::new()
            .copies(self.copies)
            .concurrent(self.concurrent)
            .delay(Duration::from_millis(self.notify_delay_ms))
            .interval(Duration::from_millis(self.notify_interval_ms))
            .never_send(self.never_notify)
            .waiting_first(self.waiting_first)
            .refused_first(self.refused_first)
            .extra_after_final(self.extra_after_final)
            .ping_first(self.ping_first)
            .wrong_site_id(self.wrong_site_id)
            .bad_x_token(self.bad_x_token)
            .omit_x_token(self.omit_x_token)
            .bad_notify_token(self.bad_notify_token)
            .omit_notify_token(self.omit_notify_token)
    }

    fn rest_faults(&self) -> RestFaults {
        RestFaults::new()
            .token_error(TokenErrorForm {
                http_status: self.token_error_status,
                in_details: self.token_error_in_details,
            })
            .fail_next_login(self.login_fail_next)
            .fail_next_init(self.init_fail_next)
            .fail_next_status(self.status_fail_next)
            .init_timeout_next(self.init_timeout_next)
            .hang_for(Duration::from_millis(self.init_hang_ms))
            .latency(Duration::from_millis(self.rest_latency_ms))
            .foreign_merchant_transaction_id(self.foreign_merchant_transaction_id)
            .foreign_transaction_id(self.foreign_transaction_id)
    }

    fn check_faults(&self) -> CheckFaults {
        CheckFaults {
            fail_next: self.check_fail_next,
            hang_next: self.check_hang_next,
            hang_for: Duration::from_millis(self.check_hang_ms),
            latency: Duration::from_millis(self.check_latency_ms),
            amount: self.check_amount,
            currency: self.check_currency.clone(),
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut builder = Sandbox::builder()
        .bind(SocketAddr::new(args.host, args.port))
        .site_id(&args.site_id)
        .api_key(&args.api_key)
        .secret_key(&args.secret_key)
        .merchant_name(&args.merchant_name)
        .notify_timeout(Duration::from_millis(args.notify_timeout_ms))
        .scenario(args.scenario())
        .check_faults(args.check_faults())
        .generation(args.generation)
        .rest_api_key(&args.rest_api_key)
        .rest_api_password(&args.rest_api_password)
        .rest_country(&args.rest_country)
        .token_lifetime(Duration::from_secs(args.token_lifetime_s))
        .test_number_delay(Duration::from_millis(args.test_number_delay_ms))
        .rest_faults(args.rest_faults());
    if let Some(url) = &args.public_url {
        builder = builder.public_url(url);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("cinetpay-sandbox: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let base = sandbox.url();
    let settings = sandbox.shop_settings(&args.shop_url);
    // Never print settings that a shop would refuse to start with. cinetpay-core
    // reads v2 settings only so far; for 2026 the shop URL is checked here.
    let refused = match args.generation {
        Generation::V2 => settings.config().err().map(|e| e.to_string()),
        Generation::Rest2026 => url::Url::parse(&args.shop_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .is_none()
            .then(|| format!("public_url {:?} is not an http(s) URL", args.shop_url)),
    };
    if let Some(e) = refused {
        eprintln!(
            "cinetpay-sandbox: a shop could not start with these settings: {e} (see --shop-url)"
        );
        sandbox.shutdown().await;
        return std::process::ExitCode::FAILURE;
    }
    let api = match args.generation {
        Generation::V2 => "Checkout v2",
        Generation::Rest2026 => "the 2026 REST API",
    };
    println!(
        "CinetPay sandbox listening on {base} (Checkout v2 and the 2026 REST API)\n\n\
Give a shop at {shop} these settings for {api} (local, fake credentials):\n\n\
{settings}\n\
Payment pages: {base}payment/{{token}}\nAdmin API:     {base}_sandbox  (payments, scenario, check-faults, notifications, checks)\n\
Stop with Ctrl-C.",
        shop = args.shop_url,
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cinetpay-sandbox: cannot wait for Ctrl-C: {e}");
    }
    sandbox.shutdown().await;
    std::process::ExitCode::SUCCESS
}
