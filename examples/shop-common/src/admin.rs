//! A **placeholder** for the merchant's real operator login, in front of
//! the CinetPay admin view: one shared token from `SHOP_ADMIN_TOKEN`. With
//! the variable unset (the default) the shops do not mount the view at all.
//!
//! A request is let in when it carries the token as `Authorization: Bearer
//! <token>` (a script, curl) or as the password of HTTP Basic
//! authentication, with any user name (a browser asks for it after the
//! `401`'s [`CHALLENGE`]). A real shop puts its own authentication here: its
//! operators' accounts, sessions, roles and an audit of who synced what.
//!
//! ```
//! use shop_common::admin::AdminToken;
//! let token = AdminToken::new("s3cret").unwrap();
//! assert!(token.allows(Some("Bearer s3cret")));
//! assert!(token.allows(Some("Basic b3BzOnMzY3JldA=="))); // ops:s3cret
//! assert!(!token.allows(Some("Bearer guess")));
//! assert!(!token.allows(None));
//! assert!(AdminToken::new("  ").is_none());
//! ```

use base64::Engine as _;
use subtle::ConstantTimeEq;

/// Where the shops mount the admin view.
pub const ADMIN_MOUNT: &str = "/admin/cinetpay";

/// The `WWW-Authenticate` value of the `401`: browsers then ask for a user
/// name and password (the token).
pub const CHALLENGE: &str = "Basic realm=\"shop admin\", charset=\"UTF-8\"";

/// The shared operator token (redacted by `Debug`).
#[derive(Clone)]
pub struct AdminToken(String);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

impl AdminToken {
    /// The token, unless blank.
    pub fn new(token: &str) -> Option<AdminToken> {
        let token = token.trim();
        (!token.is_empty()).then(|| AdminToken(token.to_owned()))
    }

    /// `SHOP_ADMIN_TOKEN`, when set and not blank: the admin view is mounted
    /// only then.
    pub fn from_env() -> Option<AdminToken> {
        AdminToken::new(&std::env::var("SHOP_ADMIN_TOKEN").ok()?)
    }

    /// Whether the request's `Authorization` header carries the token.
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        let Some((scheme, credentials)) = authorization.and_then(|v| v.trim().split_once(' '))
        else {
            return false;
        };
        let given = if scheme.eq_ignore_ascii_case("bearer") {
            credentials.trim().to_owned()
        } else if scheme.eq_ignore_ascii_case("basic") {
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credentials.trim())
            else {
                return false;
            };
            let decoded = String::from_utf8_lossy(&decoded).into_owned();
            match decoded.split_once(':') {
                Some((_, password)) => password.to_owned(),
                None => return false,
            }
        } else {
            return false;
        };
        bool::from(given.as_bytes().ct_eq(self.0.as_bytes()))
    }
}
