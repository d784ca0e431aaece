//! What the Queries tab does with commands: target and sub-view switching,
//! which say so in the footer while no target has reported. Its plans are
//! the feature's (`queries::actions::request`).

use super::App;
use crate::core::source::Severity;
use crate::features::queries::actions::request::no_targets;

impl App {
    pub(super) fn step_queries_target(&mut self, forward: bool) {
        let q = &self.model.queries.data;
        if q.targets.is_empty() {
            return self.say(Severity::Info, no_targets());
        }
        self.model.queries.view.step_target(q, forward);
    }

    pub(super) fn step_queries_view(&mut self, forward: bool) {
        if self.model.queries.data.targets.is_empty() {
            return self.say(Severity::Info, no_targets());
        }
        self.model
            .queries
            .view
            .step_view(&self.model.queries.data, forward);
    }
}
