//! `u` / `:undo`: the inverse of the action selected on the Timeline,
//! planned again from the latest poll, refused when opsdeck now watches
//! another cluster than the one it ran in, and used once.

use super::{App, Effect, Overlay};
use crate::core::action::{Action, ActionPlan, Backend, Endpoint};
use crate::core::source::Severity;
use crate::features::breakers::actions::plan as breaker_plan;
use crate::features::breakers::model::{BreakerSource, RowKey};
use crate::features::lag::actions::plan as lag_plan;
use crate::features::pods::actions::plan::{self as pods_plan, Scope};
use crate::features::pods::actions::rollout as rollout_plan;
use chrono::{DateTime, Utc};

impl App {
    /// Offers the inverse of the action selected on the Timeline.
    pub(super) fn undo(&mut self) -> Vec<Effect> {
        let selected = self.model.timeline.selected();
        let Some((id, done_at)) = selected.and_then(|e| Some((e.action?, e.at))) else {
            self.say(
                Severity::Info,
                "nothing to undo: select an executed action with an undo on the Timeline",
            );
            return Vec::new();
        };
        let Some(inverse) = self.undo_plans.get(&id).cloned() else {
            self.say(Severity::Info, "already undone: an undo is used once");
            return Vec::new();
        };
        match self.replan_undo(&inverse, done_at) {
            Ok(plan) => {
                let effects = self.open_action(plan);
                if let Overlay::Action(d) = &mut self.overlay {
                    d.undoes = Some(id);
                }
                effects
            }
            Err(e) => {
                self.say(Severity::Warn, format!("cannot undo: {e}"));
                Vec::new()
            }
        }
    }

    /// Where a Kubernetes inverse is planned: where it ran, on the latest poll.
    fn undo_scope<'a>(&'a self, inverse: &'a ActionPlan) -> Scope<'a> {
        Scope {
            context: &inverse.target.context,
            namespace: &inverse.target.namespace,
            workloads: &self.model.pods.data,
        }
    }

    /// The inverse as it would act now: on the cluster it was made for,
    /// with replicas, breaker states and offsets from the latest poll, which
    /// must be newer than the action's outcome (`done_at`): an older one
    /// shows the world before it and would plan the wrong moves.
    fn replan_undo(
        &self,
        inverse: &ActionPlan,
        done_at: DateTime<Utc>,
    ) -> Result<ActionPlan, String> {
        let not_polled_since =
            |what: &str| format!("{what} not read since it ran: try again after the next poll");
        let now = self.model.context.as_deref();
        let on_cluster = match &inverse.action {
            Action::Breaker { calls, .. } => calls
                .iter()
                .any(|c| matches!(c.endpoint, Endpoint::PodProxy { .. })),
            action => action.backend() == Backend::Kubernetes,
        };
        if on_cluster && now != Some(inverse.target.context.as_str()) {
            return Err(format!(
                "it ran in context {}, but opsdeck now watches {}: :ctx {} first",
                inverse.target.context,
                now.unwrap_or("no cluster"),
                inverse.target.context
            ));
        }
        match &inverse.action {
            Action::Scale { deployment, to, .. } => {
                pods_plan::scale(&self.undo_scope(inverse), deployment, *to)
            }
            Action::Rollback {
                deployment,
                to_revision,
                ..
            } => rollout_plan::rollback(&self.undo_scope(inverse), deployment, Some(*to_revision)),
            Action::RolloutPause { deployment, pause } => {
                rollout_plan::pause(&self.undo_scope(inverse), deployment, *pause)
            }
            Action::Breaker { breaker, .. } => {
                let data = &self.model.breakers.data;
                let polled = data.last_poll.get(&BreakerSource::Actuator);
                if polled.is_none_or(|at| *at < done_at) {
                    return Err(not_polled_since("the breakers were"));
                }
                let state = |c: &crate::core::action::BreakerCall| {
                    let key = RowKey {
                        service: c.service.clone(),
                        instance: c.instance.clone(),
                        breaker: breaker.clone(),
                    };
                    data.get(&key).map(|r| r.figures.state.clone())
                };
                breaker_plan::replan_undo(inverse, state, now.unwrap_or("default"))
            }
            Action::ResetOffsets { cluster, group, .. } => {
                let snapshot = self
                    .model
                    .lag
                    .latest_group(cluster, group)
                    .ok_or_else(|| format!("no offsets of {group} in {cluster} read lately"))?;
                if snapshot.at < done_at {
                    return Err(not_polled_since(&format!("the offsets of {group} were")));
                }
                lag_plan::replan_undo(snapshot, cluster, inverse)
            }
            other => Err(format!("{} has no undo", other.verb())),
        }
    }
}
