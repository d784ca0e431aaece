//! The `metrics.k8s.io/v1beta1` aggregated API that metrics-server adds:
//! PodMetrics the test sets, or its absence.

use axum::http::Method;
use serde_json::{Value, json};

use super::authz::Access;
use super::resource::Res;
use super::routes::{self, Call, Reply};
use super::selector::Selectors;
use super::state::{Shared, Store};
use super::status;
use super::time;

/// Whether the metrics API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsApi {
    /// metrics-server installed and healthy.
    Available,
    /// Not installed: the group is not in discovery and its paths are 404.
    Absent,
    /// Registered but its backend is down: 503, as the aggregator answers.
    Unavailable,
}

impl Store {
    /// Sets the usage of a pod's containers as `(container, cpu, memory)`
    /// quantities (`"250m"`, `"312Mi"`); labels are copied from the pod when
    /// it exists, so `labelSelector` works as on a real server.
    pub fn set_pod_metrics(&mut self, ns: &str, pod: &str, containers: &[(&str, &str, &str)]) {
        let labels = self
            .get(Res::Pods, ns, pod)
            .map_or_else(|| json!({}), |p| p["metadata"]["labels"].clone());
        let containers: Vec<Value> = containers
            .iter()
            .map(|(name, cpu, memory)| json!({"name": name, "usage": {"cpu": cpu, "memory": memory}}))
            .collect();
        let now = time::now();
        let metrics = json!({
            "metadata": {"name": pod, "namespace": ns, "creationTimestamp": now, "labels": labels},
            "timestamp": now,
            "window": "15s",
            "containers": containers,
        });
        self.metrics
            .insert((ns.to_string(), pod.to_string()), metrics);
    }
}

/// Serves `/apis/metrics.k8s.io/{rest}`.
pub fn handle(shared: &Shared, call: &Call, rest: &[&str]) -> Reply {
    match shared.lock().metrics_api {
        MetricsApi::Available => {}
        MetricsApi::Absent => return Err(status::no_such_path()),
        MetricsApi::Unavailable => {
            return Err(status::service_unavailable(
                "the server is currently unable to handle the request",
            ));
        }
    }
    if call.method != Method::GET {
        return Err(status::method_not_allowed());
    }
    let (ns, name) = match rest {
        [] => return Ok(routes::ok(&group())),
        ["v1beta1"] => return Ok(routes::ok(&resources())),
        ["v1beta1", "pods"] => (None, None),
        ["v1beta1", "namespaces", ns, "pods"] => (Some(*ns), None),
        ["v1beta1", "namespaces", ns, "pods", name] => (Some(*ns), Some(*name)),
        _ => return Err(status::no_such_path()),
    };
    let access = Access {
        verb: if name.is_some() { "get" } else { "list" },
        group: "metrics.k8s.io",
        plural: "pods",
        sub: None,
        namespace: ns,
    };
    shared.authorize(Res::PodMetrics, &access, name.unwrap_or(""))?;
    let store = shared.lock();
    if let (Some(ns), Some(name)) = (ns, name) {
        let mut metrics = store
            .metrics
            .get(&(ns.to_string(), name.to_string()))
            .ok_or_else(|| status::not_found(Res::PodMetrics, name))?
            .clone();
        metrics["kind"] = json!("PodMetrics");
        metrics["apiVersion"] = json!("metrics.k8s.io/v1beta1");
        return Ok(routes::ok(&metrics));
    }
    let selectors = Selectors::parse(
        Res::PodMetrics,
        call.query.get("labelSelector"),
        call.query.get("fieldSelector"),
    )?;
    let items: Vec<&Value> = store
        .metrics
        .iter()
        .filter(|((n, _), _)| ns.is_none_or(|ns| ns == n))
        .map(|(_, metrics)| metrics)
        .filter(|metrics| selectors.matches(metrics))
        .collect();
    Ok(routes::ok(&json!({
        "kind": "PodMetricsList",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {},
        "items": items,
    })))
}

fn group() -> Value {
    let version = json!({"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"});
    json!({
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": "metrics.k8s.io",
        "versions": [version],
        "preferredVersion": version,
    })
}

fn resources() -> Value {
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "metrics.k8s.io/v1beta1",
        "resources": [
            {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
            {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
        ],
    })
}
