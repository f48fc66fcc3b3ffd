//! Scenarios: how the notifications of a decision are delivered, set
//! globally or per payment.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How the notifications of a decision are delivered. The default is what
/// CinetPay does on a good day: one signed notification, right away.
///
/// Steps, in order: an optional `GET` ping; `WAITING` first (state set to
/// waiting, notified); `REFUSED` first (only before an acceptance); then the
/// final state, notified `copies` times (one after the other, or all at once);
/// then an optional extra notification. `delay` comes before the first step,
/// `interval` between steps. The state the check reports follows the steps.
///
/// In JSON (admin API): `{"copies":3,"concurrent":true,"delay_ms":500,...}`,
/// every field optional.
///
/// ```
/// use std::time::Duration;
/// use cinetpay_sandbox::Scenario;
/// let s = Scenario::new().copies(3).concurrent(true).delay(Duration::from_millis(50));
/// assert_eq!(s.copies, 3);
/// let from_json: Scenario = serde_json::from_str(r#"{"copies":3,"concurrent":true,"delay_ms":50}"#).unwrap();
/// assert_eq!(from_json, s);
/// assert_eq!(Scenario::default().copies, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// How many times the final notification is sent (at least 1).
    pub copies: u32,
    /// Send the copies concurrently rather than one after the other.
    pub concurrent: bool,
    /// Wait this long before the first notification.
    #[serde(rename = "delay_ms", with = "millis")]
    pub delay: Duration,
    /// Wait this long between steps (default 200 ms).
    #[serde(rename = "interval_ms", with = "millis")]
    pub interval: Duration,
    /// Send no notification at all (the state still changes).
    pub never_send: bool,
    /// First notify a `WAITING` state (code `662`), then the final one.
    pub waiting_first: bool,
    /// Before an acceptance, first notify a refusal (code `600`), as push
    /// operators do.
    pub refused_first: bool,
    /// After the final notifications, send one more.
    pub extra_after_final: bool,
    /// Send a `GET` ping to `notify_url` before the first notification.
    pub ping_first: bool,
    /// Notifications carry a foreign `cpm_site_id` (correctly signed).
    pub wrong_site_id: bool,
    /// Notifications carry a well-formed `x-token` signed with the wrong key.
    pub bad_x_token: bool,
    /// Notifications carry no `x-token` header.
    pub omit_x_token: bool,
    /// 2026 notifications carry a `notify_token` that is not the payment's.
    pub bad_notify_token: bool,
    /// 2026 notifications carry no `notify_token`.
    pub omit_notify_token: bool,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            copies: 1,
            concurrent: false,
            delay: Duration::ZERO,
            interval: Duration::from_millis(200),
            never_send: false,
            waiting_first: false,
            refused_first: false,
            extra_after_final: false,
            ping_first: false,
            wrong_site_id: false,
            bad_x_token: false,
            omit_x_token: false,
            bad_notify_token: false,
            omit_notify_token: false,
        }
    }
}

impl Scenario {
    /// The default: one signed notification, right away.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends the final notification `n` times (0 counts as 1).
    #[must_use]
    pub fn copies(mut self, n: u32) -> Self {
        self.copies = n.max(1);
        self
    }

    /// Sends the copies concurrently.
    #[must_use]
    pub fn concurrent(mut self, yes: bool) -> Self {
        self.concurrent = yes;
        self
    }

    /// Waits before the first notification.
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Waits between steps.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sends nothing.
    #[must_use]
    pub fn never_send(mut self, yes: bool) -> Self {
        self.never_send = yes;
        self
    }

    /// Notifies `WAITING` first.
    #[must_use]
    pub fn waiting_first(mut self, yes: bool) -> Self {
        self.waiting_first = yes;
        self
    }

    /// Notifies a refusal before an acceptance.
    #[must_use]
    pub fn refused_first(mut self, yes: bool) -> Self {
        self.refused_first = yes;
        self
    }

    /// Sends one more notification after the final ones.
    #[must_use]
    pub fn extra_after_final(mut self, yes: bool) -> Self {
        self.extra_after_final = yes;
        self
    }

    /// Pings `notify_url` with `GET` first.
    #[must_use]
    pub fn ping_first(mut self, yes: bool) -> Self {
        self.ping_first = yes;
        self
    }

    /// Uses a foreign site id in the notifications.
    #[must_use]
    pub fn wrong_site_id(mut self, yes: bool) -> Self {
        self.wrong_site_id = yes;
        self
    }

    /// Signs the notifications with the wrong key.
    #[must_use]
    pub fn bad_x_token(mut self, yes: bool) -> Self {
        self.bad_x_token = yes;
        self
    }

    /// Leaves out the `x-token` header.
    #[must_use]
    pub fn omit_x_token(mut self, yes: bool) -> Self {
        self.omit_x_token = yes;
        self
    }

    /// Sends a forged `notify_token` in 2026 notifications.
    #[must_use]
    pub fn bad_notify_token(mut self, yes: bool) -> Self {
        self.bad_notify_token = yes;
        self
    }

    /// Leaves out the `notify_token` of 2026 notifications.
    #[must_use]
    pub fn omit_notify_token(mut self, yes: bool) -> Self {
        self.omit_notify_token = yes;
        self
    }
}

/// `Duration` as whole milliseconds in JSON.
pub(crate) mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
