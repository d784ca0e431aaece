//! The Overview's pods signals kept up to date one deployment at a time:
//! a watched change to one pod recounts that pod's deployment, not every
//! pod of the cluster.

use super::model::{KubeUpdate, Pod, Workloads, changed_keys};
use super::summary::{Key, RestartWindow, signal, signals};
use crate::core::service::PodsSignal;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// What Kubernetes updates changed since the signals were last worked out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// A list replaced everything (or nothing was worked out yet).
    pub all: bool,
    pub pods: BTreeSet<Key>,
    pub deployments: BTreeSet<Key>,
}

impl Touched {
    pub fn note(&mut self, update: &KubeUpdate) {
        match update {
            KubeUpdate::Pods(_) | KubeUpdate::Deployments(_) => self.all = true,
            KubeUpdate::PodsChanged { upserted, deleted } => {
                self.pods.extend(changed_keys(upserted, deleted));
            }
            KubeUpdate::DeploymentsChanged { upserted, deleted } => {
                let upserted = upserted
                    .iter()
                    .map(|d| (d.namespace.clone(), d.name.clone()));
                self.deployments
                    .extend(upserted.chain(deleted.iter().cloned()));
            }
            // The signals read only pods and deployments.
            KubeUpdate::ReplicaSets(_)
            | KubeUpdate::ReplicaSetsChanged { .. }
            | KubeUpdate::Events(_)
            | KubeUpdate::Metrics(_)
            | KubeUpdate::RevisionMetrics(_)
            | KubeUpdate::Scope { .. }
            | KubeUpdate::Contexts(_) => {}
        }
    }
}

/// The indexes that say which deployments' signals to recount. The
/// signals themselves are the caller's, kept in deployment key order.
#[derive(Debug, Clone, Default)]
pub struct PodsTally {
    window: RestartWindow,
    /// The deployment each pod counts towards.
    owner: BTreeMap<Key, Key>,
    /// The pods of each deployment (by the pods' own `deployment`).
    members: BTreeMap<Key, BTreeSet<Key>>,
}

impl PodsTally {
    /// Everything worked out again: after a list, and as time passes (the
    /// windows move).
    pub fn rebuild(&mut self, w: &Workloads, now: DateTime<Utc>, out: &mut Vec<PodsSignal>) {
        self.window.observe(w, now);
        self.owner.clear();
        self.members.clear();
        for (key, pod) in &w.pods {
            self.adopt(key, pod);
        }
        *out = signals(w, &self.window, now);
    }

    /// Files the pod under its deployment; returns that deployment.
    fn adopt(&mut self, key: &Key, pod: &Pod) -> Option<Key> {
        let owner = (pod.namespace.clone(), pod.deployment.clone()?);
        let members = self.members.entry(owner.clone()).or_default();
        members.insert(key.clone());
        self.owner.insert(key.clone(), owner.clone());
        Some(owner)
    }

    /// Only what `touched` names, and the deployments of those pods
    /// (before and after the change).
    pub fn update(
        &mut self,
        w: &Workloads,
        touched: &Touched,
        now: DateTime<Utc>,
        out: &mut Vec<PodsSignal>,
    ) {
        if touched.all {
            return self.rebuild(w, now, out);
        }
        let mut recount = touched.deployments.clone();
        for key in &touched.pods {
            let pod = w.pods.get(key);
            self.window.observe_pod(key, pod, now);
            if let Some(old) = self.owner.remove(key) {
                if let Some(m) = self.members.get_mut(&old) {
                    m.remove(key);
                    if m.is_empty() {
                        self.members.remove(&old);
                    }
                }
                recount.insert(old);
            }
            if let Some(owner) = pod.and_then(|pod| self.adopt(key, pod)) {
                recount.insert(owner);
            }
        }
        for key in recount {
            let at = out.binary_search_by(|s| {
                (s.namespace.as_str(), s.deployment.as_str()).cmp(&(&key.0, &key.1))
            });
            let Some(d) = w.deployments.get(&key) else {
                if let Ok(i) = at {
                    out.remove(i);
                }
                continue;
            };
            let pods = self
                .members
                .get(&key)
                .into_iter()
                .flatten()
                .filter_map(|k| w.pods.get_key_value(k));
            let signal = signal(d, pods, &self.window, now);
            match at {
                Ok(i) => out[i] = signal,
                Err(i) => out.insert(i, signal),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::Clean;
    use crate::features::pods::model::{Deployment, Pod};
    use proptest::prelude::*;

    fn pod(name: u8, deployment: Option<u8>, restarts: u32, crash: bool) -> Pod {
        Pod {
            name: format!("p{name}"),
            namespace: format!("ns{}", name % 2),
            deployment: deployment.map(|d| format!("d{d}")),
            status: if crash { "CrashLoopBackOff" } else { "Running" }.into(),
            restarts,
            last_restart: chrono::DateTime::from_timestamp(i64::from(restarts) * 60, 0),
            ..Pod::default()
        }
    }

    fn deployment(n: u8, ns: u8, ready: u32) -> Deployment {
        Deployment {
            name: format!("d{n}"),
            namespace: format!("ns{ns}"),
            replicas: 3,
            ready,
            ..Deployment::default()
        }
    }

    fn an_update() -> impl Strategy<Value = KubeUpdate> {
        let a_pod = (0u8..16, prop::option::of(0u8..4), 0u32..5, any::<bool>())
            .prop_map(|(n, d, r, c)| pod(n, d, r, c));
        let a_deployment = (0u8..4, 0u8..2, 0u32..4).prop_map(|(n, ns, r)| deployment(n, ns, r));
        let a_key = (0u8..16).prop_map(|n| (format!("ns{}", n % 2), format!("p{n}")));
        let a_deployment_key =
            (0u8..4, 0u8..2).prop_map(|(n, ns)| (format!("ns{ns}"), format!("d{n}")));
        prop_oneof![
            1 => prop::collection::vec(a_pod.clone(), 0..12).prop_map(KubeUpdate::Pods),
            1 => prop::collection::vec(a_deployment.clone(), 0..6).prop_map(KubeUpdate::Deployments),
            6 => (prop::collection::vec(a_pod, 0..3), prop::collection::vec(a_key, 0..2))
                .prop_map(|(upserted, deleted)| KubeUpdate::PodsChanged { upserted, deleted }),
            2 => (prop::collection::vec(a_deployment, 0..2), prop::collection::vec(a_deployment_key, 0..2))
                .prop_map(|(upserted, deleted)| KubeUpdate::DeploymentsChanged { upserted, deleted }),
        ]
    }

    proptest! {
        #[test]
        fn recounting_what_changed_gives_the_signals_of_counting_everything(
            updates in prop::collection::vec(an_update(), 1..30),
        ) {
            let t0 = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(1);
            let (mut w, mut tally, mut window) = (Workloads::default(), PodsTally::default(), RestartWindow::default());
            let mut kept = Vec::new();
            tally.rebuild(&w, t0, &mut kept);
            for (i, u) in updates.into_iter().enumerate() {
                let now = t0 + chrono::Duration::seconds(i as i64 * 10);
                let mut touched = Touched::default();
                touched.note(&u);
                w.apply(Clean::new(u));
                tally.update(&w, &touched, now, &mut kept);
                window.observe(&w, now);
                prop_assert_eq!(&kept, &signals(&w, &window, now), "after update {}", i);
            }
        }
    }
}
