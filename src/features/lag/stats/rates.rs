//! Consume and produce rates from the offsets' movement between samples.

use super::snapshot::GroupSnapshot;
use super::steps::{SampleStats, Step, stats_of};

/// Messages per second, or why there is no number.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Rate {
    PerSec(f64),
    /// An offset went backwards in the span (group reset elsewhere, topic
    /// recreated): a rate across it would be a lie, negative or not.
    Reset,
    /// Fewer than two comparable samples.
    Unknown,
}

impl Rate {
    pub fn per_sec(self) -> Option<f64> {
        match self {
            Rate::PerSec(r) => Some(r),
            Rate::Reset | Rate::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    /// Committed offsets advancing.
    pub consume: Rate,
    /// Log-end offsets advancing.
    pub produce: Rate,
}

fn rate(stats: &[SampleStats], pick: fn(&SampleStats) -> Step) -> Rate {
    let mut moved = 0;
    let mut millis = 0;
    for pair in stats.windows(2) {
        let [older, newer] = pair else { continue };
        match pick(newer) {
            Step::Backwards => return Rate::Reset,
            Step::NoBaseline => {}
            Step::Moved(n) => {
                moved += n;
                millis += (newer.at - older.at).num_milliseconds();
            }
        }
    }
    if millis <= 0 {
        return Rate::Unknown;
    }
    Rate::PerSec(moved as f64 * 1000.0 / millis as f64)
}

/// Rates across consecutive samples' stats (oldest first); the oldest
/// one's own step reaches outside the span and is not counted.
pub fn rates_of(stats: &[SampleStats]) -> Rates {
    Rates {
        consume: rate(stats, |s| s.committed),
        produce: rate(stats, |s| s.high),
    }
}

/// Rates across consecutive `samples` (oldest first).
pub fn rates(samples: &[GroupSnapshot]) -> Rates {
    rates_of(&stats_of(samples))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{part, simple, snap};

    #[test]
    fn rates_are_deltas_over_time() {
        let r = rates(&[simple(0, 100, 200), simple(10, 150, 300)]);
        assert_eq!(r.consume, Rate::PerSec(5.0));
        assert_eq!(r.produce, Rate::PerSec(10.0));
    }

    #[test]
    fn rates_span_several_samples() {
        let r = rates(&[simple(0, 0, 0), simple(5, 10, 50), simple(10, 40, 100)]);
        assert_eq!(r.consume, Rate::PerSec(4.0));
        assert_eq!(r.produce, Rate::PerSec(10.0));
    }

    #[test]
    fn committed_going_back_is_a_reset_not_a_negative_rate() {
        let r = rates(&[simple(0, 100, 200), simple(10, 20, 210)]);
        assert_eq!(r.consume, Rate::Reset);
        assert_eq!(r.produce, Rate::PerSec(1.0));
    }

    #[test]
    fn recreated_topic_resets_both() {
        let r = rates(&[simple(0, 100, 200), simple(5, 150, 250), simple(10, 150, 3)]);
        assert_eq!(r.produce, Rate::Reset);
        assert_eq!(r.consume, Rate::PerSec(5.0));
    }

    #[test]
    fn one_sample_or_no_committed_offsets_is_unknown() {
        assert_eq!(rates(&[simple(0, 1, 2)]).consume, Rate::Unknown);
        let none = |t| snap(t, vec![part(0, None, 0, 10)]);
        let r = rates(&[none(0), none(10)]);
        assert_eq!(r.consume, Rate::Unknown);
        assert_eq!(r.produce, Rate::PerSec(0.0));
    }

    #[test]
    fn partitions_added_between_samples_have_no_baseline() {
        let before = snap(0, vec![part(0, Some(10), 0, 20)]);
        let after = snap(
            10,
            vec![part(0, Some(30), 0, 40), part(1, Some(500), 0, 900)],
        );
        let r = rates(&[before, after]);
        assert_eq!(r.consume, Rate::PerSec(2.0));
        assert_eq!(r.produce, Rate::PerSec(2.0));
    }

    #[test]
    fn same_instant_is_unknown() {
        assert_eq!(
            rates(&[simple(5, 1, 2), simple(5, 3, 4)]).consume,
            Rate::Unknown
        );
    }
}
