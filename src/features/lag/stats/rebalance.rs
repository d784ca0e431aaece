//! Counting rebalances from what successive polls saw: a group entering
//! PreparingRebalance/CompletingRebalance, or its member set changing
//! between two settled samples (a rebalance that happened between polls).

use super::snapshot::{GroupSnapshot, GroupState};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeSet, VecDeque};

/// How far back rebalances are counted.
pub const WINDOW: TimeDelta = TimeDelta::hours(1);

#[derive(Debug, Clone, Default)]
pub struct RebalanceCounter {
    /// When each counted rebalance was first seen, oldest first.
    events: VecDeque<DateTime<Utc>>,
    /// Seen rebalancing and not yet settled: the episode is counted once.
    in_rebalance: bool,
    /// Member ids at the last settled (Stable/Empty) sample.
    settled_members: Option<BTreeSet<String>>,
}

impl RebalanceCounter {
    /// Takes the next sample of the group; samples without a description
    /// (listing unsupported) tell nothing and change nothing.
    pub fn observe(&mut self, snapshot: &GroupSnapshot) {
        let Some(desc) = &snapshot.description else {
            return;
        };
        let members: BTreeSet<String> = desc.members.iter().map(|m| m.member_id.clone()).collect();
        match desc.state {
            GroupState::PreparingRebalance | GroupState::CompletingRebalance => {
                if !self.in_rebalance {
                    self.events.push_back(snapshot.at);
                    self.in_rebalance = true;
                }
            }
            GroupState::Stable | GroupState::Empty => {
                let changed = self.settled_members.as_ref().is_some_and(|m| *m != members);
                if changed && !self.in_rebalance {
                    self.events.push_back(snapshot.at);
                }
                self.in_rebalance = false;
                self.settled_members = Some(members);
            }
            GroupState::Dead | GroupState::Other(_) => {}
        }
        self.prune(snapshot.at);
    }

    fn prune(&mut self, now: DateTime<Utc>) {
        while self.events.front().is_some_and(|t| now - *t > WINDOW) {
            self.events.pop_front();
        }
    }

    /// Rebalances seen in the hour up to `now`.
    pub fn last_hour(&self, now: DateTime<Utc>) -> usize {
        self.events.iter().filter(|t| now - **t <= WINDOW).count()
    }

    /// When each rebalance in the window was seen, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &DateTime<Utc>> {
        self.events.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{at, described, simple};
    use GroupState::*;

    fn count(samples: &[GroupSnapshot]) -> usize {
        let mut c = RebalanceCounter::default();
        for s in samples {
            c.observe(s);
        }
        samples.last().map_or(0, |s| c.last_hour(s.at))
    }

    #[test]
    fn a_rebalance_seen_in_both_phases_counts_once() {
        let n = count(&[
            described(0, Stable, &["a"]),
            described(5, PreparingRebalance, &["a"]),
            described(10, CompletingRebalance, &["a", "b"]),
            described(15, Stable, &["a", "b"]),
        ]);
        assert_eq!(n, 1);
    }

    #[test]
    fn member_change_between_polls_counts() {
        let n = count(&[
            described(0, Stable, &["a"]),
            described(5, Stable, &["a", "b"]),
            described(10, Stable, &["b"]),
            described(15, Empty, &[]),
        ]);
        assert_eq!(n, 3);
    }

    #[test]
    fn steady_group_and_first_sample_count_nothing() {
        let n = count(&[described(0, Stable, &["a"]), described(5, Stable, &["a"])]);
        assert_eq!(n, 0);
        assert_eq!(count(&[described(0, PreparingRebalance, &[])]), 1);
    }

    #[test]
    fn undescribed_samples_change_nothing() {
        let n = count(&[
            described(0, Stable, &["a"]),
            simple(5, 0, 0),
            described(10, Stable, &["a"]),
        ]);
        assert_eq!(n, 0);
    }

    #[test]
    fn older_than_an_hour_falls_out() {
        let mut c = RebalanceCounter::default();
        c.observe(&described(0, PreparingRebalance, &[]));
        c.observe(&described(10, Stable, &["a"]));
        c.observe(&described(1800, PreparingRebalance, &[]));
        c.observe(&described(1810, Stable, &["a"]));
        assert_eq!(c.last_hour(at(1810)), 2);
        assert_eq!(c.last_hour(at(3601)), 1);
        c.observe(&described(3700, Stable, &["a"]));
        assert_eq!(c.events().count(), 1);
    }
}
