//! Plain state per domain. Pure: `apply(update)` and derived views, no I/O.

pub mod cursor;
pub mod health;
pub mod timeline;
pub mod workloads;

use crate::update::{AlertSummary, Update};
use health::Health;
use timeline::Timeline;

/// Everything the sources have told us, as the UI draws it.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub health: Health,
    pub timeline: Timeline,
    pub alerts: Vec<AlertSummary>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub workloads: workloads::Workloads,
}

impl Model {
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Health(report) => self.health.apply(report),
            Update::Timeline(entry) => self.timeline.push(entry),
            Update::Alerts(alerts) => self.alerts = alerts,
            Update::Workloads(w) => self.workloads = w,
            Update::Scope { context, namespace } => {
                self.context = Some(context);
                self.namespace = Some(namespace);
            }
        }
    }
}
