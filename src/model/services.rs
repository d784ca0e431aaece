//! The Overview's input: each feature's signals, kept per source and
//! recomputed only for the source an update came from, then linked and
//! folded into the board.

use super::Model;
use crate::core::health::Badge;
use crate::core::service::{AlertSignal, Condition, InfraSignal, Signals};
use crate::core::source::Severity;
use crate::features::{breakers, heatmap, lag, pods, queries};
use chrono::{DateTime, Utc};

/// Which sources changed since the board was last built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty {
    pub pods: bool,
    pub slo: bool,
    pub breakers: bool,
    pub lag: bool,
    pub queries: bool,
    /// Alerts, health, Timeline: cheap, re-read on any rebuild.
    pub other: bool,
}

impl Dirty {
    fn any(self) -> bool {
        self != Dirty::default()
    }
}

/// The signals and the state behind them (restart counts over time).
#[derive(Debug, Clone, Default)]
pub struct ServiceSignals {
    pub signals: Signals,
    pub pods: pods::tally::PodsTally,
    /// The pods and deployments changed since their signals were worked out.
    pub touched: pods::tally::Touched,
    lag_infra: Vec<InfraSignal>,
    db_infra: Vec<InfraSignal>,
    pub dirty: Dirty,
    /// When the pods' signals were last worked out.
    pods_at: Option<DateTime<Utc>>,
}

/// How often the clock alone recomputes the pods' signals: their 15-minute
/// windows (restarts, a recent OOMKill) move with time, not with updates.
const AGE_EVERY_SECS: i64 = 30;

impl ServiceSignals {
    /// Marks what the passing of time changed; true when that is anything.
    pub fn aged(&mut self, now: DateTime<Utc>) -> bool {
        let due = self
            .pods_at
            .is_some_and(|at| (now - at).num_seconds() >= AGE_EVERY_SECS);
        if due {
            self.dirty.pods = true;
            self.touched.all = true;
        }
        due
    }
}

impl Model {
    /// Rebuilds the Overview from what changed since the last time.
    pub fn refresh_overview(&mut self, now: DateTime<Utc>) {
        let s = &mut self.services;
        let dirty = std::mem::take(&mut s.dirty);
        if !dirty.any() {
            return;
        }
        if dirty.pods {
            let mut touched = std::mem::take(&mut s.touched);
            touched.all |= s.pods_at.is_none();
            s.pods_at = Some(now);
            s.pods
                .update(&self.pods.data, &touched, now, &mut s.signals.pods);
        }
        if dirty.slo {
            s.signals.slo = heatmap::summary::signals(&self.heatmap.data);
        }
        if dirty.breakers {
            s.signals.breakers = breakers::summary::signals(&self.breakers.data);
        }
        if dirty.lag {
            s.signals.groups = lag::summary::signals(&self.lag.data, &self.lag.settings);
            s.lag_infra = lag::summary::infra(&self.lag.data);
        }
        if dirty.queries {
            s.signals.sessions = queries::summary::sessions(&self.queries.data);
            s.db_infra = queries::summary::infra(&self.queries.data);
        }
        s.signals.alerts = self
            .alerts
            .iter()
            .map(|a| AlertSignal {
                service: a.service.clone(),
                name: a.name.clone(),
                condition: match a.severity {
                    Severity::Crit => Condition::Crit,
                    _ => Condition::Warn,
                },
                since: a.since,
            })
            .collect();
        s.signals.infra = s.db_infra.clone();
        s.signals.infra.extend(s.lag_infra.iter().cloned());
        for (id, badge) in self.health.badges(now) {
            if let Badge::Error(e) = badge {
                s.signals.infra.push(InfraSignal {
                    name: format!("{} source", id.label()),
                    text: e,
                    condition: Condition::Crit,
                });
            }
        }
        let entries = self.timeline.entries();
        self.overview.rebuild(&s.signals, entries.iter().rev());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_alone_recomputes_the_pods_every_half_minute() {
        let mut m = Model::default();
        let t0 = chrono::Utc::now();
        let mut s = ServiceSignals::default();
        assert!(!s.aged(t0), "nothing worked out yet: nothing to age");
        m.services.dirty.pods = true;
        m.refresh_overview(t0);
        assert!(!m.services.aged(t0 + chrono::Duration::seconds(29)));
        assert!(!m.services.dirty.pods);
        assert!(m.services.aged(t0 + chrono::Duration::seconds(30)));
        assert!(m.services.dirty.pods);
    }
}
