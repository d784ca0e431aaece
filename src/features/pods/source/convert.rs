//! Kubernetes objects (k8s-openapi types) to the plain model types the Pods
//! tab draws. Pure functions; the status columns come from `status`.

use super::quantity::{self, Nanos};
use super::status;
use crate::core::sanitize::sanitize_str_capped;
use crate::features::pods::model::{
    Container, Deployment, KubeEvent, Pod, PodMetrics, ReplicaSet, Termination,
};
use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::{Deployment as KubeDeployment, ReplicaSet as KubeReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::api::core::v1::{
    Container as KubeContainer, ContainerState, ContainerStateTerminated, ContainerStatus,
    Event as KubeEventObject, Pod as KubePod, Probe,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

/// Longest event message kept (some controllers write whole stack traces).
const MAX_MESSAGE_BYTES: usize = 2048;

/// A k8s-openapi timestamp as chrono's.
pub fn utc(ts: &Timestamp) -> Option<DateTime<Utc>> {
    let nanos = u32::try_from(ts.subsec_nanosecond()).unwrap_or(0);
    DateTime::from_timestamp(ts.as_second(), nanos)
}

/// A pod as the Pods tab lists it.
pub fn pod(p: &KubePod) -> Pod {
    let printed = status::print(p);
    let meta = &p.metadata;
    let spec = p.spec.as_ref();
    let statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or(&[]);
    let containers: Vec<Container> = spec
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|c| container(c, statuses.iter().find(|s| s.name == c.name)))
        .collect();
    let last_termination = statuses
        .iter()
        .flat_map(|s| {
            [
                terminated(s.state.as_ref()),
                terminated(s.last_state.as_ref()),
            ]
        })
        .flatten()
        .max_by_key(|t| t.finished_at.as_ref().and_then(|f| utc(&f.0)))
        .map(termination);
    let conditions = p
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[])
        .iter()
        .map(|c| (c.type_.clone(), c.status == "True"))
        .collect();
    Pod {
        name: meta.name.clone().unwrap_or_default(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        deployment: crate::shared::kube::owner_deployment(p),
        status: printed.status,
        ready: printed.ready,
        total: printed.total,
        restarts: printed.restarts,
        last_restart: printed.last_restart,
        last_termination,
        created: meta.creation_timestamp.as_ref().and_then(|t| utc(&t.0)),
        node: spec.and_then(|s| s.node_name.clone()),
        labels: meta.labels.clone().unwrap_or_default(),
        containers,
        conditions,
    }
}

fn container(spec: &KubeContainer, status: Option<&ContainerStatus>) -> Container {
    let limits = spec.resources.as_ref().and_then(|r| r.limits.as_ref());
    let limit = |key: &str| {
        limits
            .and_then(|l| l.get(key))
            .and_then(|q| quantity::parse(&q.0))
    };
    let probes = [
        ("liveness", spec.liveness_probe.as_ref()),
        ("readiness", spec.readiness_probe.as_ref()),
        ("startup", spec.startup_probe.as_ref()),
    ]
    .into_iter()
    .filter_map(|(kind, p)| p.map(|p| probe(kind, p)))
    .collect();
    Container {
        name: spec.name.clone(),
        image: spec.image.clone().unwrap_or_default(),
        ready: status.is_some_and(|s| s.ready),
        restarts: status.map_or(0, |s| u32::try_from(s.restart_count).unwrap_or(0)),
        state: status.map_or_else(|| "Waiting".to_string(), |s| state_text(s.state.as_ref())),
        last_termination: status
            .and_then(|s| terminated(s.last_state.as_ref()))
            .map(termination),
        probes,
        cpu_limit_millis: limit("cpu").map(Nanos::millis),
        memory_limit_bytes: limit("memory").map(Nanos::units),
    }
}

/// A container state as `kubectl describe` names it: `Running`,
/// `Waiting: CrashLoopBackOff`, `Terminated: OOMKilled (137)`.
fn state_text(state: Option<&ContainerState>) -> String {
    let Some(state) = state else {
        return "Waiting".into();
    };
    if let Some(t) = &state.terminated {
        return match t.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => format!("Terminated: {r} ({})", t.exit_code),
            None => format!("Terminated ({})", t.exit_code),
        };
    }
    if let Some(w) = &state.waiting {
        return match w.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => format!("Waiting: {r}"),
            None => "Waiting".into(),
        };
    }
    if state.running.is_some() {
        return "Running".into();
    }
    "Waiting".into()
}

fn terminated(state: Option<&ContainerState>) -> Option<&ContainerStateTerminated> {
    state?.terminated.as_ref()
}

fn termination(t: &ContainerStateTerminated) -> Termination {
    let reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => match t.signal.filter(|s| *s != 0) {
            Some(signal) => format!("Signal:{signal}"),
            None => format!("ExitCode:{}", t.exit_code),
        },
    };
    Termination {
        reason,
        exit_code: t.exit_code,
        finished_at: t.finished_at.as_ref().and_then(|f| utc(&f.0)),
    }
}

/// One probe as a line: `liveness http-get :8080/healthz delay=0s timeout=1s
/// period=10s #success=1 #failure=3` (the fields `kubectl describe` shows;
/// the API server fills in defaults, used here when they are absent).
fn probe(kind: &str, p: &Probe) -> String {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    let action = if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP");
        let prefix = if scheme.eq_ignore_ascii_case("HTTPS") {
            "https://"
        } else {
            ""
        };
        format!(
            "http-get {prefix}{}:{}{}",
            h.host.as_deref().unwrap_or(""),
            port(&h.port),
            h.path.as_deref().unwrap_or("/")
        )
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{}",
            t.host.as_deref().unwrap_or(""),
            port(&t.port)
        )
    } else if let Some(g) = &p.grpc {
        match g.service.as_deref().filter(|s| !s.is_empty()) {
            Some(service) => format!("grpc :{} {service}", g.port),
            None => format!("grpc :{}", g.port),
        }
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.as_deref().unwrap_or(&[]).join(" "))
    } else {
        "unknown".into()
    };
    format!(
        "{kind} {action} delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

/// The annotation the deployment controller numbers revisions with.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// What `kubectl annotate ... kubernetes.io/change-cause=...` recorded.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// The label that tells a deployment's ReplicaSets (and their pods) apart.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// The revision annotation, when present and a number.
fn revision(meta: &ObjectMeta) -> Option<u64> {
    meta.annotations
        .as_ref()?
        .get(REVISION)?
        .trim()
        .parse()
        .ok()
}

/// `(container, image)` of a pod template, in spec order.
fn template_images(template: Option<&PodTemplateSpec>) -> Vec<(String, String)> {
    template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect()
}

/// A ReplicaSet as one revision of its deployment.
pub fn replica_set(r: &KubeReplicaSet) -> ReplicaSet {
    let meta = &r.metadata;
    let count = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    let spec = r.spec.as_ref();
    let deployment = meta
        .owner_references
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .find(|o| o.controller == Some(true) && o.kind == "Deployment")
        .map(|o| o.name.clone());
    ReplicaSet {
        name: meta.name.clone().unwrap_or_default(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        deployment,
        revision: revision(meta),
        images: template_images(spec.and_then(|s| s.template.as_ref())),
        change_cause: meta
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .map(|c| clean(c)),
        created: meta.creation_timestamp.as_ref().and_then(|t| utc(&t.0)),
        // The API defaults an absent replica count to 1.
        replicas: spec.map_or(1, |s| s.replicas.map_or(1, |r| count(Some(r)))),
        ready: count(r.status.as_ref().and_then(|s| s.ready_replicas)),
        pod_template_hash: meta
            .labels
            .as_ref()
            .and_then(|l| l.get(POD_TEMPLATE_HASH))
            .cloned(),
    }
}

/// A deployment and its rollout state.
pub fn deployment(d: &KubeDeployment) -> Deployment {
    let meta = &d.metadata;
    let spec = d.spec.as_ref();
    let status = d.status.as_ref();
    let count = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    let images: Vec<&str> = spec
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| c.image.as_deref())
        .collect();
    let progressing = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[])
        .iter()
        .find(|c| c.type_ == "Progressing");
    let stuck = progressing
        .filter(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded"))
        .map(|c| match c.message.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => format!("ProgressDeadlineExceeded: {}", clean(m)),
            None => "ProgressDeadlineExceeded".to_string(),
        });
    Deployment {
        name: meta.name.clone().unwrap_or_default(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        // The API defaults an absent replica count to 1.
        replicas: spec.map_or(1, |s| s.replicas.map_or(1, |r| count(Some(r)))),
        ready: count(status.and_then(|s| s.ready_replicas)),
        updated: count(status.and_then(|s| s.updated_replicas)),
        available: count(status.and_then(|s| s.available_replicas)),
        image: images.join(", "),
        stuck,
        selector: spec
            .and_then(|s| s.selector.match_labels.clone())
            .unwrap_or_default(),
        revision: revision(meta),
        progressing: progressing.and_then(|c| c.reason.clone()),
        paused: spec.and_then(|s| s.paused).unwrap_or(false),
        images: template_images(spec.map(|s| &s.template)),
        generation: meta.generation.unwrap_or(0),
        resource_version: meta.resource_version.clone().unwrap_or_default(),
    }
}

/// A core/v1 event; its free text is made terminal-safe here.
pub fn event(e: &KubeEventObject) -> KubeEvent {
    let micro = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime>| {
        t.and_then(|t| utc(&t.0))
    };
    let time = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.and_then(|t| utc(&t.0))
    };
    let series = e.series.as_ref();
    // Newer reporters fill `series` and `eventTime`; older ones count and
    // stamp `lastTimestamp`.
    let last_seen = micro(series.and_then(|s| s.last_observed_time.as_ref()))
        .or_else(|| time(e.last_timestamp.as_ref()))
        .or_else(|| micro(e.event_time.as_ref()))
        .or_else(|| time(e.first_timestamp.as_ref()))
        .or_else(|| time(e.metadata.creation_timestamp.as_ref()));
    let count = series
        .and_then(|s| s.count)
        .or(e.count)
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(1)
        .max(1);
    let object = &e.involved_object;
    KubeEvent {
        namespace: object
            .namespace
            .clone()
            .or_else(|| e.metadata.namespace.clone())
            .unwrap_or_default(),
        object_kind: object.kind.clone().unwrap_or_default(),
        object_name: object.name.clone().unwrap_or_default(),
        warning: e.type_.as_deref() == Some("Warning"),
        reason: clean(e.reason.as_deref().unwrap_or_default()),
        message: clean(e.message.as_deref().unwrap_or_default()),
        count,
        last_seen,
    }
}

fn clean(text: &str) -> String {
    sanitize_str_capped(text, MAX_MESSAGE_BYTES).into_text()
}

/// One `metrics.k8s.io/v1beta1` PodMetrics (as raw JSON): the sum of its
/// containers' usage. `None` when it is not shaped like one.
pub fn pod_metrics(item: &Value) -> Option<PodMetrics> {
    let meta = item.get("metadata")?;
    let text = |v: &Value| v.as_str().map(str::to_string);
    let mut cpu = Nanos::default();
    let mut memory = Nanos::default();
    for c in item.get("containers")?.as_array()? {
        let usage = c.get("usage")?;
        cpu = cpu.saturating_add(quantity::parse(usage.get("cpu")?.as_str()?)?);
        memory = memory.saturating_add(quantity::parse(usage.get("memory")?.as_str()?)?);
    }
    Some(PodMetrics {
        namespace: text(meta.get("namespace")?)?,
        pod: text(meta.get("name")?)?,
        cpu_millis: cpu.millis(),
        memory_bytes: memory.units(),
        at: item
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::kube::owner_deployment;
    use serde_json::json;

    fn fixture_pod() -> KubePod {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/pod-oomkilled-crashloop.json"
        )))
        .unwrap()
    }

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn the_oomkilled_fixture_as_the_pods_tab_shows_it() {
        let p = pod(&fixture_pod());
        assert_eq!(p.name, "payment-service-7d9f8c6b5-x2k4p");
        assert_eq!(p.namespace, "production");
        assert_eq!(p.deployment.as_deref(), Some("payment-service"));
        assert_eq!(p.status, "CrashLoopBackOff");
        assert_eq!((p.ready, p.total, p.restarts), (1, 2, 7));
        assert_eq!(p.last_restart, at("2026-11-21T10:07:49Z"));
        assert_eq!(
            p.last_termination,
            Some(Termination {
                reason: "OOMKilled".into(),
                exit_code: 137,
                finished_at: at("2026-11-21T10:07:49Z"),
            })
        );
        assert_eq!(p.created, at("2026-11-21T08:14:02Z"));
        assert_eq!(p.node.as_deref(), Some("ip-10-0-12-34.ec2.internal"));
        assert_eq!(p.labels["version"], "v2.4.1");
        assert_eq!(
            p.conditions,
            [
                ("Initialized".to_string(), true),
                ("Ready".to_string(), false),
                ("ContainersReady".to_string(), false),
                ("PodScheduled".to_string(), true),
            ]
        );

        let app = &p.containers[0];
        assert_eq!(app.name, "payment-service");
        assert_eq!(app.image, "registry.example/payment-service:2.4.1");
        assert!(!app.ready);
        assert_eq!(app.restarts, 7);
        assert_eq!(app.state, "Waiting: CrashLoopBackOff");
        assert_eq!(app.last_termination.as_ref().unwrap().reason, "OOMKilled");
        assert_eq!(app.cpu_limit_millis, Some(1000));
        assert_eq!(app.memory_limit_bytes, Some(512 << 20));
        assert_eq!(
            app.probes,
            [
                "liveness http-get :8080/actuator/health/liveness delay=0s timeout=1s period=10s #success=1 #failure=3",
                "readiness http-get :8080/actuator/health/readiness delay=0s timeout=1s period=5s #success=1 #failure=3",
            ]
        );
        let proxy = &p.containers[1];
        assert_eq!((proxy.state.as_str(), proxy.ready), ("Running", true));
        assert_eq!(
            (proxy.cpu_limit_millis, proxy.memory_limit_bytes),
            (None, None)
        );
        assert!(proxy.probes.is_empty() && proxy.last_termination.is_none());
    }

    #[test]
    fn the_watch_stream_fixture_converts_line_by_line() {
        let lines: Vec<Value> = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/watch-pods-stream.jsonl"
        ))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
        let modified: KubePod = serde_json::from_value(lines[1]["object"].clone()).unwrap();
        let p = pod(&modified);
        assert_eq!(p.status, "Running");
        assert_eq!((p.ready, p.total, p.restarts), (0, 1, 1));
        assert_eq!(p.last_termination.as_ref().unwrap().reason, "Error");
        assert_eq!(p.last_termination.as_ref().unwrap().exit_code, 1);
        assert_eq!(p.deployment, None, "no owner and no pod-template-hash");
        let deleted: KubePod = serde_json::from_value(lines[3]["object"].clone()).unwrap();
        assert_eq!(pod(&deleted).status, "Succeeded");
    }

    fn owned(name: &str, owner: Option<(&str, &str)>, hash: Option<&str>) -> KubePod {
        let mut v = json!({"metadata": {"name": name, "labels": {}}});
        if let Some((kind, owner)) = owner {
            v["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": "u", "controller": true}]);
        }
        if let Some(h) = hash {
            v["metadata"]["labels"]["pod-template-hash"] = json!(h);
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn owner_deployment_names() {
        let cases = [
            (
                owned(
                    "api-7d9f8c6b5-x2k4p",
                    Some(("ReplicaSet", "api-7d9f8c6b5")),
                    Some("7d9f8c6b5"),
                ),
                Some("api"),
            ),
            (
                owned(
                    "order-service-v2-5c6d7e8f9-ab",
                    Some(("ReplicaSet", "order-service-v2-5c6d7e8f9")),
                    Some("5c6d7e8f9"),
                ),
                Some("order-service-v2"),
            ),
            // Without the label, the hash alphabet tells the suffix apart.
            (
                owned(
                    "web-6b7c8d9f4-zz9yx",
                    Some(("ReplicaSet", "web-6b7c8d9f4")),
                    None,
                ),
                Some("web"),
            ),
            (
                owned("x", Some(("ReplicaSet", "plain-replicaset")), None),
                None,
            ),
            // Without an owner reference, the label finds it in the pod name.
            (
                owned("api-7d9f8c6b5-x2k4p", None, Some("7d9f8c6b5")),
                Some("api"),
            ),
            (owned("db-0", Some(("StatefulSet", "db")), None), None),
            (owned("job-abcde", Some(("Job", "job")), None), None),
            (owned("bare", None, None), None),
        ];
        for (p, want) in cases {
            assert_eq!(
                owner_deployment(&p).as_deref(),
                want,
                "{:?}",
                p.metadata.name
            );
        }
    }

    #[test]
    fn deployments_with_a_stuck_rollout() {
        let d: KubeDeployment = serde_json::from_value(json!({
            "metadata": {"name": "payment-service", "namespace": "production"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "payment-service"}},
                     "template": {"spec": {"containers": [{"name": "a", "image": "registry.example/payment-service:2.4.1"}]}}},
            "status": {"replicas": 4, "readyReplicas": 2, "updatedReplicas": 1, "availableReplicas": 2,
                       "conditions": [
                           {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
                           {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                            "message": "ReplicaSet \"payment-service-7d9f8c6b5\" has timed out progressing."}]},
        }))
        .unwrap();
        let d = deployment(&d);
        assert_eq!((d.replicas, d.ready, d.updated, d.available), (3, 2, 1, 2));
        assert_eq!(d.image, "registry.example/payment-service:2.4.1");
        assert_eq!(
            d.stuck.as_deref(),
            Some(
                "ProgressDeadlineExceeded: ReplicaSet \"payment-service-7d9f8c6b5\" has timed out progressing."
            )
        );
        assert_eq!(d.selector["app"], "payment-service");

        let fresh: KubeDeployment = serde_json::from_value(json!({
            "metadata": {"name": "w", "namespace": "p"},
            "spec": {"selector": {}, "template": {}},
            "status": {"conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]},
        }))
        .unwrap();
        let fresh = deployment(&fresh);
        assert_eq!((fresh.replicas, fresh.ready, fresh.stuck), (1, 0, None));
    }

    #[test]
    fn events_from_the_fixture() {
        let list: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/events-warning.json"
        )))
        .unwrap();
        let events: Vec<KubeEvent> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| event(&serde_json::from_value(v.clone()).unwrap()))
            .collect();
        let e = &events[0];
        assert!(e.warning);
        assert_eq!(
            (e.object_kind.as_str(), e.object_name.as_str()),
            ("Pod", "payment-service-7d9f8c6b5-x2k4p")
        );
        assert_eq!((e.reason.as_str(), e.count), ("BackOff", 31));
        assert_eq!(e.last_seen, at("2026-11-21T10:08:02Z"));
        assert_eq!(e.namespace, "production");
        assert!(
            events[1]
                .message
                .starts_with("Readiness probe failed: Get \"http://10.0.12.77:8080")
        );
        assert_eq!(events[2].reason, "FailedScheduling");
    }

    #[test]
    fn event_series_and_hostile_messages() {
        let e: KubeEventObject = serde_json::from_value(json!({
            "metadata": {"name": "x.1", "namespace": "prod", "creationTimestamp": "2026-11-21T09:00:00Z"},
            "involvedObject": {"kind": "Pod", "name": "p"},
            "type": "Normal", "reason": "Pulled",
            "message": "pulled \u{1b}]0;pwned\u{7}image\r\u{1b}[2Jdone",
            "eventTime": "2026-11-21T10:00:00.123456Z",
            "series": {"count": 4, "lastObservedTime": "2026-11-21T10:05:00.000001Z"},
        }))
        .unwrap();
        let e = event(&e);
        assert!(!e.warning);
        assert_eq!(e.count, 4);
        assert_eq!(e.last_seen, at("2026-11-21T10:05:00.000001Z"));
        assert_eq!(
            e.namespace, "prod",
            "from the event when the object has none"
        );
        assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
        assert!(e.message.starts_with("pulled ") && e.message.ends_with("done"));

        let old: KubeEventObject = serde_json::from_value(json!({
            "metadata": {"name": "x.2", "namespace": "prod", "creationTimestamp": "2026-11-21T09:00:00Z"},
            "involvedObject": {"kind": "Node", "name": "n"},
        }))
        .unwrap();
        let old = event(&old);
        assert_eq!((old.count, old.last_seen), (1, at("2026-11-21T09:00:00Z")));
    }

    #[test]
    fn pod_metrics_sum_their_containers() {
        let m = pod_metrics(&json!({
            "metadata": {"name": "p", "namespace": "prod"},
            "timestamp": "2026-11-21T10:08:00Z", "window": "15s",
            "containers": [
                {"name": "a", "usage": {"cpu": "498m", "memory": "505Mi"}},
                {"name": "b", "usage": {"cpu": "12345678n", "memory": "123456Ki"}},
            ],
        }))
        .unwrap();
        assert_eq!(m.cpu_millis, 498 + 13);
        assert_eq!(m.memory_bytes, (505 << 20) + 123_456 * 1024);
        assert_eq!(m.at, at("2026-11-21T10:08:00Z"));
        assert_eq!(
            pod_metrics(
                &json!({"metadata": {"name": "p", "namespace": "n"}, "containers": [{"usage": {"cpu": "x"}}]})
            ),
            None
        );
    }
}
