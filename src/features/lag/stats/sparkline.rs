//! The values a lag sparkline draws.

use super::steps::SampleStats;

/// Total lag of the last `n` samples, oldest first.
pub fn sparkline(stats: &[SampleStats], n: usize) -> Vec<u64> {
    let from = stats.len().saturating_sub(n);
    stats[from..]
        .iter()
        .map(|s| u64::try_from(s.total_lag).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::simple;
    use crate::features::lag::stats::steps::stats_of;

    #[test]
    fn last_n_totals_oldest_first() {
        let samples: Vec<_> = (0..5).map(|t| simple(t, 0, t * 10)).collect();
        let samples = stats_of(&samples);
        assert_eq!(sparkline(&samples, 3), vec![20, 30, 40]);
        assert_eq!(sparkline(&samples, 10).len(), 5);
        assert!(sparkline(&[], 3).is_empty());
    }
}
