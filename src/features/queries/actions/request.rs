//! From the Queries tab's selection to a cancel / terminate / killOp plan.

use super::plan;
use crate::core::action::ActionPlan;
use crate::core::command::ActionRequest;
use crate::features::queries::feature::QueriesTab;
use crate::features::queries::model::{Kind, QueryRow};

/// A cancel / terminate plan for the selected backend (or, with `root`,
/// the root of its blocking chain), or a killOp plan for the selected op.
pub fn plan_of(tab: &QueriesTab, request: &ActionRequest) -> Option<Result<ActionPlan, String>> {
    match request {
        ActionRequest::PgSignal { terminate, root } => Some(pg_signal(tab, *terminate, *root)),
        ActionRequest::KillOp => Some(kill_op(tab)),
        _ => None,
    }
}

fn pg_signal(tab: &QueriesTab, terminate: bool, root: bool) -> Result<ActionPlan, String> {
    let v = &tab.view;
    let state = v.state(&tab.data).ok_or_else(no_targets)?;
    if state.key.kind != Kind::Postgres {
        return Err(format!(
            "{} is a {} target: cancel and terminate are for Postgres backends",
            state.key.name,
            state.key.kind.label()
        ));
    }
    let pid = v
        .selected_pid()
        .ok_or("select a backend in the activity or blocking view (→ switches views)")?;
    let pid = if root {
        match v.selected() {
            Some(QueryRow::Tree { root, .. }) => *root,
            _ => state
                .tree_of(pid)
                .map(|t| t.pid)
                .ok_or_else(|| format!("pid {pid} is not part of a blocking chain"))?,
        }
    } else {
        pid
    };
    plan::pg_signal(state, pid, terminate)
}

fn kill_op(tab: &QueriesTab) -> Result<ActionPlan, String> {
    let state = tab.view.state(&tab.data).ok_or_else(no_targets)?;
    if state.key.kind != Kind::Mongo {
        return Err(format!(
            "{} is a {} target: killOp is for MongoDB ops",
            state.key.name,
            state.key.kind.label()
        ));
    }
    match tab.view.selected() {
        Some(QueryRow::Op(opid)) => plan::mongo_kill(state, opid),
        _ => Err("select an op in the currentOp view".into()),
    }
}

/// What the tab says while no target has reported.
pub fn no_targets() -> String {
    "no database target reported yet: add [queries.postgres.<name>], [queries.mongo.<name>] or [queries.redis.<name>] to config.toml".into()
}
