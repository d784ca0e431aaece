//! The values a lag sparkline draws.

use super::backlog::total_lag;
use super::snapshot::GroupSnapshot;

/// Total lag of the last `n` samples, oldest first.
pub fn sparkline(samples: &[GroupSnapshot], n: usize) -> Vec<u64> {
    let from = samples.len().saturating_sub(n);
    samples[from..]
        .iter()
        .map(|s| u64::try_from(total_lag(s)).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lag::samples::simple;

    #[test]
    fn last_n_totals_oldest_first() {
        let samples: Vec<_> = (0..5).map(|t| simple(t, 0, t * 10)).collect();
        assert_eq!(sparkline(&samples, 3), vec![20, 30, 40]);
        assert_eq!(sparkline(&samples, 10).len(), 5);
        assert!(sparkline(&[], 3).is_empty());
    }
}
