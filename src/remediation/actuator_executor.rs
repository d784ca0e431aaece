//! Carries out breaker plans: `POST <actuator>/circuitbreakers/{name}` with
//! `{"updateState": ...}` on each instance in turn, directly or through the
//! pod proxy. The actuator has neither a permission check nor a dry run;
//! `opsdeck check` probes whether writes are allowed.

use super::executor::{Check, Executor};
use super::plan::{Action, ActionPlan, BreakerCall};
use crate::model::breakers::Endpoint;
use crate::sources::actuator_reply::{
    parse_update_state_reply, update_state_body, update_state_path,
};
use crate::sources::breakers::{Transport, fetch};
use futures::future::BoxFuture;

pub struct ActuatorExecutor {
    transport: Transport,
}

impl ActuatorExecutor {
    pub fn new(transport: Transport) -> Self {
        ActuatorExecutor { transport }
    }

    /// One call; `Ok` is the state the actuator reports afterwards.
    async fn call(&self, breaker: &str, c: &BreakerCall) -> Result<String, String> {
        let path = update_state_path("", breaker);
        let answer = self
            .transport
            .post_json(&c.endpoint, &path, update_state_body(c.update))
            .await?;
        fetch::check_status(&answer, &c.endpoint, &c.instance, "circuitbreakers")?;
        let reply = parse_update_state_reply(&answer.body).map_err(|e| e.to_string())?;
        if reply.confirms(c.update) {
            Ok(reply.current_state.as_str().to_string())
        } else {
            Err(format!(
                "answered {} instead of {}",
                reply.current_state.as_str(),
                c.update.resulting_state().as_str()
            ))
        }
    }
}

impl Executor for ActuatorExecutor {
    fn permission<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async {
            Check::Unsupported(
                "the actuator has no permission check (opsdeck check probes writes)".into(),
            )
        })
    }

    fn dry_run<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Unsupported("the actuator has no dry run".into()) })
    }

    /// A plan through the pod proxy names its cluster; after `:ctx` the same
    /// pod names would reach another one.
    fn refusal(&self, plan: &ActionPlan) -> Option<String> {
        let Action::Breaker { calls, .. } = &plan.action else {
            return None;
        };
        let proxied = calls
            .iter()
            .any(|c| matches!(c.endpoint, Endpoint::PodProxy { .. }));
        let now = self.transport.kube_context();
        (proxied && now.as_deref() != Some(plan.target.context.as_str())).then(|| {
            format!(
                "planned in context {}, but opsdeck now watches {}: nothing was sent; plan it again",
                plan.target.context,
                now.as_deref().unwrap_or("no cluster")
            )
        })
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let Action::Breaker { breaker, calls } = &plan.action else {
                return Err("the actuator executor only changes breakers".into());
            };
            // One instance at a time: a failure part-way is reported with
            // what was already done, never retried.
            let mut done = Vec::new();
            let mut failed = Vec::new();
            for c in calls {
                match self.call(breaker, c).await {
                    Ok(state) => done.push(format!("{}: {state}", c.instance)),
                    Err(e) => failed.push(format!("{}: {e}", c.instance)),
                }
            }
            if failed.is_empty() {
                Ok(format!("{breaker} {}", done.join(", ")))
            } else if done.is_empty() {
                Err(failed.join("; "))
            } else {
                Err(format!(
                    "partly done: {} — failed: {}",
                    done.join(", "),
                    failed.join("; ")
                ))
            }
        })
    }
}
