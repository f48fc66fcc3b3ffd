//! The validated values and the return template: `TransactionId`,
//! `OrderRef`, `Description`, amounts and currencies keep their rules for any
//! input, and a return template that validates renders, for any order
//! reference, transaction id and status, a visible-ASCII path on the shop (never
//! `//host`) or a URL on the template's own host (when its placeholders are
//! after the host: `ReturnTemplate::parse` refuses any placeholder before the
//! path, see `placeholder_in_authority`).
#![no_main]

use cinetpay_core::engine::ReturnTemplate;
use cinetpay_core::{Amount, Currency, Description, OrderRef, TransactionId};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    template: String,
    order_ref: String,
    transaction_id: String,
    status: String,
}

fuzz_target!(|input: Input| {
    let text = input.text.as_str();
    if let Ok(id) = TransactionId::parse(text) {
        assert_eq!(id.as_str(), text);
        assert!(!text.is_empty() && text.len() <= TransactionId::MAX_LEN);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }
    if let Ok(order) = OrderRef::new(text) {
        assert_eq!(order.as_str(), text);
        assert!(!text.is_empty() && text.chars().count() <= OrderRef::MAX_LEN);
    }
    let d = Description::sanitised(text);
    assert_eq!(Description::new(d.as_str()).as_ref(), Ok(&d));
    assert!(
        !d.as_str()
            .chars()
            .any(|c| Description::FORBIDDEN.contains(&c))
    );
    if let Ok(a) = text.parse::<Amount>() {
        assert!(a.get() > 0 && a.get() % 5 == 0 && a.get() <= Amount::MAX);
    }
    let _ = text.parse::<Currency>();

    let Ok(template) = ReturnTemplate::parse(&input.template) else {
        return;
    };
    // The engine's values are never empty (an order reference, one of our
    // transaction ids, a status name). With an empty one, `/{status}//host`
    // renders `//host`: reported, unreachable from the engine.
    let non_empty = |v: &str| {
        if v.is_empty() {
            "x".to_owned()
        } else {
            v.to_owned()
        }
    };
    let rendered = template.render(
        &non_empty(&input.order_ref),
        &non_empty(&input.transaction_id),
        &non_empty(&input.status),
    );
    assert!(
        rendered.chars().all(|c| c.is_ascii_graphic()),
        "{rendered:?}"
    );
    let sample = template.render("o", "t", "s");
    if sample.starts_with('/') {
        assert!(rendered.starts_with('/'), "{rendered:?}");
        assert!(
            !rendered.starts_with("//") && !rendered.starts_with("/\\"),
            "{rendered:?}"
        );
    } else if placeholder_in_authority(template.as_str()) {
        panic!("a template with a placeholder in its scheme or host was accepted: {:?}", template.as_str());
    } else {
        let expected = url::Url::parse(&sample).expect("a validated absolute URL");
        let got = url::Url::parse(&rendered).expect("renders a URL");
        assert_eq!(got.scheme(), expected.scheme(), "{rendered:?}");
        assert_eq!(
            got.host_str(),
            expected.host_str(),
            "{:?} -> {rendered:?}",
            template.as_str()
        );
    }
});

/// Whether a `{` comes before the end of the template's scheme and host, read
/// as the URL parser does (`https:////{status}/` has its host in the placeholder).
fn placeholder_in_authority(template: &str) -> bool {
    let Some(colon) = template.find(':') else {
        return template.contains('{');
    };
    let after = &template[colon + 1..];
    let start = colon + 1 + (after.len() - after.trim_start_matches(['/', '\\']).len());
    let end = template[start..]
        .find(['/', '?', '#', '\\'])
        .map_or(template.len(), |i| start + i);
    template[..end].contains('{')
}
