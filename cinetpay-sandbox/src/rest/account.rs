//! The 2026 account: its credentials and its country (one account = one
//! country, which fixes the currency and the phones' calling code,
//! docs/rest-api-2026.md §2).

use std::fmt;

/// A country a 2026 account can belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Country {
    /// ISO 3166-1 alpha-2 (`CI`), also the suffix of its `payment_method`s (`OM_CI`).
    pub(crate) code: &'static str,
    pub(crate) currency: &'static str,
    /// Without `+` (`225`).
    pub(crate) calling_code: &'static str,
}

/// PHP `Country`, docs/rest-api-2026.md §2.
const COUNTRIES: [Country; 14] = [
    Country {
        code: "CI",
        currency: "XOF",
        calling_code: "225",
    },
    Country {
        code: "BF",
        currency: "XOF",
        calling_code: "226",
    },
    Country {
        code: "ML",
        currency: "XOF",
        calling_code: "223",
    },
    Country {
        code: "SN",
        currency: "XOF",
        calling_code: "221",
    },
    Country {
        code: "TG",
        currency: "XOF",
        calling_code: "228",
    },
    Country {
        code: "BJ",
        currency: "XOF",
        calling_code: "229",
    },
    Country {
        code: "NE",
        currency: "XOF",
        calling_code: "227",
    },
    Country {
        code: "GN",
        currency: "GNF",
        calling_code: "224",
    },
    Country {
        code: "CM",
        currency: "XAF",
        calling_code: "237",
    },
    Country {
        code: "TD",
        currency: "XAF",
        calling_code: "235",
    },
    Country {
        code: "CG",
        currency: "XAF",
        calling_code: "242",
    },
    Country {
        code: "CF",
        currency: "XAF",
        calling_code: "236",
    },
    Country {
        code: "GA",
        currency: "XAF",
        calling_code: "241",
    },
    Country {
        code: "GQ",
        currency: "XAF",
        calling_code: "240",
    },
];

/// The DRC: listed apart so that the table above keeps one currency per block.
const CD: Country = Country {
    code: "CD",
    currency: "CDF",
    calling_code: "243",
};

/// The country of `code` (case-insensitive).
pub(crate) fn country(code: &str) -> Option<Country> {
    let code = code.trim().to_ascii_uppercase();
    COUNTRIES.into_iter().chain([CD]).find(|c| c.code == code)
}

/// The credentials of the sandbox's 2026 account: what a shop gives as
/// `api_key` and `api_password` to `POST /v1/oauth/login`.
///
/// The password is left out of `Debug`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cinetpay_sandbox::Sandbox;
/// let sandbox = Sandbox::builder().start().await?;
/// let credentials = sandbox.credentials_2026();
/// assert!(credentials.api_key().starts_with("sk_test_"));
/// assert!(!format!("{credentials:?}").contains(credentials.api_password()));
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RestCredentials {
    api_key: String,
    api_password: String,
}

impl RestCredentials {
    pub(crate) fn new(api_key: String, api_password: String) -> Self {
        RestCredentials {
            api_key,
            api_password,
        }
    }

    /// The API key (`sk_test_…`).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The API password.
    pub fn api_password(&self) -> &str {
        &self.api_password
    }
}

impl fmt::Debug for RestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestCredentials")
            .field("api_key", &self.api_key)
            .field("api_password", &"***")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_have_their_currency_and_calling_code() {
        let ci = country("ci").expect("CI");
        assert_eq!((ci.currency, ci.calling_code), ("XOF", "225"));
        assert_eq!(country("CD").map(|c| c.currency), Some("CDF"));
        assert_eq!(country("CM").map(|c| c.calling_code), Some("237"));
        assert!(country("FR").is_none());
    }
}
