use std::convert::Infallible;
use std::fmt;

use bytes::Bytes;
use futures_util::FutureExt;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::received::{Fields, Received};
use crate::values::{TransactionId, TransactionIdError};

/// The 16 documented notification fields, in the order the `x-token` HMAC
/// concatenates them.
pub const NOTIFICATION_FIELDS: [&str; 16] = [
    "cpm_site_id",
    "cpm_trans_id",
    "cpm_trans_date",
    "cpm_amount",
    "cpm_currency",
    "signature",
    "payment_method",
    "cel_phone_num",
    "cpm_phone_prefixe",
    "cpm_language",
    "cpm_version",
    "cpm_payment_config",
    "cpm_page_action",
    "cpm_custom",
    "cpm_designation",
    "cpm_error_message",
];

/// Longest value kept for one field; longer values make the body malformed.
const MAX_FIELD_LEN: usize = 4096;
/// Most fields accepted in one body.
const MAX_FIELDS: usize = 64;

/// One accessor per documented optional field: the raw value, `None` when absent.
macro_rules! documented_accessors {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> Option<&str> {
                self.field(stringify!($name))
            }
        )*
    };
}

/// A notification CinetPay posted to `notify_url`.
///
/// It is a *trigger only*: nothing in it is trusted to change state; the engine
/// asks `/v2/payment/check`. Only `cpm_trans_id` and `cpm_site_id` are required.
/// The pairs as received are kept (in order) for the second `x-token` form;
/// each of the 14 other documented fields has an accessor
/// ([`cpm_amount`](Self::cpm_amount), [`cpm_error_message`](Self::cpm_error_message)...)
/// that gives the raw value, `None` when absent.
///
/// ```
/// use cinetpay_core::protocol::Notification;
/// let n = Notification::from_form(b"cpm_site_id=123456&cpm_trans_id=ORDER-0001&cpm_amount=1000").unwrap();
/// assert_eq!(n.cpm_trans_id, "ORDER-0001");
/// assert_eq!(n.field("cpm_amount"), Some("1000"));
/// assert_eq!(n.field("cpm_custom"), None);
/// assert_eq!(n.cpm_amount(), Some("1000"));
/// assert_eq!(n.cpm_custom(), None);
///
/// let j = Notification::from_json(br#"{"cpm_site_id":"123456","cpm_trans_id":"T1","cpm_amount":100}"#).unwrap();
/// assert_eq!(j.field("cpm_amount"), Some("100"));
/// assert!(Notification::from_form(b"cpm_site_id=1").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "WireNotification", into = "WireNotification")]
pub struct Notification {
    /// The site id the notification claims to be for.
    pub cpm_site_id: String,
    /// Our transaction id, as received (not yet validated).
    pub cpm_trans_id: String,
    /// Every field received, in order, each name once
    /// ([`received`](Self::received)).
    received: Received,
}

/// How a [`Notification`] is serialized: its fields as a list of pairs.
#[derive(Serialize, Deserialize)]
struct WireNotification {
    cpm_site_id: String,
    cpm_trans_id: String,
    received: Vec<(String, String)>,
}

impl From<WireNotification> for Notification {
    fn from(wire: WireNotification) -> Self {
        Notification::unchecked(wire.cpm_site_id, wire.cpm_trans_id, wire.received)
    }
}

impl From<Notification> for WireNotification {
    fn from(n: Notification) -> Self {
        WireNotification {
            received: n
                .received()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            cpm_site_id: n.cpm_site_id,
            cpm_trans_id: n.cpm_trans_id,
        }
    }
}

/// Why a notification body was refused.
///
/// Each message names what is wrong, never a secret:
///
/// ```
/// use cinetpay_core::protocol::{Notification, NotificationError};
/// let err = Notification::from_form(b"cpm_trans_id=T1").unwrap_err();
/// assert_eq!(err, NotificationError::Missing("cpm_site_id"));
/// assert_eq!(err.to_string(), "notification is missing cpm_site_id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The body is not valid UTF-8.
    #[error("notification body is not valid UTF-8")]
    NotUtf8,
    /// The body is not a JSON object of strings and numbers.
    #[error("notification body is not a flat JSON object: {0}")]
    BadJson(String),
    /// A required field is missing or empty.
    #[error("notification is missing {0}")]
    Missing(&'static str),
    /// A field appears more than once.
    #[error("notification repeats the field {0:?}")]
    Repeated(String),
    /// A field is too long.
    #[error("notification field {0:?} is longer than 4096 bytes")]
    FieldTooLong(String),
    /// Too many fields.
    #[error("notification has more than 64 fields")]
    TooManyFields,
    /// A `multipart/form-data` body that cannot be read (no boundary in the
    /// content type, malformed parts), or that holds a file or an unnamed
    /// part; the message says which.
    #[error("notification multipart body refused: {0}")]
    BadMultipart(String),
    /// The content type is neither form, multipart nor JSON.
    #[error(
        "unsupported notification content type {0:?}: expected application/x-www-form-urlencoded, multipart/form-data or application/json"
    )]
    UnsupportedContentType(String),
}

fn short(name: &str) -> String {
    name.chars().take(64).collect()
}

impl Notification {
    /// Parses an `application/x-www-form-urlencoded` body (what CinetPay sends).
    pub fn from_form(body: &[u8]) -> Result<Self, NotificationError> {
        std::str::from_utf8(body).map_err(|_| NotificationError::NotUtf8)?;
        // One allocation for the list of fields: a form has at most one more
        // field than it has `&`.
        let fields = memchr::memchr_iter(b'&', body).count() + 1;
        // Decoded, a form is never longer than encoded.
        Self::build(url::form_urlencoded::parse(body), fields, body.len())
    }

    /// Parses a `multipart/form-data` body like a form: text fields only, in
    /// the order received, with the same limits (a repeated field, too many
    /// fields or a field longer than 4096 bytes are refused). CinetPay's own
    /// PHP SDK reads `$_POST`, which PHP fills from multipart bodies too.
    ///
    /// `content_type` is the whole header value: the boundary is read from
    /// it. A file part (one with a `filename`) or a part without a name is
    /// [`NotificationError::BadMultipart`].
    ///
    /// ```
    /// use cinetpay_core::protocol::Notification;
    /// let body = "--b\r\nContent-Disposition: form-data; name=\"cpm_site_id\"\r\n\r\n1\r\n\
    ///             --b\r\nContent-Disposition: form-data; name=\"cpm_trans_id\"\r\n\r\nT1\r\n--b--\r\n";
    /// let n = Notification::from_multipart("multipart/form-data; boundary=b", body.as_bytes()).unwrap();
    /// assert_eq!(n.cpm_trans_id, "T1");
    /// assert!(Notification::from_multipart("multipart/form-data", body.as_bytes()).is_err());
    /// ```
    pub fn from_multipart(content_type: &str, body: &[u8]) -> Result<Self, NotificationError> {
        // RFC 2046: a boundary has 1 to 70 characters.
        let boundary = multer::parse_boundary(content_type)
            .ok()
            .filter(|b| (1..=70).contains(&b.len()))
            .ok_or_else(|| {
                NotificationError::BadMultipart("no valid boundary in the content type".to_owned())
            })?;
        let chunk = Bytes::copy_from_slice(body);
        let stream = futures_util::stream::once(std::future::ready(Ok::<_, Infallible>(chunk)));
        let limits = multer::SizeLimit::new().per_field(MAX_FIELD_LEN as u64);
        let multipart = multer::Multipart::with_constraints(
            stream,
            boundary,
            multer::Constraints::new().size_limit(limits),
        );
        // multer is asynchronous, but the body is already in memory: its only
        // source is a stream whose one chunk is ready, after which it is at
        // its end, so every step of the parser completes on its first poll
        // and `now_or_never` needs no executor (and keeps `parse` sync). The
        // parser never waits once its source has ended; were it ever to, the
        // body is refused rather than waited on.
        let pairs = multipart_pairs(multipart)
            .now_or_never()
            .unwrap_or_else(|| {
                Err(NotificationError::BadMultipart(
                    "the parser wanted more than the body".to_owned(),
                ))
            })?;
        Self::from_pairs(pairs)
    }

    /// Parses a JSON object body (the seed document's example). String,
    /// number and boolean values are accepted; `null` counts as absent;
    /// objects and arrays are refused. The fields are kept in the order of the
    /// body (for the received-order `x-token` form), and a repeated field is
    /// refused as in a form.
    pub fn from_json(body: &[u8]) -> Result<Self, NotificationError> {
        let OrderedObject(fields) = serde_json::from_slice(body)
            .map_err(|e| NotificationError::BadJson(short(&e.to_string())))?;
        if fields.len() > MAX_FIELDS {
            return Err(NotificationError::TooManyFields);
        }
        let mut pairs = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    return Err(NotificationError::BadJson(format!(
                        "field {:?} is not a string or a number",
                        short(&k)
                    )));
                }
            };
            pairs.push((k, v));
        }
        Self::from_pairs(pairs)
    }

    /// Parses a body by its `Content-Type` (parameters such as `charset` are
    /// ignored, case does not matter):
    ///
    /// * `application/x-www-form-urlencoded`: [`from_form`](Self::from_form),
    ///   what CinetPay sends;
    /// * `multipart/form-data` (with its `boundary` parameter):
    ///   [`from_multipart`](Self::from_multipart), read like a form;
    /// * `application/json` (or any `+json` type): [`from_json`](Self::from_json);
    /// * no content type: JSON when the body starts with `{`, a form otherwise;
    /// * anything else: [`NotificationError::UnsupportedContentType`].
    ///
    /// Never panics, whatever the input.
    ///
    /// ```
    /// use cinetpay_core::protocol::Notification;
    /// let n = Notification::parse(None, br#" {"cpm_site_id":"1","cpm_trans_id":"T1"}"#).unwrap();
    /// assert_eq!(n.cpm_trans_id, "T1");
    /// let n = Notification::parse(Some("application/x-www-form-urlencoded; charset=UTF-8"),
    ///     b"cpm_site_id=1&cpm_trans_id=T2").unwrap();
    /// assert_eq!(n.cpm_trans_id, "T2");
    /// assert!(Notification::parse(Some("text/xml"), b"<x/>").is_err());
    /// ```
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Self, NotificationError> {
        let mime = content_type
            .map(|c| c.split(';').next().unwrap_or("").trim())
            .unwrap_or_default();
        let is = |m: &str| mime.eq_ignore_ascii_case(m);
        // `application/…+json`, in any case (`get`: never cut a character).
        let (prefix, suffix) = ("application/", "+json");
        let json_suffix = mime.len() > prefix.len() + suffix.len()
            && mime
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && mime
                .get(mime.len() - suffix.len()..)
                .is_some_and(|s| s.eq_ignore_ascii_case(suffix));
        match mime {
            _ if is("application/x-www-form-urlencoded") => Self::from_form(body),
            _ if is("multipart/form-data") => {
                Self::from_multipart(content_type.unwrap_or_default(), body)
            }
            _ if is("application/json") || json_suffix => Self::from_json(body),
            "" if body.trim_ascii_start().starts_with(b"{") => Self::from_json(body),
            "" => Self::from_form(body),
            other => Err(NotificationError::UnsupportedContentType(short(
                &other.to_ascii_lowercase(),
            ))),
        }
    }

    /// Builds a notification from name/value pairs, in order.
    ///
    /// ```
    /// use cinetpay_core::protocol::Notification;
    /// let n = Notification::from_pairs([("cpm_site_id", "1"), ("cpm_trans_id", " T1 ")]).unwrap();
    /// assert_eq!(n.cpm_trans_id, "T1");
    /// assert!(Notification::from_pairs([("cpm_site_id", "1")]).is_err());
    /// ```
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, NotificationError> {
        let pairs = pairs.into_iter();
        let fields = pairs.size_hint().0;
        Self::build(pairs, fields, 0)
    }

    /// A notification made of these parts as they are, without any of the
    /// checks of [`from_pairs`](Self::from_pairs) (required fields, limits,
    /// repeated names): for tests that sign what the engine refuses.
    ///
    /// ```
    /// use cinetpay_core::protocol::Notification;
    /// let n = Notification::unchecked(String::new(), "T1".into(), [("cpm_trans_id", "T1")]);
    /// assert_eq!(n.field("cpm_site_id"), None);
    /// ```
    pub fn unchecked<K: AsRef<str>, V: AsRef<str>>(
        cpm_site_id: String,
        cpm_trans_id: String,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut received = Received::default();
        for (k, v) in pairs {
            received.push(k.as_ref(), v.as_ref());
        }
        Notification {
            cpm_site_id,
            cpm_trans_id,
            received,
        }
    }

    /// [`from_pairs`](Self::from_pairs) with room for `fields` fields of
    /// `bytes` bytes made at once.
    fn build<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
        fields: usize,
        bytes: usize,
    ) -> Result<Self, NotificationError> {
        let mut received = Received::with_capacity(fields.min(MAX_FIELDS), bytes);
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            if received.len() >= MAX_FIELDS {
                return Err(NotificationError::TooManyFields);
            }
            if k.len() > MAX_FIELD_LEN || v.len() > MAX_FIELD_LEN {
                return Err(NotificationError::FieldTooLong(short(k)));
            }
            if received.iter().any(|(name, _)| name == k) {
                return Err(NotificationError::Repeated(short(k)));
            }
            received.push(k, v);
        }
        let get = |name: &'static str| -> Result<String, NotificationError> {
            received
                .value(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or(NotificationError::Missing(name))
        };
        let cpm_trans_id = get("cpm_trans_id")?;
        let cpm_site_id = get("cpm_site_id")?;
        Ok(Notification {
            cpm_site_id,
            cpm_trans_id,
            received,
        })
    }

    /// `cpm_trans_id` validated as one of our [`TransactionId`]s: an id that
    /// fails this was never issued by us and must not reach storage.
    ///
    /// ```
    /// use cinetpay_core::protocol::Notification;
    /// let n = Notification::from_form(b"cpm_site_id=1&cpm_trans_id=cp-abc").unwrap();
    /// assert_eq!(n.transaction_id().unwrap().as_str(), "cp-abc");
    /// let n = Notification::from_form(b"cpm_site_id=1&cpm_trans_id=1%27%20OR%201%3D1").unwrap();
    /// assert!(n.transaction_id().is_err());
    /// ```
    pub fn transaction_id(&self) -> Result<TransactionId, TransactionIdError> {
        TransactionId::parse(&self.cpm_trans_id)
    }

    /// A field's value as received, `None` when absent.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.received.value(name)
    }

    /// Every field received, in order, each name once: `(name, value)`.
    pub fn received(&self) -> Fields<'_> {
        self.received.iter()
    }

    documented_accessors! {
        /// `cpm_trans_date`: the transaction date-time, such as `2024-01-15 10:30:00`.
        cpm_trans_date,
        /// `cpm_amount`: the amount, as posted (not trusted: the check says it).
        cpm_amount,
        /// `cpm_currency`: the currency, as posted.
        cpm_currency,
        /// `signature`: a CinetPay token, not the `x-token`.
        signature,
        /// `payment_method`: the operator code (`OM`, `FLOOZ`, `MOMO`...).
        payment_method,
        /// `cel_phone_num`: the payer's phone number.
        cel_phone_num,
        /// `cpm_phone_prefixe`: the payer's country dialling prefix, such as `225`.
        cpm_phone_prefixe,
        /// `cpm_language`: `fr` or `en`.
        cpm_language,
        /// `cpm_version`: the protocol version, documented `V4`.
        cpm_version,
        /// `cpm_payment_config`: documented `Single`.
        cpm_payment_config,
        /// `cpm_page_action`: documented `Payment`.
        cpm_page_action,
        /// `cpm_custom`: the `metadata` sent at init.
        cpm_custom,
        /// `cpm_designation`: the description sent at init.
        cpm_designation,
        /// `cpm_error_message`: the status or failure reason (`SUCCES` on
        /// success); never a substitute for the check.
        cpm_error_message,
    }

    /// The 16 documented values in HMAC order, absent ones as empty strings.
    pub fn documented_values(&self) -> [&str; 16] {
        // CinetPay posts the documented fields in documented order: each
        // name is looked for where that order puts it first, and searched
        // for only when it is elsewhere.
        let mut values = [""; 16];
        for (i, (name, value)) in NOTIFICATION_FIELDS.iter().zip(&mut values).enumerate() {
            *value = match self.received.get(i) {
                Some((k, v)) if k == *name => v,
                _ => self.field(name).unwrap_or(""),
            };
        }
        values
    }

    /// Encodes the received pairs as a form body, in order.
    pub fn to_form(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.received())
            .finish()
    }
}

/// The text fields of a multipart body, in order; at most one more than
/// [`MAX_FIELDS`], enough for [`Notification::from_pairs`] to refuse the body.
async fn multipart_pairs(
    mut multipart: multer::Multipart<'_>,
) -> Result<Vec<(String, String)>, NotificationError> {
    let mut pairs = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if pairs.len() > MAX_FIELDS {
            break;
        }
        let Some(name) = field.name().map(str::to_owned) else {
            return Err(NotificationError::BadMultipart(
                "a part has no name".to_owned(),
            ));
        };
        if field.file_name().is_some() {
            return Err(NotificationError::BadMultipart(format!(
                "part {:?} is a file; only text fields are accepted",
                short(&name)
            )));
        }
        let value = field.bytes().await.map_err(multipart_error)?;
        let value = String::from_utf8(value.into()).map_err(|_| NotificationError::NotUtf8)?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn multipart_error(e: multer::Error) -> NotificationError {
    match e {
        multer::Error::FieldSizeExceeded { field_name, .. } => {
            NotificationError::FieldTooLong(short(field_name.as_deref().unwrap_or_default()))
        }
        other => NotificationError::BadMultipart(short(&other.to_string())),
    }
}

/// A JSON object's members in body order (serde_json's map sorts them).
struct OrderedObject(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    // One more than the limit is enough to refuse the body;
                    // the rest is read (to check the JSON) but not kept.
                    if fields.len() <= MAX_FIELDS {
                        fields.push(entry);
                    }
                }
                Ok(OrderedObject(fields))
            }
        }
        d.deserialize_map(Members)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn malformed_bodies_get_a_clear_error() {
        assert_eq!(
            Notification::from_form(b""),
            Err(NotificationError::Missing("cpm_trans_id"))
        );
        assert_eq!(
            Notification::from_form(b"cpm_trans_id=&cpm_site_id=1"),
            Err(NotificationError::Missing("cpm_trans_id"))
        );
        assert_eq!(
            Notification::from_form(b"\xff\xfe"),
            Err(NotificationError::NotUtf8)
        );
        assert_eq!(
            Notification::from_form(b"cpm_trans_id=a&cpm_trans_id=b&cpm_site_id=1"),
            Err(NotificationError::Repeated("cpm_trans_id".into()))
        );
        assert!(matches!(
            Notification::from_json(br#"{"cpm_trans_id":["a"],"cpm_site_id":"1"}"#),
            Err(NotificationError::BadJson(_))
        ));
        assert!(matches!(
            Notification::from_json(b"[1]"),
            Err(NotificationError::BadJson(_))
        ));
        let big = format!(
            "cpm_trans_id=a&cpm_site_id=1&cpm_custom={}",
            "x".repeat(5000)
        );
        assert!(matches!(
            Notification::from_form(big.as_bytes()),
            Err(NotificationError::FieldTooLong(_))
        ));
        assert!(matches!(
            Notification::parse(Some("text/xml"), b"<a/>"),
            Err(NotificationError::UnsupportedContentType(_))
        ));
    }

    #[test]
    fn json_keeps_the_body_order_and_refuses_repeats() {
        let n = Notification::from_json(
            br#"{"cpm_trans_id":"T","cpm_site_id":"S","b":"2","a":1,"cpm_custom":null}"#,
        )
        .unwrap();
        let names: Vec<_> = n.received().map(|(k, _)| k).collect();
        assert_eq!(names, ["cpm_trans_id", "cpm_site_id", "b", "a"]);
        assert_eq!(n.field("cpm_custom"), None);
        assert_eq!(
            Notification::from_json(
                br#"{"cpm_trans_id":"T","cpm_site_id":"S","cpm_trans_id":"U"}"#
            ),
            Err(NotificationError::Repeated("cpm_trans_id".into()))
        );
        let many: String = (0..100).map(|i| format!(",\"f{i}\":\"x\"")).collect();
        let body = format!(r#"{{"cpm_trans_id":"T","cpm_site_id":"S"{many}}}"#);
        assert_eq!(
            Notification::from_json(body.as_bytes()),
            Err(NotificationError::TooManyFields)
        );
    }

    #[test]
    fn content_types_are_read_loosely() {
        let form = b"cpm_trans_id=T&cpm_site_id=S";
        let json = br#"{"cpm_trans_id":"T","cpm_site_id":"S"}"#;
        for ct in [
            Some("application/x-www-form-urlencoded"),
            Some("Application/X-WWW-Form-Urlencoded;charset=utf-8"),
            None,
        ] {
            assert_eq!(Notification::parse(ct, form).unwrap().cpm_trans_id, "T");
        }
        for ct in [
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("application/vnd.cinetpay+json"),
            None,
        ] {
            assert_eq!(Notification::parse(ct, json).unwrap().cpm_site_id, "S");
        }
        assert!(matches!(
            Notification::parse(Some("multipart/mixed; boundary=x"), form),
            Err(NotificationError::UnsupportedContentType(m)) if m == "multipart/mixed"
        ));
    }

    /// A `multipart/form-data` body of text fields, as a browser or PHP's
    /// curl would send it.
    fn multipart(boundary: &str, parts: &[(&str, &str)]) -> Vec<u8> {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body.into_bytes()
    }

    /// The 16 documented fields, in another order than the documented one,
    /// with values that need encoding in a form.
    fn sixteen_fields() -> Vec<(String, String)> {
        NOTIFICATION_FIELDS
            .iter()
            .rev()
            .map(|f| {
                let value = match *f {
                    "cpm_site_id" => "123456".to_owned(),
                    "cpm_trans_id" => "ORDER-0001".to_owned(),
                    other => format!("{other} = a&b %20 é\r\nsecond line"),
                };
                (f.to_string(), value)
            })
            .collect()
    }

    #[test]
    fn multipart_reads_like_the_same_form() {
        let fields = sixteen_fields();
        assert_eq!(fields.len(), 16);
        let parts: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        let expected =
            Notification::parse(Some("application/x-www-form-urlencoded"), form.as_bytes())
                .unwrap();
        assert_eq!(expected.received().collect::<Vec<_>>(), parts);
        for content_type in [
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            "Multipart/Form-Data; charset=UTF-8; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
        ] {
            let body = multipart("----WebKitFormBoundary7MA4YWxkTrZu0gW", &parts);
            let n = Notification::parse(Some(content_type), &body).unwrap();
            assert_eq!(n, expected, "{content_type}");
            assert_eq!(n.cpm_trans_id, "ORDER-0001");
            assert_eq!(n.documented_values(), expected.documented_values());
        }
    }

    #[test]
    fn multipart_bodies_that_are_refused() {
        let ok = [("cpm_site_id", "1"), ("cpm_trans_id", "T1")];
        let ct = "multipart/form-data; boundary=XyZ";
        let refused = |content_type: &str, body: &[u8]| {
            Notification::parse(Some(content_type), body).unwrap_err()
        };
        assert_eq!(
            Notification::parse(Some(ct), &multipart("XyZ", &ok))
                .unwrap()
                .cpm_trans_id,
            "T1"
        );

        for content_type in [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; charset=utf-8",
        ] {
            let e = refused(content_type, &multipart("XyZ", &ok));
            assert!(
                matches!(&e, NotificationError::BadMultipart(_)),
                "{content_type}: {e:?}"
            );
            assert!(e.to_string().contains("boundary"), "{e}");
        }
        let e = refused(
            "multipart/form-data; boundary=Other",
            &multipart("XyZ", &ok),
        );
        assert!(matches!(e, NotificationError::BadMultipart(_)), "{e:?}");

        let file =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"cpm_custom\"; filename=\"a.txt\"\r\n\
            Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
        let e = refused(ct, file);
        assert_eq!(
            e.to_string(),
            "notification multipart body refused: part \"cpm_custom\" is a file; only text fields are accepted"
        );

        let unnamed = b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XyZ--\r\n";
        assert_eq!(
            refused(ct, unnamed),
            NotificationError::BadMultipart("a part has no name".into())
        );
        let no_disposition = b"--XyZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
        assert_eq!(
            refused(ct, no_disposition),
            NotificationError::BadMultipart("a part has no name".into())
        );

        let long = "x".repeat(MAX_FIELD_LEN + 1);
        let e = refused(
            ct,
            &multipart("XyZ", &[ok[0], ok[1], ("cpm_custom", &long)]),
        );
        assert_eq!(e, NotificationError::FieldTooLong("cpm_custom".into()));
        let at_limit = "x".repeat(MAX_FIELD_LEN);
        let n = Notification::parse(
            Some(ct),
            &multipart("XyZ", &[ok[0], ok[1], ("cpm_custom", &at_limit)]),
        )
        .unwrap();
        assert_eq!(n.cpm_custom(), Some(at_limit.as_str()));

        let e = refused(
            ct,
            &multipart("XyZ", &[ok[0], ok[1], ("cpm_trans_id", "T2")]),
        );
        assert_eq!(e, NotificationError::Repeated("cpm_trans_id".into()));

        let names: Vec<String> = (0..MAX_FIELDS).map(|i| format!("f{i}")).collect();
        let many: Vec<(&str, &str)> = ok
            .iter()
            .copied()
            .chain(names.iter().map(|n| (n.as_str(), "x")))
            .collect();
        assert_eq!(
            refused(ct, &multipart("XyZ", &many)),
            NotificationError::TooManyFields
        );

        let mut latin1 = multipart("XyZ", &[ok[0], ok[1], ("cpm_designation", "caf_")]);
        let at = latin1.windows(4).position(|w| w == b"caf_").unwrap();
        latin1[at + 3] = 0xe9;
        assert_eq!(refused(ct, &latin1), NotificationError::NotUtf8);

        let full = multipart("XyZ", &ok);
        for cut in [0, 5, 30, full.len() / 2, full.len() - 5] {
            let e = refused(ct, &full[..cut]);
            assert!(
                matches!(
                    e,
                    NotificationError::BadMultipart(_) | NotificationError::Missing(_)
                ),
                "{cut}: {e:?}"
            );
        }
    }

    #[test]
    fn required_fields_are_trimmed_and_others_kept_raw() {
        let n = Notification::from_form(b"cpm_trans_id=+T1+&cpm_site_id=S&cpm_custom=+x+").unwrap();
        assert_eq!(n.cpm_trans_id, "T1");
        assert_eq!(n.field("cpm_trans_id"), Some(" T1 "));
        assert_eq!(n.field("cpm_custom"), Some(" x "));
        assert_eq!(n.transaction_id().unwrap().as_str(), "T1");
        assert_eq!(Notification::from_form(n.to_form().as_bytes()).unwrap(), n);
    }

    #[test]
    fn documented_values_fill_absent_fields_with_empty_strings() {
        let n = Notification::parse(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            b"cpm_trans_id=T&cpm_site_id=S&cpm_error_message=SUCCES",
        )
        .unwrap();
        let v = n.documented_values();
        assert_eq!(v[0], "S");
        assert_eq!(v[1], "T");
        assert_eq!(v[13], "");
        assert_eq!(v[15], "SUCCES");
        assert_eq!(n.cpm_error_message(), Some("SUCCES"));
        assert_eq!(n.cpm_custom(), None);
    }

    #[test]
    fn every_documented_field_has_its_accessor() {
        let n = Notification::from_pairs(
            NOTIFICATION_FIELDS.map(|f| (f.to_owned(), format!("value of {f}"))),
        )
        .unwrap();
        let accessors = [
            n.cpm_trans_date(),
            n.cpm_amount(),
            n.cpm_currency(),
            n.signature(),
            n.payment_method(),
            n.cel_phone_num(),
            n.cpm_phone_prefixe(),
            n.cpm_language(),
            n.cpm_version(),
            n.cpm_payment_config(),
            n.cpm_page_action(),
            n.cpm_custom(),
            n.cpm_designation(),
            n.cpm_error_message(),
        ];
        for (field, value) in NOTIFICATION_FIELDS[2..].iter().zip(accessors) {
            assert_eq!(value, Some(format!("value of {field}").as_str()));
        }
        assert_eq!(n.cpm_site_id, "value of cpm_site_id");
        assert_eq!(n.cpm_trans_id, "value of cpm_trans_id");
    }
}
