//! What the Lag tab does with commands: filter, the partition view, and
//! turning the selection into an offset reset or a scale of its consumers.

use super::input::{InputKind, LineInput};
use super::{App, Overlay};
use crate::core::action::{Action, ActionPlan};
use crate::core::source::Severity;
use crate::features::lag::actions::plan::{self, Spec};
use crate::features::lag::actions::refusal;

impl App {
    pub(super) fn reset_prompt(&mut self) {
        if self.model.lag.view.selected().is_none() {
            return self.say(Severity::Info, "select a consumer group first");
        }
        self.overlay = Overlay::Input(LineInput::new(InputKind::Command, "reset earliest"));
    }

    /// `reset <to> [topic]` on the selected group.
    pub(super) fn reset_plan(&self, to: &str, topic: Option<&str>) -> Result<ActionPlan, String> {
        let spec = Spec::parse(to)?;
        let (cluster, _) = self
            .model
            .lag
            .view
            .selected()
            .ok_or("select a consumer group on the Lag tab first")?;
        let snapshot = self
            .model
            .lag
            .selected_group()
            .ok_or("no offsets read for this group yet")?;
        let bootstrap = self
            .settings
            .kafka
            .clusters
            .iter()
            .find(|c| &c.name == cluster)
            .map_or(cluster.as_str(), |c| c.bootstrap.as_str());
        plan::reset_offsets(cluster, bootstrap, snapshot, topic, &spec)
    }

    /// Preconditions the backend cannot be asked about before the dialog
    /// opens: a reset needs the group Empty.
    pub(super) fn preconditions(&self, plan: &ActionPlan) -> Vec<String> {
        match &plan.action {
            Action::ResetOffsets { cluster, group, .. } => {
                let snapshot = self.model.lag.latest_group(cluster, group);
                let description = snapshot.and_then(|s| s.description.as_ref());
                refusal(
                    group,
                    description.map(|d| &d.state),
                    description.map_or(0, |d| d.members.len()),
                )
                .into_iter()
                .collect()
            }
            _ => Vec::new(),
        }
    }
}
