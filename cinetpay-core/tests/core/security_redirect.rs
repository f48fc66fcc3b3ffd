//! The return redirect cannot be pointed elsewhere by the request: hostile
//! transaction ids, redirect-ish parameters in the query or the body (form or
//! JSON), `Host`/`X-Forwarded-*`/`Forwarded` headers and absolute request URIs
//! all end on the configured template or fallback, on the shop's own host, in
//! exactly one `Location` header without CR/LF.
#![allow(clippy::unwrap_used)]

use super::common::*;
use bytes::Bytes;
use http::{Request, Response, StatusCode};

const HOSTILE_IDS: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "%252F%252Fevil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "@evil.example",
    "cp-x@evil.example",
    "javascript:alert(1)",
    "cp-x\r\nLocation: https://evil.example",
    "cp-x\r\n\r\n<html>",
    "cp-x%0d%0aLocation:%20https://evil.example",
    "cp-x#@evil.example",
    "..%2F..%2Fevil.example",
];

const REDIRECT_PARAMS: &[&str] = &[
    "return_url",
    "redirect",
    "redirect_uri",
    "next",
    "url",
    "continue",
    "return_to",
    "return_fallback",
];

const HOSTILE_HEADERS: &[(&str, &str)] = &[
    ("host", "evil.example"),
    ("x-forwarded-host", "evil.example"),
    ("x-forwarded-proto", "javascript"),
    ("x-forwarded-prefix", "//evil.example"),
    ("forwarded", "for=1.2.3.4;host=evil.example;proto=https"),
    ("x-original-url", "https://evil.example/"),
    ("x-rewrite-url", "//evil.example/"),
    ("referer", "https://evil.example/"),
];

/// One `Location`, a path on the shop: no scheme, no `//host`, no CR/LF, no
/// backslash, no trace of the attacker's host.
fn assert_stays_home(r: &Response<Bytes>, case: &str) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{case}");
    let all: Vec<_> = r.headers().get_all("location").iter().collect();
    assert_eq!(all.len(), 1, "{case}: {all:?}");
    let to = all[0].to_str().unwrap().to_owned();
    assert!(to.starts_with('/'), "{case}: {to}");
    assert!(
        !to.starts_with("//") && !to.starts_with("/\\"),
        "{case}: {to}"
    );
    assert!(
        !to.contains(['\r', '\n', '\\', '@']) && !to.to_lowercase().contains("evil"),
        "{case}: {to}"
    );
    to
}

fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[tokio::test]
async fn hostile_transaction_ids_go_to_the_fallback() {
    let h = Harness::new().await;
    let mut cases = 0;
    for id in HOSTILE_IDS {
        let query = encode(&[("transaction_id", id), ("token", id)]);
        let requests = [
            get(&format!("/cinetpay/return?{query}")),
            post_form("/cinetpay/return", &query),
            Request::post("/cinetpay/return")
                .header("content-type", "application/json")
                .body(Bytes::from(
                    serde_json::json!({ "transaction_id": id, "token": id }).to_string(),
                ))
                .unwrap(),
        ];
        for request in requests {
            let case = format!("{} {id:?}", request.method());
            let to = assert_stays_home(&h.handle(request).await, &case);
            assert_eq!(to, "/", "{case}");
            cases += 1;
        }
    }
    // Raw query strings, as a browser or a script could send them.
    for raw in [
        "transaction_id=//evil.example",
        "transaction_id=https://evil.example&transaction_id=cp-x",
        "transaction_id=%2F%2Fevil.example",
        "transaction_id=cp-x%0D%0ALocation:%20https://evil.example",
        "transaction_id=cp-x%00//evil.example",
        "transaction_id=%E2%80%AE//evil.example",
        "transaction_id",
        "=//evil.example",
    ] {
        let to = assert_stays_home(
            &h.handle(get(&format!("/cinetpay/return?{raw}"))).await,
            raw,
        );
        assert_eq!(to, "/", "{raw}");
        cases += 1;
    }
    assert_eq!(h.check_calls().await, 0, "no hostile id reached CinetPay");
    println!("{cases} hostile return requests, all sent to the fallback");
}

#[tokio::test]
async fn redirect_parameters_and_headers_are_ignored_for_a_real_payment() {
    let h = Harness::new().await;
    let id = h.start("ord-1").await;
    let _a = h.check_answers(&id, accepted("1000", "XOF")).await;
    let expected = format!("/orders/ord-1?payment=accepted&transaction_id={id}");
    let mut cases = 0;
    for param in REDIRECT_PARAMS {
        for target in [
            "https://evil.example/x",
            "//evil.example",
            "/\\evil.example",
        ] {
            let pairs = [
                (*param, target),
                ("transaction_id", id.as_str()),
                (*param, target),
            ];
            let query = encode(&pairs);
            let mut json = serde_json::Map::new();
            json.insert("transaction_id".into(), id.as_str().into());
            json.insert((*param).into(), target.into());
            let requests = [
                get(&format!("/cinetpay/return?{query}")),
                post_form("/cinetpay/return", &query),
                post_form(&format!("/cinetpay/return?{param}={target}"), &query),
                Request::post("/cinetpay/return")
                    .header("content-type", "application/json")
                    .body(Bytes::from(
                        serde_json::Value::Object(json.clone()).to_string(),
                    ))
                    .unwrap(),
            ];
            for request in requests {
                let case = format!("{} {param}={target}", request.method());
                assert_eq!(assert_stays_home(&h.handle(request).await, &case), expected);
                cases += 1;
            }
        }
    }
    for (name, value) in HOSTILE_HEADERS {
        let request = Request::get(format!("/cinetpay/return?transaction_id={id}"))
            .header(*name, *value)
            .body(Bytes::new())
            .unwrap();
        assert_eq!(assert_stays_home(&h.handle(request).await, name), expected);
        cases += 1;
    }
    // Every hostile header at once, on an absolute-form request URI naming the
    // attacker's host (what a proxy may pass on).
    let mut request = Request::post(format!(
        "http://evil.example/cinetpay/return?return_url=https://evil.example&transaction_id={id}"
    ))
    .header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in HOSTILE_HEADERS {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Bytes::from(format!(
            "transaction_id={id}&next=//evil.example"
        )))
        .unwrap();
    assert_eq!(assert_stays_home(&h.handle(request).await, "all"), expected);
    cases += 1;
    assert_eq!(h.shop.successes(), 1, "the payment was delivered once");
    println!("{cases} steering attempts on a real payment, all sent to its order page");
}

/// An order reference full of URL syntax is percent-encoded into the path of
/// the configured template: the customer stays on the shop, whatever the
/// merchant's order references look like.
#[tokio::test]
async fn url_syntax_in_order_references_stays_in_the_path() {
    for template in [
        None,
        Some("https://shop.example/o/{order_ref}?s={status}&t={transaction_id}"),
        Some("/c/{order_ref}"),
    ] {
        let h = Harness::with(Options {
            return_to: template,
            ..Options::default()
        })
        .await;
        for order in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "@evil.example",
            ".evil.example",
            "a?b#c&d=//evil.example",
        ] {
            let id = h.start(order).await;
            let _w = h.check_answers(&id, waiting()).await;
            let r = h
                .handle(get(&format!("/cinetpay/return?transaction_id={id}")))
                .await;
            let to = location(&r);
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let case = format!("{template:?} {order:?} -> {to}");
            assert!(!to.contains("//evil") && !to.contains("@evil"), "{case}");
            match template {
                Some(t) if t.starts_with("https://") => {
                    let url = url::Url::parse(&to).unwrap();
                    assert_eq!(url.host_str(), Some("shop.example"), "{case}");
                }
                _ => {
                    assert!(to.starts_with('/') && !to.starts_with("//"), "{case}");
                    assert!(!to.starts_with("/\\"), "{case}");
                }
            }
        }
    }
}
