//! Summaries of runs and comparisons of alternating runs.

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::load::{Measured, new_histogram};

/// Throughput and latency of one variant over its rounds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// Median over the rounds of answers per second.
    pub(crate) rps: f64,
    /// Each round's answers per second, in run order.
    pub(crate) rounds_rps: Vec<f64>,
    /// Latency percentiles of every measured answer of every round, µs.
    pub(crate) p50_us: u64,
    /// 90th percentile, µs.
    pub(crate) p90_us: u64,
    /// 99th percentile, µs.
    pub(crate) p99_us: u64,
    /// Slowest answer, µs.
    pub(crate) max_us: u64,
    /// Answers measured, all rounds.
    pub(crate) answers: u64,
    /// Answers whose status was not the expected one, all rounds.
    pub(crate) unexpected: u64,
    /// Transport failures, all rounds (warm-up included).
    pub(crate) failures: u64,
}

impl Summary {
    /// Summarises the rounds of one variant; `expected` is the status every answer should have.
    pub(crate) fn of(rounds: &[Measured], expected: u16) -> Summary {
        let mut all: Histogram<u64> = new_histogram();
        for r in rounds {
            // Same bounds on both sides: adding cannot fail.
            let _ = all.add(&r.latency);
        }
        let rounds_rps: Vec<f64> = rounds.iter().map(Measured::rate).collect();
        Summary {
            rps: median(&rounds_rps),
            p50_us: all.value_at_quantile(0.50),
            p90_us: all.value_at_quantile(0.90),
            p99_us: all.value_at_quantile(0.99),
            max_us: all.max(),
            answers: all.len(),
            unexpected: rounds.iter().map(|r| r.unexpected(expected)).sum(),
            failures: rounds.iter().map(|r| r.failures).sum(),
            rounds_rps,
        }
    }
}

/// The median (the mean of the two middle values for an even count); 0 when empty.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// `b / a` of alternating runs, round by round.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Ratio {
    /// Median of the per-round ratios.
    pub(crate) median: f64,
    /// Distribution-free 95 % confidence interval of that median (order
    /// statistics of the binomial sign test): robust to the odd round that
    /// another process on the machine spoiled. `(min, max)` below 6 rounds.
    pub(crate) ci95: (f64, f64),
    /// Smallest per-round ratio.
    pub(crate) min: f64,
    /// Largest per-round ratio.
    pub(crate) max: f64,
    /// Each round's ratio.
    pub(crate) rounds: Vec<f64>,
}

impl Ratio {
    /// Per-round `b[i] / a[i]` (rounds where `a[i]` is 0 are left out).
    pub(crate) fn of(a: &[f64], b: &[f64]) -> Ratio {
        let rounds: Vec<f64> = a
            .iter()
            .zip(b)
            .filter(|(a, _)| **a > 0.0)
            .map(|(a, b)| b / a)
            .collect();
        let mut sorted = rounds.clone();
        sorted.sort_by(f64::total_cmp);
        let (min, max) = (
            sorted.first().copied().unwrap_or(0.0),
            sorted.last().copied().unwrap_or(0.0),
        );
        let ci95 = match median_ci_ranks(sorted.len()) {
            Some((low, high)) => (sorted[low], sorted[high]),
            None => (min, max),
        };
        Ratio {
            median: median(&rounds),
            ci95,
            min,
            max,
            rounds,
        }
    }
}

/// 0-based ranks `(k, n - 1 - k)` of sorted values that bound the median
/// with at least 95 % confidence: the largest `k` with
/// `P(Binomial(n, 1/2) <= k) <= 2.5 %` (the sign-test interval). `None` when
/// `n` is too small for any such interval (n < 6).
pub(crate) fn median_ci_ranks(n: usize) -> Option<(usize, usize)> {
    // P(X <= j) for X ~ Binomial(n, 1/2), accumulated term by term.
    let half_n = 0.5f64.powi(i32::try_from(n).ok()?);
    let mut term = half_n; // C(n, 0) / 2^n
    let mut cdf = 0.0;
    let mut k = None;
    for j in 0..n {
        cdf += term;
        if cdf > 0.025 {
            break;
        }
        // P(X <= j) <= 2.5 %: the (j+1)-th smallest value (0-based j) is a bound.
        k = Some(j);
        term *= (n - j) as f64 / (j + 1) as f64;
    }
    k.map(|k| (k, n - 1 - k))
}

/// Microseconds as milliseconds with two decimals, for tables.
pub(crate) fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;

    fn measured(answers_us: &[u64], window_ms: u64, statuses: &[(u16, u64)]) -> Measured {
        let mut latency = new_histogram();
        for us in answers_us {
            latency.record(*us).expect("in bounds");
        }
        Measured {
            answers: latency.len(),
            window: Duration::from_millis(window_ms),
            latency,
            statuses: statuses.iter().copied().collect::<BTreeMap<_, _>>(),
            sent: answers_us.len() as u64,
            failures: 0,
            ran_out: false,
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
    }

    #[test]
    fn ratios_are_per_round_and_skip_empty_rounds() {
        let r = Ratio::of(&[100.0, 200.0, 0.0], &[99.0, 210.0, 50.0]);
        assert_eq!(r.rounds, vec![0.99, 1.05]);
        assert!((r.median - 1.02).abs() < 1e-9);
        assert_eq!((r.min, r.max), (0.99, 1.05));
        assert_eq!(r.ci95, (0.99, 1.05));
    }

    #[test]
    fn median_intervals_follow_the_sign_test() {
        // n = 6: P(X = 0) = 1/64 < 2.5 %, P(X <= 1) = 7/64 > 2.5 %.
        assert_eq!(median_ci_ranks(6), Some((0, 5)));
        assert_eq!(median_ci_ranks(5), None);
        // n = 12: P(X <= 2) = 79/4096 < 2.5 %, P(X <= 3) = 299/4096 > 2.5 %.
        assert_eq!(median_ci_ranks(12), Some((2, 9)));
        let a = [100.0; 12];
        let b = [
            90.0, 95.0, 98.0, 99.0, 100.0, 100.0, 101.0, 101.0, 102.0, 103.0, 105.0, 150.0,
        ];
        let r = Ratio::of(&a, &b);
        assert_eq!(r.ci95, (0.98, 1.03));
        assert!((r.median - 1.005).abs() < 1e-9);
        assert_eq!(Ratio::of(&[1.0, 2.0], &[1.0, 1.0]).ci95, (0.5, 1.0));
    }

    #[test]
    fn summary_merges_rounds_and_counts_unexpected_statuses() {
        let fast: Vec<u64> = (1..=100).collect();
        let slow: Vec<u64> = (1..=100).map(|v| v * 100).collect();
        let a = measured(&fast, 1000, &[(200, 99), (500, 1)]);
        let b = measured(&slow, 500, &[(200, 100)]);
        assert_eq!(a.rate(), 100.0);
        assert_eq!(b.rate(), 200.0);
        let s = Summary::of(&[a, b], 200);
        assert_eq!(s.answers, 200);
        assert_eq!(s.rps, 150.0);
        assert_eq!(s.unexpected, 1);
        // Half of the merged answers are at most 100 µs.
        assert!((99..=101).contains(&s.p50_us), "{}", s.p50_us);
        assert!((9_800..=10_000).contains(&s.p99_us), "{}", s.p99_us);
        assert_eq!(ms(1_234), "1.23");
    }
}
