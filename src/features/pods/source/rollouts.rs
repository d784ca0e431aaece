//! Timeline entries for rollouts, from the watched deployments and their
//! ReplicaSets: started (revision, images), stalled
//! (ProgressDeadlineExceeded), complete, paused, resumed, rolled back.
//! Only changes count: the first sight of a deployment says nothing.

use crate::core::source::{Severity, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use crate::features::pods::model::{Deployment, ReplicaSet};
use crate::features::pods::rollout::history::short_images;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

type Key = (String, String);

/// What was last seen of each deployment and ReplicaSet of a scope.
#[derive(Debug, Default)]
pub struct Rollouts {
    deployments: HashMap<Key, Deployment>,
    replica_sets: HashMap<Key, ReplicaSet>,
    /// A ReplicaSet's revision before the controller renumbered it: a
    /// rollback brings an old ReplicaSet back as the newest revision.
    renumbered: HashMap<Key, u64>,
}

impl Rollouts {
    pub fn replica_set(&mut self, key: Key, r: &ReplicaSet) {
        if let Some(old) = self.replica_sets.get(&key).and_then(|o| o.revision)
            && r.revision.is_some_and(|new| new > old)
        {
            self.renumbered.insert(key.clone(), old);
        }
        self.replica_sets.insert(key, r.clone());
    }

    pub fn forget_replica_set(&mut self, key: &Key) {
        self.replica_sets.remove(key);
        self.renumbered.remove(key);
    }

    pub fn forget_deployment(&mut self, key: &Key) {
        self.deployments.remove(key);
    }

    /// The revision whose template `after` went back to, if its new
    /// revision is a rollback: an older ReplicaSet with the same images.
    fn rolled_back_from(&self, before: u64, after: &Deployment) -> Option<u64> {
        self.replica_sets
            .iter()
            .filter(|(_, r)| {
                r.namespace == after.namespace
                    && r.deployment.as_deref() == Some(after.name.as_str())
                    && r.images == after.images
            })
            .filter_map(|(key, r)| self.renumbered.get(key).copied().or(r.revision))
            .filter(|r| *r < before)
            .max()
    }

    /// Entries for what changed since `d` was last seen.
    pub fn deployment(
        &mut self,
        key: Key,
        d: &Deployment,
        at: DateTime<Utc>,
    ) -> Vec<TimelineEntry> {
        let before = self.deployments.insert(key, d.clone());
        let Some(before) = before else {
            return Vec::new();
        };
        let name = &d.name;
        let images = short_images(&d.images);
        let revision = d.revision.map_or_else(|| "?".into(), |r| r.to_string());
        let mut out = Vec::new();
        match (before.revision, d.revision) {
            (Some(old), Some(new)) if new != old => match self.rolled_back_from(old, d) {
                Some(to) => out.push((
                    Severity::Warn,
                    format!(
                        "deploy/{name} rolled back from revision {old} to revision {to}'s template ({images}), now revision {new}"
                    ),
                )),
                None => out.push((
                    Severity::Info,
                    format!("rollout of deploy/{name} started: revision {new} ({images})"),
                )),
            },
            _ => {}
        }
        if before.paused != d.paused {
            let verb = if d.paused { "paused" } else { "resumed" };
            out.push((Severity::Info, format!("rollout of deploy/{name} {verb}")));
        }
        let reason = d.progressing.as_deref();
        if reason != before.progressing.as_deref() {
            match reason {
                Some("ProgressDeadlineExceeded") => out.push((
                    Severity::Crit,
                    format!(
                        "rollout of deploy/{name} stalled (ProgressDeadlineExceeded): revision {revision} ({images}), {}/{} ready",
                        d.ready, d.replicas
                    ),
                )),
                Some("NewReplicaSetAvailable") if before.progressing.is_some() => out.push((
                    Severity::Info,
                    format!(
                        "rollout of deploy/{name} complete: revision {revision} ({images}), {}/{} ready",
                        d.ready, d.replicas
                    ),
                )),
                _ => {}
            }
        }
        out.into_iter()
            .map(|(severity, text)| {
                TimelineEntry::new(at, severity, Origin::Source(SourceId::Kubernetes), text).about(
                    About::Deployment {
                        namespace: d.namespace.as_str().into(),
                        name: d.name.as_str().into(),
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Key {
        ("production".into(), name.into())
    }

    fn deployment(revision: u64, tag: &str, reason: &str) -> Deployment {
        Deployment {
            name: "payment-service".into(),
            namespace: "production".into(),
            replicas: 3,
            ready: 3,
            revision: Some(revision),
            progressing: Some(reason.into()),
            images: vec![(
                "app".into(),
                format!("registry.example/payment-service:{tag}"),
            )],
            ..Deployment::default()
        }
    }

    fn rs(name: &str, revision: u64, tag: &str) -> ReplicaSet {
        ReplicaSet {
            name: name.into(),
            namespace: "production".into(),
            deployment: Some("payment-service".into()),
            revision: Some(revision),
            images: vec![(
                "app".into(),
                format!("registry.example/payment-service:{tag}"),
            )],
            ..ReplicaSet::default()
        }
    }

    fn texts(entries: &[TimelineEntry]) -> Vec<(Severity, String)> {
        entries
            .iter()
            .map(|e| (e.severity, e.text.to_string()))
            .collect()
    }

    #[test]
    fn a_rollout_starts_stalls_is_paused_and_rolled_back() {
        let mut r = Rollouts::default();
        let at = Utc::now();
        let k = key("payment-service");
        r.replica_set(
            key("payment-service-a"),
            &rs("payment-service-a", 13, "2.13.4"),
        );
        assert!(
            r.deployment(
                k.clone(),
                &deployment(13, "2.13.4", "NewReplicaSetAvailable"),
                at
            )
            .is_empty(),
            "first sight"
        );
        let started = r.deployment(
            k.clone(),
            &deployment(14, "2.14.0", "ReplicaSetUpdated"),
            at,
        );
        assert_eq!(
            texts(&started),
            [(
                Severity::Info,
                "rollout of deploy/payment-service started: revision 14 (payment-service:2.14.0)"
                    .to_string()
            )]
        );
        assert_eq!(
            started[0].about,
            Some(About::Deployment {
                namespace: "production".into(),
                name: "payment-service".into()
            })
        );
        let mut stalled = deployment(14, "2.14.0", "ProgressDeadlineExceeded");
        stalled.ready = 1;
        assert_eq!(
            texts(&r.deployment(k.clone(), &stalled, at)),
            [(Severity::Crit, "rollout of deploy/payment-service stalled (ProgressDeadlineExceeded): revision 14 (payment-service:2.14.0), 1/3 ready".to_string())]
        );
        stalled.paused = true;
        assert_eq!(
            texts(&r.deployment(k.clone(), &stalled, at))[0].1,
            "rollout of deploy/payment-service paused"
        );
        stalled.paused = false;
        assert_eq!(
            texts(&r.deployment(k.clone(), &stalled, at))[0].1,
            "rollout of deploy/payment-service resumed"
        );
        // The controller renumbers revision 13's ReplicaSet to 15 first.
        r.replica_set(
            key("payment-service-a"),
            &rs("payment-service-a", 15, "2.13.4"),
        );
        assert_eq!(
            texts(&r.deployment(k.clone(), &deployment(15, "2.13.4", "ReplicaSetUpdated"), at)),
            [(Severity::Warn, "deploy/payment-service rolled back from revision 14 to revision 13's template (payment-service:2.13.4), now revision 15".to_string())]
        );
        assert_eq!(
            texts(&r.deployment(k, &deployment(15, "2.13.4", "NewReplicaSetAvailable"), at)),
            [(Severity::Info, "rollout of deploy/payment-service complete: revision 15 (payment-service:2.13.4), 3/3 ready".to_string())]
        );
    }
}
