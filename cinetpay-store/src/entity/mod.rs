//! The rows, as sea-orm entities.
//!
//! The table names given here are those of the default prefix (`cinetpay_`);
//! the store always addresses the tables through [`Tables`](crate::tables::Tables),
//! which applies the configured prefix and schema, and uses these entities for
//! their column names and for decoding rows.

pub(crate) mod delivery;
pub(crate) mod payment;
pub(crate) mod secret;
