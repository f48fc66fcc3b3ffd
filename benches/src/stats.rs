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

    /// The round-to-round spread of throughput: `(max - min) / median`.
    pub(crate) fn spread(&self) -> f64 {
        spread(&self.rounds_rps)
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

/// `(max - min) / median` of `values`; 0 for fewer than two values.
pub(crate) fn spread(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    let m = median(values);
    if m > 0.0 { (max - min) / m } else { 0.0 }
}

/// `b / a` of alternating runs, round by round.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Ratio {
    /// Median of the per-round ratios.
    pub(crate) median: f64,
    /// Smallest per-round ratio.
    pub(crate) min: f64,
    /// Largest per-round ratio.
    pub(crate) max: f64,
    /// Mean of the per-round ratios.
    pub(crate) mean: f64,
    /// 95 % confidence interval of the mean (Student's t over the rounds;
    /// equal to the mean with fewer than two rounds).
    pub(crate) ci95: (f64, f64),
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
        let min = rounds.iter().copied().fold(f64::INFINITY, f64::min);
        let max = rounds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mean, ci95) = mean_ci95(&rounds);
        Ratio {
            median: median(&rounds),
            min: if min.is_finite() { min } else { 0.0 },
            max: if max.is_finite() { max } else { 0.0 },
            mean,
            ci95,
            rounds,
        }
    }
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom.
fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    TABLE.get(df.wrapping_sub(1)).copied().unwrap_or(1.96)
}

/// The mean of `values` and its 95 % confidence interval.
pub(crate) fn mean_ci95(values: &[f64]) -> (f64, (f64, f64)) {
    let n = values.len();
    if n == 0 {
        return (0.0, (0.0, 0.0));
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, (mean, mean));
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t95(n - 1) * (variance / n as f64).sqrt();
    (mean, (mean - half, mean + half))
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
        assert_eq!(spread(&[90.0, 100.0, 110.0]), 0.2);
    }

    #[test]
    fn confidence_interval_of_a_mean() {
        let (mean, (low, high)) = mean_ci95(&[0.98, 1.00, 1.02]);
        assert!((mean - 1.0).abs() < 1e-12);
        // sd 0.02, n 3: half-width 4.303 * 0.02 / sqrt(3).
        assert!((high - low - 2.0 * 4.303 * 0.02 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(mean_ci95(&[1.5]), (1.5, (1.5, 1.5)));
        assert_eq!(t95(0), 1.96);
        assert_eq!(t95(9), 2.262);
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
