//! What the API server and the deployment controller do to a Deployment on
//! their own: `metadata.generation` follows spec changes, (with
//! auto-rollout) the status catches up with the spec at once, and a
//! template that one of its ReplicaSets already has (a rollback) makes that
//! ReplicaSet the newest revision. A new template gets no new ReplicaSet
//! here: tests add those themselves.

use serde_json::{Value, json};

use super::resource::Res;
use super::state::Store;

const REVISION: &str = "deployment.kubernetes.io/revision";

fn revision_of(object: &Value) -> u64 {
    object["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A pod template without the `pod-template-hash` label, to compare.
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    t
}

/// The controller after a template change: when one of the deployment's
/// ReplicaSets has the new template, it becomes revision max + 1 and so
/// does the deployment.
pub fn renumber(store: &mut Store, before: &Value, after: &mut Value) {
    if before["spec"]["template"] == after["spec"]["template"] {
        return;
    }
    let ns = after["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = after["metadata"]["uid"].clone();
    let owned: Vec<Value> = store
        .list(Res::ReplicaSets, Some(&ns))
        .into_iter()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|o| o.iter().any(|r| r["uid"] == uid))
        })
        .cloned()
        .collect();
    let wanted = without_hash(&after["spec"]["template"]);
    let Some(mut matching) = owned
        .iter()
        .find(|rs| without_hash(&rs["spec"]["template"]) == wanted)
        .cloned()
    else {
        return;
    };
    let next = owned
        .iter()
        .map(revision_of)
        .max()
        .unwrap_or(0)
        .max(revision_of(before))
        + 1;
    matching["metadata"]["annotations"][REVISION] = json!(next.to_string());
    store.replace(Res::ReplicaSets, matching);
    after["metadata"]["annotations"][REVISION] = json!(next.to_string());
}

/// Defaults for a new deployment: generation 1 and, with auto-rollout, a
/// status that matches the spec.
pub fn on_create(deployment: &mut Value, auto_rollout: bool) {
    if deployment["metadata"].get("generation").is_none() {
        deployment["metadata"]["generation"] = json!(1);
    }
    if auto_rollout {
        converge(deployment);
    }
}

/// After a write: bump the generation when the spec changed, then let the
/// controller catch up if auto-rollout is on.
pub fn reconcile(before: &Value, after: &mut Value, auto_rollout: bool) {
    if before["spec"] != after["spec"] {
        let generation = before["metadata"]["generation"].as_i64().unwrap_or(1);
        after["metadata"]["generation"] = json!(generation + 1);
        if auto_rollout {
            converge(after);
        }
    }
}

/// The status of a finished rollout at the current generation.
fn converge(deployment: &mut Value) {
    let replicas = desired_replicas(deployment);
    let generation = deployment["metadata"]["generation"].clone();
    let status = &mut deployment["status"];
    status["observedGeneration"] = generation;
    for key in [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
    ] {
        status[key] = json!(replicas);
    }
    if let Some(map) = status.as_object_mut() {
        map.remove("unavailableReplicas");
    }
}

/// `spec.replicas`, which defaults to 1.
pub fn desired_replicas(deployment: &Value) -> i64 {
    deployment["spec"]["replicas"].as_i64().unwrap_or(1)
}

/// The `autoscaling/v1` Scale view of a deployment.
pub fn to_scale(deployment: &Value) -> Value {
    let meta = &deployment["metadata"];
    let selector = deployment["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|labels| {
            let mut pairs: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect();
            pairs.sort();
            pairs.join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": desired_replicas(deployment)},
        "status": {
            "replicas": deployment["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector,
        },
    })
}
