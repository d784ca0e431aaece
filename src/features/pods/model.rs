//! Deployments, pods, events and pod metrics from Kubernetes (or the demo):
//! what the Pods tab shows and what actions target.

use crate::core::clean::Clean;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// How a container last ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Termination {
    /// OOMKilled, Error, Completed, ...
    pub reason: String,
    pub exit_code: i32,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One container of a pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub ready: bool,
    pub restarts: u32,
    /// As kubectl describes it: `Running`, `Waiting: CrashLoopBackOff`, `Terminated: OOMKilled (137)`.
    pub state: String,
    pub last_termination: Option<Termination>,
    /// One line per probe, e.g. `liveness http-get :8080/actuator/health/liveness`.
    pub probes: Vec<String>,
    pub cpu_limit_millis: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
}

/// A pod as the Pods tab lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    /// The owning deployment (through its ReplicaSet), if any.
    pub deployment: Option<String>,
    /// Status as kubectl prints it: Running, CrashLoopBackOff, OOMKilled, Pending, Terminating, ...
    pub status: String,
    pub ready: u32,
    pub total: u32,
    pub restarts: u32,
    pub last_restart: Option<DateTime<Utc>>,
    pub last_termination: Option<Termination>,
    pub created: Option<DateTime<Utc>>,
    pub node: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub containers: Vec<Container>,
    /// Condition type and whether it is true (Ready, PodScheduled, ...).
    pub conditions: Vec<(String, bool)>,
}

/// A deployment and its rollout state.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    pub name: String,
    pub namespace: String,
    /// Desired replicas.
    pub replicas: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
    pub image: String,
    /// Set when the rollout is stuck: the Progressing condition's reason and message.
    pub stuck: Option<String>,
    pub selector: BTreeMap<String, String>,
    /// `deployment.kubernetes.io/revision`: the revision it runs now, if
    /// the controller has numbered it yet.
    #[serde(default)]
    pub revision: Option<u64>,
    /// The Progressing condition's reason: `NewReplicaSetAvailable`,
    /// `ReplicaSetUpdated`, `ProgressDeadlineExceeded`, ...
    #[serde(default)]
    pub progressing: Option<String>,
    #[serde(default)]
    pub paused: bool,
    /// `(container, image)` of the pod template, in spec order.
    #[serde(default)]
    pub images: Vec<(String, String)>,
    /// What a plan saw: spec changes bump the generation, any write the
    /// resourceVersion.
    #[serde(default)]
    pub generation: i64,
    #[serde(default)]
    pub resource_version: String,
}

/// One revision of a deployment: a ReplicaSet it owns.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplicaSet {
    pub name: String,
    pub namespace: String,
    /// The owning deployment (its controller reference), if any.
    pub deployment: Option<String>,
    /// `deployment.kubernetes.io/revision`; `None` when absent or not a number.
    pub revision: Option<u64>,
    /// `(container, image)` of its pod template, in spec order.
    pub images: Vec<(String, String)>,
    /// `kubernetes.io/change-cause`, when someone recorded one.
    pub change_cause: Option<String>,
    pub created: Option<DateTime<Utc>>,
    /// Desired and ready replicas.
    pub replicas: u32,
    pub ready: u32,
    /// The `pod-template-hash` label its pods carry.
    pub pod_template_hash: Option<String>,
}

/// One revision's latency and errors from Prometheus: the series of one
/// service whose version label (`pod_template_hash` by default) has this value.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RevisionMetrics {
    pub service: String,
    /// The version label's value: a pod-template-hash, or a version.
    pub version: String,
    pub p95_secs: Option<f64>,
    pub error_ratio: Option<f64>,
}

/// A Kubernetes event about an object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KubeEvent {
    pub namespace: String,
    pub object_kind: String,
    pub object_name: String,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<DateTime<Utc>>,
}

/// CPU and memory of one pod from `metrics.k8s.io`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PodMetrics {
    pub namespace: String,
    pub pod: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub at: Option<DateTime<Utc>>,
}

/// What a Kubernetes source (or the demo) reports. Lists replace; changes
/// apply on top, so a 10,000-pod cluster does not resend everything.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum KubeUpdate {
    /// Every pod in scope (after a list or relist).
    Pods(Vec<Pod>),
    PodsChanged {
        upserted: Vec<Pod>,
        deleted: Vec<(String, String)>,
    },
    Deployments(Vec<Deployment>),
    DeploymentsChanged {
        upserted: Vec<Deployment>,
        deleted: Vec<(String, String)>,
    },
    /// Every ReplicaSet in scope: the deployments' revisions.
    ReplicaSets(Vec<ReplicaSet>),
    ReplicaSetsChanged {
        upserted: Vec<ReplicaSet>,
        deleted: Vec<(String, String)>,
    },
    Events(Vec<KubeEvent>),
    /// `Err` when the metrics API is missing or refused: a note, not an error.
    Metrics(Result<Vec<PodMetrics>, String>),
    /// Per-revision p95 and error ratio; `Err`: why there are none (no
    /// Prometheus, or series without the version label).
    RevisionMetrics(Result<Vec<RevisionMetrics>, String>),
    /// The context and namespace the data is about (`all` for every namespace).
    Scope {
        context: String,
        namespace: String,
    },
    /// The contexts of the kubeconfig, for `:ctx` completion.
    Contexts(Vec<String>),
}

/// The latest deployments, pods, events and metrics, by (namespace, name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workloads {
    pub deployments: BTreeMap<(String, String), Deployment>,
    pub pods: BTreeMap<(String, String), Pod>,
    pub replica_sets: BTreeMap<(String, String), ReplicaSet>,
    pub events: Vec<KubeEvent>,
    pub metrics: BTreeMap<(String, String), PodMetrics>,
    /// The newest sample among `metrics` (the title shows its age).
    pub metrics_at: Option<DateTime<Utc>>,
    /// Why there are no metrics, when the API did not answer.
    pub metrics_note: Option<String>,
    pub revision_metrics: Vec<RevisionMetrics>,
    /// Why there are no per-revision figures.
    pub revision_note: Option<String>,
}

fn key(namespace: &str, name: &str) -> (String, String) {
    (namespace.to_string(), name.to_string())
}

/// The `(namespace, name)` of every pod a `PodsChanged` names.
pub fn changed_keys<'a>(
    upserted: &'a [Pod],
    deleted: &'a [(String, String)],
) -> impl Iterator<Item = (String, String)> + 'a {
    let upserted = upserted.iter().map(|p| key(&p.namespace, &p.name));
    upserted.chain(deleted.iter().cloned())
}

impl Workloads {
    /// Workloads holding exactly these deployments and pods.
    pub fn with(deployments: Vec<Deployment>, pods: Vec<Pod>) -> Workloads {
        let mut w = Workloads::default();
        w.apply(Clean::new(KubeUpdate::Deployments(deployments)));
        w.apply(Clean::new(KubeUpdate::Pods(pods)));
        w
    }

    pub fn apply(&mut self, update: Clean<KubeUpdate>) {
        match update.into_inner() {
            KubeUpdate::Pods(pods) => {
                self.pods = pods
                    .into_iter()
                    .map(|p| (key(&p.namespace, &p.name), p))
                    .collect();
            }
            KubeUpdate::PodsChanged { upserted, deleted } => {
                for p in upserted {
                    self.pods.insert(key(&p.namespace, &p.name), p);
                }
                for k in deleted {
                    self.pods.remove(&k);
                }
            }
            KubeUpdate::Deployments(ds) => {
                self.deployments = ds
                    .into_iter()
                    .map(|d| (key(&d.namespace, &d.name), d))
                    .collect();
            }
            KubeUpdate::DeploymentsChanged { upserted, deleted } => {
                for d in upserted {
                    self.deployments.insert(key(&d.namespace, &d.name), d);
                }
                for k in deleted {
                    self.deployments.remove(&k);
                }
            }
            KubeUpdate::ReplicaSets(all) => {
                self.replica_sets = all
                    .into_iter()
                    .map(|r| (key(&r.namespace, &r.name), r))
                    .collect();
            }
            KubeUpdate::ReplicaSetsChanged { upserted, deleted } => {
                for r in upserted {
                    self.replica_sets.insert(key(&r.namespace, &r.name), r);
                }
                for k in deleted {
                    self.replica_sets.remove(&k);
                }
            }
            KubeUpdate::Events(events) => self.events = events,
            // The shell turns these into `Update::Scope` / `Update::Contexts`.
            KubeUpdate::Scope { .. } | KubeUpdate::Contexts(_) => {}
            KubeUpdate::Metrics(Ok(ms)) => {
                self.metrics = ms
                    .into_iter()
                    .map(|m| (key(&m.namespace, &m.pod), m))
                    .collect();
                self.metrics_at = self.metrics.values().filter_map(|m| m.at).max();
                self.metrics_note = None;
            }
            KubeUpdate::RevisionMetrics(Ok(all)) => {
                self.revision_metrics = all;
                self.revision_note = None;
            }
            KubeUpdate::RevisionMetrics(Err(note)) => {
                self.revision_metrics.clear();
                self.revision_note = Some(note);
            }
            KubeUpdate::Metrics(Err(note)) => {
                self.metrics.clear();
                self.metrics_at = None;
                self.metrics_note = Some(note);
            }
        }
    }

    pub fn deployment(&self, namespace: &str, name: &str) -> Option<&Deployment> {
        self.deployments.get(&key(namespace, name))
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods.get(&key(namespace, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str) -> Pod {
        Pod {
            name: name.into(),
            namespace: "prod".into(),
            status: "Running".into(),
            ..Pod::default()
        }
    }

    #[test]
    fn lists_replace_and_changes_apply_on_top() {
        let mut w = Workloads::default();
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Pods(vec![
            pod("a"),
            pod("b"),
        ])));
        w.apply(crate::core::clean::Clean::new(KubeUpdate::PodsChanged {
            upserted: vec![
                Pod {
                    status: "OOMKilled".into(),
                    ..pod("a")
                },
                pod("c"),
            ],
            deleted: vec![("prod".into(), "b".into())],
        }));
        assert_eq!(w.pods.len(), 2);
        assert_eq!(w.pod("prod", "a").unwrap().status, "OOMKilled");
        assert!(w.pod("prod", "b").is_none());
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Pods(vec![pod(
            "z",
        )])));
        assert_eq!(w.pods.len(), 1, "a relist replaces what was there");
    }

    #[test]
    fn a_missing_metrics_api_is_a_note() {
        let mut w = Workloads::default();
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Metrics(Ok(
            vec![PodMetrics {
                namespace: "prod".into(),
                pod: "a".into(),
                cpu_millis: 5,
                ..Default::default()
            }],
        ))));
        assert_eq!(w.metrics.len(), 1);
        w.apply(crate::core::clean::Clean::new(KubeUpdate::Metrics(Err(
            "metrics.k8s.io is not served".into(),
        ))));
        assert!(w.metrics.is_empty());
        assert_eq!(
            w.metrics_note.as_deref(),
            Some("metrics.k8s.io is not served")
        );
    }
}
