//! From the Breakers tab's selection to a plan, and whether a plan's
//! breakers are still reported.

use super::plan;
use crate::core::action::{Action, ActionPlan, UpdateState};
use crate::core::command::ActionRequest;
use crate::features::breakers::feature::BreakersTab;
use crate::features::breakers::model::{BreakerRow, RowKey, VisibleRow};
use crate::shared::feature::PlanContext;

/// `breaker close|force_open|disable [all]` on the selected row; a
/// grouped row means every instance.
pub fn plan_of(
    tab: &BreakersTab,
    request: &ActionRequest,
    cx: &PlanContext<'_>,
) -> Option<Result<ActionPlan, String>> {
    let ActionRequest::Breaker { update, all } = request else {
        return None;
    };
    Some(breaker_plan(tab, update, *all, cx.context))
}

fn breaker_plan(
    tab: &BreakersTab,
    update: &str,
    all: bool,
    context: &str,
) -> Result<ActionPlan, String> {
    let update = match update {
        "close" => UpdateState::Close,
        "force_open" => UpdateState::ForceOpen,
        "disable" => UpdateState::Disable,
        other => {
            return Err(format!(
                "no breaker change {other:?}: close, force_open or disable"
            ));
        }
    };
    let b = &tab.data;
    let rows: Vec<&BreakerRow> = match tab.view.selected() {
        None => return Err("no breaker selected".into()),
        Some(VisibleRow::Group(g)) => b.instances(&g.service, &g.breaker),
        Some(VisibleRow::One(key)) if all => b.instances(&key.service, &key.breaker),
        Some(VisibleRow::One(key)) => b.get(key).into_iter().collect(),
    };
    if rows.is_empty() {
        return Err("this breaker is only seen through Prometheus: configure its actuator ([breakers] in config.toml) to change it".into());
    }
    plan::breaker_update(&rows, update, context)
}

/// Every instance the plan calls is still reported.
pub fn target_exists(tab: &BreakersTab, plan: &ActionPlan) -> Option<bool> {
    let Action::Breaker { breaker, calls } = &plan.action else {
        return None;
    };
    Some(calls.iter().all(|c| {
        tab.data
            .get(&RowKey {
                service: c.service.clone(),
                instance: c.instance.clone(),
                breaker: breaker.clone(),
            })
            .is_some()
    }))
}
