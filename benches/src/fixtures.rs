//! CinetPay's side: the sandbox (in the bench process, on loopback), the
//! accepted payments the first-notification runs consume, and signed
//! notifications made ahead of time.

use chrono::{DateTime, Utc};
use cinetpay_core::protocol::{Notification, PaymentRequest, sign};
use cinetpay_core::{Amount, Client, Currency, Description, Money, SecretKey, TransactionId};
use cinetpay_sandbox::{Operator, Sandbox, SandboxHandle, Scenario};
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
        let values = [
            ("cpm_site_id", self.handle.site_id().to_owned()),
            ("cpm_trans_id", id.to_owned()),
            ("cpm_trans_date", "2026-01-01 10:00:00".to_owned()),
            ("cpm_amount", amount.to_string()),
            ("cpm_currency", "XOF".to_owned()),
            ("signature", "benchsignature".to_owned()),
            ("payment_method", "OM".to_owned()),
            ("cel_phone_num", "0700000000".to_owned()),
            ("cpm_phone_prefixe", "225".to_owned()),
            ("cpm_language", "fr".to_owned()),
            ("cpm_version", "V4".to_owned()),
            ("cpm_payment_config", "Single".to_owned()),
            ("cpm_page_action", "Payment".to_owned()),
            ("cpm_custom", String::new()),
            ("cpm_designation", description.to_owned()),
            ("cpm_error_message", "SUCCES".to_owned()),
        ];
        let pairs = values.map(|(k, v)| (k.to_owned(), v));
        match Notification::from_pairs(pairs) {
            Ok(n) => HttpRequest::post(
                NOTIFY_PATH,
                "application/x-www-form-urlencoded",
                n.to_form(),
            )
            .header("x-token", &sign(&self.secret, &n)),
            // Both required fields are always there.
            Err(_) => unreachable!("a notification with every field parses"),
        }
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
