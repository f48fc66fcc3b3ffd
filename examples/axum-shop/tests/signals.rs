//! The shop binary stops gracefully on SIGTERM (what containers and systemd
//! send), as on Ctrl-C: exit status 0, after storing its delivery log. (And
//! its `SHOP_METRICS` setting, in `metrics/`, on the same process harness.)
#![cfg(unix)]

mod metrics;
mod shop_process;

use std::time::Duration;

use shop_process::ShopProcess;

#[test]
fn sigterm_stops_the_shop_gracefully() {
    let mut shop = ShopProcess::start(env!("CARGO_BIN_EXE_axum-shop"));
    shop.wait_until_it_answers();
    let (status, took, log) = shop.terminate(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{status}:\n{log}");
    assert!(took < Duration::from_secs(5), "{took:?}:\n{log}");
    assert!(log.contains("received SIGTERM: shutting down"), "{log}");
    assert!(log.contains("shop stopped, delivery log stored"), "{log}");
}
