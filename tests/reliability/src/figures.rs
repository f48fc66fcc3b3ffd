//! [`Figures`]: the one line of numbers each test prints last, so that it can
//! be quoted.

use std::fmt;

use crate::Tally;

/// What a test did and what came of it:
/// `{name}: {what}, K faults injected, P payments, D deliveries, X duplicates, Y lost`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    name: String,
    what: String,
    faults: u64,
    payments: usize,
    tally: Tally,
}

impl Figures {
    /// The figures of test `name`: what it did, how many faults it injected,
    /// how many payments it made and the final [`Tally`].
    pub fn new(
        name: impl Into<String>,
        what: impl Into<String>,
        faults: u64,
        payments: usize,
        tally: Tally,
    ) -> Self {
        Figures {
            name: name.into(),
            what: what.into(),
            faults,
            payments,
            tally,
        }
    }

    /// Prints the line on stderr (the test's last output).
    pub fn print(&self) {
        eprintln!("{self}");
    }
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}, {} faults injected, {} payments, {} deliveries, {} duplicates, {} lost",
            self.name,
            self.what,
            self.faults,
            self.payments,
            self.tally.deliveries,
            self.tally.duplicates,
            self.tally.lost
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_of_figures() {
        let tally = Tally {
            deliveries: 3,
            ..Tally::default()
        };
        let figures = Figures::new("demo", "2 steps x 1 mode", 4, 3, tally);
        assert_eq!(
            figures.to_string(),
            "demo: 2 steps x 1 mode, 4 faults injected, 3 payments, 3 deliveries, 0 duplicates, 0 lost"
        );
    }
}
