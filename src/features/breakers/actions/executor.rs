//! Carries out breaker plans: `POST <actuator>/circuitbreakers/{name}` with
//! `{"updateState": ...}` on each instance in turn, directly or through the
//! pod proxy. The actuator itself has neither a permission check nor a dry
//! run (`opsdeck check` probes whether writes are allowed); through the pod
//! proxy, RBAC is asked whether the POSTs may be made.

use crate::core::action::Endpoint;
use crate::core::action::{Action, ActionPlan, BreakerCall};
use crate::core::executor::{Check, Executor};
use crate::features::breakers::data::{
    parse_update_state_reply, update_state_body, update_state_path,
};
use crate::features::breakers::source::{Transport, fetch};
use crate::shared::kube::KubeConnection;
use crate::shared::kube::access::{self, Answer};
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
                crate::features::breakers::data::resulting_state(c.update).as_str()
            ))
        }
    }
}

impl Executor for ActuatorExecutor {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let pods = proxied_pods(plan);
            if pods.is_empty() {
                return Check::Unsupported(
                    "the actuator has no permission check (opsdeck check probes writes)".into(),
                );
            }
            // One look at the link, so the check and the cluster asked agree.
            let conn = self.transport.kube_connection();
            if let Some(reason) = other_cluster(plan, conn.as_ref()) {
                return Check::Refused(reason);
            }
            let Some(conn) = conn else {
                return Check::Refused("Kubernetes is not connected".into());
            };
            pod_proxy_permission(&conn.client, &plan.action, &pods).await
        })
    }

    fn dry_run<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Unsupported("the actuator has no dry run".into()) })
    }

    fn refusal(&self, plan: &ActionPlan) -> Option<String> {
        if proxied_pods(plan).is_empty() {
            return None;
        }
        other_cluster(plan, self.transport.kube_connection().as_ref())
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

/// The `(namespace, pod)` each call reaches through the pod proxy.
fn proxied_pods(plan: &ActionPlan) -> Vec<(&str, &str)> {
    let Action::Breaker { calls, .. } = &plan.action else {
        return Vec::new();
    };
    calls
        .iter()
        .filter_map(|c| match &c.endpoint {
            Endpoint::PodProxy { namespace, pod, .. } => Some((namespace.as_str(), pod.as_str())),
            Endpoint::Url { .. } => None,
        })
        .collect()
}

/// A plan through the pod proxy names its cluster; after `:ctx` the same
/// pod names would reach another one.
fn other_cluster(plan: &ActionPlan, now: Option<&KubeConnection>) -> Option<String> {
    let now = now.map(|c| c.context.as_str());
    (now != Some(plan.target.context.as_str())).then(|| {
        format!(
            "planned in context {}, but opsdeck now watches {}: nothing was sent; plan it again",
            plan.target.context,
            now.unwrap_or("no cluster")
        )
    })
}

/// Asks RBAC the Kubernetes executor's question for a breaker change
/// (`create pods/proxy`) about each pod.
async fn pod_proxy_permission(
    client: &kube::Client,
    action: &Action,
    pods: &[(&str, &str)],
) -> Check {
    let asks = pods.iter().map(|&(namespace, pod)| async move {
        let p = access::permission(action, namespace, pod);
        (pod, p.describe(), access::review(client, &p).await)
    });
    let mut unknown = None;
    for (pod, what, answer) in futures::future::join_all(asks).await {
        match answer {
            Ok(Answer::Allowed) => {}
            Ok(Answer::Denied(reason)) if reason.is_empty() => {
                return Check::Refused(format!("forbidden: {what} ({pod})"));
            }
            Ok(Answer::Denied(reason)) => return Check::Refused(format!("forbidden: {reason}")),
            Err(e) => unknown = Some(format!("cannot check permission: {e}")),
        }
    }
    match unknown {
        Some(e) => Check::NoAnswer(e),
        None => Check::Passed(format!(
            "allowed: create pods/proxy on {} pod(s)",
            pods.len()
        )),
    }
}
