//! Plain state per domain. Pure: `apply(update)` and derived views, no I/O.

use crate::core::health::Health;
use crate::core::sanitize::safe;
use crate::core::source::AlertSummary;
use crate::features::breakers::feature::BreakersTab;
use crate::features::console::feature::ConsoleTab;
use crate::features::heatmap::feature::HeatmapTab;
use crate::features::lag::feature::LagTab;
use crate::features::logs::model::Logs;
use crate::features::pods::feature::PodsTab;
use crate::features::queries::feature::QueriesTab;
use crate::features::timeline::model::Timeline;
use crate::update::Update;

/// Everything the sources have told us, as the UI draws it.
#[derive(Debug, Default)]
pub struct Model {
    pub health: Health,
    pub timeline: Timeline,
    pub alerts: Vec<AlertSummary>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    /// Kubeconfig contexts a live source can switch to (empty in the demo).
    pub contexts: Vec<String>,
    pub pods: PodsTab,
    pub heatmap: HeatmapTab,
    pub logs: Logs,
    pub breakers: BreakersTab,
    pub queries: QueriesTab,
    pub lag: LagTab,
    pub console: ConsoleTab,
}

impl Model {
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Health(report) => self.health.apply(report),
            Update::Timeline(entry) => self.timeline.push(entry),
            Update::Alerts(mut alerts) => {
                for a in &mut alerts {
                    a.name = safe(&a.name);
                    a.service = safe(&a.service);
                }
                self.alerts = alerts
            }
            Update::Contexts(c) => self.contexts = c,
            Update::Logs(l) => self.logs.apply(l),
            Update::Kube(k) => {
                self.pods.data.apply(k);
                self.pods.view.refresh(&self.pods.data);
            }
            Update::Prometheus(p) => self.heatmap.data.apply(p),
            Update::Lag(mut u) => {
                sanitize_lag(&mut u);
                for entry in self.lag.data.apply(u) {
                    self.timeline.push(entry);
                }
                self.lag.view.refresh(&self.lag.data);
            }
            Update::Breakers(mut b) => {
                for o in &mut b.observations {
                    o.key.service = safe(&o.key.service);
                    o.key.instance = safe(&o.key.instance);
                    o.key.breaker = safe(&o.key.breaker);
                    o.target = safe(&o.target);
                    if let crate::features::breakers::data::BreakerState::Unknown(t) =
                        &mut o.figures.state
                    {
                        *t = safe(t);
                    }
                }
                for (target, error) in &mut b.failures {
                    *target = safe(target);
                    *error = safe(error);
                }
                b.targets = b.targets.iter().map(|t| safe(t)).collect();
                for entry in self.breakers.data.apply(b) {
                    self.timeline.push(entry);
                }
                self.breakers.view.refresh(&self.breakers.data);
            }
            Update::Queries(q) => {
                for entry in self.queries.data.apply(q) {
                    self.timeline.push(entry);
                }
                self.queries.view.refresh(&self.queries.data);
            }
            Update::Scope { context, namespace } => {
                let context = safe(&context);
                if self.context.as_ref().is_some_and(|c| *c != context) {
                    self.breakers.data.forget_pod_proxied();
                    self.breakers.view.refresh(&self.breakers.data);
                }
                self.context = Some(context);
                self.namespace = Some(safe(&namespace));
            }
        }
    }
}

/// Group, member and topic names come from the brokers: made safe to show.
fn sanitize_lag(u: &mut crate::features::lag::model::LagUpdate) {
    u.cluster = safe(&u.cluster);
    u.note = u.note.as_deref().map(safe);
    for (group, e) in &mut u.failures {
        *group = safe(group);
        *e = safe(e);
    }
    for s in &mut u.dlq {
        s.topic = safe(&s.topic);
    }
    for g in &mut u.groups {
        g.group = safe(&g.group);
        g.missing_topics = g.missing_topics.iter().map(|t| safe(t)).collect();
        for p in &mut g.partitions {
            p.tp.topic = safe(&p.tp.topic);
            p.owner = p.owner.as_deref().map(safe);
        }
        if let Some(d) = &mut g.description {
            d.id = safe(&d.id);
            for m in &mut d.members {
                m.member_id = safe(&m.member_id);
                m.client_id = safe(&m.client_id);
                m.host = safe(&m.host);
                for tp in m.assignment.iter_mut().flatten() {
                    tp.topic = safe(&tp.topic);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::{Severity, SourceId};
    use crate::core::timeline::{Origin, TimelineEntry};

    #[test]
    fn hostile_backend_text_is_made_safe_before_it_is_stored() {
        let mut m = Model::default();
        let hostile = "pod \x1b[2J\x1b]52;c;ZXZpbA==\x07x\rOVERWRITE\x1b[31mred\x1b[0m";
        m.apply(Update::Timeline(TimelineEntry::new(
            chrono::Utc::now(),
            Severity::Warn,
            Origin::Source(SourceId::Kubernetes),
            hostile,
        )));
        let text = &m.timeline.entries()[0].text;
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        assert!(
            text.contains("red") && text.contains("OVERWRITE"),
            "{text:?}"
        );
        m.apply(Update::Timeline(TimelineEntry::new(
            chrono::Utc::now(),
            Severity::Warn,
            Origin::Source(SourceId::Kubernetes),
            "x".repeat(1 << 20),
        )));
        assert!(m.timeline.entries()[1].text.len() < crate::core::sanitize::SAFE_TEXT_BYTES + 64);
    }
}
