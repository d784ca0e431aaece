//! The revision history of a deployment, read from the ReplicaSets it owns
//! and the pods that carry each one's `pod-template-hash`.

use crate::features::pods::model::{Deployment, Pod, ReplicaSet, Workloads};
use chrono::{DateTime, Duration, Utc};

/// One revision and the pods that run it now.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision<'a> {
    pub replica_set: &'a ReplicaSet,
    pub pods: Vec<&'a Pod>,
}

impl Revision<'_> {
    pub fn restarts(&self) -> u32 {
        self.pods.iter().map(|p| p.restarts).sum()
    }

    /// Containers whose last termination was an OOMKill.
    pub fn oom_kills(&self) -> usize {
        self.pods
            .iter()
            .flat_map(|p| &p.containers)
            .filter(|c| {
                c.last_termination
                    .as_ref()
                    .is_some_and(|t| t.reason == "OOMKilled")
                    || c.state.contains("OOMKilled")
            })
            .count()
    }

    /// `payment-service:2.14.0`: the images without their registry.
    pub fn images_short(&self) -> String {
        short_images(&self.replica_set.images)
    }
}

/// `registry.example/payment-service:2.14.0` → `payment-service:2.14.0`,
/// for each container, joined.
pub fn short_images(images: &[(String, String)]) -> String {
    images
        .iter()
        .map(|(_, image)| short_image(image))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn short_image(image: &str) -> &str {
    image.rsplit('/').next().unwrap_or(image)
}

/// The deployment's revisions, newest first; ReplicaSets without a
/// revision annotation come last, by name.
pub fn history<'a>(w: &'a Workloads, namespace: &str, deployment: &str) -> Vec<Revision<'a>> {
    let mut sets: Vec<&ReplicaSet> = w
        .replica_sets
        .values()
        .filter(|r| r.namespace == namespace && r.deployment.as_deref() == Some(deployment))
        .collect();
    sets.sort_by(|a, b| {
        b.revision
            .is_some()
            .cmp(&a.revision.is_some())
            .then(b.revision.cmp(&a.revision))
            .then(a.name.cmp(&b.name))
    });
    sets.into_iter()
        .map(|r| Revision {
            replica_set: r,
            pods: pods_of(w, r),
        })
        .collect()
}

/// Pods of this ReplicaSet: same namespace and deployment, same
/// `pod-template-hash`. A ReplicaSet without the label has none.
pub fn pods_of<'a>(w: &'a Workloads, r: &ReplicaSet) -> Vec<&'a Pod> {
    let Some(hash) = r.pod_template_hash.as_deref() else {
        return Vec::new();
    };
    w.pods
        .values()
        .filter(|p| {
            p.namespace == r.namespace
                && p.deployment == r.deployment
                && p.labels.get("pod-template-hash").map(String::as_str) == Some(hash)
        })
        .collect()
}

/// The revision a plain rollback goes to: the newest one older than the
/// deployment's current revision (what `kubectl rollout undo` picks).
pub fn previous(history: &[Revision<'_>], current: Option<u64>) -> Option<u64> {
    let current = current.or_else(|| history.first()?.replica_set.revision)?;
    history
        .iter()
        .filter_map(|r| r.replica_set.revision)
        .filter(|r| *r < current)
        .max()
}

/// How long the current revision's rollout has run, while it has not
/// finished (`None` once the Progressing reason is NewReplicaSetAvailable
/// or nothing says when it began).
pub fn running_for(w: &Workloads, d: &Deployment, now: DateTime<Utc>) -> Option<Duration> {
    if d.progressing.as_deref() == Some("NewReplicaSetAvailable") {
        return None;
    }
    let revision = d.revision?;
    let started = w
        .replica_sets
        .values()
        .find(|r| {
            r.namespace == d.namespace
                && r.deployment.as_deref() == Some(d.name.as_str())
                && r.revision == Some(revision)
        })?
        .created?;
    Some(now - started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::Clean;
    use crate::features::pods::model::{Container, KubeUpdate, Termination};
    use crate::features::pods::source::convert;
    use k8s_openapi::api::apps::v1::{Deployment as KubeDeployment, ReplicaSet as KubeReplicaSet};

    fn fixture_workloads() -> Workloads {
        let list: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/replicasets-payment-service.json"
        )))
        .unwrap();
        let sets = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                convert::replica_set(&serde_json::from_value::<KubeReplicaSet>(v.clone()).unwrap())
            })
            .collect();
        let d: KubeDeployment = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/deployment-payment-service-rollout.json"
        )))
        .unwrap();
        let pod = |name: &str, hash: &str, oom: bool| Pod {
            name: name.into(),
            namespace: "production".into(),
            deployment: Some("payment-service".into()),
            restarts: if oom { 7 } else { 0 },
            labels: [("pod-template-hash".to_string(), hash.to_string())].into(),
            containers: vec![Container {
                last_termination: oom.then(|| Termination {
                    reason: "OOMKilled".into(),
                    exit_code: 137,
                    finished_at: None,
                }),
                ..Container::default()
            }],
            ..Pod::default()
        };
        let mut w = Workloads::with(
            vec![convert::deployment(&d)],
            vec![
                pod("payment-service-5f6b7c8d9-aaaaa", "5f6b7c8d9", false),
                pod("payment-service-7d9f8c6b5-x2k4p", "7d9f8c6b5", true),
                pod("payment-service-7d9f8c6b5-q8r7s", "7d9f8c6b5", false),
            ],
        );
        w.apply(Clean::new(KubeUpdate::ReplicaSets(sets)));
        w
    }

    #[test]
    fn the_fixtures_history_is_newest_first_with_its_pods() {
        let w = fixture_workloads();
        let h = history(&w, "production", "payment-service");
        let revisions: Vec<_> = h.iter().map(|r| r.replica_set.revision).collect();
        assert_eq!(revisions, [Some(14), Some(13)]);
        let new = &h[0];
        assert_eq!(new.images_short(), "payment-service:2.14.0, envoy:1.30.2");
        assert_eq!(
            new.replica_set.change_cause.as_deref(),
            Some("deploy payment-service 2.14.0 (pipeline #8812)")
        );
        assert_eq!((new.replica_set.replicas, new.replica_set.ready), (2, 1));
        assert_eq!(new.pods.len(), 2);
        assert_eq!((new.restarts(), new.oom_kills()), (7, 1));
        assert_eq!(h[1].pods.len(), 1);
        assert_eq!((h[1].restarts(), h[1].oom_kills()), (0, 0));
        assert_eq!(previous(&h, Some(14)), Some(13));
        assert_eq!(previous(&h, Some(13)), None);
    }

    #[test]
    fn the_deployment_fixture_reports_its_rollout_state() {
        let w = fixture_workloads();
        let d = w.deployment("production", "payment-service").unwrap();
        assert_eq!(d.revision, Some(14));
        assert_eq!(d.progressing.as_deref(), Some("ProgressDeadlineExceeded"));
        assert!(!d.paused);
        assert_eq!(d.generation, 21);
        assert_eq!(d.resource_version, "48213377");
        assert_eq!(
            d.images[0],
            (
                "payment-service".to_string(),
                "registry.example/payment-service:2.14.0".to_string()
            )
        );
        let created = w
            .replica_sets
            .values()
            .find(|r| r.revision == Some(14))
            .unwrap()
            .created
            .unwrap();
        let now = created + Duration::minutes(42);
        assert_eq!(running_for(&w, d, now), Some(Duration::minutes(42)));
        let done = Deployment {
            progressing: Some("NewReplicaSetAvailable".into()),
            ..d.clone()
        };
        assert_eq!(running_for(&w, &done, now), None, "a finished rollout");
    }

    #[test]
    fn no_revision_annotations_and_a_replica_set_without_pods() {
        let rs: KubeReplicaSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "legacy-6b7c8d9f4", "namespace": "production",
                         "labels": {"pod-template-hash": "6b7c8d9f4"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "legacy", "uid": "u", "controller": true}]},
            "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "a", "image": "legacy:1"}]}}},
        }))
        .unwrap();
        let unnumbered = convert::replica_set(&rs);
        assert_eq!(unnumbered.revision, None);
        assert_eq!(unnumbered.replicas, 1, "the API's default");
        let mut w = Workloads::default();
        w.apply(Clean::new(KubeUpdate::ReplicaSets(vec![unnumbered])));
        let h = history(&w, "production", "legacy");
        assert_eq!(h.len(), 1);
        assert!(h[0].pods.is_empty(), "a ReplicaSet with no pods");
        assert_eq!(previous(&h, None), None, "nothing to roll back to");
        let d = Deployment {
            name: "legacy".into(),
            namespace: "production".into(),
            ..Deployment::default()
        };
        assert_eq!(running_for(&w, &d, Utc::now()), None);
    }
}
