//! A notification's fields as received, in order, in one buffer.

use std::fmt;

/// The names and values of a notification's fields back to back in one
/// `String`, with where each name and value ends: a notification of 16 or
/// so fields costs two allocations, where a pair of `String`s per field cost
/// two each (CinetPay repeats its notifications, and a repeat is answered
/// from these fields and one read).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Received {
    text: String,
    /// Per field, in order: where its name starts, where its name ends (and
    /// its value starts) and where its value ends, in `text`.
    spans: Vec<(usize, usize, usize)>,
}

impl Received {
    /// Room for `fields` fields of `bytes` bytes in all.
    pub(crate) fn with_capacity(fields: usize, bytes: usize) -> Self {
        Received {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(fields),
        }
    }

    /// Appends a field.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        let middle = self.text.len();
        self.text.push_str(value);
        self.spans.push((start, middle, self.text.len()));
    }

    /// How many fields.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The `i`-th field.
    pub(crate) fn get(&self, i: usize) -> Option<(&str, &str)> {
        self.spans.get(i).map(|span| field(&self.text, span))
    }

    /// The fields, in order.
    pub(crate) fn iter(&self) -> Fields<'_> {
        Fields {
            text: &self.text,
            spans: self.spans.iter(),
        }
    }

    /// The value of the field called `name`.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.iter().find(|&(k, _)| k == name).map(|(_, v)| v)
    }
}

/// The name and the value of the field at `span` in `text`.
fn field<'a>(text: &'a str, &(start, middle, end): &(usize, usize, usize)) -> (&'a str, &'a str) {
    (&text[start..middle], &text[middle..end])
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The fields of a [`Notification`](super::Notification) as received, in
/// order: `(name, value)`.
///
/// ```
/// use cinetpay_core::protocol::Notification;
/// let n = Notification::from_form(b"cpm_trans_id=T1&cpm_site_id=1&extra=x").unwrap();
/// let names: Vec<&str> = n.received().map(|(name, _)| name).collect();
/// assert_eq!(names, ["cpm_trans_id", "cpm_site_id", "extra"]);
/// assert_eq!(n.received().len(), 3);
/// ```
#[derive(Clone)]
pub struct Fields<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, (usize, usize, usize)>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let span = self.spans.next()?;
        Some(field(self.text, span))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for Fields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let span = self.spans.next_back()?;
        Some(field(self.text, span))
    }
}

impl ExactSizeIterator for Fields<'_> {}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Received;

    #[test]
    fn fields_come_back_as_pushed() {
        let mut r = Received::with_capacity(0, 0);
        r.push("a", "1");
        r.push("", "");
        r.push("name é", "value\r\n&=");
        assert_eq!(r.len(), 3);
        let all: Vec<_> = r.iter().collect();
        assert_eq!(all, [("a", "1"), ("", ""), ("name é", "value\r\n&=")]);
        assert_eq!(r.iter().next_back(), Some(("name é", "value\r\n&=")));
        assert_eq!(r.get(1), Some(("", "")));
        assert_eq!(r.get(3), None);
        assert_eq!(r.value("a"), Some("1"));
        assert_eq!(r.value("b"), None);
        assert_eq!(
            format!("{r:?}"),
            r#"[("a", "1"), ("", ""), ("name é", "value\r\n&=")]"#
        );
    }
}
