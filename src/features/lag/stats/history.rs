//! The bounded history of one group's samples and what the app asks of it.

use super::backlog::{GroupLag, group_lag};
use super::rates::{Rates, rates_of};
use super::rebalance::RebalanceCounter;
use super::snapshot::GroupSnapshot;
use super::sparkline::sparkline;
use super::steps::SampleStats;
use super::thresholds::{Alerts, Crossing, Thresholds, crossings, evaluate};
use super::trend::{Trend, trend_of};
use chrono::{DateTime, Utc};

/// Stats dropped at once when the history is over capacity.
const TRIM_BATCH: usize = 16;

/// Full snapshots kept: the newest for the tables, the one before for
/// per-partition rates. Older samples live on as their stats only.
const FULL_KEPT: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySettings {
    /// Samples kept; the oldest is dropped beyond this. Twice the sparkline:
    /// rates need 6, and the lag and rebalance alerts keep their own state.
    pub capacity: usize,
    pub thresholds: Thresholds,
    /// Samples in a row without committed movement (with lag) to call a stall.
    pub stall_samples: usize,
    /// Intervals the rates are averaged over.
    pub rate_span: usize,
}

impl Default for HistorySettings {
    fn default() -> Self {
        HistorySettings {
            capacity: 24,
            thresholds: Thresholds::default(),
            stall_samples: 2,
            rate_span: 5,
        }
    }
}

/// One group's recent samples, oldest first, with the state that must
/// outlive them (when lag went above the limit, rebalances in the hour).
#[derive(Debug, Clone)]
pub struct GroupHistory {
    settings: HistorySettings,
    /// The newest few snapshots, oldest first.
    snapshots: Vec<GroupSnapshot>,
    /// Every kept sample's stats, oldest first (may run past `capacity`
    /// by less than a trim batch; `stats()` hides that).
    stats: Vec<SampleStats>,
    lag_above_since: Option<DateTime<Utc>>,
    rebalances: RebalanceCounter,
}

impl GroupHistory {
    pub fn new(settings: HistorySettings) -> Self {
        GroupHistory {
            settings,
            snapshots: Vec::new(),
            stats: Vec::new(),
            lag_above_since: None,
            rebalances: RebalanceCounter::default(),
        }
    }

    pub fn settings(&self) -> &HistorySettings {
        &self.settings
    }

    /// Adds the next sample and returns the alert crossings it caused (write
    /// one Timeline entry each). A sample older than the newest is ignored:
    /// polls can finish out of order.
    pub fn push(&mut self, snapshot: GroupSnapshot) -> Vec<Crossing> {
        if self.latest().is_some_and(|l| snapshot.at < l.at) {
            return Vec::new();
        }
        let before = self.alerts();
        let stats = SampleStats::of(self.latest(), &snapshot);
        if stats.total_lag > self.settings.thresholds.lag {
            self.lag_above_since.get_or_insert(snapshot.at);
        } else {
            self.lag_above_since = None;
        }
        self.rebalances.observe(&snapshot);
        let group = snapshot.group.clone();
        self.stats.push(stats);
        self.snapshots.push(snapshot);
        if self.snapshots.len() > FULL_KEPT {
            self.snapshots.remove(0);
        }
        // Shifting the stats on every poll of every group would cost more
        // than the rest of the poll; they go in batches.
        let keep = self.keep();
        if self.stats.len() >= keep + TRIM_BATCH {
            self.stats.drain(..self.stats.len() - keep);
        }
        let after = self.alerts();
        crossings(&group, &self.settings.thresholds, &before, &after, stats.at)
    }

    fn keep(&self) -> usize {
        self.settings.capacity.max(FULL_KEPT)
    }

    /// The kept samples' stats, oldest first.
    pub fn stats(&self) -> &[SampleStats] {
        &self.stats[self.stats.len().saturating_sub(self.keep())..]
    }

    pub fn latest(&self) -> Option<&GroupSnapshot> {
        self.snapshots.last()
    }

    /// The snapshot before the latest.
    pub fn previous(&self) -> Option<&GroupSnapshot> {
        self.snapshots
            .len()
            .checked_sub(2)
            .and_then(|i| self.snapshots.get(i))
    }

    pub fn lag(&self) -> Option<GroupLag> {
        self.latest().map(group_lag)
    }

    /// Rates over the last `rate_span` intervals.
    pub fn rates(&self) -> Rates {
        let stats = self.stats();
        let from = stats
            .len()
            .saturating_sub(self.settings.rate_span.max(1) + 1);
        rates_of(&stats[from..])
    }

    /// Rates and trend, sharing the rates (the app wants both).
    pub fn rates_and_trend(&self) -> (Rates, Trend) {
        let r = self.rates();
        (r, trend_of(self.stats(), r, self.settings.stall_samples))
    }

    pub fn trend(&self) -> Trend {
        self.rates_and_trend().1
    }

    /// When total lag last went above the threshold, if it still is.
    pub fn lag_above_since(&self) -> Option<DateTime<Utc>> {
        self.lag_above_since
    }

    pub fn rebalances_last_hour(&self) -> usize {
        self.latest().map_or(0, |l| self.rebalances.last_hour(l.at))
    }

    /// The alerts as of the newest sample.
    pub fn alerts(&self) -> Alerts {
        match self.latest() {
            Some(l) => evaluate(
                &self.settings.thresholds,
                self.lag_above_since,
                self.rebalances.last_hour(l.at),
                l.at,
            ),
            None => Alerts::default(),
        }
    }

    /// Total lag of the last `n` samples, oldest first.
    pub fn sparkline(&self, n: usize) -> Vec<u64> {
        sparkline(self.stats(), n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::lag::stats::samples::{at, described, simple};
    use crate::features::lag::stats::snapshot::GroupState;
    use crate::features::lag::stats::thresholds::{AlertKind, Edge};

    fn history() -> GroupHistory {
        GroupHistory::new(HistorySettings::default())
    }

    #[test]
    fn capacity_bounds_the_samples() {
        let mut h = GroupHistory::new(HistorySettings {
            capacity: 3,
            ..HistorySettings::default()
        });
        for t in 0..10 {
            h.push(simple(t, t, t + 1));
        }
        assert_eq!(h.stats().len(), 3);
        assert_eq!(h.stats()[0].at, at(7));
        // Past a trim batch too, and the figures still come from the window.
        for t in 10..60 {
            h.push(simple(t, t * 2, t * 2 + 5));
        }
        assert_eq!(h.stats().len(), 3);
        assert_eq!(h.stats()[0].at, at(57));
        assert_eq!(h.previous().map(|p| p.at), Some(at(58)));
        assert_eq!(h.latest().map(|p| p.at), Some(at(59)));
        assert_eq!(h.rates().consume, super::super::Rate::PerSec(2.0));
        assert_eq!(h.sparkline(10), vec![5, 5, 5]);
    }

    #[test]
    fn out_of_order_sample_is_ignored() {
        let mut h = history();
        h.push(simple(10, 0, 5));
        h.push(simple(5, 0, 9));
        assert_eq!(h.stats().len(), 1);
        assert_eq!(h.lag().map(|l| l.total), Some(5));
    }

    #[test]
    fn lag_crit_crossing_fires_once_then_clears() {
        let mut h = history();
        let mut seen = Vec::new();
        // Lag 1500 from t=0, polled every 60 s; crit after > 300 s (t=360).
        for t in (0..=420).step_by(60) {
            seen.extend(h.push(simple(t, 0, 1500)).into_iter().map(|c| (t, c.edge)));
        }
        assert_eq!(seen, vec![(360, Edge::Entered)]);
        assert_eq!(h.alerts().lag_crit_since, Some(at(0)));
        let left = h.push(simple(480, 1500, 1500));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].kind, AlertKind::LagCrit);
        assert_eq!(left[0].edge, Edge::Left);
        assert_eq!(h.lag_above_since(), None);
    }

    #[test]
    fn a_dip_restarts_the_lag_clock() {
        let mut h = history();
        h.push(simple(0, 0, 1500));
        h.push(simple(200, 1000, 1500));
        h.push(simple(250, 0, 3000));
        h.push(simple(400, 0, 3000));
        assert_eq!(h.lag_above_since(), Some(at(250)));
        assert_eq!(h.alerts().lag_crit_since, None);
    }

    #[test]
    fn lag_clock_survives_samples_falling_out_of_the_history() {
        let mut h = GroupHistory::new(HistorySettings {
            capacity: 2,
            ..HistorySettings::default()
        });
        for t in 0..10 {
            h.push(simple(t * 60, 0, 2000));
        }
        assert_eq!(h.alerts().lag_crit_since, Some(at(0)));
    }

    #[test]
    fn many_rebalances_warn() {
        let mut h = history();
        let mut entered = 0;
        for i in 0..7 {
            let t = i * 100;
            h.push(described(t, GroupState::Stable, &["a"]));
            let c = h.push(described(t + 50, GroupState::PreparingRebalance, &["a"]));
            entered += c.iter().filter(|c| c.kind == AlertKind::Rebalances).count();
        }
        assert_eq!(h.rebalances_last_hour(), 7);
        assert_eq!(entered, 1);
        assert_eq!(h.alerts().rebalances, Some(7));
    }

    #[test]
    fn rates_trend_and_sparkline_come_from_the_samples() {
        let mut h = history();
        h.push(simple(0, 0, 100));
        h.push(simple(10, 100, 150));
        assert_eq!(h.rates().consume.per_sec(), Some(10.0));
        assert!(matches!(h.trend(), Trend::Draining { .. }));
        assert_eq!(h.sparkline(5), vec![100, 50]);
    }
}
