//! Consumer groups as the Lag tab shows them: one bounded history per
//! cluster and group (the pure `lag` model does the arithmetic), the
//! dead-letter topics' sizes, and what each cluster could not tell.
//! Threshold crossings become Timeline entries.

pub use super::view::LagView;

use super::stats::dlq::{Growth, TopicSize, growth_per_minute};
use super::stats::{Alerts, GroupHistory, GroupSnapshot, HistorySettings, Level, Rates, Trend};
use crate::core::clean::Clean;
use crate::core::source::{Severity, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Dead-letter sizes kept per topic (for growth per minute).
const DLQ_KEPT: usize = 30;

/// Samples in the trend sparkline.
pub const SPARK: usize = 12;

/// What the table shows of a group, worked out once per poll (the history
/// behind it can be long; drawing must stay cheap).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary {
    pub lag: i64,
    pub any_from_log_start: bool,
    pub rates: Rates,
    pub trend: Trend,
    pub alerts: Alerts,
    pub rebalances: usize,
    pub sparkline: Vec<u64>,
}

impl GroupSummary {
    fn of(h: &GroupHistory) -> GroupSummary {
        // Totals without building the per-partition list: this runs for
        // every group on every poll.
        let latest = h.latest();
        let (rates, trend) = h.rates_and_trend();
        GroupSummary {
            lag: latest.map_or(0, super::stats::total_lag),
            any_from_log_start: latest
                .is_some_and(|l| l.partitions.iter().any(|p| p.committed.is_none())),
            rates,
            trend,
            alerts: h.alerts(),
            rebalances: h.rebalances_last_hour(),
            sparkline: h.sparkline(SPARK),
        }
    }
}

/// One poll of one cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LagUpdate {
    pub cluster: String,
    pub at: DateTime<Utc>,
    pub groups: Vec<GroupSnapshot>,
    pub dlq: Vec<TopicSize>,
    /// E.g. "listing groups is not supported: configured groups only".
    pub note: Option<String>,
    /// `(group, error)` for groups that could not be read this round.
    pub failures: Vec<(String, String)>,
}

/// (cluster, group).
pub type GroupKey = (String, String);

#[derive(Debug, Clone, Default)]
pub struct Consumers {
    pub groups: BTreeMap<GroupKey, GroupHistory>,
    pub summaries: BTreeMap<GroupKey, GroupSummary>,
    /// (cluster, topic) → sizes, oldest first.
    pub dlq: BTreeMap<(String, String), Vec<TopicSize>>,
    pub notes: BTreeMap<String, String>,
    /// The last failure per (cluster, group); the group's last data stays.
    pub failures: BTreeMap<GroupKey, String>,
    pub settings: HistorySettings,
}

impl Consumers {
    /// The latest snapshot of the group `view`'s cursor is on.
    pub fn selected_group(&self, view: &LagView) -> Option<&GroupSnapshot> {
        let (cluster, group) = view.selected()?;
        self.groups
            .get(&(cluster.to_string(), group.to_string()))
            .and_then(|h| h.latest())
    }

    /// Folds one poll in; returns the Timeline entries of alert crossings.
    pub fn apply(&mut self, u: Clean<LagUpdate>) -> Vec<TimelineEntry> {
        let u = u.into_inner();
        let mut entries = Vec::new();
        match u.note {
            Some(n) => self.notes.insert(u.cluster.clone(), n),
            None => self.notes.remove(&u.cluster),
        };
        self.failures.retain(|(c, _), _| *c != u.cluster);
        for (group, e) in u.failures {
            self.failures.insert((u.cluster.clone(), group), e);
        }
        for snapshot in u.groups {
            let key = (u.cluster.clone(), snapshot.group.clone());
            let snapshot_group = snapshot.group.clone();
            let history = self
                .groups
                .entry(key.clone())
                .or_insert_with(|| GroupHistory::new(self.settings.clone()));
            let crossings = history.push(snapshot);
            self.summaries.insert(key, GroupSummary::of(history));
            for c in crossings {
                let severity = match c.level {
                    Level::Crit => Severity::Crit,
                    Level::Warn => Severity::Warn,
                };
                let severity = match c.edge {
                    super::stats::Edge::Left => Severity::Info,
                    super::stats::Edge::Entered => severity,
                };
                entries.push(
                    TimelineEntry::new(c.at, severity, Origin::Source(SourceId::Kafka), c.text)
                        .about(About::Group {
                            cluster: u.cluster.as_str().into(),
                            group: snapshot_group.as_str().into(),
                        }),
                );
            }
        }
        for size in u.dlq {
            let sizes = self
                .dlq
                .entry((u.cluster.clone(), size.topic.clone()))
                .or_default();
            sizes.push(size);
            if sizes.len() > DLQ_KEPT {
                sizes.remove(0);
            }
        }
        entries
    }

    /// Dead-letter topics: (cluster, topic, size, growth per minute).
    pub fn dead_letters(&self) -> Vec<(&str, &str, i64, Growth)> {
        self.dlq
            .iter()
            .filter_map(|((c, t), sizes)| {
                let last = sizes.last()?;
                Some((c.as_str(), t.as_str(), last.size, growth_per_minute(sizes)))
            })
            .collect()
    }
}
