//! The Lag tab's list: groups worst first, the selection kept by key.

use super::model::{Consumers, GroupKey};
use crate::core::cursor::ListCursor;
use crate::core::service::ServiceScope;
use crate::features::lag::stats::Trend;

#[derive(Debug, Clone, Default)]
pub struct LagView {
    pub cursor: ListCursor,
    pub filter: String,
    /// Showing the selected group's partitions.
    pub detail: bool,
    pub rows: Vec<GroupKey>,
    /// Cursor of the partition table.
    pub partition: usize,
    /// Only this service's groups (`:service`).
    pub service: Option<ServiceScope>,
}

impl LagView {
    /// Groups in alert first, then growing or stalled, then by lag.
    pub fn refresh(&mut self, c: &Consumers) {
        let selected = self.rows.get(self.cursor.selected).cloned();
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<(u8, i64, GroupKey)> = c
            .summaries
            .iter()
            .filter(|((cluster, group), _)| {
                needle.is_empty()
                    || group.to_lowercase().contains(&needle)
                    || cluster.to_lowercase().contains(&needle)
            })
            .filter(|((_, group), _)| self.service.as_ref().is_none_or(|s| s.has_group(group)))
            .map(|(key, s)| {
                let rank = if s.alerts.lag_crit_since.is_some() {
                    0
                } else if s.alerts.rebalances.is_some()
                    || matches!(s.trend, Trend::Growing | Trend::Stalled { .. })
                {
                    1
                } else {
                    2
                };
                (rank, -s.lag, key.clone())
            })
            .collect();
        rows.sort();
        self.rows = rows.into_iter().map(|(_, _, k)| k).collect();
        if let Some(key) = selected
            && let Some(i) = self.rows.iter().position(|k| *k == key)
        {
            self.cursor.selected = i;
        }
        self.cursor.clamp(self.rows.len());
    }

    /// Puts the cursor on this group; false when it is not shown.
    pub fn select(&mut self, key: &GroupKey) -> bool {
        let hit = self.rows.iter().position(|k| k == key);
        if let Some(i) = hit {
            self.cursor.selected = i;
        }
        hit.is_some()
    }

    pub fn selected(&self) -> Option<&GroupKey> {
        self.rows.get(self.cursor.selected)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
