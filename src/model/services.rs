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
    /// Brings the Overview up to date: its signals, links and board.
    pub fn refresh_overview(&mut self, now: DateTime<Utc>) {
        self.refresh_signals(now);
        self.fold_board();
    }

    /// Folds the Overview's board, if its signals changed since.
    pub fn fold_board(&mut self) {
        let entries = self.timeline.entries();
        self.overview
            .fold(&self.services.signals, entries.iter().rev());
    }

    /// Works out again the signals of what changed since the last time,
    /// and the links between services; the board waits for `fold_board`.
    pub fn refresh_signals(&mut self, now: DateTime<Utc>) {
        let s = &mut self.services;
        let dirty = std::mem::take(&mut s.dirty);
        if !dirty.any() {
            return;
        }
        // A change to pods alone alters no service's links (they follow
        // deployments' names and selectors), so the map stays.
        let mut relink = true;
        if dirty.pods {
            let mut touched = std::mem::take(&mut s.touched);
            touched.all |= s.pods_at.is_none();
            let only_pods = dirty
                == Dirty {
                    pods: true,
                    ..Dirty::default()
                };
            relink = !only_pods || touched.all || !touched.deployments.is_empty();
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
        self.overview.signals_changed(&s.signals, relink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_after_pods_changed_are_those_worked_out_afresh() {
        use crate::core::clean::Clean;
        use crate::features::overview::link::ServiceMap;
        use crate::features::pods::model::{Deployment, KubeUpdate, Pod};
        use crate::update::Update;
        let t0 = chrono::Utc::now();
        let deployment = |name: &str| Deployment {
            name: name.into(),
            namespace: "prod".into(),
            replicas: 1,
            ..Deployment::default()
        };
        let pod = |name: &str, of: &str, restarts| Pod {
            name: name.into(),
            namespace: "prod".into(),
            deployment: Some(of.into()),
            restarts,
            ..Pod::default()
        };
        let mut m = Model::default();
        m.apply(Update::from(KubeUpdate::Deployments(vec![deployment(
            "web",
        )])));
        m.apply(Update::from(KubeUpdate::Pods(vec![pod("web-1", "web", 0)])));
        m.refresh_overview(t0);
        let changes = [
            KubeUpdate::PodsChanged {
                upserted: vec![pod("web-1", "web", 3), pod("api-1", "api", 0)],
                deleted: vec![],
            },
            KubeUpdate::DeploymentsChanged {
                upserted: vec![deployment("api")],
                deleted: vec![],
            },
            KubeUpdate::PodsChanged {
                upserted: vec![pod("api-1", "api", 1)],
                deleted: vec![("prod".into(), "web-1".into())],
            },
        ];
        for change in changes {
            m.apply(Update::Kube(Clean::new(change)));
            m.refresh_overview(t0);
            let fresh = ServiceMap::derive(&m.overview.settings, &m.services.signals);
            assert_eq!(m.overview.map.services, fresh.services);
            assert_eq!(m.overview.map.unlinked, fresh.unlinked);
        }
        assert_eq!(m.overview.map.services.len(), 2, "web and api");
    }

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
