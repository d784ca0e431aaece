//! Plain state per domain. Pure: `apply(update)` and derived views, no I/O.

use crate::core::health::Health;
use crate::core::sanitize::safe;
use crate::core::source::AlertSummary;
use crate::features::timeline::model::Timeline;
use crate::update::Update;

/// Everything the sources have told us, as the UI draws it.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub health: Health,
    pub timeline: Timeline,
    pub alerts: Vec<AlertSummary>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub workloads: crate::features::pods::model::Workloads,
    /// Kubeconfig contexts a live source can switch to (empty in the demo).
    pub contexts: Vec<String>,
    pub pods_view: crate::features::pods::view::PodsView,
    pub logs: crate::features::logs::model::Logs,
    pub heatmap_view: crate::features::heatmap::view::HeatmapView,
    pub heatmap: crate::features::heatmap::model::Heatmap,
    pub breakers: crate::features::breakers::model::Breakers,
    pub breakers_view: crate::features::breakers::model::BreakersView,
    pub consumers: crate::features::lag::model::Consumers,
    pub lag_view: crate::features::lag::model::LagView,
    pub queries: crate::features::queries::model::Queries,
    pub queries_view: crate::features::queries::model::QueriesView,
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
                self.workloads.apply(k);
                self.pods_view.refresh(&self.workloads);
            }
            Update::Prometheus(p) => self.heatmap.apply(p),
            Update::Lag(mut u) => {
                sanitize_lag(&mut u);
                for entry in self.consumers.apply(u) {
                    self.timeline.push(entry);
                }
                self.lag_view.refresh(&self.consumers);
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
                for entry in self.breakers.apply(b) {
                    self.timeline.push(entry);
                }
                self.breakers_view.refresh(&self.breakers);
            }
            Update::Queries(q) => {
                for entry in self.queries.apply(q) {
                    self.timeline.push(entry);
                }
                self.queries_view.refresh(&self.queries);
            }
            Update::Scope { context, namespace } => {
                let context = safe(&context);
                if self.context.as_ref().is_some_and(|c| *c != context) {
                    self.breakers.forget_pod_proxied();
                    self.breakers_view.refresh(&self.breakers);
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
