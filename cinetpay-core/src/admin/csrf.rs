//! The sync action's CSRF protection, without a session (the view sits
//! behind the merchant's authentication, which this crate knows nothing
//! about): a double-submit token, and the browser's own word on where a
//! `POST` comes from.
//!
//! * **The token.** A page with the form sets the cookie [`COOKIE`] (32
//!   random bytes in hex; `HttpOnly; SameSite=Strict; Path=<mount>`) unless
//!   the request carries a well-formed one already, and puts the same value
//!   in the form's hidden field [`FIELD`]. A `POST` must carry both, equal
//!   (compared in constant time). Another site can make a browser send the
//!   cookie only on a same-site request (`SameSite=Strict`), and can neither
//!   read it nor the page that holds the field.
//! * **Where it comes from.** When the browser says (`Sec-Fetch-Site`), the
//!   `POST` must be `same-origin`; else, when it sends `Origin`, that origin's
//!   host must be the request's (`X-Forwarded-Host`, else `Host`). This also
//!   refuses a sibling subdomain that could write cookies for the parent
//!   domain (the weak point of a bare double-submit cookie). A client that
//!   sends neither (curl, a script) is judged by the token alone.
//!
//! Tokens are not tied to a process: any instance of the shop accepts them,
//! and a restart invalidates nothing.

use http::HeaderMap;
use http::header::{COOKIE as COOKIE_HEADER, HOST, ORIGIN};
use rand::RngCore;
use subtle::ConstantTimeEq;

/// The cookie holding the token.
pub(crate) const COOKIE: &str = "cinetpay_admin_csrf";
/// The form field (or, for scripts, the header [`HEADER`]) repeating it.
pub(crate) const FIELD: &str = "csrf";
/// The header a script may send the token in instead of the form field.
pub(crate) const HEADER: &str = "x-csrf-token";
/// Hex characters of a token.
const TOKEN_LEN: usize = 64;

/// Why a `POST` was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The browser said the request came from another site.
    CrossSite(String),
    /// No (well-formed) token cookie.
    NoCookie,
    /// No token in the form nor in the header.
    NoToken,
    /// The two differ.
    Mismatch,
}

impl Refused {
    /// What the operator is told.
    pub(crate) fn message(&self) -> &'static str {
        match self {
            Refused::CrossSite(_) => {
                "this form was sent from another site: open the payment page here and press the button again"
            }
            Refused::NoCookie | Refused::NoToken | Refused::Mismatch => {
                "this form has expired or was not sent from this page: reload the payment page and press the button again"
            }
        }
    }
}

/// A fresh token.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; TOKEN_LEN / 2];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The token of the request's cookie, when it has a well-formed one.
pub(crate) fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && well_formed(value))
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value for `token`, valid under `mount` only (`Secure`
/// when the request came over HTTPS, as far as it says).
pub(crate) fn set_cookie(token: &str, mount: &str, headers: &HeaderMap, https: bool) -> String {
    let path = if mount.is_empty() { "/" } else { mount };
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let secure = if https || forwarded_https {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={token}; Path={path}; HttpOnly; SameSite=Strict{secure}")
}

/// Whether a `POST` may act: same origin as far as the browser says, and the
/// form's (or header's) token equal to the cookie's.
pub(crate) fn check(
    headers: &HeaderMap,
    request_authority: Option<&str>,
    form_token: Option<&str>,
) -> Result<(), Refused> {
    same_origin(headers, request_authority)?;
    let cookie = cookie_token(headers).ok_or(Refused::NoCookie)?;
    let given = form_token
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(HEADER)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
        })
        .filter(|t| !t.is_empty())
        .ok_or(Refused::NoToken)?;
    if bool::from(cookie.as_bytes().ct_eq(given.as_bytes())) {
        Ok(())
    } else {
        Err(Refused::Mismatch)
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `Sec-Fetch-Site` when sent; else `Origin` against the request's host.
fn same_origin(headers: &HeaderMap, request_authority: Option<&str>) -> Result<(), Refused> {
    if let Some(site) = header(headers, "sec-fetch-site") {
        return match site {
            // `none`: the user's own action (a bookmark, the address bar).
            "same-origin" | "none" => Ok(()),
            other => Err(Refused::CrossSite(format!("Sec-Fetch-Site: {other}"))),
        };
    }
    let Some(origin) = header(headers, ORIGIN.as_str()) else {
        return Ok(());
    };
    let host = header(headers, "x-forwarded-host")
        .and_then(|v| v.split(',').next())
        .or_else(|| header(headers, HOST.as_str()))
        .or(request_authority);
    let origin_host = origin
        .split_once("://")
        .map(|(scheme, host)| normalise(scheme, host));
    match (origin_host, host) {
        (Some(origin_host), Some(host)) => {
            let scheme = origin.split_once("://").map_or("", |(s, _)| s);
            if origin_host == normalise(scheme, host.trim()) {
                Ok(())
            } else {
                Err(Refused::CrossSite(format!("Origin: {origin}")))
            }
        }
        // `Origin: null` (a sandboxed frame, a redirect from elsewhere), or
        // no host to compare with.
        _ => Err(Refused::CrossSite(format!("Origin: {origin}"))),
    }
}

/// A host (and port) in lower case, without the scheme's default port.
fn normalise(scheme: &str, host: &str) -> String {
    let host = host.to_ascii_lowercase();
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return host,
    };
    host.strip_suffix(default)
        .map_or(host.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn tokens_are_fresh_and_well_formed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b));
        let cookie = format!("other=1; {COOKIE}={a}");
        assert_eq!(cookie_token(&headers(&[("cookie", &cookie)])), Some(a));
        let short = format!("{COOKIE}=abc");
        assert_eq!(cookie_token(&headers(&[("cookie", &short)])), None);
    }

    #[test]
    fn a_post_needs_the_same_token_twice() {
        let token = new_token();
        let cookie = format!("{COOKIE}={token}");
        let with_cookie = headers(&[("cookie", &cookie)]);
        assert_eq!(check(&with_cookie, None, Some(&token)), Ok(()));
        assert_eq!(check(&with_cookie, None, None), Err(Refused::NoToken));
        assert_eq!(
            check(&with_cookie, None, Some(&new_token())),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            check(&headers(&[]), None, Some(&token)),
            Err(Refused::NoCookie)
        );
        let by_header = headers(&[("cookie", &cookie), (HEADER, &token)]);
        assert_eq!(check(&by_header, None, None), Ok(()));
    }

    #[test]
    fn cross_site_posts_are_refused_even_with_the_token() {
        let token = new_token();
        let cookie = format!("{COOKIE}={token}");
        let refused = |extra: &[(&'static str, &str)]| {
            let mut all = vec![("cookie", cookie.as_str()), ("host", "shop.example")];
            all.extend_from_slice(extra);
            check(&headers(&all), None, Some(&token))
        };
        assert!(matches!(
            refused(&[("sec-fetch-site", "cross-site")]),
            Err(Refused::CrossSite(_))
        ));
        assert!(matches!(
            refused(&[("sec-fetch-site", "same-site")]),
            Err(Refused::CrossSite(_))
        ));
        assert!(matches!(
            refused(&[("origin", "https://evil.example")]),
            Err(Refused::CrossSite(_))
        ));
        assert!(matches!(
            refused(&[("origin", "null")]),
            Err(Refused::CrossSite(_))
        ));
        assert_eq!(refused(&[("origin", "https://shop.example")]), Ok(()));
        assert_eq!(refused(&[("origin", "https://SHOP.example:443")]), Ok(()));
        assert_eq!(refused(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(
            refused(&[
                ("origin", "https://admin.example"),
                ("x-forwarded-host", "admin.example")
            ]),
            Ok(())
        );
    }

    #[test]
    fn the_cookie_is_scoped_to_the_mount() {
        let none = HeaderMap::new();
        assert_eq!(
            set_cookie("t", "/admin/cinetpay", &none, false),
            format!("{COOKIE}=t; Path=/admin/cinetpay; HttpOnly; SameSite=Strict")
        );
        let https = headers(&[("x-forwarded-proto", "https")]);
        assert!(
            set_cookie("t", "", &https, false)
                .ends_with("Path=/; HttpOnly; SameSite=Strict; Secure")
        );
    }
}
