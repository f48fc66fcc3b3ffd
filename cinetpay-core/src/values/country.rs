//! [`Country`]: the country of a 2026 API account, which fixes its currency
//! and its customers' calling code (docs/rest-api-2026.md §2: one account is
//! one country).

use std::fmt;

use super::Currency;

/// A country a 2026 API account can belong to (CinetPay's PHP SDK `Country`).
///
/// ```
/// use cinetpay_core::{Country, Currency};
/// let cm = Country::of("cm").unwrap();
/// assert_eq!((cm.code(), cm.currency(), cm.calling_code()), ("CM", Currency::Xaf, "237"));
/// assert!(Country::of("FR").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    code: &'static str,
    currency: Currency,
    calling_code: &'static str,
}

const fn country(code: &'static str, currency: Currency, calling_code: &'static str) -> Country {
    Country {
        code,
        currency,
        calling_code,
    }
}

impl Country {
    /// Every country of the 2026 API, grouped by currency.
    pub const ALL: [Country; 15] = [
        country("CI", Currency::Xof, "225"),
        country("BF", Currency::Xof, "226"),
        country("ML", Currency::Xof, "223"),
        country("SN", Currency::Xof, "221"),
        country("TG", Currency::Xof, "228"),
        country("BJ", Currency::Xof, "229"),
        country("NE", Currency::Xof, "227"),
        country("GN", Currency::Gnf, "224"),
        country("CM", Currency::Xaf, "237"),
        country("TD", Currency::Xaf, "235"),
        country("CG", Currency::Xaf, "242"),
        country("CF", Currency::Xaf, "236"),
        country("GA", Currency::Xaf, "241"),
        country("GQ", Currency::Xaf, "240"),
        country("CD", Currency::Cdf, "243"),
    ];

    /// The country of an ISO 3166-1 alpha-2 code (case-insensitive, trimmed).
    pub fn of(code: &str) -> Option<Country> {
        let code = code.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// ISO 3166-1 alpha-2 (`CI`), also the suffix of its payment methods (`OM_CI`).
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The only currency its accounts take.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Its phones' calling code, without `+` (`225`).
    pub fn calling_code(self) -> &'static str {
        self.calling_code
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}
