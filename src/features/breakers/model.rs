//! Circuit breakers as the Breakers tab shows them: one row per instance
//! (pod or actuator URL) and breaker, from the actuator and from
//! Prometheus, merged by service + breaker name. Transitions between polls
//! become Timeline entries.

mod apply;
mod row;
#[cfg(test)]
mod tests;

pub use super::view::{BreakersView, GroupRow, VisibleRow};
pub use apply::pct;
pub use row::{BreakerRow, BreakerSource, Endpoint, Figures, Observation, RowKey, Transition};

use crate::features::breakers::data::BreakerState;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Transitions kept per row for the "last transitions" column.
pub const TRANSITIONS_KEPT: usize = 8;

/// One poll of one source: every breaker it sees now, and the targets that
/// did not answer (their last rows are kept, marked with the error).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BreakersUpdate {
    pub source: BreakerSource,
    pub at: DateTime<Utc>,
    pub observations: Vec<Observation>,
    /// Targets polled this round (URL labels or pod names), answering or not:
    /// rows of a target no longer listed (a pod that went away) are dropped.
    pub targets: Vec<String>,
    /// `(target, error)` for each target that failed this round.
    pub failures: Vec<(String, String)>,
    /// Keep rows of targets not listed (the list of pods is unknown this round).
    pub keep_unlisted: bool,
}

/// Every breaker row known, by key.
#[derive(Debug, Clone, Default)]
pub struct Breakers {
    pub rows: BTreeMap<RowKey, BreakerRow>,
    /// The last failure of each target, shown under the table.
    pub failures: BTreeMap<String, String>,
    pub last_poll: BTreeMap<BreakerSource, DateTime<Utc>>,
}

impl Breakers {
    /// After `:ctx`: rows read through the old cluster's pod proxy name pods
    /// that the new one does not have; they go until its first poll.
    pub fn forget_pod_proxied(&mut self) {
        let mut gone = BTreeSet::new();
        self.rows.retain(|_, r| {
            let proxied = matches!(r.endpoint, Some(Endpoint::PodProxy { .. }));
            if proxied {
                gone.insert(r.target.clone());
            }
            !proxied
        });
        self.failures.retain(|t, _| !gone.contains(t));
    }

    /// Rows of `(service, breaker)` that the actuator reports, so the same
    /// breaker from Prometheus is not shown twice.
    pub fn actuator_covers(&self, service: &str, breaker: &str) -> bool {
        self.rows.values().any(|r| {
            r.source == BreakerSource::Actuator
                && r.key.service == service
                && r.key.breaker == breaker
        })
    }

    /// Whether the pods of one service disagree on this breaker's state.
    pub fn disagrees(&self, service: &str, breaker: &str) -> bool {
        let mut states = self
            .rows
            .values()
            .filter(|r| r.key.service == service && r.key.breaker == breaker && self.shown(r))
            .map(|r| &r.figures.state);
        match states.next() {
            Some(first) => states.any(|s| s != first),
            None => false,
        }
    }

    /// False for a Prometheus row the actuator already covers.
    pub fn shown(&self, row: &BreakerRow) -> bool {
        row.source == BreakerSource::Actuator
            || !self.actuator_covers(&row.key.service, &row.key.breaker)
    }

    /// The row an action would target, if it is still there.
    pub fn get(&self, key: &RowKey) -> Option<&BreakerRow> {
        self.rows.get(key)
    }

    /// Rows of `(service, breaker)` from the actuator, one per instance.
    pub fn instances(&self, service: &str, breaker: &str) -> Vec<&BreakerRow> {
        self.rows
            .values()
            .filter(|r| {
                r.source == BreakerSource::Actuator
                    && r.key.service == service
                    && r.key.breaker == breaker
            })
            .collect()
    }
}

/// How a state reads to a responder: bad, degraded or fine.
pub fn state_rank(state: &BreakerState) -> u8 {
    match state {
        BreakerState::Open | BreakerState::ForcedOpen => 0,
        BreakerState::HalfOpen | BreakerState::Disabled | BreakerState::Unknown(_) => 1,
        BreakerState::MetricsOnly | BreakerState::Closed => 2,
    }
}
