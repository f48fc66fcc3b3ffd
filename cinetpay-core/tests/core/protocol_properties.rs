//! Properties of the protocol layer over arbitrary input: parsing never
//! panics, validated values keep their rules, signatures round-trip.
#![allow(clippy::unwrap_used)]

use cinetpay_core::protocol::{
    CheckData, CheckOutcome, Envelope, InitData, NOTIFICATION_FIELDS, Notification, XTokenError,
    XTokenMatch, sign, sign_received_order, verify_x_token,
};
use cinetpay_core::{Amount, Currency, Description, Money, SecretKey, TransactionId};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Value;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

/// Names CinetPay uses, so that generated objects hit the real parsing paths.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "code", "message", "description", "data", "api_response_id", "amount", "currency",
            "status", "payment_method", "metadata", "operator_id", "payment_date",
            "fund_availability_date", "phone_number", "phone_prefix", "payment_token",
            "payment_url", "cpm_site_id", "cpm_trans_id", "cpm_custom", "cpm_amount",
        ])
        .prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "00", "201", "627", "662", "608", "ACCEPTED", "REFUSED", " ", ""
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        ".{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, including control characters, `&`, `=`, `%` and `+`.
    prop_oneof![".{0,24}", "[&=%+ a-z0-9]{0,12}", Just(String::new())]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn notification_parsing_never_panics_on_bytes(
        body in vec(any::<u8>(), 0..512),
        content_type in proptest::option::of(prop_oneof![
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("application/json; charset=utf-8".to_owned()),
            Just("multipart/form-data; boundary=XyZ".to_owned()),
            ".{0,40}",
        ]),
    ) {
        let _ = Notification::from_form(&body);
        let _ = Notification::from_json(&body);
        if let Ok(n) = Notification::parse(content_type.as_deref(), &body) {
            prop_assert!(!n.cpm_trans_id.trim().is_empty());
            prop_assert!(!n.cpm_site_id.trim().is_empty());
            let _ = n.transaction_id();
        }
    }

    #[test]
    fn notification_parsing_never_panics_on_json(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap();
        let _ = Notification::from_json(&body);
        let _ = Notification::parse(None, &body);
    }

    #[test]
    fn multipart_notifications_read_like_forms_and_never_panic(
        pairs in vec((prop_oneof![
            3 => prop::sample::select(NOTIFICATION_FIELDS.to_vec()).prop_map(str::to_owned),
            1 => "[a-z_]{0,10}",
        ], text()), 0..20),
        cut in any::<prop::sample::Index>(),
        noise in vec(any::<u8>(), 0..32),
    ) {
        const BOUNDARY: &str = "cinetpay-proptest-boundary";
        let mut body = Vec::new();
        for (name, value) in &pairs {
            body.extend_from_slice(format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ).as_bytes());
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        // The same fields give the same notification, or the same refusal.
        prop_assert_eq!(
            Notification::parse(Some(&content_type), &body),
            Notification::from_form(form.as_bytes())
        );
        // Cut or garbled bodies are refused or read, never a panic.
        let cut = cut.index(body.len() + 1);
        let _ = Notification::parse(Some(&content_type), &body[..cut]);
        let mut garbled = body[..cut].to_vec();
        garbled.extend_from_slice(&noise);
        garbled.extend_from_slice(&body[cut..]);
        let _ = Notification::parse(Some(&content_type), &garbled);
    }

    #[test]
    fn check_and_init_parsing_never_panic(
        body in vec(any::<u8>(), 0..512),
        value in json_value(),
        code in prop_oneof![Just(Value::from("00")), Just(Value::from(627)), json_value()],
        data in json_value(),
    ) {
        let price = Money::new(Amount::new(1000).unwrap(), Currency::Xof);
        if let Ok(e) = serde_json::from_slice::<Envelope<CheckData>>(&body) {
            let _ = e.outcome(price);
        }
        let _ = serde_json::from_slice::<Envelope<InitData>>(&body);
        let mut object = match value {
            Value::Object(o) => o,
            _ => serde_json::Map::new(),
        };
        object.insert("code".into(), code);
        object.insert("data".into(), data);
        let body = serde_json::to_vec(&Value::Object(object)).unwrap();
        if let Ok(e) = serde_json::from_slice::<Envelope<CheckData>>(&body) {
            let outcome = e.outcome(price);
            // Success needs code 00 and status ACCEPTED, nothing less.
            if matches!(outcome, CheckOutcome::Accepted | CheckOutcome::Mismatch { .. }) {
                prop_assert_eq!(e.code.trim(), "00");
                let status = e.data.as_ref().and_then(|d| d.status.clone()).unwrap();
                prop_assert!(status.trim().eq_ignore_ascii_case("ACCEPTED"));
            }
            // Accepted for exactly the money it reports, and no other.
            let data = e.data.as_ref();
            if let (Some(a), Some(c)) = (
                data.and_then(CheckData::reported_amount),
                data.and_then(CheckData::reported_currency),
            ) && let Ok(amount) = Amount::new(a)
                && matches!(outcome, CheckOutcome::Accepted | CheckOutcome::Mismatch { .. })
            {
                prop_assert_eq!(e.outcome(Money::new(amount, c)), CheckOutcome::Accepted);
                prop_assert_eq!(outcome == CheckOutcome::Accepted, Money::new(amount, c) == price);
            }
        }
        let _ = serde_json::from_slice::<Envelope<InitData>>(&body);
    }

    #[test]
    fn transaction_ids_only_ever_hold_the_safe_alphabet(
        raw in prop_oneof![".{0,80}", "[A-Za-z0-9-]{0,70}", "[A-Za-z0-9' ;/%-]{1,20}"],
    ) {
        match TransactionId::parse(&raw) {
            Ok(id) => {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert!(!id.as_str().is_empty() && id.as_str().len() <= TransactionId::MAX_LEN);
                prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
                let back: TransactionId = serde_json::from_str(&serde_json::to_string(&id).unwrap()).unwrap();
                prop_assert_eq!(back, id);
            }
            Err(_) => prop_assert!(
                raw.is_empty()
                    || raw.chars().count() > TransactionId::MAX_LEN
                    || raw.chars().any(|c| !(c.is_ascii_alphanumeric() || c == '-'))
            ),
        }
    }

    #[test]
    fn sanitised_descriptions_are_always_valid(raw in prop_oneof![".{0,300}", "[#/$_& \t\na-z]{0,20}", any::<String>()]) {
        let d = Description::sanitised(&raw);
        prop_assert_eq!(Description::new(d.as_str()), Ok(d.clone()));
        prop_assert!(!d.as_str().chars().any(|c| Description::FORBIDDEN.contains(&c)));
        if let Ok(valid) = Description::new(raw.clone()) {
            // A valid description with single inner spaces and no outer ones is kept as is.
            if raw.split_whitespace().collect::<Vec<_>>().join(" ") == raw {
                prop_assert_eq!(d, valid);
            }
        }
    }

    #[test]
    fn amounts_parse_to_positive_multiples_of_five(raw in prop_oneof!["-?[0-9]{1,14}", ".{0,10}"]) {
        if let Ok(a) = raw.parse::<Amount>() {
            prop_assert!(a.get() > 0 && a.get() % 5 == 0 && a.get() <= Amount::MAX);
        }
        let _ = raw.parse::<Currency>();
    }

    #[test]
    fn sign_and_verify_round_trip(
        key in "[!-~]{1,40}",
        trans_id in "[A-Za-z0-9-]{1,30}",
        site_id in "[0-9]{1,9}",
        values in vec(text(), 14),
        absent in vec(any::<bool>(), 14),
        other in text(),
    ) {
        let secret = SecretKey::new(key).unwrap();
        let mut pairs = vec![
            ("cpm_site_id".to_owned(), site_id),
            ("cpm_trans_id".to_owned(), trans_id),
        ];
        for ((name, value), absent) in NOTIFICATION_FIELDS[2..].iter().zip(values).zip(absent) {
            if !absent {
                pairs.push(((*name).to_owned(), value));
            }
        }
        let n = Notification::from_pairs(pairs).unwrap();
        let token = sign(&secret, &n);
        prop_assert_eq!(token.len(), 64);
        prop_assert_eq!(verify_x_token(&secret, &n, Some(&token)), Ok(XTokenMatch::Documented));
        prop_assert_eq!(
            verify_x_token(&secret, &n, Some(&token.to_uppercase())),
            Ok(XTokenMatch::Documented)
        );
        // Through the wire (form encoding) and back, the token still holds.
        let received = Notification::from_form(n.to_form().as_bytes()).unwrap();
        prop_assert_eq!(verify_x_token(&secret, &received, Some(&token)), Ok(XTokenMatch::Documented));
        // The PHP SDK form verifies too.
        let php = sign_received_order(&secret, &n);
        prop_assert!(verify_x_token(&secret, &n, Some(&php)).is_ok());
        // Changing the designation (or adding it) breaks it, unless it is unchanged.
        let mut changed: Vec<(String, String)> = n.received().filter(|(k, _)| *k != "cpm_designation").map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        changed.push(("cpm_designation".to_owned(), other.clone()));
        let changed = Notification::from_pairs(changed).unwrap();
        if changed.field("cpm_designation") != n.field("cpm_designation").or(Some("")) {
            prop_assert_eq!(verify_x_token(&secret, &changed, Some(&token)), Err(XTokenError::Mismatch));
        }
    }
}
