//! Table names: the configurable prefix and (PostgreSQL) schema.

use sea_orm::sea_query::{Alias, IntoIden, SchemaName, TableName, TableRef};

use crate::Error;

/// The default table prefix.
pub(crate) const DEFAULT_PREFIX: &str = "cinetpay_";

/// Longest prefix accepted: index names (`{prefix}payments_open_order_ref`) must
/// stay within PostgreSQL's 63 and MySQL's 64 characters.
const MAX_PREFIX_LEN: usize = 32;

/// Longest schema name accepted (PostgreSQL's identifier limit).
const MAX_SCHEMA_LEN: usize = 63;

/// Where the store's tables live: `{schema}.{prefix}payments` and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tables {
    prefix: String,
    schema: Option<String>,
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            prefix: DEFAULT_PREFIX.to_owned(),
            schema: None,
        }
    }
}

impl Tables {
    /// Validated names: ASCII letters, digits and `_` only, so that every name
    /// is a plain identifier on all three databases.
    pub(crate) fn new(prefix: &str, schema: Option<&str>) -> Result<Self, Error> {
        check_identifier("table_prefix", prefix, MAX_PREFIX_LEN, true)?;
        if let Some(schema) = schema {
            check_identifier("schema", schema, MAX_SCHEMA_LEN, false)?;
        }
        Ok(Tables {
            prefix: prefix.to_owned(),
            schema: schema.map(str::to_owned),
        })
    }

    /// The prefix.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The schema, if one was chosen.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// `{prefix}{base}`, unqualified.
    pub(crate) fn name(&self, base: &str) -> String {
        format!("{}{}", self.prefix, base)
    }

    fn table(&self, base: &str) -> TableRef {
        let schema = self
            .schema
            .as_ref()
            .map(|s| SchemaName(None, Alias::new(s.clone()).into_iden()));
        TableRef::Table(
            TableName(schema, Alias::new(self.name(base)).into_iden()),
            None,
        )
    }

    /// The payments table.
    pub(crate) fn payments(&self) -> TableRef {
        self.table("payments")
    }

    /// The delivery log table.
    pub(crate) fn deliveries(&self) -> TableRef {
        self.table("deliveries")
    }

    /// The migration table, qualified with the schema.
    pub(crate) fn migrations_table(&self) -> TableRef {
        self.table("migrations")
    }

    /// The migration table's unqualified name (never sea-orm's default `seaql_migrations`).
    pub(crate) fn migrations(&self) -> String {
        self.name("migrations")
    }
}

fn check_identifier(
    setting: &'static str,
    value: &str,
    max_len: usize,
    may_be_empty: bool,
) -> Result<(), Error> {
    let reason = if value.is_empty() && !may_be_empty {
        Some("must not be empty".to_owned())
    } else if value.len() > max_len {
        Some(format!(
            "is {} characters long, at most {max_len} are allowed",
            value.len()
        ))
    } else if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(format!(
            "contains {c:?}; only ASCII letters, digits and '_' are allowed"
        ))
    } else if value.starts_with(|c: char| c.is_ascii_digit()) {
        Some("must not start with a digit".to_owned())
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::Config { setting, reason }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_schemas_are_plain_identifiers() {
        assert!(Tables::new("cinetpay_", None).is_ok());
        assert!(Tables::new("", Some("payments")).is_ok());
        for bad in ["a-b", "a b", "x\"; DROP TABLE y; --", "1abc", "é"] {
            assert!(Tables::new(bad, None).is_err(), "{bad}");
            assert!(Tables::new("ok_", Some(bad)).is_err(), "{bad}");
        }
        assert!(Tables::new(&"p".repeat(32), Some(&"s".repeat(63))).is_ok());
        assert!(Tables::new(&"p".repeat(33), None).is_err());
        assert!(Tables::new("ok_", Some(&"s".repeat(64))).is_err());
        assert!(Tables::new("ok_", Some("")).is_err());
        assert_eq!(Tables::default().migrations(), "cinetpay_migrations");
    }
}
