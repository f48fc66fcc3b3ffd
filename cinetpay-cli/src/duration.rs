//! `--since 24h`: a duration back from now, in the few units an operator types.

use std::str::FromStr;
use std::time::Duration;

/// A duration such as `90s`, `30m`, `24h`, `7d` or `2w` (a number and one
/// unit; `1h30m` too). Parsed here: no dependency for six units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Since(pub(crate) Duration);

impl Since {
    /// The instant this long before `now`.
    pub(crate) fn before(
        self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        chrono::TimeDelta::from_std(self.0)
            .ok()
            .and_then(|delta| now.checked_sub_signed(delta))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }
}

impl FromStr for Since {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "{text:?} is not a duration: write a number and a unit, such as 30m, 24h or 7d (s, m, h, d, w)"
            )
        };
        let mut total = Duration::ZERO;
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            if digits == 0 {
                return Err(bad());
            }
            let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let seconds = match rest[..unit_len].trim() {
                "s" | "sec" | "secs" => 1,
                "m" | "min" | "mins" => 60,
                "h" | "hour" | "hours" => 3_600,
                "d" | "day" | "days" => 86_400,
                "w" | "week" | "weeks" => 7 * 86_400,
                _ => return Err(bad()),
            };
            rest = &rest[unit_len..];
            let part = number.checked_mul(seconds).ok_or_else(bad)?;
            total = total
                .checked_add(Duration::from_secs(part))
                .ok_or_else(bad)?;
        }
        Ok(Since(total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_operators_write_them() {
        let h = |n: u64| Duration::from_secs(n * 3600);
        for (text, expected) in [
            ("24h", h(24)),
            ("7d", h(7 * 24)),
            ("30m", Duration::from_secs(1800)),
            ("90s", Duration::from_secs(90)),
            ("2w", h(14 * 24)),
            ("1h30m", Duration::from_secs(5400)),
            (" 3 days", h(72)),
        ] {
            assert_eq!(text.parse::<Since>(), Ok(Since(expected)), "{text}");
        }
        for bad in ["", "24", "h", "1y", "-1h", "1.5h", "99999999999999999999w"] {
            assert!(bad.parse::<Since>().is_err(), "{bad}");
        }
    }
}
