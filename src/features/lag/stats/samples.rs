//! Hand-made snapshots for the model's unit tests.

use super::snapshot::{
    GroupDescription, GroupSnapshot, GroupState, Member, PartitionOffsets, TopicPartition,
};
use chrono::{DateTime, TimeZone, Utc};

/// `secs` seconds after a fixed moment.
pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0)
        .single()
        .unwrap_or_default()
}

/// Partition `n` of `orders` with (committed, low, high).
pub fn part(n: i32, committed: Option<i64>, low: i64, high: i64) -> PartitionOffsets {
    PartitionOffsets {
        tp: TopicPartition::new("orders", n),
        committed,
        low,
        high,
        owner: None,
    }
}

/// A snapshot of group `g` at `secs` with the given partitions, no description.
pub fn snap(secs: i64, partitions: Vec<PartitionOffsets>) -> GroupSnapshot {
    GroupSnapshot {
        group: "g".into(),
        at: at(secs),
        description: None,
        partitions,
        missing_topics: Vec::new(),
    }
}

/// A one-partition snapshot with committed `c` and high `h`.
pub fn simple(secs: i64, c: i64, h: i64) -> GroupSnapshot {
    snap(secs, vec![part(0, Some(c), 0, h)])
}

/// A snapshot with only a description: `state` and members by id.
pub fn described(secs: i64, state: GroupState, members: &[&str]) -> GroupSnapshot {
    let mut s = snap(secs, vec![part(0, Some(0), 0, 0)]);
    s.description = Some(GroupDescription {
        id: "g".into(),
        state,
        protocol_type: "consumer".into(),
        protocol: "range".into(),
        members: members
            .iter()
            .map(|id| Member {
                member_id: (*id).into(),
                client_id: "c".into(),
                host: "/127.0.0.1".into(),
                assignment: None,
            })
            .collect(),
    });
    s
}
