//! What the Queries tab does with commands: target and sub-view switching,
//! the statement order (which the Postgres pollers are told), and turning
//! the selection into a cancel / terminate / killOp plan.

use super::App;
use super::tab::Tab;
use crate::core::action::ActionPlan;
use crate::core::command::ActionRequest;
use crate::core::source::Severity;
use crate::features::queries::actions::plan as query_plan;
use crate::features::queries::model::{Kind, QueryRow};

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

    /// A cancel / terminate plan for the selected backend (or, with
    /// `root`, the root of its blocking chain), or a killOp plan for the
    /// selected op.
    pub(super) fn query_plan(&self, request: &ActionRequest) -> Result<ActionPlan, String> {
        if self.tab != Tab::Queries {
            return Err("select a backend or an op on the Queries tab first".into());
        }
        let v = &self.model.queries.view;
        let state = v.state(&self.model.queries.data).ok_or_else(no_targets)?;
        match request {
            ActionRequest::PgSignal { terminate, root } => {
                if state.key.kind != Kind::Postgres {
                    return Err(format!(
                        "{} is a {} target: cancel and terminate are for Postgres backends",
                        state.key.name,
                        state.key.kind.label()
                    ));
                }
                let pid = v.selected_pid().ok_or(
                    "select a backend in the activity or blocking view (→ switches views)",
                )?;
                let pid = if *root {
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
                query_plan::pg_signal(state, pid, *terminate)
            }
            ActionRequest::KillOp => {
                if state.key.kind != Kind::Mongo {
                    return Err(format!(
                        "{} is a {} target: killOp is for MongoDB ops",
                        state.key.name,
                        state.key.kind.label()
                    ));
                }
                match v.selected() {
                    Some(QueryRow::Op(opid)) => query_plan::mongo_kill(state, opid),
                    _ => Err("select an op in the currentOp view".into()),
                }
            }
            _ => Err("not a database action".into()),
        }
    }
}

fn no_targets() -> String {
    "no database target reported yet: add [queries.postgres.<name>], [queries.mongo.<name>] or [queries.redis.<name>] to config.toml".into()
}
