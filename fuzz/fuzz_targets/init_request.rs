//! `POST {prefix}/init` with any content type and body: the order reference is
//! read (form or JSON), validated and quoted, and nothing else happens. The shop
//! knows no order it would sell, so every answer is an error with a documented
//! status, no payment is created, and a JSON client gets JSON.
#![no_main]

use cinetpay_fuzz::{HttpInput, INIT, serve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: HttpInput| {
    let Some(request) = input.request(INIT) else {
        return;
    };
    let post = request.method() == http::Method::POST;
    let (response, store) = serve(request);
    let status = response.status().as_u16();
    if post {
        assert!(
            matches!(status, 400 | 404 | 409 | 413 | 415 | 503),
            "init answered {status}"
        );
    } else {
        assert!(matches!(status, 405 | 413), "init answered {status}");
    }
    let json = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v == "application/json");
    if json {
        let body: serde_json::Value =
            serde_json::from_slice(response.body()).expect("a JSON answer is JSON");
        assert!(body["error"].is_string(), "{body}");
    }
    assert!(store.payments().is_empty());
    assert!(store.all_deliveries().is_empty());
});
