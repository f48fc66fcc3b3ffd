//! What a 2026 payment holds beyond what both generations share
//! ([`crate::payment::Payment`]): CinetPay's id, the notify token, the two
//! return URLs, the customer.

use serde::Serialize;

/// The 2026 part of a payment.
#[derive(Debug, Clone)]
pub(crate) struct RestPayment {
    /// CinetPay's own `transaction_id` (the shop's id is the payment's key).
    pub(crate) transaction_id: String,
    /// The per-transaction secret that authenticates notifications.
    pub(crate) notify_token: String,
    pub(crate) success_url: String,
    pub(crate) failed_url: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    /// `client_phone_number` as sent (E.164).
    pub(crate) phone_number: Option<String>,
    pub(crate) channel: Option<String>,
    pub(crate) payment_method: Option<String>,
    pub(crate) direct_pay: bool,
}

/// The 2026 part of a [`PaymentSnapshot`](crate::PaymentSnapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestDetails {
    /// CinetPay's `transaction_id` returned by `POST /v1/payment`.
    pub transaction_id: String,
    /// The `notify_token` returned by `POST /v1/payment` and sent in every notification.
    pub notify_token: String,
    /// Where the browser goes after a success.
    pub success_url: String,
    /// Where the browser goes after a failure.
    pub failed_url: String,
    /// `client_first_name`.
    pub client_first_name: String,
    /// `client_last_name`.
    pub client_last_name: String,
    /// `client_email`.
    pub client_email: String,
    /// `client_phone_number`, when sent.
    pub client_phone_number: Option<String>,
    /// `channel`, when sent.
    pub channel: Option<String>,
    /// `payment_method`, when sent.
    pub payment_method: Option<String>,
    /// `direct_pay`.
    pub direct_pay: bool,
}

impl RestPayment {
    pub(crate) fn details(&self) -> RestDetails {
        RestDetails {
            transaction_id: self.transaction_id.clone(),
            notify_token: self.notify_token.clone(),
            success_url: self.success_url.clone(),
            failed_url: self.failed_url.clone(),
            client_first_name: self.first_name.clone(),
            client_last_name: self.last_name.clone(),
            client_email: self.email.clone(),
            client_phone_number: self.phone_number.clone(),
            channel: self.channel.clone(),
            payment_method: self.payment_method.clone(),
            direct_pay: self.direct_pay,
        }
    }

    /// `user {name, email, phone_number}` of status answers and notifications.
    pub(crate) fn user(&self, payer_phone: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "name": format!("{} {}", self.first_name, self.last_name),
            "email": self.email,
            "phone_number": payer_phone
                .filter(|p| p.starts_with('+'))
                .or(self.phone_number.as_deref())
                .unwrap_or(""),
        })
    }
}
