//! A payment as the sandbox holds it: what the shop initialised, and what the
//! customer (or the test) decided.

use chrono::{DateTime, Utc};
use cinetpay_core::protocol::InitRequest;
use serde::{Deserialize, Serialize};

use crate::faults::CheckFaults;
use crate::generation::Generation;
use crate::operator::Operator;
use crate::rest::payment::{RestDetails, RestPayment};
use crate::scenario::Scenario;

/// Where a payment stands, as `/v2/payment/check` reports it.
///
/// ```
/// use cinetpay_sandbox::PaymentState;
/// assert_eq!(PaymentState::Accepted.check_code(), "00");
/// assert_eq!(PaymentState::Cancelled.check_status(), "REFUSED");
/// assert_eq!(PaymentState::Created.check_status(), "WAITING_FOR_CUSTOMER");
/// assert!(!PaymentState::Refused { code: "600".into() }.is_accepted());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PaymentState {
    /// Initialised; the customer has not decided yet (`662`, `WAITING_FOR_CUSTOMER`).
    Created,
    /// The customer chose an operator but has not confirmed (a pending code:
    /// `662`, `623`, `663` or `664`; status `WAITING_FOR_CUSTOMER`).
    Waiting {
        /// The pending result code.
        code: String,
    },
    /// Paid (`00 SUCCES`, status `ACCEPTED`).
    Accepted,
    /// Refused by the operator (`600 PAYMENT_FAILED` or another failure code;
    /// status `REFUSED`).
    Refused {
        /// The failure result code.
        code: String,
    },
    /// Cancelled by the customer (`627 TRANSACTION_CANCEL`, status `REFUSED`).
    Cancelled,
}

impl PaymentState {
    /// The result code `/v2/payment/check` answers.
    pub fn check_code(&self) -> &str {
        match self {
            PaymentState::Created => "662",
            PaymentState::Waiting { code } | PaymentState::Refused { code } => code,
            PaymentState::Accepted => "00",
            PaymentState::Cancelled => "627",
        }
    }

    /// `data.status` of the check answer.
    pub fn check_status(&self) -> &'static str {
        match self {
            PaymentState::Created | PaymentState::Waiting { .. } => "WAITING_FOR_CUSTOMER",
            PaymentState::Accepted => "ACCEPTED",
            PaymentState::Refused { .. } | PaymentState::Cancelled => "REFUSED",
        }
    }

    /// Paid.
    pub fn is_accepted(&self) -> bool {
        matches!(self, PaymentState::Accepted)
    }

    /// Accepted, refused or cancelled (a later decision may still turn a
    /// refusal into an acceptance, as push operators do; an acceptance is final).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentState::Accepted | PaymentState::Refused { .. } | PaymentState::Cancelled
        )
    }
}

/// A payment as the sandbox holds it.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    /// What the shop sent at init (normalised).
    pub(crate) request: InitRequest,
    pub(crate) token: String,
    /// CinetPay's own `signature` field of the notifications.
    pub(crate) signature: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) state: PaymentState,
    pub(crate) operator: Option<Operator>,
    pub(crate) phone: Option<String>,
    pub(crate) operator_id: Option<String>,
    pub(crate) paid_at: Option<DateTime<Utc>>,
    /// Bumped by every decision, so that a running scenario stops when a
    /// newer decision supersedes it.
    pub(crate) generation: u64,
    pub(crate) scenario: Option<Scenario>,
    pub(crate) check_faults: Option<CheckFaults>,
    /// The 2026 part, for a payment made with `POST /v1/payment`.
    pub(crate) rest: Option<RestPayment>,
}

/// A copy of a payment, for tests and the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentSnapshot {
    /// The shop's transaction id.
    pub transaction_id: String,
    /// The payment token returned by init.
    pub payment_token: String,
    /// The hosted payment page.
    pub payment_url: String,
    /// The amount initialised.
    pub amount: i64,
    /// The currency initialised.
    pub currency: String,
    /// The description initialised.
    pub description: String,
    /// The metadata initialised.
    pub metadata: Option<String>,
    /// `ALL`, `MOBILE_MONEY`, `CREDIT_CARD` or `WALLET`.
    pub channels: String,
    /// `fr` or `en`.
    pub lang: String,
    /// Where notifications go.
    pub notify_url: String,
    /// Where the customer is sent back.
    pub return_url: String,
    /// When init succeeded.
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    #[serde(flatten)]
    pub state: PaymentState,
    /// The operator chosen, if any.
    pub operator: Option<Operator>,
    /// The payer's number, once an operator was chosen.
    pub phone: Option<String>,
    /// The operator's reference, once paid.
    pub operator_id: Option<String>,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Its own notification scenario, when set.
    pub scenario: Option<Scenario>,
    /// Its own check faults, when set.
    pub check_faults: Option<CheckFaults>,
    /// The API it was made with: for [`Generation::Rest2026`],
    /// `transaction_id` is the shop's `merchant_transaction_id`,
    /// `description` its `designation` and `return_url` its `success_url`.
    pub generation: Generation,
    /// The 2026 part (CinetPay's id, the notify token...), for a 2026 payment.
    pub rest: Option<RestDetails>,
}

impl Payment {
    /// The API the payment was made with.
    pub(crate) fn api(&self) -> Generation {
        if self.rest.is_some() {
            Generation::Rest2026
        } else {
            Generation::V2
        }
    }

    pub(crate) fn lang(&self) -> &str {
        self.request.lang.as_deref().unwrap_or("fr")
    }

    pub(crate) fn snapshot(&self, payment_url: String) -> PaymentSnapshot {
        let r = &self.request;
        PaymentSnapshot {
            transaction_id: r.transaction_id.clone(),
            payment_token: self.token.clone(),
            payment_url,
            amount: r.amount,
            currency: r.currency.clone(),
            description: r.description.clone(),
            metadata: r.metadata.clone(),
            channels: r.channels.clone(),
            lang: self.lang().to_owned(),
            notify_url: r.notify_url.clone(),
            return_url: r.return_url.clone(),
            created_at: self.created_at,
            state: self.state.clone(),
            operator: self.operator,
            phone: self.phone.clone(),
            operator_id: self.operator_id.clone(),
            paid_at: self.paid_at,
            scenario: self.scenario.clone(),
            check_faults: self.check_faults.clone(),
            generation: self.api(),
            rest: self.rest.as_ref().map(RestPayment::details),
        }
    }
}

/// The seven customer fields CinetPay needs to offer card payment.
pub(crate) const CARD_FIELDS: [&str; 7] = [
    "customer_email",
    "customer_phone_number",
    "customer_address",
    "customer_city",
    "customer_country",
    "customer_state",
    "customer_zip_code",
];

impl Payment {
    fn has_card_fields(&self) -> bool {
        let r = &self.request;
        [
            &r.customer_email,
            &r.customer_phone_number,
            &r.customer_address,
            &r.customer_city,
            &r.customer_country,
            &r.customer_state,
            &r.customer_zip_code,
        ]
        .iter()
        .all(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }

    /// Whether the payment page offers `operator`: by `channels`, and for
    /// cards only when the card customer fields were sent.
    pub(crate) fn offers(&self, operator: Operator) -> bool {
        use crate::operator::ChannelFamily as F;
        let family = operator.family();
        match self.request.channels.as_str() {
            "MOBILE_MONEY" => family == F::MobileMoney,
            "WALLET" => family == F::Wallet,
            "CREDIT_CARD" => family == F::CreditCard,
            _ => family != F::CreditCard || self.has_card_fields(),
        }
    }

    /// The payer's number: the customer's (without `+` and country prefix),
    /// else a plausible one for the operator.
    pub(crate) fn payer_phone(&self, operator: Operator) -> String {
        let known = self
            .request
            .customer_phone_number
            .as_deref()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|p| !p.is_empty());
        match known {
            Some(p) if p.len() > 10 => p[p.len() - 10..].to_owned(),
            Some(p) => p,
            None => operator.demo_phone().to_owned(),
        }
    }

    /// Moves to `state`; an acceptance gets its payment date and operator reference.
    pub(crate) fn enter(&mut self, state: PaymentState, now: DateTime<Utc>) {
        if state.is_accepted() && self.paid_at.is_none() {
            self.paid_at = Some(now);
            self.operator_id = Some(operator_reference(self.operator, now));
        }
        self.state = state;
    }
}

/// An operator reference in the style of the documented one
/// (`MP220915.2257.A76307`).
fn operator_reference(operator: Option<Operator>, now: DateTime<Utc>) -> String {
    use rand::Rng;
    let suffix: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(5)
        .map(|b| char::from(b).to_ascii_uppercase())
        .collect();
    format!(
        "{}{}.A{suffix}",
        operator.map_or("CP", Operator::reference_prefix),
        now.format("%y%m%d.%H%M"),
    )
}
