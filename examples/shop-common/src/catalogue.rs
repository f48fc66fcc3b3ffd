//! The products on sale. Prices live here, on the server: the browser only
//! ever sends a product id or an order reference.

use cinetpay_core::{Amount, Currency, Money};
use serde::Serialize;

/// One product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Stable id, used in `POST /orders`.
    pub id: &'static str,
    /// Name shown to customers.
    pub name: &'static str,
    /// Price, in the currency's unit.
    pub price: i64,
    /// Currency code.
    pub currency: Currency,
}

impl Product {
    /// The price as validated money.
    ///
    /// ```
    /// let p = shop_common::catalogue::product("attieke").unwrap();
    /// assert_eq!(p.money().unwrap().to_string(), "2500 XOF");
    /// ```
    pub fn money(&self) -> Result<Money, cinetpay_core::values::AmountError> {
        Ok(Money::new(Amount::new(self.price)?, self.currency))
    }
}

/// Everything on sale.
pub const CATALOGUE: &[Product] = &[
    Product {
        id: "attieke",
        name: "Attiéké poisson braisé",
        price: 2500,
        currency: Currency::Xof,
    },
    Product {
        id: "pagne-wax",
        name: "Pagne wax 6 yards",
        price: 15000,
        currency: Currency::Xof,
    },
    Product {
        id: "cafe-touba",
        name: "Café Touba 250 g",
        price: 1000,
        currency: Currency::Xof,
    },
    Product {
        id: "forfait-data",
        name: "Forfait data 5 Go",
        price: 5000,
        currency: Currency::Xof,
    },
    Product {
        id: "ndole",
        name: "Ndolé, plat du jour",
        price: 3500,
        currency: Currency::Xaf,
    },
];

/// The product with this id.
///
/// ```
/// assert!(shop_common::catalogue::product("cafe-touba").is_some());
/// assert!(shop_common::catalogue::product("nope").is_none());
/// ```
pub fn product(id: &str) -> Option<&'static Product> {
    CATALOGUE.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_price_is_valid_money() {
        for p in CATALOGUE {
            assert!(p.money().is_ok(), "{}", p.id);
        }
    }
}
