//! From the Lag tab's selection to an offset reset plan, and what the
//! latest poll says about a reset before the dialog opens.

use super::plan::{self, Spec};
use super::refusal;
use crate::core::action::{Action, ActionPlan};
use crate::core::command::ActionRequest;
use crate::features::lag::feature::LagTab;

/// `reset <to> [topic]` on the selected group.
pub fn plan_of(tab: &LagTab, request: &ActionRequest) -> Option<Result<ActionPlan, String>> {
    let ActionRequest::Reset { to, topic } = request else {
        return None;
    };
    Some(reset_plan(tab, to, topic.as_deref()))
}

fn reset_plan(tab: &LagTab, to: &str, topic: Option<&str>) -> Result<ActionPlan, String> {
    let spec = Spec::parse(to)?;
    let (cluster, _) = tab
        .view
        .selected()
        .ok_or("select a consumer group on the Lag tab first")?;
    let snapshot = tab
        .selected_group()
        .ok_or("no offsets read for this group yet")?;
    let bootstrap = tab
        .settings
        .clusters
        .iter()
        .find(|c| &c.name == cluster)
        .map_or(cluster.as_str(), |c| c.bootstrap.as_str());
    plan::reset_offsets(cluster, bootstrap, snapshot, topic, &spec)
}

/// The group and its topic are still in the latest poll.
pub fn target_exists(tab: &LagTab, plan: &ActionPlan) -> Option<bool> {
    let Action::ResetOffsets {
        cluster,
        group,
        topic,
        ..
    } = &plan.action
    else {
        return None;
    };
    Some(
        tab.latest_group(cluster, group)
            .is_some_and(|s| s.topic(topic).next().is_some()),
    )
}

/// A reset needs the group Empty, as the latest poll describes it.
pub fn failed_preconditions(tab: &LagTab, plan: &ActionPlan) -> Vec<String> {
    let Action::ResetOffsets { cluster, group, .. } = &plan.action else {
        return Vec::new();
    };
    let description = tab
        .latest_group(cluster, group)
        .and_then(|s| s.description.as_ref());
    refusal(
        group,
        description.map(|d| &d.state),
        description.map_or(0, |d| d.members.len()),
    )
    .into_iter()
    .collect()
}
