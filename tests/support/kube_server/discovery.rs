//! `/version`, `/api`, `/apis` and the group resource lists: enough
//! discovery for `kube`'s dynamic and discovery clients to find what this
//! server serves (typed `Api<T>` needs none of it).

use serde_json::{Value, json};

use super::metrics::MetricsApi;
use super::state::Shared;

/// The version this server claims to be.
pub const GIT_VERSION: &str = "v1.34.2";

/// `GET /version`.
pub fn version(git_version: &str) -> Value {
    json!({
        "major": "1",
        "minor": "34",
        "emulationMajor": "1",
        "emulationMinor": "34",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "33",
        "gitVersion": git_version,
        "gitCommit": "0123456789abcdef0123456789abcdef01234567",
        "gitTreeState": "clean",
        "buildDate": "2025-11-11T19:09:27Z",
        "goVersion": "go1.24.9",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `GET /api`.
pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
    })
}

fn group(name: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{name}/{version}"), "version": version});
    json!({"name": name, "versions": [gv], "preferredVersion": gv})
}

/// `GET /apis`; lists `metrics.k8s.io` only while metrics-server "is installed".
pub fn groups(shared: &Shared) -> Value {
    let mut groups = vec![group("apps", "v1"), group("authorization.k8s.io", "v1")];
    if shared.lock().metrics_api != MetricsApi::Absent {
        groups.push(group("metrics.k8s.io", "v1beta1"));
    }
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// The verbs this server implements on pods, events and deployments.
const ALL_VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// `GET /api/v1`.
pub fn core_resources() -> Value {
    json!({
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {"name": "events", "singularName": "event", "namespaced": true, "kind": "Event",
             "verbs": ALL_VERBS, "shortNames": ["ev"]},
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
             "verbs": ALL_VERBS, "shortNames": ["po"], "categories": ["all"]},
            {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
            {"name": "pods/proxy", "singularName": "", "namespaced": true, "kind": "PodProxyOptions",
             "verbs": ["create", "delete", "get", "patch", "update"]},
        ],
    })
}

/// `GET /apis/apps/v1`.
pub fn apps_resources() -> Value {
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "apps/v1",
        "resources": [
            {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
             "verbs": ALL_VERBS, "shortNames": ["deploy"], "categories": ["all"]},
            {"name": "replicasets", "singularName": "replicaset", "namespaced": true, "kind": "ReplicaSet",
             "verbs": ALL_VERBS, "shortNames": ["rs"], "categories": ["all"]},
            {"name": "deployments/scale", "singularName": "", "namespaced": true, "group": "autoscaling",
             "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]},
        ],
    })
}

/// `GET /apis/authorization.k8s.io/v1`.
pub fn authorization_resources() -> Value {
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "authorization.k8s.io/v1",
        "resources": [
            {"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
             "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"]},
        ],
    })
}
