//! Lag: how many messages a group has yet to consume.

use super::snapshot::{GroupSnapshot, PartitionOffsets, TopicPartition};

/// Lag of one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    pub tp: TopicPartition,
    pub lag: i64,
    /// The group never committed here, so the lag counts from the log start:
    /// what a consumer starting at `earliest` would face.
    pub from_log_start: bool,
}

/// Lag of a whole group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLag {
    pub total: i64,
    pub partitions: Vec<PartitionLag>,
}

impl GroupLag {
    pub fn any_from_log_start(&self) -> bool {
        self.partitions.iter().any(|p| p.from_log_start)
    }
}

/// `high − committed`, or `high − low` with no committed offset. Never
/// negative: a committed offset past the log end (topic recreated) is no
/// backlog.
pub fn partition_lag(p: &PartitionOffsets) -> PartitionLag {
    PartitionLag {
        tp: p.tp.clone(),
        lag: lag_of(p),
        from_log_start: p.committed.is_none(),
    }
}

/// The lag number alone (no copy of the partition's name).
fn lag_of(p: &PartitionOffsets) -> i64 {
    (p.high - p.committed.unwrap_or(p.low)).max(0)
}

pub fn group_lag(snapshot: &GroupSnapshot) -> GroupLag {
    let partitions: Vec<PartitionLag> = snapshot.partitions.iter().map(partition_lag).collect();
    GroupLag {
        total: partitions.iter().map(|p| p.lag).sum(),
        partitions,
    }
}

/// Total lag of a snapshot.
pub fn total_lag(snapshot: &GroupSnapshot) -> i64 {
    snapshot.partitions.iter().map(lag_of).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{part, snap};

    #[test]
    fn lag_is_high_minus_committed() {
        let l = partition_lag(&part(0, Some(40), 10, 100));
        assert_eq!(l.lag, 60);
        assert!(!l.from_log_start);
    }

    #[test]
    fn no_committed_offset_counts_from_log_start_and_says_so() {
        let l = partition_lag(&part(0, None, 10, 100));
        assert_eq!(l.lag, 90);
        assert!(l.from_log_start);
    }

    #[test]
    fn committed_past_the_end_is_zero_not_negative() {
        assert_eq!(partition_lag(&part(0, Some(500), 0, 100)).lag, 0);
    }

    #[test]
    fn group_total_sums_partitions() {
        let s = snap(
            0,
            vec![
                part(0, Some(5), 0, 10),
                part(1, None, 2, 4),
                part(2, Some(7), 0, 7),
            ],
        );
        let g = group_lag(&s);
        assert_eq!(g.total, 7);
        assert_eq!(total_lag(&s), 7);
        assert!(g.any_from_log_start());
        assert_eq!(
            g.partitions.iter().map(|p| p.lag).collect::<Vec<_>>(),
            vec![5, 2, 0]
        );
    }
}
