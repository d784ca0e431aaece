//! What an offset reset would do, worked out from a snapshot before anything
//! is committed, and whether the group may be reset at all.

use crate::features::lag::stats::{GroupSnapshot, GroupState};
use std::collections::BTreeMap;

/// Where to move a group's committed offsets on one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetTarget {
    Earliest,
    Latest,
    /// Forward (+) or back (−) by this many messages per partition.
    Shift(i64),
    /// Per-partition offsets looked up for a timestamp; a partition absent
    /// here has no message at or after it and goes to the log end.
    Offsets(BTreeMap<i32, i64>),
}

/// One partition's move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub partition: i32,
    /// `None`: the group never committed here.
    pub current: Option<i64>,
    pub new: i64,
    pub low: i64,
    pub high: i64,
}

impl PlanRow {
    /// Messages skipped (+) or replayed (−). Without a committed offset the
    /// move counts from the log start, like the lag does.
    pub fn delta(&self) -> i64 {
        self.new - self.current.unwrap_or(self.low)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPlan {
    pub group: String,
    pub topic: String,
    /// Sorted by partition.
    pub rows: Vec<PlanRow>,
}

impl ResetPlan {
    pub fn skipped(&self) -> i64 {
        self.rows.iter().map(|r| r.delta().max(0)).sum()
    }

    pub fn replayed(&self) -> i64 {
        self.rows.iter().map(|r| (-r.delta()).max(0)).sum()
    }

    /// Whether committing it would change anything.
    pub fn changes_anything(&self) -> bool {
        self.rows.iter().any(|r| r.current != Some(r.new))
    }

    /// The plan that puts back the offsets this one found. Partitions that
    /// had no committed offset cannot be un-committed and are left out (see
    /// `unrestorable`).
    pub fn undo(&self) -> ResetPlan {
        ResetPlan {
            group: self.group.clone(),
            topic: self.topic.clone(),
            rows: self
                .rows
                .iter()
                .filter_map(|r| {
                    r.current.map(|before| PlanRow {
                        partition: r.partition,
                        current: Some(r.new),
                        new: before,
                        low: r.low,
                        high: r.high,
                    })
                })
                .collect(),
        }
    }

    /// Partitions an undo cannot restore (they had no committed offset).
    pub fn unrestorable(&self) -> Vec<i32> {
        self.rows
            .iter()
            .filter(|r| r.current.is_none())
            .map(|r| r.partition)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The snapshot has no partitions of this topic.
    UnknownTopic(String),
}

/// The move of every partition of `topic` in `snapshot`, new offsets
/// clamped to `[low, high]`.
pub fn plan_reset(
    snapshot: &GroupSnapshot,
    topic: &str,
    target: &ResetTarget,
) -> Result<ResetPlan, PlanError> {
    let rows: Vec<PlanRow> = snapshot
        .topic(topic)
        .map(|p| {
            let wanted = match target {
                ResetTarget::Earliest => p.low,
                ResetTarget::Latest => p.high,
                ResetTarget::Shift(n) => p.committed.unwrap_or(p.low).saturating_add(*n),
                ResetTarget::Offsets(by_partition) => {
                    by_partition.get(&p.tp.partition).copied().unwrap_or(p.high)
                }
            };
            PlanRow {
                partition: p.tp.partition,
                current: p.committed,
                new: wanted.clamp(p.low, p.high.max(p.low)),
                low: p.low,
                high: p.high,
            }
        })
        .collect();
    if rows.is_empty() {
        return Err(PlanError::UnknownTopic(topic.to_string()));
    }
    Ok(ResetPlan {
        group: snapshot.group.clone(),
        topic: topic.to_string(),
        rows,
    })
}

/// Why a reset may not go ahead: Kafka only accepts offset commits from
/// outside the group while it has no members, and a running consumer would
/// overwrite them anyway.
pub fn refusal(group: &str, state: Option<&GroupState>, members: usize) -> Option<String> {
    match state {
        Some(GroupState::Empty) => None,
        Some(GroupState::Dead) => Some(format!(
            "group {group} does not exist (Dead): nothing to reset"
        )),
        Some(state) => Some(format!(
            "group {group} is {} with {members} member{}: stop its consumers first (a reset needs the group Empty)",
            state.label(),
            if members == 1 { "" } else { "s" }
        )),
        None => Some(format!(
            "group {group}: state unknown (this cluster cannot describe groups), so a reset is refused"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::{PartitionOffsets, TopicPartition};

    fn snapshot() -> GroupSnapshot {
        let p = |topic: &str, n, committed, low, high| PartitionOffsets {
            tp: TopicPartition::new(topic, n),
            committed,
            low,
            high,
            owner: None,
        };
        GroupSnapshot {
            group: "g".into(),
            at: chrono::DateTime::UNIX_EPOCH,
            description: None,
            partitions: vec![
                p("orders", 0, Some(50), 10, 100),
                p("orders", 1, None, 20, 40),
                p("orders", 2, Some(5), 5, 5),
                p("other", 0, Some(1), 0, 9),
            ],
            missing_topics: vec![],
        }
    }

    fn news(plan: &ResetPlan) -> Vec<i64> {
        plan.rows.iter().map(|r| r.new).collect()
    }

    #[test]
    fn earliest_replays_latest_skips() {
        let s = snapshot();
        let earliest = plan_reset(&s, "orders", &ResetTarget::Earliest).unwrap();
        assert_eq!(news(&earliest), vec![10, 20, 5]);
        assert_eq!(earliest.replayed(), 40);
        assert_eq!(earliest.skipped(), 0);
        let latest = plan_reset(&s, "orders", &ResetTarget::Latest).unwrap();
        assert_eq!(news(&latest), vec![100, 40, 5]);
        assert_eq!(latest.skipped(), 50 + 20);
        assert_eq!(latest.rows[1].delta(), 20);
    }

    #[test]
    fn shift_is_clamped_to_the_log() {
        let s = snapshot();
        let back = plan_reset(&s, "orders", &ResetTarget::Shift(-45)).unwrap();
        assert_eq!(news(&back), vec![10, 20, 5]);
        let fwd = plan_reset(&s, "orders", &ResetTarget::Shift(15)).unwrap();
        assert_eq!(news(&fwd), vec![65, 35, 5]);
        assert_eq!(fwd.skipped(), 15 + 15);
        let huge = plan_reset(&s, "orders", &ResetTarget::Shift(i64::MAX)).unwrap();
        assert_eq!(news(&huge), vec![100, 40, 5]);
    }

    #[test]
    fn offsets_for_a_time_default_to_the_end() {
        let s = snapshot();
        let at = ResetTarget::Offsets(BTreeMap::from([(0, 30), (2, 999)]));
        assert_eq!(
            news(&plan_reset(&s, "orders", &at).unwrap()),
            vec![30, 40, 5]
        );
    }

    #[test]
    fn unknown_topic_is_an_error() {
        assert_eq!(
            plan_reset(&snapshot(), "nope", &ResetTarget::Latest),
            Err(PlanError::UnknownTopic("nope".into()))
        );
    }

    #[test]
    fn undo_restores_what_was_committed() {
        let plan = plan_reset(&snapshot(), "orders", &ResetTarget::Earliest).unwrap();
        let undo = plan.undo();
        assert_eq!(
            undo.rows
                .iter()
                .map(|r| (r.partition, r.new))
                .collect::<Vec<_>>(),
            vec![(0, 50), (2, 5)]
        );
        assert_eq!(plan.unrestorable(), vec![1]);
        assert!(plan.changes_anything());
        assert!(!undo.undo().rows.is_empty());
    }

    #[test]
    fn only_empty_groups_may_be_reset() {
        assert_eq!(refusal("g", Some(&GroupState::Empty), 0), None);
        let stable = refusal("g", Some(&GroupState::Stable), 1).unwrap();
        assert_eq!(
            stable,
            "group g is Stable with 1 member: stop its consumers first (a reset needs the group Empty)"
        );
        assert!(
            refusal("g", Some(&GroupState::PreparingRebalance), 2)
                .unwrap()
                .contains("PreparingRebalance with 2 members")
        );
        assert!(refusal("g", None, 0).unwrap().contains("state unknown"));
        assert_eq!(
            refusal("g", Some(&GroupState::Dead), 0).unwrap(),
            "group g does not exist (Dead): nothing to reset"
        );
    }
}
