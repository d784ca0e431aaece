//! Rollback and pause/resume through the API server. A rollback reads
//! the deployment and the ReplicaSet of the target revision when it runs
//! and sends the JSON patch `kubectl rollout undo --to-revision` sends
//! (pod template and annotations replaced), preceded by a `test` of the
//! resourceVersion it just read, so a write in between fails the patch.

use crate::features::pods::source::convert::{POD_TEMPLATE_HASH, REVISION};
use crate::shared::kube::errors::{Attempt, describe};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Map, Value, json};

/// Annotations a rollback keeps from the deployment rather than taking
/// from the ReplicaSet: the controller's own bookkeeping and kubectl's
/// last-applied configuration (kubectl's `annotationsToSkip`).
const KEPT_FROM_DEPLOYMENT: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// What a rollback asks of the server.
pub struct RollbackCall<'a> {
    pub client: Client,
    pub namespace: &'a str,
    pub name: &'a str,
    pub to_revision: u64,
    /// The generation the plan saw.
    pub generation: i64,
    pub params: PatchParams,
}

/// The two operations `kubectl rollout undo` sends: the ReplicaSet's pod
/// template (as the server sent it, without `pod-template-hash`) and the
/// deployment's annotations, the bookkeeping ones kept, the others taken
/// from the ReplicaSet.
pub fn rollback_ops(deployment_annotations: &Map<String, Value>, replica_set: &Value) -> Value {
    let mut template = replica_set["spec"]["template"].clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let mut annotations = Map::new();
    for key in KEPT_FROM_DEPLOYMENT {
        if let Some(v) = deployment_annotations.get(key) {
            annotations.insert(key.into(), v.clone());
        }
    }
    if let Some(from_rs) = replica_set
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (k, v) in from_rs {
            if !KEPT_FROM_DEPLOYMENT.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
    }
    json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ])
}

/// `ops` preceded by a test that the object is still at `resource_version`.
pub fn guarded(resource_version: &str, ops: Value) -> Value {
    let mut all =
        vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": resource_version})];
    all.extend(ops.as_array().cloned().unwrap_or_default());
    Value::Array(all)
}

fn attempt<'a>(verb: &'a str, resource: &'a str, namespace: &'a str) -> Attempt<'a> {
    Attempt {
        verb,
        resource,
        namespace: Some(namespace),
    }
}

/// The ReplicaSet of revision `to` that `d` controls, as the server sent it.
async fn revision(call: &RollbackCall<'_>, d: &Deployment) -> Result<Value, String> {
    let selector = d
        .spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref())
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let resource = ApiResource::erase::<ReplicaSet>(&());
    let api: Api<DynamicObject> =
        Api::namespaced_with(call.client.clone(), call.namespace, &resource);
    let list = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| describe(&e, attempt("list", "replicasets", call.namespace)))?;
    let uid = d.metadata.uid.as_deref();
    let wanted = call.to_revision.to_string();
    list.items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid)
        })
        .find(|rs| {
            rs.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(REVISION))
                .is_some_and(|r| r.trim() == wanted)
        })
        .map(|rs| {
            let mut value = rs.data;
            value["metadata"] = json!({"annotations": rs.metadata.annotations});
            value
        })
        .ok_or_else(|| {
            format!(
                "revision {wanted} of deploy/{} no longer exists (its ReplicaSet was pruned): plan again",
                call.name
            )
        })
}

/// Rolls back (or, with `dry_run` in the params, asks the server to
/// validate it); `Ok` says what the server answered.
pub async fn rollback(call: &RollbackCall<'_>) -> Result<String, String> {
    let name = call.name;
    let api: Api<Deployment> = Api::namespaced(call.client.clone(), call.namespace);
    let d = api
        .get(name)
        .await
        .map_err(|e| describe(&e, attempt("get", "deployments", call.namespace)))?;
    let generation = d.metadata.generation.unwrap_or(0);
    if generation != call.generation {
        return Err(format!(
            "deploy/{name} changed since the plan (generation {} → {generation}): plan again",
            call.generation
        ));
    }
    if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
        return Err(format!(
            "deploy/{name} is paused: a paused deployment cannot be rolled back; :rollout resume deploy/{name} first"
        ));
    }
    let rs = revision(call, &d).await?;
    let annotations: Map<String, Value> = d
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let rv = d.metadata.resource_version.clone().unwrap_or_default();
    let body = guarded(&rv, rollback_ops(&annotations, &rs));
    let patch: Patch<()> = Patch::Json(
        serde_json::from_value(body).map_err(|e| format!("building the rollback patch: {e}"))?,
    );
    api.patch(name, &call.params, &patch).await.map_err(|e| {
        format!(
            "rollback to revision {}: {}",
            call.to_revision,
            describe(&e, attempt("patch", "deployments", call.namespace))
        )
    })?;
    Ok(if call.params.dry_run {
        format!(
            "server accepts: deploy/{name} back to revision {}",
            call.to_revision
        )
    } else {
        format!(
            "deployment.apps/{name} rolled back to revision {}",
            call.to_revision
        )
    })
}

/// The strategic merge patch of `kubectl rollout pause` / `resume`.
pub fn pause_patch(pause: bool) -> Patch<Value> {
    let value = if pause { json!(true) } else { Value::Null };
    Patch::Strategic(json!({"spec": {"paused": value}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ops_carry_the_template_without_its_hash_and_merged_annotations() {
        let deployment: Map<String, Value> = serde_json::from_value(json!({
            "deployment.kubernetes.io/revision": "14",
            "kubernetes.io/change-cause": "deploy 2.14.0",
            "team": "payments",
        }))
        .unwrap();
        let rs = json!({
            "metadata": {"annotations": {"deployment.kubernetes.io/revision": "13",
                                         "deployment.kubernetes.io/desired-replicas": "3",
                                         "kubernetes.io/change-cause": "deploy 2.13.4"}},
            "spec": {"template": {"metadata": {"labels": {"app": "p", "pod-template-hash": "5f6b7c8d9"}},
                                  "spec": {"containers": [{"name": "p", "image": "p:2.13.4"}]}}},
        });
        assert_eq!(
            rollback_ops(&deployment, &rs),
            json!([
                {"op": "replace", "path": "/spec/template",
                 "value": {"metadata": {"labels": {"app": "p"}},
                           "spec": {"containers": [{"name": "p", "image": "p:2.13.4"}]}}},
                {"op": "replace", "path": "/metadata/annotations",
                 "value": {"deployment.kubernetes.io/revision": "14",
                           "kubernetes.io/change-cause": "deploy 2.13.4"}},
            ])
        );
    }
}
