//! The notify and return URLs CinetPay must reach: public, https, and short
//! enough for the 2026 API.

use std::net::{Ipv4Addr, Ipv6Addr};

use cinetpay_core::engine::CheckoutSettings;

use super::{Report, text};
use crate::config::Source;

/// The notify and return URLs: https, and on a host CinetPay and the
/// customers can reach.
pub(super) fn check_urls(settings: &CheckoutSettings, source: &Source, report: &mut Report) {
    let Some(public) = text(&settings.public_url) else {
        return;
    };
    let Ok(url) = url::Url::parse(public) else {
        return;
    };
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return;
    }
    let key = match source {
        Source::Env => "CINETPAY_PUBLIC_URL / public_url",
        Source::Rocket(_) => "cinetpay.public_url",
    };
    let base = public.trim_end_matches('/');
    for (what, route, who) in [
        (
            "notify_url",
            "notify",
            "CinetPay cannot notify the shop there",
        ),
        (
            "return_url",
            "return",
            "customers' browsers cannot come back there",
        ),
    ] {
        let full = format!("{base}{}/{route}", settings.prefix);
        if url.scheme() != "https" {
            report.problem(format!(
                "{key} gives {what} {full}, which is not https: CinetPay and the customers must \
                 reach the shop over https"
            ));
        }
        if let Some(kind) = host_kind(url.host()) {
            report.problem(format!(
                "{key} gives {what} {full}, on {kind}, not a public address: {who}"
            ));
        }
    }
}

/// Why a host is not public, or `None` when it may be.
pub(super) fn host_kind(host: Option<url::Host<&str>>) -> Option<&'static str> {
    match host? {
        url::Host::Domain(domain) => {
            let d = domain.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Some("localhost");
            }
            const RESERVED: [&str; 10] = [
                ".local",
                ".localdomain",
                ".internal",
                ".intranet",
                ".lan",
                ".home",
                ".home.arpa",
                ".test",
                ".example",
                ".invalid",
            ];
            if RESERVED.iter().any(|tld| d.ends_with(tld)) {
                return Some("a private or reserved name");
            }
            if !d.contains('.') {
                return Some("a single-label name (an internal host)");
            }
            None
        }
        url::Host::Ipv4(ip) => ipv4_kind(ip),
        url::Host::Ipv6(ip) => ipv6_kind(ip),
    }
}

pub(super) fn ipv4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || ip.is_broadcast() || a == 0 {
        Some("an unroutable address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if ip.is_documentation() {
        Some("a documentation address")
    } else {
        None
    }
}

pub(super) fn ipv6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_kind(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unroutable address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else {
        None
    }
}
