//! [`Sandbox`]: the controller a test holds to drive payments, inject faults
//! and read what happened.

use std::sync::Arc;
use std::time::Duration;

use cinetpay_core::{ApiKey, ClientConfig, Credentials, SecretKey, SiteId};
use url::Url;

use crate::builder::SandboxBuilder;
use crate::counters::RestCounters;
use crate::decision::Decision;
use crate::drive;
use crate::error::SandboxError;
use crate::faults::CheckFaults;
use crate::generation::Generation;
use crate::notify::{fields, sender};
use crate::operator::Operator;
use crate::payment::{Payment, PaymentSnapshot};
use crate::record::{CheckRecord, NotificationKind, NotificationRecord};
use crate::rest::account::RestCredentials;
use crate::rest_faults::RestFaults;
use crate::scenario::Scenario;
use crate::shop::ShopSettings;
use crate::state::Shared;

/// A running sandbox, seen from Rust: cheap to clone, usable from any task.
///
/// Obtained from [`SandboxHandle`](crate::SandboxHandle) (which derefs to it).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::{Operator, Sandbox};
/// let sandbox = Sandbox::builder().start().await?;
/// assert_eq!(sandbox.site_id(), cinetpay_sandbox::DEFAULT_SITE_ID);
/// // No payment yet: driving an unknown transaction is an error.
/// assert!(sandbox.pay("nope", Operator::OrangeMoney).is_err());
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub(crate) shared: Arc<Shared>,
}

impl Sandbox {
    /// A builder with the default (fake) credentials and an ephemeral port.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The base URL: give it as `CINETPAY_API_URL` / [`ClientConfig::base_url`].
    pub fn url(&self) -> Url {
        self.shared.config.base_url.clone()
    }

    /// The site id the sandbox accepts.
    pub fn site_id(&self) -> &str {
        self.shared.config.site_id.as_str()
    }

    /// The API key the sandbox accepts.
    pub fn api_key(&self) -> &str {
        self.shared.config.api_key.expose()
    }

    /// The secret key that signs notifications.
    pub fn secret_key(&self) -> &str {
        self.shared.config.secret_key.expose()
    }

    /// The credentials as `cinetpay-core` wants them (with the secret key).
    pub fn credentials(&self) -> Credentials {
        let c = &self.shared.config;
        Credentials::new(
            SiteId::clone(&c.site_id),
            ApiKey::clone(&c.api_key),
            Some(SecretKey::clone(&c.secret_key)),
        )
    }

    /// A client configuration pointing at this sandbox, with short timeouts
    /// and retry delays suited to tests.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::default()
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(5))
            .with_check_retries(3)
            .with_retry_delays(Duration::from_millis(20), Duration::from_millis(200));
        config.base_url = self.url();
        config
    }

    /// The v2 credentials (the same as [`credentials`](Self::credentials)).
    pub fn credentials_v2(&self) -> Credentials {
        self.credentials()
    }

    /// The 2026 credentials: `api_key` (`sk_test_…`) and `api_password`.
    pub fn credentials_2026(&self) -> RestCredentials {
        self.shared.config.rest.credentials.clone()
    }

    /// The generation whose credentials [`shop_settings`](Self::shop_settings)
    /// presents ([`SandboxBuilder::generation`]).
    pub fn generation(&self) -> Generation {
        self.shared.config.generation
    }

    /// The lifetime of the 2026 access tokens.
    pub fn token_lifetime(&self) -> Duration {
        self.shared.config.rest.token_lifetime
    }

    /// The settings a shop at `shop_url` (its public base URL) needs to start
    /// against this sandbox, for the sandbox's [`generation`](Self::generation):
    /// the credentials, this sandbox's URL as `api_url` and `shop_url` as
    /// `public_url`, in the forms an axum/tower app and a Rocket app read
    /// (see [`ShopSettings`]). The binary prints them.
    pub fn shop_settings(&self, shop_url: &str) -> ShopSettings {
        match self.generation() {
            Generation::V2 => self.shop_settings_v2(shop_url),
            Generation::Rest2026 => self.shop_settings_2026(shop_url),
        }
    }

    /// The v2 settings (`api_key`, `site_id`, `secret_key`, `api_url`,
    /// `public_url`), whatever the sandbox's generation.
    pub fn shop_settings_v2(&self, shop_url: &str) -> ShopSettings {
        let url = self.url();
        ShopSettings::new(
            self.api_key(),
            self.site_id(),
            self.secret_key(),
            url.as_str().trim_end_matches('/'),
            shop_url,
        )
    }

    /// The 2026 settings (`api_key` = `sk_test_…`, `api_password`,
    /// `api_url`, `public_url`), whatever the sandbox's generation.
    pub fn shop_settings_2026(&self, shop_url: &str) -> ShopSettings {
        let url = self.url();
        let credentials = &self.shared.config.rest.credentials;
        ShopSettings::rest(
            credentials.api_key(),
            credentials.api_password(),
            url.as_str().trim_end_matches('/'),
            shop_url,
        )
    }

    // ---- payments ----

    /// One payment, if initialised.
    pub fn payment(&self, transaction_id: &str) -> Option<PaymentSnapshot> {
        let state = self.shared.lock();
        let p = state.payments.get(transaction_id)?;
        Some(p.snapshot(self.shared.payment_url(&p.token)))
    }

    /// Every payment, in creation order.
    pub fn payments(&self) -> Vec<PaymentSnapshot> {
        let state = self.shared.lock();
        state
            .order
            .iter()
            .filter_map(|tx| state.payments.get(tx))
            .map(|p| p.snapshot(self.shared.payment_url(&p.token)))
            .collect()
    }

    /// The payment initialised last.
    pub fn last_payment(&self) -> Option<PaymentSnapshot> {
        let tx = self.shared.lock().order.last().cloned()?;
        self.payment(&tx)
    }

    // ---- decisions ----

    /// Applies a decision with the scenario in force (the payment's, else the
    /// global one). The first state is set when this returns; notifications
    /// follow in the background ([`wait_notifications`](Self::wait_notifications)).
    /// Must be called from within a Tokio runtime.
    pub fn decide(
        &self,
        transaction_id: &str,
        decision: Decision,
    ) -> Result<PaymentSnapshot, SandboxError> {
        drive::decide(&self.shared, transaction_id, decision, None)
    }

    /// Applies a decision with this scenario, for this decision only.
    pub fn decide_with(
        &self,
        transaction_id: &str,
        decision: Decision,
        scenario: Scenario,
    ) -> Result<PaymentSnapshot, SandboxError> {
        drive::decide(&self.shared, transaction_id, decision, Some(scenario))
    }

    /// The customer pays with `operator` (`00 SUCCES`, `ACCEPTED`).
    pub fn pay(
        &self,
        transaction_id: &str,
        operator: Operator,
    ) -> Result<PaymentSnapshot, SandboxError> {
        self.decide(
            transaction_id,
            Decision::Pay {
                operator,
                phone: None,
            },
        )
    }

    /// The operator refuses (`600 PAYMENT_FAILED`, `REFUSED`).
    pub fn refuse(
        &self,
        transaction_id: &str,
        operator: Operator,
    ) -> Result<PaymentSnapshot, SandboxError> {
        self.decide(
            transaction_id,
            Decision::Refuse {
                operator,
                code: "600".to_owned(),
            },
        )
    }

    /// The customer cancels (`627 TRANSACTION_CANCEL`, `REFUSED`).
    pub fn cancel(&self, transaction_id: &str) -> Result<PaymentSnapshot, SandboxError> {
        self.decide(transaction_id, Decision::Cancel)
    }

    /// The customer chose `operator` and leaves the payment waiting
    /// (`662 WAITING_CUSTOMER_PAYMENT`, `WAITING_FOR_CUSTOMER`).
    pub fn leave_waiting(
        &self,
        transaction_id: &str,
        operator: Operator,
    ) -> Result<PaymentSnapshot, SandboxError> {
        self.decide(
            transaction_id,
            Decision::Wait {
                operator,
                code: "662".to_owned(),
            },
        )
    }

    /// The 2026 payment expires (`2003 EXPIRED`); for a v2 payment, an error.
    /// The operator recorded is the one chosen, else Orange Money.
    pub fn expire(&self, transaction_id: &str) -> Result<PaymentSnapshot, SandboxError> {
        let operator = self.with_payment(transaction_id, |p| p.operator)?;
        self.decide(
            transaction_id,
            Decision::Refuse {
                operator: operator.unwrap_or(Operator::OrangeMoney),
                code: "2003".to_owned(),
            },
        )
    }

    // ---- the 2026 API: tokens, faults, counters ----

    /// Expires every 2026 access token issued so far: the next call with any
    /// of them answers `1003 EXPIRED_TOKEN`. Answers how many there were.
    pub fn expire_tokens(&self) -> usize {
        let n = self.shared.lock().rest_tokens.expire_all();
        tracing::info!(tokens = n, "2026 tokens expired on demand");
        n
    }

    /// The 2026 faults (with their counters as consumed so far).
    pub fn rest_faults(&self) -> RestFaults {
        self.shared.lock().rest_faults.clone()
    }

    /// Sets the 2026 faults.
    pub fn set_rest_faults(&self, faults: RestFaults) {
        self.shared.lock().rest_faults = faults;
    }

    /// How often the 2026 API was called, and how it answered.
    pub fn rest_counters(&self) -> RestCounters {
        self.shared.lock().counters
    }

    // ---- notifications on demand ----

    /// Runs `f` on the payment `transaction_id`, under the state's lock.
    fn with_payment<R>(
        &self,
        transaction_id: &str,
        f: impl FnOnce(&mut Payment) -> R,
    ) -> Result<R, SandboxError> {
        let mut state = self.shared.lock();
        let payment = state
            .payments
            .get_mut(transaction_id)
            .ok_or_else(|| SandboxError::UnknownTransaction(transaction_id.to_owned()))?;
        Ok(f(payment))
    }

    /// Sends CinetPay's `GET` ping (no data) to the payment's `notify_url` now
    /// and returns its record.
    pub async fn notify_ping(
        &self,
        transaction_id: &str,
    ) -> Result<NotificationRecord, SandboxError> {
        let url = self.with_payment(transaction_id, |p| p.request.notify_url.clone())?;
        let _delivery = self.shared.begin_delivery(transaction_id);
        Ok(sender::ping(&self.shared, transaction_id, &url).await)
    }

    /// Sends a correctly signed notification of the payment's current state
    /// now and returns its record.
    pub async fn notify_again(
        &self,
        transaction_id: &str,
    ) -> Result<NotificationRecord, SandboxError> {
        let (url, notice) = self.with_payment(transaction_id, |p| {
            (
                p.request.notify_url.clone(),
                fields::notice(&self.shared.config, p, &Scenario::default()),
            )
        })?;
        let _delivery = self.shared.begin_delivery(transaction_id);
        Ok(sender::post(
            &self.shared,
            transaction_id,
            &url,
            NotificationKind::Manual,
            notice,
        )
        .await)
    }

    // ---- scenarios and faults ----

    /// The global scenario, for payments without their own.
    pub fn scenario(&self) -> Scenario {
        self.shared.lock().scenario.clone()
    }

    /// Sets the global scenario.
    pub fn set_scenario(&self, scenario: Scenario) {
        self.shared.lock().scenario = scenario;
    }

    /// Sets (or, with `None`, clears) one payment's own scenario.
    pub fn set_payment_scenario(
        &self,
        transaction_id: &str,
        scenario: Option<Scenario>,
    ) -> Result<(), SandboxError> {
        self.with_payment(transaction_id, |p| p.scenario = scenario)
    }

    /// The global check faults (with their counters as consumed so far).
    pub fn check_faults(&self) -> CheckFaults {
        self.shared.lock().check_faults.clone()
    }

    /// Sets the global check faults, for payments without their own.
    pub fn set_check_faults(&self, faults: CheckFaults) {
        self.shared.lock().check_faults = faults;
    }

    /// Sets (or, with `None`, clears) one payment's own check faults, which
    /// replace the global ones for its checks.
    pub fn set_payment_check_faults(
        &self,
        transaction_id: &str,
        faults: Option<CheckFaults>,
    ) -> Result<(), SandboxError> {
        self.with_payment(transaction_id, |p| p.check_faults = faults)
    }

    // ---- records ----

    /// Every notification sent so far, in sending order.
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        let mut all = self.shared.lock().notifications.clone();
        all.sort_by_key(|r| r.seq);
        all
    }

    /// The notifications sent for one transaction, in sending order.
    pub fn notifications_for(&self, transaction_id: &str) -> Vec<NotificationRecord> {
        let mut some: Vec<_> = self
            .shared
            .lock()
            .notifications
            .iter()
            .filter(|r| r.transaction_id == transaction_id)
            .cloned()
            .collect();
        some.sort_by_key(|r| r.seq);
        some
    }

    /// Every check call so far, in arrival order.
    pub fn checks(&self) -> Vec<CheckRecord> {
        self.shared.lock().checks.clone()
    }

    /// The check calls about one transaction (asked by id or by its token).
    pub fn checks_for(&self, transaction_id: &str) -> Vec<CheckRecord> {
        let state = self.shared.lock();
        let token = state.payments.get(transaction_id).map(|p| p.token.as_str());
        state
            .checks
            .iter()
            .filter(|r| {
                r.transaction_id.as_deref() == Some(transaction_id)
                    || (token.is_some() && r.token.as_deref() == token)
            })
            .cloned()
            .collect()
    }

    // ---- waiting ----

    async fn wait_until_idle(
        &self,
        transaction_id: Option<&str>,
        timeout: Duration,
    ) -> Result<(), SandboxError> {
        let mut progress = self.shared.progress();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let pending = self.shared.lock().pending_deliveries(transaction_id);
            if pending == 0 {
                return Ok(());
            }
            let changed = tokio::time::timeout_at(deadline, progress.changed()).await;
            if changed.is_err() {
                return Err(SandboxError::Timeout { pending, timeout });
            }
        }
    }

    /// Waits until every notification scheduled for `transaction_id` was sent
    /// (and answered, or timed out), then returns its notifications. Returns at
    /// once when nothing is scheduled.
    pub async fn wait_notifications(
        &self,
        transaction_id: &str,
        timeout: Duration,
    ) -> Result<Vec<NotificationRecord>, SandboxError> {
        self.wait_until_idle(Some(transaction_id), timeout).await?;
        Ok(self.notifications_for(transaction_id))
    }

    /// Waits until no notification is scheduled for any payment.
    pub async fn wait_idle(&self, timeout: Duration) -> Result<(), SandboxError> {
        self.wait_until_idle(None, timeout).await
    }

    /// Forgets every payment and record, restores the scenario, check faults
    /// and 2026 faults of start-up and zeroes the 2026 counters. Issued 2026
    /// tokens stay valid (a client's cached token goes on working).
    /// Notifications under way stop.
    pub fn reset(&self) {
        let mut state = self.shared.lock();
        state.payments.clear();
        state.order.clear();
        state.tokens.clear();
        state.notifications.clear();
        state.checks.clear();
        state.scenario = self.shared.config.initial_scenario.clone();
        state.check_faults = self.shared.config.initial_check_faults.clone();
        state.rest_ids.clear();
        state.rest_faults = self.shared.config.initial_rest_faults.clone();
        state.counters = RestCounters::default();
    }
}
