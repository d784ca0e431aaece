//! What changed between a sample and the one before it, worked out once
//! when the sample arrives. Rates, stalls and the sparkline read these few
//! numbers instead of walking old snapshots on every poll: with hundreds of
//! groups, touching their old partitions again is what a poll costs.

use super::backlog::total_lag;
use super::snapshot::{GroupSnapshot, PartitionOffsets};
use chrono::{DateTime, Utc};

/// How one offset kind moved between two consecutive samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Moved(i64),
    Backwards,
    /// No partition had the offset in both samples.
    NoBaseline,
}

/// One sample reduced to what the group's figures are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleStats {
    pub at: DateTime<Utc>,
    pub total_lag: i64,
    /// Committed offsets' movement since the sample before.
    pub committed: Step,
    /// Log-end offsets' movement since the sample before.
    pub high: Step,
    /// Any committed offset changed, or the partitions did.
    pub committed_moved: bool,
}

impl SampleStats {
    /// `newer` against the sample before it (none for the first).
    pub fn of(older: Option<&GroupSnapshot>, newer: &GroupSnapshot) -> SampleStats {
        let (committed, high, committed_moved) = match older {
            Some(older) => compare(older, newer),
            None => (Step::NoBaseline, Step::NoBaseline, true),
        };
        SampleStats {
            at: newer.at,
            total_lag: total_lag(newer),
            committed,
            high,
            committed_moved,
        }
    }
}

/// Stats of consecutive `samples` (oldest first).
pub fn stats_of(samples: &[GroupSnapshot]) -> Vec<SampleStats> {
    let mut out = Vec::with_capacity(samples.len());
    let mut older = None;
    for s in samples {
        out.push(SampleStats::of(older, s));
        older = Some(s);
    }
    out
}

/// Sums one offset kind's movement over partitions present in both.
#[derive(Default)]
struct Movement {
    moved: i64,
    compared: bool,
    backwards: bool,
}

impl Movement {
    fn add(&mut self, before: i64, now: i64) {
        if now < before {
            self.backwards = true;
        } else {
            self.moved += now - before;
            self.compared = true;
        }
    }

    fn step(&self) -> Step {
        match (self.backwards, self.compared) {
            (true, _) => Step::Backwards,
            (false, true) => Step::Moved(self.moved),
            (false, false) => Step::NoBaseline,
        }
    }
}

/// One pass over `newer`'s partitions: committed and log-end movement, and
/// whether any committed offset changed. Partitions that appear or vanish
/// between the two carry no baseline.
fn compare(older: &GroupSnapshot, newer: &GroupSnapshot) -> (Step, Step, bool) {
    let mut committed = Movement::default();
    let mut high = Movement::default();
    let mut committed_moved = older.partitions.len() != newer.partitions.len();
    for (i, p) in newer.partitions.iter().enumerate() {
        match matching(older, i, p) {
            Some(o) => {
                high.add(o.high, p.high);
                if let (Some(before), Some(now)) = (o.committed, p.committed) {
                    committed.add(before, now);
                }
                committed_moved |= o.committed != p.committed;
            }
            None => committed_moved = true,
        }
    }
    (committed.step(), high.step(), committed_moved)
}

/// `p`'s partition in `older`: polls usually list the same partitions in
/// the same order, so the same index is tried first.
fn matching<'a>(
    older: &'a GroupSnapshot,
    i: usize,
    p: &PartitionOffsets,
) -> Option<&'a PartitionOffsets> {
    older
        .partitions
        .get(i)
        .filter(|o| o.tp == p.tp)
        .or_else(|| older.partition(&p.tp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{part, simple, snap};

    #[test]
    fn first_sample_has_no_baseline() {
        let s = SampleStats::of(None, &simple(0, 10, 30));
        assert_eq!(s.total_lag, 20);
        assert_eq!(s.committed, Step::NoBaseline);
        assert_eq!(s.high, Step::NoBaseline);
    }

    #[test]
    fn movement_sums_partitions_in_both() {
        let older = snap(0, vec![part(0, Some(10), 0, 20), part(1, None, 0, 5)]);
        let newer = snap(
            5,
            vec![
                part(0, Some(15), 0, 30),
                part(1, Some(2), 0, 9),
                part(2, Some(100), 0, 200),
            ],
        );
        let s = SampleStats::of(Some(&older), &newer);
        assert_eq!(s.committed, Step::Moved(5));
        assert_eq!(s.high, Step::Moved(14));
        assert!(s.committed_moved);
    }

    #[test]
    fn one_partition_going_back_makes_the_step_backwards() {
        let older = snap(0, vec![part(0, Some(10), 0, 20), part(1, Some(10), 0, 20)]);
        let newer = snap(5, vec![part(0, Some(50), 0, 60), part(1, Some(3), 0, 25)]);
        let s = SampleStats::of(Some(&older), &newer);
        assert_eq!(s.committed, Step::Backwards);
        assert_eq!(s.high, Step::Moved(45));
    }

    #[test]
    fn still_committed_offsets_are_not_movement() {
        let s = SampleStats::of(Some(&simple(0, 7, 9)), &simple(5, 7, 12));
        assert!(!s.committed_moved);
        assert_eq!(s.committed, Step::Moved(0));
        // Partitions listed in another order still match.
        let older = snap(0, vec![part(1, Some(1), 0, 2), part(0, Some(3), 0, 4)]);
        let newer = snap(5, vec![part(0, Some(3), 0, 4), part(1, Some(1), 0, 2)]);
        assert!(!SampleStats::of(Some(&older), &newer).committed_moved);
    }
}
