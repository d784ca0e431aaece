//! What the Lag tab does with commands: filter, the partition view, and
//! turning the selection into an offset reset or a scale of its consumers.

use super::input::{InputKind, LineInput};
use super::{App, Overlay};
use crate::core::action::{Action, ActionPlan};
use crate::core::source::Severity;
use crate::features::lag::actions::plan::{self, Spec};
use crate::features::lag::actions::refusal;
use crate::features::lag::stats::GroupSnapshot;

impl App {
    pub(super) fn set_lag_filter(&mut self, text: &str) {
        let v = &mut self.model.lag_view;
        v.filter = text.to_string();
        v.cursor = Default::default();
        v.refresh(&self.model.consumers);
    }

    pub(super) fn move_lag(&mut self, delta: isize) {
        let rows = self.page_rows();
        if self.model.lag_view.detail {
            let n = self.selected_group().map_or(0, |s| s.partitions.len());
            let v = &mut self.model.lag_view;
            v.partition = v
                .partition
                .saturating_add_signed(delta)
                .min(n.saturating_sub(1));
            return;
        }
        let v = &mut self.model.lag_view;
        let len = v.len();
        v.cursor.move_by(delta, len);
        v.cursor.scroll_into_view(rows);
    }

    /// The latest poll of the selected group.
    pub fn selected_group(&self) -> Option<&GroupSnapshot> {
        self.model.consumers.selected_group(&self.model.lag_view)
    }

    pub(super) fn latest_group(&self, cluster: &str, group: &str) -> Option<&GroupSnapshot> {
        self.model
            .consumers
            .groups
            .get(&(cluster.to_string(), group.to_string()))
            .and_then(|h| h.latest())
    }

    pub(super) fn reset_prompt(&mut self) {
        if self.model.lag_view.selected().is_none() {
            return self.say(Severity::Info, "select a consumer group first");
        }
        self.overlay = Overlay::Input(LineInput::new(InputKind::Command, "reset earliest"));
    }

    /// `s` on a group: scale the deployment that consumes it (`[kafka.consumers]`).
    pub(super) fn scale_consumers_prompt(&mut self) {
        let Some((_, group)) = self.model.lag_view.selected() else {
            return self.say(Severity::Info, "select a consumer group first");
        };
        match self.settings.kafka.consumers.get(group) {
            Some(d) => {
                let text = format!("scale deploy/{d} ");
                self.overlay = Overlay::Input(LineInput::new(InputKind::Command, &text));
            }
            None => self.say(
                Severity::Warn,
                format!("which deployment consumes {group}? map it in [kafka.consumers]"),
            ),
        }
    }

    /// `reset <to> [topic]` on the selected group.
    pub(super) fn reset_plan(&self, to: &str, topic: Option<&str>) -> Result<ActionPlan, String> {
        let spec = Spec::parse(to)?;
        let (cluster, _) = self
            .model
            .lag_view
            .selected()
            .ok_or("select a consumer group on the Lag tab first")?;
        let snapshot = self
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
                let snapshot = self.latest_group(cluster, group);
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
