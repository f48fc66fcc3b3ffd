//! CinetPay's side: the sandbox (in the bench process, on loopback), the
//! accepted payments the first-notification runs consume, and signed
//! notifications made ahead of time.

use chrono::{DateTime, Utc};
use cinetpay_core::protocol::PaymentRequest;
use cinetpay_core::rest::{RestClient, RestCredentials, RestPaymentRequest};
use cinetpay_core::{Amount, Client, Currency, Description, Money, SecretKey, TransactionId};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle, Scenario};
use cinetpay_testing::TestNotification;
use futures_util::{StreamExt, TryStreamExt};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::api::Api;
use crate::load::HttpRequest;
use crate::seed;

/// The path of ours and the naive handler.
pub(crate) const NOTIFY_PATH: &str = "/cinetpay/notify";

/// One accepted payment, known to the sandbox and (once inserted) pending in the store.
#[derive(Debug, Clone)]
pub(crate) struct PoolPayment {
    /// The API it was created on.
    pub(crate) api: Api,
    /// Transaction id, `bn-...` (v2) or `BN-...` (2026).
    pub(crate) id: String,
    /// The shop's order.
    pub(crate) order_ref: String,
    /// Amount in XOF.
    pub(crate) amount: i64,
    /// Description.
    pub(crate) description: String,
    /// The sandbox's payment token.
    pub(crate) token: String,
    /// The sandbox's payment page.
    pub(crate) url: String,
    /// When it was initialised.
    pub(crate) created: DateTime<Utc>,
    /// The token its notifications carry (2026).
    pub(crate) notify_token: Option<String>,
    /// CinetPay's own id of it (2026).
    pub(crate) cinetpay_id: Option<String>,
}

/// The sandbox and a client of it.
pub(crate) struct Cinetpay {
    handle: SandboxHandle,
    client: Client,
    rest: RestClient,
    secret: SecretKey,
}

impl Cinetpay {
    /// Starts the sandbox on `127.0.0.1:0`. Decisions send no notification:
    /// the load generator plays CinetPay's notifications itself.
    pub(crate) async fn start() -> Result<Cinetpay, String> {
        let handle = Sandbox::builder()
            .scenario(Scenario::new().never_send(true))
            .start()
            .await
            .map_err(|e| format!("sandbox: {e}"))?;
        let client = Client::new(handle.credentials(), handle.client_config())
            .map_err(|e| format!("sandbox client: {e}"))?;
        let creds = handle.credentials_2026();
        let creds = RestCredentials::parse(creds.api_key(), creds.api_password())
            .map_err(|e| format!("sandbox 2026 credentials: {e}"))?;
        let rest = RestClient::new(creds, handle.client_config())
            .map_err(|e| format!("sandbox 2026 client: {e}"))?;
        let secret = SecretKey::new(handle.secret_key()).map_err(|e| e.to_string())?;
        Ok(Cinetpay {
            handle,
            client,
            rest,
            secret,
        })
    }

    /// The API base URL, without a trailing slash.
    pub(crate) fn api_url(&self) -> String {
        self.handle.url().as_str().trim_end_matches('/').to_owned()
    }

    /// Where the sandbox listens.
    pub(crate) fn addr(&self) -> std::net::SocketAddr {
        self.handle.local_addr()
    }

    /// Check calls received so far. The sandbox numbers its records (checks
    /// and notifications sent) from 1 and keeps only the last 10 000, so the
    /// count is the number of the last check record: exact as long as the
    /// sandbox sends no notification, which [`notifications_sent`](Self::notifications_sent) tells.
    /// On the 2026 API: its status calls, counted by the sandbox.
    pub(crate) fn checks(&self, api: Api) -> usize {
        match api {
            Api::V2 => self
                .handle
                .checks()
                .last()
                .map_or(0, |r| usize::try_from(r.seq).unwrap_or(usize::MAX)),
            Api::Rest2026 => {
                usize::try_from(self.handle.rest_counters().status_calls).unwrap_or(usize::MAX)
            }
        }
    }

    /// Logins to the 2026 API so far (each issued a token).
    pub(crate) fn logins(&self) -> u64 {
        self.handle.rest_counters().logins
    }

    /// Notifications the sandbox itself sent (none is expected).
    pub(crate) fn notifications_sent(&self) -> usize {
        self.handle.notifications().len()
    }

    /// `n` payments initialised through `api` and paid (`00`, `ACCEPTED`;
    /// 2026: `100`, `SUCCESS`), their ids starting with `prefix`.
    pub(crate) async fn accepted_payments(
        &self,
        api: Api,
        prefix: &str,
        n: usize,
    ) -> Result<Vec<PoolPayment>, String> {
        let ids: Vec<String> = (0..n).map(|_| added_id(api, prefix)).collect();
        futures_util::stream::iter(ids)
            .map(|id| async move {
                match api {
                    Api::V2 => self.accepted_payment(id).await,
                    Api::Rest2026 => self.accepted_payment_2026(id).await,
                }
            })
            .buffer_unordered(32)
            .try_collect()
            .await
    }

    async fn accepted_payment_2026(&self, id: String) -> Result<PoolPayment, String> {
        let (money, description) = order_of(&id)?;
        let url = |path: &str| -> Result<url::Url, String> {
            format!("http://127.0.0.1:9/cinetpay/{path}")
                .parse()
                .map_err(|e| format!("{e}"))
        };
        let request = RestPaymentRequest::new(
            TransactionId::parse(&id).map_err(|e| e.to_string())?,
            money,
            description,
            "Awa Kone",
            "awa@example.com",
            url(&format!("return?transaction_id={id}"))?,
            url(&format!("return?transaction_id={id}"))?,
            url("notify")?,
        )
        .map_err(|e| e.to_string())?;
        let page = self
            .rest
            .init_payment(&request)
            .await
            .map_err(|e| format!("sandbox 2026 init: {e}"))?;
        let mut paid = self.paid(Api::Rest2026, id, page.payment_token, page.payment_url)?;
        paid.notify_token = Some(page.notify_token.expose().to_owned());
        paid.cinetpay_id = page.transaction_id;
        Ok(paid)
    }

    /// Pays the sandbox's payment `id` (created with [`order_of`]'s money
    /// and description) and describes it as a pool payment.
    fn paid(
        &self,
        api: Api,
        id: String,
        token: String,
        url: String,
    ) -> Result<PoolPayment, String> {
        self.handle
            .pay(&id, Operator::OrangeMoney)
            .map_err(|e| format!("sandbox pay: {e}"))?;
        Ok(PoolPayment {
            api,
            order_ref: format!("ord-{id}"),
            amount: POOL_AMOUNT,
            description: format!("Commande {id}"),
            id,
            token,
            url,
            created: Utc::now(),
            notify_token: None,
            cinetpay_id: None,
        })
    }

    async fn accepted_payment(&self, id: String) -> Result<PoolPayment, String> {
        let (money, description) = order_of(&id)?;
        let request = PaymentRequest::new(
            TransactionId::parse(&id).map_err(|e| e.to_string())?,
            money,
            description,
            "http://127.0.0.1:9/cinetpay/notify"
                .parse()
                .map_err(|e| format!("{e}"))?,
            "http://127.0.0.1:9/cinetpay/return"
                .parse()
                .map_err(|e| format!("{e}"))?,
        );
        let page = self
            .client
            .init_payment(&request)
            .await
            .map_err(|e| format!("sandbox init: {e}"))?;
        self.paid(Api::V2, id, page.payment_token, page.payment_url)
    }

    /// The signed notification CinetPay posts for a paid payment.
    pub(crate) fn notification(&self, id: &str, amount: i64, description: &str) -> HttpRequest {
        let notice = TestNotification::success(self.handle.site_id(), id)
            .with("cpm_amount", amount.to_string())
            .with("cpm_designation", description);
        HttpRequest::post(
            NOTIFY_PATH,
            "application/x-www-form-urlencoded",
            notice.form_body(),
        )
        .header("x-token", &notice.x_token(&self.secret))
    }

    /// The notification CinetPay posts for a pool payment, in its API's form.
    pub(crate) fn notification_of(&self, p: &PoolPayment) -> HttpRequest {
        match p.api {
            Api::V2 => self.notification(&p.id, p.amount, &p.description),
            Api::Rest2026 => {
                let body = serde_json::json!({
                    "notify_token": p.notify_token.as_deref().unwrap_or(""),
                    "merchant_transaction_id": p.id,
                    "transaction_id": p.cinetpay_id.as_deref().unwrap_or(""),
                    "user": {"name": "Awa Kone", "email": "awa@example.com"},
                });
                HttpRequest::post(NOTIFY_PATH, "application/json", body.to_string())
            }
        }
    }

    /// The first notification of each pool payment, in order.
    pub(crate) fn notifications(&self, pool: &[PoolPayment]) -> Vec<HttpRequest> {
        pool.iter().map(|p| self.notification_of(p)).collect()
    }

    /// `copies` notifications of each pool payment, the copies one after the
    /// other, so that a load of at least `copies` connections has them in
    /// flight together (CinetPay's repeated notifications arriving at once).
    pub(crate) fn bursts(&self, pool: &[PoolPayment], copies: usize) -> Vec<HttpRequest> {
        pool.iter()
            .flat_map(|p| std::iter::repeat_n(self.notification_of(p), copies))
            .collect()
    }

    /// Notifications of `count` fulfilled seeded payments drawn at random
    /// (uniformly over the whole table of `level` rows).
    pub(crate) fn seeded_duplicates(&self, level: u64, count: usize) -> Vec<HttpRequest> {
        let mut rng = rand::rng();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let n = rng.random_range(1..=level.max(2));
            if seed::seeded_fulfilled(n) {
                out.push(self.notification(
                    &seed::seeded_id(n),
                    seed::seeded_amount(n),
                    &seed::seeded_description(n),
                ));
            }
        }
        out
    }

    /// A check request, as the engine sends it, for a paid payment.
    pub(crate) fn check_request(&self, id: &str) -> HttpRequest {
        let body = serde_json::json!({
            "apikey": self.handle.api_key(),
            "site_id": self.handle.site_id(),
            "transaction_id": id,
        });
        HttpRequest::post("/v2/payment/check", "application/json", body.to_string())
    }

    /// Stops the sandbox.
    pub(crate) async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

/// The amount (XOF) of every payment the bench adds.
const POOL_AMOUNT: i64 = 1000;

/// The money and description of the payment the bench adds as `id`.
fn order_of(id: &str) -> Result<(Money, Description), String> {
    Ok((
        Money::new(
            Amount::new(POOL_AMOUNT).map_err(|e| e.to_string())?,
            Currency::Xof,
        ),
        Description::new(format!("Commande {id}")).map_err(|e| e.to_string())?,
    ))
}

/// A fresh id for a payment the bench adds: `prefix` and 21 letters or
/// digits (upper case on the 2026 API, which takes no other letters).
fn added_id(api: Api, prefix: &str) -> String {
    let tail: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(21)
        .map(|b| match api {
            Api::V2 => char::from(b),
            Api::Rest2026 => char::from(b).to_ascii_uppercase(),
        })
        .collect();
    format!("{prefix}{tail}")
}
