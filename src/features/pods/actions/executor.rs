//! Carries out Kubernetes plans: scale (the scale subresource), rollout
//! restart (the annotation patch `kubectl rollout restart` sends), delete
//! pod, rollback and pause/resume (`rollback.rs`). Each plan runs in the context and namespace it names, never
//! in whatever the UI shows now, with a permission check
//! (`SelfSubjectAccessReview`) and a server-side dry run before it.

use super::rollback;
use crate::core::action::{Action, ActionPlan};
use crate::core::executor::{Check, Executor};
use crate::shared::kube::access::{self, Answer, Permission};
use crate::shared::kube::connect::{KubeConnection, connect};
use crate::shared::kube::errors::{Attempt, describe};
use chrono::{SecondsFormat, Utc};
use futures::future::BoxFuture;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// The annotation whose change makes the deployment controller replace
/// every pod, as `kubectl rollout restart` sets it.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// Shown in `managedFields`, so the cluster records who changed what.
const FIELD_MANAGER: &str = "opsdeck";

/// The Kubernetes executor, with a client per context it has acted in.
pub struct KubeExecutor {
    base: KubeConnection,
    clients: Mutex<HashMap<String, Client>>,
}

/// What one plan does, in API terms.
struct Call<'a> {
    client: Client,
    namespace: &'a str,
    name: &'a str,
}

impl KubeExecutor {
    /// An executor that uses `conn`'s client for its context and connects
    /// to other contexts from the same kubeconfig when a plan names one.
    pub fn new(conn: &KubeConnection) -> Self {
        let clients = HashMap::from([(conn.context.clone(), conn.client.clone())]);
        KubeExecutor {
            base: conn.clone(),
            clients: Mutex::new(clients),
        }
    }

    async fn client(&self, context: &str) -> Result<Client, String> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(context) {
            return Ok(c.clone());
        }
        let mut overrides = self.base.choice.overrides.clone();
        overrides.context = Some(context.to_string());
        let conn = connect(&self.base.choice.settings, &overrides).await?;
        clients.insert(context.to_string(), conn.client.clone());
        Ok(conn.client)
    }

    async fn call<'a>(&self, plan: &'a ActionPlan) -> Result<Call<'a>, String> {
        let namespace = plan.target.namespace.as_str();
        if namespace.is_empty() || namespace == "all" {
            return Err(format!(
                "{} names no namespace; choose one first",
                plan.target
            ));
        }
        let name = match &plan.action {
            Action::Scale { deployment, .. }
            | Action::RolloutRestart { deployment }
            | Action::Rollback { deployment, .. }
            | Action::RolloutPause { deployment, .. } => deployment,
            Action::DeletePod { pod } => pod,
            Action::Breaker { .. }
            | Action::ResetOffsets { .. }
            | Action::PgSignal { .. }
            | Action::MongoKillOp { .. } => {
                return Err("not a Kubernetes action".into());
            }
        };
        Ok(Call {
            client: self.client(&plan.target.context).await?,
            namespace,
            name,
        })
    }
}

fn attempt<'a>(p: &'a Permission<'a>, resource: &'a str) -> Attempt<'a> {
    Attempt {
        verb: p.verb,
        resource,
        namespace: p.namespace,
    }
}

fn resource_of(p: &Permission<'_>) -> String {
    match p.subresource {
        Some(sub) => format!("{}/{sub}", p.resource),
        None => p.resource.to_string(),
    }
}

fn params(dry_run: bool) -> PatchParams {
    PatchParams {
        dry_run,
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    }
}

/// The strategic merge patch of `kubectl rollout restart`.
fn restart_patch(at: &str) -> Patch<serde_json::Value> {
    Patch::Strategic(json!({
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}
    }))
}

/// Does (or, with `dry_run`, asks the server to validate) the plan's
/// action; `Ok` says what the server answered, `Err` why it did not.
async fn perform_any(action: &Action, call: &Call<'_>, dry_run: bool) -> Result<String, String> {
    if let Action::Rollback {
        to_revision,
        generation,
        ..
    } = action
    {
        return rollback::rollback(&rollback::RollbackCall {
            client: call.client.clone(),
            namespace: call.namespace,
            name: call.name,
            to_revision: *to_revision,
            generation: *generation,
            params: params(dry_run),
        })
        .await;
    }
    perform(action, call, dry_run).await.map_err(|e| {
        let p = access::permission(action, call.namespace, call.name);
        describe(&e, attempt(&p, &resource_of(&p)))
    })
}

async fn perform(action: &Action, call: &Call<'_>, dry_run: bool) -> Result<String, kube::Error> {
    let Call {
        client,
        namespace,
        name,
    } = call;
    match action {
        Action::Scale { from, to, .. } => {
            let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
            let patch = Patch::Merge(json!({"spec": {"replicas": to}}));
            if dry_run {
                // What the cluster has now, which may differ from the plan.
                let now = match api.get_scale(name).await {
                    Ok(s) => s
                        .spec
                        .and_then(|s| s.replicas)
                        .map_or(*from, |r| r.max(0) as u32),
                    Err(_) => *from,
                };
                let answered = api.patch_scale(name, &params(true), &patch).await?;
                let replicas = answered.spec.and_then(|s| s.replicas).unwrap_or(0);
                Ok(format!("server accepts: replicas {now} → {replicas}"))
            } else {
                let answered = api.patch_scale(name, &params(false), &patch).await?;
                let replicas = answered.spec.and_then(|s| s.replicas).unwrap_or(0);
                Ok(format!(
                    "deployment.apps/{name} scaled to {replicas} replicas"
                ))
            }
        }
        Action::RolloutRestart { .. } => {
            let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
            let at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            let answered = api
                .patch(name, &params(dry_run), &restart_patch(&at))
                .await?;
            let replicas = answered.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            if dry_run {
                Ok(format!(
                    "server accepts: {RESTARTED_AT}={at}; {replicas} pods will be replaced"
                ))
            } else {
                Ok(format!(
                    "deployment.apps/{} restarted (generation {})",
                    answered.name_any(),
                    answered.metadata.generation.unwrap_or_default()
                ))
            }
        }
        Action::RolloutPause { pause, .. } => {
            let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
            api.patch(name, &params(dry_run), &rollback::pause_patch(*pause))
                .await?;
            let verb = if *pause { "paused" } else { "resumed" };
            if dry_run {
                Ok(format!("server accepts: deploy/{name} {verb}"))
            } else {
                Ok(format!("deployment.apps/{name} {verb}"))
            }
        }
        // Done by `perform_any`.
        Action::Rollback { .. } => Ok(String::new()),
        Action::DeletePod { .. } => {
            let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
            let params = if dry_run {
                DeleteParams::default().dry_run()
            } else {
                DeleteParams::default()
            };
            let answered = api.delete(name, &params).await?;
            let grace = answered
                .left()
                .and_then(|p| p.metadata.deletion_grace_period_seconds)
                .map(|g| format!(" (grace period {g}s)"))
                .unwrap_or_default();
            if dry_run {
                Ok(format!("server accepts: delete pod {name}{grace}"))
            } else {
                Ok(format!("pod \"{name}\" deleted{grace}"))
            }
        }
        // Never reached: `call` refuses plans that are not Kubernetes actions.
        Action::Breaker { .. }
        | Action::ResetOffsets { .. }
        | Action::PgSignal { .. }
        | Action::MongoKillOp { .. } => Ok(String::new()),
    }
}

impl Executor for KubeExecutor {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let call = match self.call(plan).await {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            let p = access::permission(&plan.action, call.namespace, call.name);
            match access::review(&call.client, &p).await {
                Ok(Answer::Allowed) => Check::Passed("allowed".into()),
                Ok(Answer::Denied(reason)) if reason.is_empty() => {
                    Check::Refused(format!("forbidden: {}", p.describe()))
                }
                Ok(Answer::Denied(reason)) => Check::Refused(format!("forbidden: {reason}")),
                Err(e) => Check::NoAnswer(format!("cannot check permission: {e}")),
            }
        })
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            let call = match self.call(plan).await {
                Ok(c) => c,
                Err(e) => return Check::Refused(e),
            };
            match perform_any(&plan.action, &call, true).await {
                Ok(text) => Check::Passed(text),
                Err(e) => Check::Refused(format!("dry run: {e}")),
            }
        })
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let call = self.call(plan).await?;
            perform_any(&plan.action, &call, false).await
        })
    }
}
