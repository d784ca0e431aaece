//! New versus old: each revision's figures (p95 and error ratio from
//! Prometheus, memory against the limit from its pods) and the verdict
//! on the running revision against the one before it.

use super::history::{self, Revision};
use super::verdict::{Figures, Verdict, verdict};
use crate::features::pods::model::{Deployment, RevisionMetrics, Workloads};
use crate::features::pods::settings::RolloutSettings;

/// The series of this revision: the deployment's service, and a version
/// equal to its pod-template-hash or to its pods' version label.
fn series<'a>(
    w: &'a Workloads,
    d: &Deployment,
    r: &Revision<'_>,
    version_label: &str,
) -> Option<&'a RevisionMetrics> {
    let pod_key = version_label.replace('_', "-");
    let versions: Vec<&str> = r
        .replica_set
        .pod_template_hash
        .as_deref()
        .into_iter()
        .chain(r.pods.iter().filter_map(|p| {
            p.labels
                .get(version_label)
                .or_else(|| p.labels.get(&pod_key))
                .map(String::as_str)
        }))
        .collect();
    w.revision_metrics
        .iter()
        .find(|m| m.service == d.name && versions.contains(&m.version.as_str()))
}

/// The pod of the revision closest to its memory limit: used over limit.
fn memory_share(w: &Workloads, r: &Revision<'_>) -> Option<f64> {
    r.pods
        .iter()
        .filter_map(|p| {
            let used = w
                .metrics
                .get(&(p.namespace.clone(), p.name.clone()))?
                .memory_bytes;
            let limit: u64 = p
                .containers
                .iter()
                .filter_map(|c| c.memory_limit_bytes)
                .sum();
            (limit > 0).then(|| used as f64 / limit as f64)
        })
        .reduce(f64::max)
}

pub fn figures(w: &Workloads, d: &Deployment, r: &Revision<'_>, version_label: &str) -> Figures {
    let s = series(w, d, r, version_label);
    Figures {
        revision: r.replica_set.revision,
        images: r.images_short(),
        error_ratio: s.and_then(|s| s.error_ratio),
        p95_secs: s.and_then(|s| s.p95_secs),
        memory_share: memory_share(w, r),
    }
}

/// The verdict on the deployment's running revision, against the newest
/// older one; `None` without a revision history.
pub fn judge(w: &Workloads, d: &Deployment, settings: &RolloutSettings) -> Option<Verdict> {
    let revisions = history::history(w, &d.namespace, &d.name);
    let current = revisions
        .iter()
        .find(|r| r.replica_set.revision.is_some() && r.replica_set.revision == d.revision)?;
    let previous = history::previous(&revisions, d.revision)
        .and_then(|p| revisions.iter().find(|r| r.replica_set.revision == Some(p)));
    let label = &settings.version_label;
    let new = figures(w, d, current, label);
    let old = previous.map(|r| figures(w, d, r, label));
    Some(verdict(
        &new,
        old.as_ref(),
        &settings.thresholds_for(&d.name),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::Clean;
    use crate::features::pods::model::{Container, KubeUpdate, Pod, PodMetrics, ReplicaSet};

    fn workloads() -> Workloads {
        let d = Deployment {
            name: "payment-service".into(),
            namespace: "production".into(),
            revision: Some(14),
            ..Deployment::default()
        };
        let rs = |revision: u64, hash: &str, tag: &str| ReplicaSet {
            name: format!("payment-service-{hash}"),
            namespace: "production".into(),
            deployment: Some("payment-service".into()),
            revision: Some(revision),
            images: vec![(
                "app".into(),
                format!("registry.example/payment-service:{tag}"),
            )],
            pod_template_hash: Some(hash.into()),
            ..ReplicaSet::default()
        };
        let pod = Pod {
            name: "payment-service-7d9f8c6b5-x2k4p".into(),
            namespace: "production".into(),
            deployment: Some("payment-service".into()),
            labels: [("pod-template-hash".to_string(), "7d9f8c6b5".to_string())].into(),
            containers: vec![Container {
                memory_limit_bytes: Some(512 << 20),
                ..Container::default()
            }],
            ..Pod::default()
        };
        let mut w = Workloads::with(vec![d], vec![pod]);
        w.apply(Clean::new(KubeUpdate::ReplicaSets(vec![
            rs(14, "7d9f8c6b5", "2.14.0"),
            rs(13, "5f6b7c8d9", "2.13.4"),
        ])));
        w.apply(Clean::new(KubeUpdate::Metrics(Ok(vec![PodMetrics {
            namespace: "production".into(),
            pod: "payment-service-7d9f8c6b5-x2k4p".into(),
            memory_bytes: 256 << 20,
            ..PodMetrics::default()
        }]))));
        w
    }

    fn series(version: &str, p95: f64, errors: f64) -> RevisionMetrics {
        RevisionMetrics {
            service: "payment-service".into(),
            version: version.into(),
            p95_secs: Some(p95),
            error_ratio: Some(errors),
        }
    }

    #[test]
    fn the_running_revision_is_judged_against_the_one_before() {
        let mut w = workloads();
        w.apply(Clean::new(KubeUpdate::RevisionMetrics(Ok(vec![
            series("7d9f8c6b5", 0.4, 0.094),
            series("5f6b7c8d9", 0.2, 0.001),
        ]))));
        let d = w
            .deployment("production", "payment-service")
            .unwrap()
            .clone();
        assert_eq!(
            judge(&w, &d, &RolloutSettings::default()),
            Some(Verdict::Advised(
                "rollback advised: error ratio 9.4% > 5% on revision 14 (payment-service:2.14.0) vs 0.1% on revision 13".into()
            ))
        );
    }

    #[test]
    fn without_series_only_memory_is_judged() {
        let w = workloads();
        let d = w
            .deployment("production", "payment-service")
            .unwrap()
            .clone();
        let Some(Verdict::Within(text)) = judge(&w, &d, &RolloutSettings::default()) else {
            panic!("memory at 50% is within 80%")
        };
        assert!(
            text.starts_with("no rollback advised: revision 14"),
            "{text}"
        );
    }
}
