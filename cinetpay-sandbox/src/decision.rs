//! What the customer (or a test) decides on a payment.

use serde::{Deserialize, Serialize};

use crate::operator::Operator;
use crate::payment::PaymentState;

/// A decision on a payment: what the customer does on the payment page, or a
/// test does headless.
///
/// ```
/// use cinetpay_sandbox::{Decision, Operator};
/// let d: Decision = serde_json::from_str(r#"{"decision":"refuse","operator":"OM","code":"602"}"#).unwrap();
/// assert_eq!(d, Decision::Refuse { operator: Operator::OrangeMoney, code: "602".into() });
/// let d: Decision = serde_json::from_str(r#"{"decision":"pay","operator":"WAVECI"}"#).unwrap();
/// assert_eq!(d, Decision::Pay { operator: Operator::Wave, phone: None });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Pay with this operator.
    Pay {
        /// The payment means.
        operator: Operator,
        /// The payer's number (`cel_phone_num`); a plausible one when absent.
        #[serde(default)]
        phone: Option<String>,
    },
    /// The operator refuses the payment.
    Refuse {
        /// The payment means.
        operator: Operator,
        /// A failure code (`600` by default; `602`, `604`, `606`, `625`, `807`–`812`...).
        #[serde(default = "default_refusal")]
        code: String,
    },
    /// The customer cancels (`627`).
    Cancel,
    /// The customer chose an operator and leaves the payment waiting.
    Wait {
        /// The payment means.
        operator: Operator,
        /// A pending code (`662` by default; `623`, `663`, `664`).
        #[serde(default = "default_waiting")]
        code: String,
    },
}

fn default_refusal() -> String {
    "600".to_owned()
}

fn default_waiting() -> String {
    "662".to_owned()
}

impl Decision {
    /// The operator chosen, if any.
    pub fn operator(&self) -> Option<Operator> {
        match self {
            Decision::Pay { operator, .. }
            | Decision::Refuse { operator, .. }
            | Decision::Wait { operator, .. } => Some(*operator),
            Decision::Cancel => None,
        }
    }

    /// The state this decision leads to.
    pub fn state(&self) -> PaymentState {
        match self {
            Decision::Pay { .. } => PaymentState::Accepted,
            Decision::Refuse { code, .. } => PaymentState::Refused { code: code.clone() },
            Decision::Cancel => PaymentState::Cancelled,
            Decision::Wait { code, .. } => PaymentState::Waiting { code: code.clone() },
        }
    }
}
