//! The list's filters, read from the query string and written back into the
//! links (the next page keeps them).
//!
//! | parameter | filter |
//! |---|---|
//! | `status=<status>` | [`PaymentFilter::status`] (`pending`, `accepted`, ...) |
//! | `needs_attention=1` | `status=needs_attention` |
//! | `failing=1` | [`PaymentFilter::failing_fulfilment`] |
//! | `refund=1` | [`PaymentFilter::needing_refund`] (duplicate and superseded payments) |
//! | `since=<date>` | [`PaymentFilter::created_since`]: `2026-01-31` (midnight UTC) or RFC 3339 |
//! | `order=<order_ref>` | [`PaymentFilter::order`] |
//! | `limit=<n>` | page size, 1 to [`MAX_LIMIT`] (default [`DEFAULT_LIMIT`]) |
//! | `before=<created_at>_<transaction_id>` | the next page (the link's cursor) |

use chrono::{NaiveDate, SecondsFormat};

use crate::model::{Payment, PaymentStatus, Timestamp};
use crate::store::PaymentFilter;
use crate::values::{OrderRef, TransactionId};

/// Payments per page unless `limit` says.
pub(crate) const DEFAULT_LIMIT: usize = 50;
/// Most payments per page.
pub(crate) const MAX_LIMIT: usize = 200;

/// The list's filters as asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) status: Option<PaymentStatus>,
    pub(crate) failing: bool,
    pub(crate) refund: bool,
    /// As typed (shown back in the form), and as read.
    pub(crate) since: Option<(String, Timestamp)>,
    pub(crate) order: Option<OrderRef>,
    pub(crate) limit: Option<usize>,
    pub(crate) before: Option<(Timestamp, TransactionId)>,
}

fn flag(value: &str) -> Result<bool, String> {
    match value.trim() {
        "" | "0" | "false" | "off" | "no" => Ok(false),
        "1" | "true" | "on" | "yes" => Ok(true),
        other => Err(format!("{other:?} is not a yes or no (use 1 or 0)")),
    }
}

fn timestamp(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&chrono::Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// The cursor of the page after `last`.
fn cursor(last: &Payment) -> String {
    format!(
        "{}_{}",
        last.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        last.transaction_id
    )
}

impl ListQuery {
    /// Reads the query string (without `?`); an `Err` names the parameter.
    pub(crate) fn parse(query: &str) -> Result<ListQuery, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| "the query string is not valid".to_owned())?;
        let mut list = ListQuery::default();
        let mut needs_attention = false;
        for (name, value) in &pairs {
            let bad = |why: String| format!("`{name}`: {why}");
            match name.as_str() {
                "status" if value.is_empty() => {}
                "status" => {
                    list.status = Some(value.parse().map_err(|_| {
                        bad("one of pending, start_failed, accepted, refused, cancelled, needs_attention".to_owned())
                    })?);
                }
                "needs_attention" => needs_attention = flag(value).map_err(bad)?,
                "failing" => list.failing = flag(value).map_err(bad)?,
                "refund" => list.refund = flag(value).map_err(bad)?,
                "since" if value.trim().is_empty() => {}
                "since" => {
                    let at = timestamp(value).ok_or_else(|| {
                        bad("a date like 2026-01-31 or 2026-01-31T08:00:00Z".to_owned())
                    })?;
                    list.since = Some((value.trim().to_owned(), at));
                }
                "order" if value.is_empty() => {}
                "order" => {
                    list.order =
                        Some(OrderRef::new(value.as_str()).map_err(|e| bad(e.to_string()))?)
                }
                "limit" if value.is_empty() => {}
                "limit" => {
                    let limit = value
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| bad(format!("a number from 1 to {MAX_LIMIT}")))?;
                    list.limit = Some(limit);
                }
                "before" => {
                    let (at, id) = value
                        .rsplit_once('_')
                        .and_then(|(at, id)| Some((timestamp(at)?, TransactionId::parse(id).ok()?)))
                        .ok_or_else(|| bad("not a page cursor".to_owned()))?;
                    list.before = Some((at, id));
                }
                // The sync notice's parameters, and anything else: ignored.
                _ => {}
            }
        }
        if needs_attention {
            match list.status {
                None | Some(PaymentStatus::NeedsAttention) => {
                    list.status = Some(PaymentStatus::NeedsAttention)
                }
                Some(other) => {
                    return Err(format!(
                        "`needs_attention` and `status={other}` contradict each other"
                    ));
                }
            }
        }
        Ok(list)
    }

    /// The page size.
    pub(crate) fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// What to ask the store: one payment more than the page, to know
    /// whether there is a next page.
    pub(crate) fn filter(&self) -> PaymentFilter {
        let mut filter = PaymentFilter::newest(self.limit() + 1);
        if let Some(status) = self.status {
            filter = filter.status(status);
        }
        if self.failing {
            filter = filter.failing_fulfilment();
        }
        if self.refund {
            filter = filter.needing_refund();
        }
        if let Some((_, since)) = &self.since {
            filter = filter.created_since(*since);
        }
        if let Some(order) = &self.order {
            filter = filter.order(order.clone());
        }
        filter.before = self.before.clone();
        filter
    }

    /// The query string of these filters (without a cursor), then `before`
    /// the page after `after` when given.
    pub(crate) fn to_query(&self, after: Option<&Payment>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if self.failing {
            query.append_pair("failing", "1");
        }
        if self.refund {
            query.append_pair("refund", "1");
        }
        if let Some((text, _)) = &self.since {
            query.append_pair("since", text);
        }
        if let Some(order) = &self.order {
            query.append_pair("order", order.as_str());
        }
        if let Some(limit) = self.limit {
            query.append_pair("limit", &limit.to_string());
        }
        if let Some(last) = after {
            query.append_pair("before", &cursor(last));
        }
        query.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_filter() {
        let list = ListQuery::parse(
            "status=accepted&failing=on&refund=1&since=2026-01-31&order=ord%201&limit=20",
        )
        .unwrap();
        assert_eq!(list.status, Some(PaymentStatus::Accepted));
        assert!(list.failing && list.refund);
        assert_eq!(
            list.since.as_ref().unwrap().1.to_rfc3339(),
            "2026-01-31T00:00:00+00:00"
        );
        assert_eq!(list.order.as_ref().unwrap().as_str(), "ord 1");
        let filter = list.filter();
        assert_eq!(filter.limit, 21);
        assert!(filter.failing_fulfilment && filter.needing_refund);
        assert_eq!(
            list.to_query(None),
            "status=accepted&failing=1&refund=1&since=2026-01-31&order=ord+1&limit=20"
        );
        assert_eq!(ListQuery::parse("").unwrap(), ListQuery::default());
        assert_eq!(
            ListQuery::parse("status=&since=&order=&synced=x").unwrap(),
            ListQuery::default()
        );
    }

    #[test]
    fn needs_attention_is_a_status() {
        let list = ListQuery::parse("needs_attention=1").unwrap();
        assert_eq!(list.status, Some(PaymentStatus::NeedsAttention));
        assert!(ListQuery::parse("needs_attention=1&status=accepted").is_err());
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "status=paid",
            "limit=0",
            "limit=201",
            "since=yesterday",
            "failing=maybe",
            "before=cp-1",
            "order=%20x",
        ] {
            assert!(ListQuery::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_cursor_round_trips() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-02-03T04:05:06.123456789Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let id = TransactionId::parse("cp-abc").unwrap();
        let text = format!("{}_{}", at.to_rfc3339_opts(SecondsFormat::AutoSi, true), id);
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("before", &text)
            .finish();
        assert_eq!(ListQuery::parse(&query).unwrap().before, Some((at, id)));
    }
}
