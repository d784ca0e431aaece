//! Plain state per domain. Pure: `apply(update)` and derived views, no I/O.

pub mod checkpoints;
pub mod room;
pub mod services;

use crate::core::health::Health;
use crate::core::sanitize::SafeText;
use crate::core::source::AlertSummary;
use crate::shared::fed::Fed;
use crate::update::Update;

/// `Model`, with a field per tab as `features::with_tabs!` lists them.
macro_rules! model_with_tabs {
    ($($variant:ident($field:ident: $ty:ty, $short:literal)),+ $(,)?) => {
        /// Everything the sources have told us, as the UI draws it. `Clone`: a
        /// replay keeps copies as checkpoints to seek back to.
        #[derive(Debug, Clone, Default)]
        pub struct Model {
            pub health: Health,
            pub alerts: Vec<AlertSummary>,
            pub context: Option<String>,
            pub namespace: Option<String>,
            /// Kubeconfig contexts a live source can switch to (empty in the demo).
            pub contexts: Vec<String>,
            /// What the Overview is built from, and which sources changed.
            pub services: services::ServiceSignals,
            /// The war room joined, if any.
            pub room: room::RoomModel,
            /// In a replay: the tab and service the responder had on screen, as
            /// last recorded.
            pub screen: Option<crate::core::replay::Screen>,
            $(pub $field: $ty,)+
        }
    };
}
crate::features::with_tabs!(model_with_tabs);

impl Model {
    /// Adds a Timeline entry, stamped with the context it came in under.
    pub fn push_entry(&mut self, mut entry: crate::core::timeline::TimelineEntry) {
        if entry.context.is_none() {
            entry.context = self.context.as_deref().map(SafeText::from);
        }
        self.timeline.push(entry);
    }

    /// Folds one update in. Its backend text is already safe (`Clean`).
    /// A feature's update goes to its tab (`Fed::feed`), and marks its
    /// Overview signals dirty when the Overview reads them.
    pub fn apply(&mut self, update: Update) {
        let dirty = &mut self.services.dirty;
        let entries = match update {
            // Cheap for the Overview: re-read on any rebuild.
            Update::Health(report) => {
                dirty.other = true;
                self.health.apply(report.into_inner());
                Vec::new()
            }
            Update::Timeline(entry) => {
                dirty.other = true;
                vec![entry]
            }
            Update::Alerts(alerts) => {
                dirty.other = true;
                self.alerts = alerts.into_inner();
                Vec::new()
            }
            Update::Room(room) => self.room.apply(room.into_inner()),
            Update::Contexts(c) => {
                self.contexts = c.into_inner();
                Vec::new()
            }
            Update::Logs(l) => self.logs.feed(l),
            Update::Kube(k) => {
                dirty.pods = true;
                self.services.touched.note(&k);
                self.pods.feed(k)
            }
            Update::Prometheus(p) => {
                dirty.slo = true;
                self.heatmap.feed(p)
            }
            Update::Lag(u) => {
                dirty.lag = true;
                self.lag.feed(u)
            }
            Update::Breakers(b) => {
                dirty.breakers = true;
                self.breakers.feed(b)
            }
            Update::Queries(q) => {
                dirty.queries = true;
                self.queries.feed(q)
            }
            // The app's clock, not data: `App::update` takes it first.
            Update::Replay(_) => Vec::new(),
            Update::Scope { context, namespace } => {
                if self
                    .context
                    .as_deref()
                    .is_some_and(|c| c != context.as_str())
                {
                    self.breakers.context_changed();
                }
                self.context = Some(context.into_text());
                self.namespace = Some(namespace.into_text());
                Vec::new()
            }
        };
        for entry in entries {
            self.push_entry(entry);
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

    /// Health errors, scopes, contexts and pod names used to reach the
    /// model as they came: now every payload is made safe on its way in.
    #[test]
    fn every_payload_reaches_the_model_made_safe() {
        use crate::core::source::HealthReport;
        use crate::features::pods::model::{KubeUpdate, Pod};
        let hostile = "x\x1b]52;c;ZXZpbA==\x07\u{202E}y\rz";
        let mut m = Model::default();
        m.apply(Update::from(HealthReport {
            source: SourceId::Kafka,
            at: chrono::Utc::now(),
            error: Some(hostile.into()),
            interval: std::time::Duration::from_secs(5),
        }));
        m.apply(Update::from(KubeUpdate::Scope {
            context: hostile.into(),
            namespace: hostile.into(),
        }));
        m.apply(Update::from(KubeUpdate::Contexts(vec![hostile.into()])));
        m.apply(Update::from(KubeUpdate::Pods(vec![Pod {
            name: hostile.into(),
            namespace: "prod".into(),
            status: hostile.into(),
            ..Pod::default()
        }])));
        let error = m.health.get(SourceId::Kafka).unwrap().last.error.clone();
        let pod = m.pods.data.pods.values().next().unwrap();
        let texts = [
            error.unwrap(),
            m.context.clone().unwrap(),
            m.namespace.clone().unwrap(),
            m.contexts[0].clone(),
            pod.name.clone(),
            pod.status.clone(),
        ];
        for t in texts {
            assert!(t.starts_with('x') && t.ends_with('z'), "{t:?}");
            assert!(
                !t.chars().any(|c| c.is_control() || c == '\u{202E}'),
                "{t:?}"
            );
            assert!(!t.contains("52;c;"), "{t:?}");
        }
    }
}
