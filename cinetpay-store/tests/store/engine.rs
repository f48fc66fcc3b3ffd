//! An engine over a `SeaOrmStore`, talking to the local CinetPay sandbox:
//! what the tests of leases and of the transactional fulfilment drive.

use std::sync::Arc;

use cinetpay_core::clock::Clock;
use cinetpay_core::engine::{Checkout, CheckoutSettings};
use cinetpay_core::{OrderFulfiller, OrderRef, PaymentStore, TransactionId};
use cinetpay_sandbox::{Decision, Operator, Sandbox, SandboxHandle, Scenario};

/// A sandbox that never notifies: the tests call `sync` themselves.
pub(crate) async fn quiet_sandbox() -> SandboxHandle {
    Sandbox::builder()
        .scenario(Scenario::new().never_send(true))
        .start()
        .await
        .expect("the sandbox starts")
}

/// The engine's settings for `sandbox`, with `change` applied.
pub(crate) fn settings(
    sandbox: &Sandbox,
    change: impl FnOnce(&mut CheckoutSettings),
) -> CheckoutSettings {
    let mut settings = CheckoutSettings {
        api_key: Some(sandbox.api_key().to_owned()),
        site_id: Some(sandbox.site_id().to_owned()),
        secret_key: Some(sandbox.secret_key().to_owned()),
        api_url: Some(sandbox.url().as_str().trim_end_matches('/').to_owned()),
        public_url: Some("http://127.0.0.1:9".to_owned()),
        poll_after_ms: 0,
        ..CheckoutSettings::default()
    };
    change(&mut settings);
    settings
}

/// An engine ("instance") over `store` with its own `clock`.
pub(crate) fn engine(
    settings: CheckoutSettings,
    store: Arc<dyn PaymentStore>,
    fulfiller: Arc<dyn OrderFulfiller>,
    clock: Arc<dyn Clock>,
) -> Checkout {
    Checkout::builder()
        .config(settings.into_config().expect("valid settings"))
        .store(store)
        .fulfiller(fulfiller)
        .clock(clock)
        .build()
        .expect("the engine builds")
}

/// Starts a payment for `order` and has the sandbox's customer pay it.
pub(crate) async fn paid(checkout: &Checkout, sandbox: &Sandbox, order: &str) -> TransactionId {
    let started = checkout
        .start_payment(&OrderRef::new(order).expect("an order reference"))
        .await
        .expect("init");
    sandbox
        .decide(
            started.transaction_id.as_str(),
            Decision::Pay {
                operator: Operator::OrangeMoney,
                phone: None,
            },
        )
        .expect("the sandbox takes the payment");
    started.transaction_id
}
