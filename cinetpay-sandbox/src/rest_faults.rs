//! Faults of the 2026 REST API: how token errors are answered, HTTP 500s,
//! an init that times out after creating the payment, a status answer with
//! foreign ids. Global, set from the builder, [`Sandbox::set_rest_faults`](crate::Sandbox::set_rest_faults)
//! or `PUT /_sandbox/rest/faults`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::scenario::millis;

/// How an invalid (`1002 INVALID_TOKEN`) or expired (`1003 EXPIRED_TOKEN`)
/// Bearer token is answered. docs/rest-api-2026.md §4 leaves it open (fixtures
/// use HTTP 200, the PHP SDK expects 401 or 422, one shop saw the code inside
/// `details` with 422), so the sandbox answers each form on demand.
///
/// In JSON: `{"http_status":422,"in_details":true}`.
///
/// ```
/// use cinetpay_sandbox::TokenErrorForm;
/// assert_eq!(TokenErrorForm::default(), TokenErrorForm::http_401());
/// assert_eq!(TokenErrorForm::in_body_200().http_status, 200);
/// assert!(TokenErrorForm::in_details_422().in_details);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenErrorForm {
    /// The HTTP status (200, 401 or 422 are the documented possibilities;
    /// any status from 200 to 599 is accepted).
    pub http_status: u16,
    /// `false`: `{code, status, message, description}` at the root;
    /// `true`: the root is `1004 INVALID_PARAMS` and the token error is in
    /// `details {code, status, message}`.
    pub in_details: bool,
}

impl Default for TokenErrorForm {
    fn default() -> Self {
        Self::http_401()
    }
}

impl TokenErrorForm {
    /// HTTP 401, the code at the root (the default: both official SDKs
    /// recognise it and log in again).
    pub const fn http_401() -> Self {
        TokenErrorForm {
            http_status: 401,
            in_details: false,
        }
    }

    /// HTTP 200, the code at the root, `message` only (the fixtures' form).
    pub const fn in_body_200() -> Self {
        TokenErrorForm {
            http_status: 200,
            in_details: false,
        }
    }

    /// HTTP 422, the code at the root.
    pub const fn http_422() -> Self {
        TokenErrorForm {
            http_status: 422,
            in_details: false,
        }
    }

    /// HTTP 422, the code nested in `details` (what one shop saw on `/v1/payment`).
    pub const fn in_details_422() -> Self {
        TokenErrorForm {
            http_status: 422,
            in_details: true,
        }
    }

    /// HTTP 200, the code nested in `details`.
    pub const fn in_details_200() -> Self {
        TokenErrorForm {
            http_status: 200,
            in_details: true,
        }
    }
}

/// How the 2026 REST API misbehaves. Counters (`fail_next_*`,
/// `init_timeout_next`) are consumed by the calls they affect.
///
/// In JSON (admin API): `{"fail_next_status":1,"token_error":{"http_status":200},...}`.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_sandbox::{RestFaults, TokenErrorForm};
/// let f = RestFaults::new()
///     .token_error(TokenErrorForm::in_details_422())
///     .fail_next_status(2)
///     .init_timeout_next(1)
///     .hang_for(Duration::from_millis(1500))
///     .foreign_transaction_id(true);
/// let json = serde_json::to_value(&f).unwrap();
/// assert_eq!(json["token_error"]["http_status"], 422);
/// assert_eq!(json["fail_next_status"], 2);
/// assert_eq!(json["hang_ms"], 1500);
/// let back: RestFaults = serde_json::from_value(json).unwrap();
/// assert_eq!(back, f);
/// assert!(RestFaults::default().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestFaults {
    /// How token errors are answered (default HTTP 401, at the root).
    pub token_error: TokenErrorForm,
    /// The next `n` logins answer HTTP 500 with an HTML body.
    pub fail_next_login: u32,
    /// The next `n` inits answer HTTP 500 (no payment is created).
    pub fail_next_init: u32,
    /// The next `n` status calls answer HTTP 500.
    pub fail_next_status: u32,
    /// The next `n` inits create the payment, then hold the answer for
    /// [`hang_for`](Self::hang_for): the client times out, and its retry with
    /// the same `merchant_transaction_id` gets `1200 TRANSACTION_EXIST`.
    pub init_timeout_next: u32,
    /// How long a timed-out init holds the connection (default 30 s).
    #[serde(rename = "hang_ms", with = "millis")]
    pub hang_for: Duration,
    /// Added to every call of the 2026 API (login, init, status).
    #[serde(rename = "latency_ms", with = "millis")]
    pub latency: Duration,
    /// Status answers carry a `merchant_transaction_id` that is not the payment's.
    pub foreign_merchant_transaction_id: bool,
    /// Status answers carry a `transaction_id` that is not the payment's.
    pub foreign_transaction_id: bool,
}

impl Default for RestFaults {
    fn default() -> Self {
        RestFaults {
            token_error: TokenErrorForm::default(),
            fail_next_login: 0,
            fail_next_init: 0,
            fail_next_status: 0,
            init_timeout_next: 0,
            hang_for: Duration::from_secs(30),
            latency: Duration::ZERO,
            foreign_merchant_transaction_id: false,
            foreign_transaction_id: false,
        }
    }
}

impl RestFaults {
    /// No fault; token errors in the default form.
    pub fn new() -> Self {
        Self::default()
    }

    /// How token errors are answered.
    #[must_use]
    pub fn token_error(mut self, form: TokenErrorForm) -> Self {
        self.token_error = form;
        self
    }

    /// The next `n` logins answer HTTP 500.
    #[must_use]
    pub fn fail_next_login(mut self, n: u32) -> Self {
        self.fail_next_login = n;
        self
    }

    /// The next `n` inits answer HTTP 500.
    #[must_use]
    pub fn fail_next_init(mut self, n: u32) -> Self {
        self.fail_next_init = n;
        self
    }

    /// The next `n` status calls answer HTTP 500.
    #[must_use]
    pub fn fail_next_status(mut self, n: u32) -> Self {
        self.fail_next_status = n;
        self
    }

    /// The next `n` inits create the payment and do not answer in time.
    #[must_use]
    pub fn init_timeout_next(mut self, n: u32) -> Self {
        self.init_timeout_next = n;
        self
    }

    /// How long a timed-out init holds.
    #[must_use]
    pub fn hang_for(mut self, d: Duration) -> Self {
        self.hang_for = d;
        self
    }

    /// Latency added to every call.
    #[must_use]
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = d;
        self
    }

    /// Status answers carry a foreign `merchant_transaction_id`.
    #[must_use]
    pub fn foreign_merchant_transaction_id(mut self, yes: bool) -> Self {
        self.foreign_merchant_transaction_id = yes;
        self
    }

    /// Status answers carry a foreign `transaction_id`.
    #[must_use]
    pub fn foreign_transaction_id(mut self, yes: bool) -> Self {
        self.foreign_transaction_id = yes;
        self
    }

    /// Whether nothing is injected (the token error form aside).
    pub fn is_none(&self) -> bool {
        self.fail_next_login == 0
            && self.fail_next_init == 0
            && self.fail_next_status == 0
            && self.init_timeout_next == 0
            && self.latency.is_zero()
            && !self.foreign_merchant_transaction_id
            && !self.foreign_transaction_id
    }
}
