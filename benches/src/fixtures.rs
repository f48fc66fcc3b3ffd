//! CinetPay's side: the sandbox (in the bench process, on loopback), the
//! accepted payments the first-notification runs consume, and signed
//! notifications made ahead of time.

use chrono::{DateTime, Utc};
use cinetpay_core::protocol::PaymentRequest;
use cinetpay_core::{Amount, Client, Currency, Description, Money, SecretKey, TransactionId};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle, Scenario};
use cinetpay_testing::TestNotification;
use futures_util::{StreamExt, TryStreamExt};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::db::ADDED_PREFIX;
use crate::load::HttpRequest;
use crate::seed;

/// The path of ours and the naive handler.
pub(crate) const NOTIFY_PATH: &str = "/cinetpay/notify";

/// One accepted payment, known to the sandbox and (once inserted) pending in the store.
#[derive(Debug, Clone)]
pub(crate) struct PoolPayment {
    /// Transaction id, `bn-...`.
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
}

/// The sandbox and a client of it.
pub(crate) struct Cinetpay {
    handle: SandboxHandle,
    client: Client,
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
        let secret = SecretKey::new(handle.secret_key()).map_err(|e| e.to_string())?;
        Ok(Cinetpay {
            handle,
            client,
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
    pub(crate) fn checks(&self) -> usize {
        self.handle
            .checks()
            .last()
            .map_or(0, |r| usize::try_from(r.seq).unwrap_or(usize::MAX))
    }

    /// Notifications the sandbox itself sent (none is expected).
    pub(crate) fn notifications_sent(&self) -> usize {
        self.handle.notifications().len()
    }

    /// `n` payments initialised through the API and paid (`00`, `ACCEPTED`).
    pub(crate) async fn accepted_payments(&self, n: usize) -> Result<Vec<PoolPayment>, String> {
        let ids: Vec<String> = (0..n).map(|_| added_id()).collect();
        futures_util::stream::iter(ids)
            .map(|id| self.accepted_payment(id))
            .buffer_unordered(32)
            .try_collect()
            .await
    }

    async fn accepted_payment(&self, id: String) -> Result<PoolPayment, String> {
        let amount = 1000;
        let description = format!("Commande {id}");
        let request = PaymentRequest::new(
            TransactionId::parse(&id).map_err(|e| e.to_string())?,
            Money::new(
                Amount::new(amount).map_err(|e| e.to_string())?,
                Currency::Xof,
            ),
            Description::new(description.clone()).map_err(|e| e.to_string())?,
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
        self.handle
            .pay(&id, Operator::OrangeMoney)
            .map_err(|e| format!("sandbox pay: {e}"))?;
        Ok(PoolPayment {
            order_ref: format!("ord-{id}"),
            id,
            amount,
            description,
            token: page.payment_token,
            url: page.payment_url,
            created: Utc::now(),
        })
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

    /// The first notification of each pool payment, in order.
    pub(crate) fn notifications(&self, pool: &[PoolPayment]) -> Vec<HttpRequest> {
        pool.iter()
            .map(|p| self.notification(&p.id, p.amount, &p.description))
            .collect()
    }

    /// `copies` notifications of each pool payment, the copies one after the
    /// other, so that a load of at least `copies` connections has them in
    /// flight together (CinetPay's repeated notifications arriving at once).
    pub(crate) fn bursts(&self, pool: &[PoolPayment], copies: usize) -> Vec<HttpRequest> {
        pool.iter()
            .flat_map(|p| {
                let n = self.notification(&p.id, p.amount, &p.description);
                std::iter::repeat_n(n, copies)
            })
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

/// A fresh id for a payment the bench adds: `bn-` and 21 letters or digits.
fn added_id() -> String {
    let tail: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(21)
        .map(char::from)
        .collect();
    format!("{ADDED_PREFIX}{tail}")
}
