//! A notification body under any content type, with any `x-token` and secret
//! key: parsing never panics; a parsed notification survives the wire (form
//! encoding) unchanged; a token is accepted only if it is exactly the
//! documented or the received-order HMAC; the right token always verifies and
//! a token with one digit changed never does.
#![no_main]

use cinetpay_core::SecretKey;
use cinetpay_core::protocol::{
    Notification, XTokenError, XTokenMatch, sign, sign_received_order, verify_x_token,
};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum ContentType {
    Absent,
    Form,
    Json,
    Multipart,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    content_type: ContentType,
    body: Vec<u8>,
    x_token: Option<String>,
    secret: String,
    flip: u8,
}

fuzz_target!(|input: Input| {
    let content_type = match &input.content_type {
        ContentType::Absent => None,
        ContentType::Form => Some("application/x-www-form-urlencoded"),
        ContentType::Json => Some("application/json; charset=utf-8"),
        ContentType::Multipart => Some("multipart/form-data; boundary=XyZ"),
        ContentType::Other(s) => Some(s.as_str()),
    };
    let _ = Notification::from_form(&input.body);
    let _ = Notification::from_json(&input.body);
    let Ok(n) = Notification::parse(content_type, &input.body) else {
        return;
    };
    assert!(!n.cpm_trans_id.is_empty() && n.cpm_trans_id.trim() == n.cpm_trans_id);
    assert!(!n.cpm_site_id.is_empty() && n.cpm_site_id.trim() == n.cpm_site_id);
    let received: Vec<(&str, &str)> = n.received().collect();
    for (i, (name, value)) in received.iter().enumerate() {
        assert!(received[..i].iter().all(|(other, _)| other != name));
        assert_eq!(n.field(name), Some(*value));
    }
    let _ = n.transaction_id();
    let again = Notification::from_form(n.to_form().as_bytes()).expect("re-parse");
    assert_eq!(again, n);

    let secret = SecretKey::new(input.secret.as_str())
        .unwrap_or_else(|_| SecretKey::new("fuzz-secret").expect("key"));
    let documented = sign(&secret, &n);
    let received = sign_received_order(&secret, &n);
    match verify_x_token(&secret, &n, input.x_token.as_deref()) {
        Ok(XTokenMatch::Documented) => {
            let given = input.x_token.as_deref().expect("a token");
            assert_eq!(given.trim().to_ascii_lowercase(), documented);
        }
        Ok(XTokenMatch::ReceivedOrder) => {
            let given = input.x_token.as_deref().expect("a token");
            assert_eq!(given.trim().to_ascii_lowercase(), received);
        }
        Err(XTokenError::Missing) => {
            assert!(input.x_token.as_deref().is_none_or(|t| t.trim().is_empty()));
        }
        Err(_) => {}
    }
    assert_eq!(
        verify_x_token(&secret, &n, Some(&documented)),
        Ok(XTokenMatch::Documented)
    );
    assert!(verify_x_token(&secret, &n, Some(&received)).is_ok());
    // One hex digit changed: refused (unless it then equals the other rule's token).
    let mut forged = documented.into_bytes();
    let i = usize::from(input.flip) % forged.len();
    forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).expect("hex");
    if forged != received {
        assert_eq!(
            verify_x_token(&secret, &n, Some(&forged)),
            Err(XTokenError::Mismatch)
        );
    }
});
