//! `{prefix}/return` with any method, query, headers and body: the answer is a
//! `303` to the configured fallback (the store is empty), `405` or `413`;
//! nothing is stored, and at most one delivery-log line is written, for a
//! well-formed transaction id only.
#![no_main]

use cinetpay_core::TransactionId;
use cinetpay_fuzz::{FALLBACK, HttpInput, RETURN, location, serve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: HttpInput| {
    let Some(request) = input.request(RETURN) else {
        return;
    };
    let routed = matches!(*request.method(), http::Method::GET | http::Method::POST);
    let (response, store) = serve(request);
    let status = response.status().as_u16();
    match status {
        303 => {
            assert!(routed);
            assert_eq!(location(&response), Some(FALLBACK));
        }
        405 => assert!(!routed),
        413 => {}
        other => panic!("return answered {other}"),
    }
    assert!(store.payments().is_empty());
    let log = store.all_deliveries();
    assert!(log.len() <= 1, "{log:?}");
    for line in &log {
        assert!(
            TransactionId::parse(&line.transaction_id).is_ok(),
            "{line:?}"
        );
    }
});
