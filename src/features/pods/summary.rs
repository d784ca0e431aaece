//! What the Overview needs of the Pods tab: one `PodsSignal` per
//! deployment, with restarts counted over a 15-minute window.

use super::model::{Deployment, Pod, Workloads};
use crate::core::service::{Condition, PodsSignal};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, VecDeque};

/// How far back restarts are counted.
pub const RESTART_WINDOW_MINUTES: i64 = 15;
/// An OOMKill this recent keeps the deployment crit.
const OOM_RECENT_MINUTES: i64 = 15;

/// A pod's restart count at the times it was seen to change.
type Samples = VecDeque<(DateTime<Utc>, u32)>;

/// Each pod's restart count as seen over the window, so restarts are
/// counted as they happen rather than over a pod's whole life.
#[derive(Debug, Clone, Default)]
pub struct RestartWindow {
    seen: BTreeMap<Key, Samples>,
}

/// `(namespace, name)` of a pod or a deployment.
pub type Key = (String, String);

impl RestartWindow {
    /// Notes every pod's count at `now`; forgets pods that are gone.
    pub fn observe(&mut self, w: &Workloads, now: DateTime<Utc>) {
        self.seen.retain(|k, _| w.pods.contains_key(k));
        for (key, pod) in &w.pods {
            self.observe_pod(key, Some(pod), now);
        }
    }

    /// Notes one pod's count at `now` (`None`: it is gone).
    pub fn observe_pod(&mut self, key: &Key, pod: Option<&Pod>, now: DateTime<Utc>) {
        let Some(pod) = pod else {
            self.seen.remove(key);
            return;
        };
        let cutoff = now - Duration::minutes(RESTART_WINDOW_MINUTES);
        let samples = match self.seen.get_mut(key) {
            Some(samples) => samples,
            None => self.seen.entry(key.clone()).or_default(),
        };
        if samples.back().is_none_or(|(_, n)| *n != pod.restarts) {
            samples.push_back((now, pod.restarts));
        }
        // Keep the newest sample at or before the cutoff as the baseline.
        while samples.len() > 1 && samples.get(1).is_some_and(|(at, _)| *at <= cutoff) {
            samples.pop_front();
        }
    }

    /// Restarts of one pod within the window.
    fn restarts(&self, key: &Key) -> u32 {
        match self.seen.get(key) {
            Some(s) => match (s.front(), s.back()) {
                (Some((_, first)), Some((_, last))) => last.saturating_sub(*first),
                _ => 0,
            },
            None => 0,
        }
    }
}

/// One signal per deployment.
pub fn signals(w: &Workloads, window: &RestartWindow, now: DateTime<Utc>) -> Vec<PodsSignal> {
    let mut pods: BTreeMap<Key, Vec<(&Key, &Pod)>> = BTreeMap::new();
    for (key, pod) in &w.pods {
        if let Some(deployment) = &pod.deployment {
            let owner = (pod.namespace.clone(), deployment.clone());
            pods.entry(owner).or_default().push((key, pod));
        }
    }
    w.deployments
        .iter()
        .map(|(key, d)| {
            let members = pods.get(key).map(Vec::as_slice).unwrap_or_default();
            signal(d, members.iter().copied(), window, now)
        })
        .collect()
}

/// One deployment's signal from its pods.
pub fn signal<'a>(
    d: &Deployment,
    pods: impl Iterator<Item = (&'a Key, &'a Pod)>,
    window: &RestartWindow,
    now: DateTime<Utc>,
) -> PodsSignal {
    let mut s = PodsSignal {
        namespace: d.namespace.clone(),
        deployment: d.name.clone(),
        labels: d.selector.clone(),
        desired: d.replicas,
        ready: d.ready,
        ..PodsSignal::default()
    };
    let recent = now - Duration::minutes(OOM_RECENT_MINUTES);
    for (key, pod) in pods {
        s.restarts += window.restarts(key);
        let terminations = pod.last_termination.iter().chain(
            pod.containers
                .iter()
                .filter_map(|c| c.last_termination.as_ref()),
        );
        for t in terminations {
            if t.reason == "OOMKilled"
                && let Some(at) = t.finished_at.filter(|at| *at >= recent)
            {
                s.oom_killed = s.oom_killed.max(Some(at));
            }
        }
        if pod.status.contains("CrashLoopBackOff") {
            s.crash_looping = true;
            s.since = min_time(s.since, pod.last_restart);
        }
    }
    s.condition = if s.crash_looping || s.oom_killed.is_some() || (s.ready == 0 && s.desired > 0) {
        Condition::Crit
    } else if s.ready < s.desired {
        Condition::Warn
    } else {
        Condition::Ok
    };
    s.since = min_time(s.since, s.oom_killed);
    s
}

fn min_time(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::pods::model::{Deployment, Pod, Termination};

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(1000 + min)
    }

    fn world(restarts: u32, status: &str, oom: Option<DateTime<Utc>>) -> Workloads {
        Workloads::with(
            vec![Deployment {
                name: "pay".into(),
                namespace: "prod".into(),
                replicas: 2,
                ready: 1,
                ..Deployment::default()
            }],
            vec![Pod {
                name: "pay-1".into(),
                namespace: "prod".into(),
                deployment: Some("pay".into()),
                status: status.into(),
                restarts,
                last_termination: oom.map(|at| Termination {
                    reason: "OOMKilled".into(),
                    exit_code: 137,
                    finished_at: Some(at),
                }),
                ..Pod::default()
            }],
        )
    }

    #[test]
    fn restarts_count_only_what_happened_in_the_window() {
        let mut window = RestartWindow::default();
        // 40 restarts before opsdeck saw the pod do not count.
        window.observe(&world(40, "Running", None), at(0));
        let s = signals(&world(40, "Running", None), &window, at(0));
        assert_eq!(s[0].restarts, 0);
        assert_eq!(s[0].condition, Condition::Warn, "1 of 2 ready");
        window.observe(&world(43, "Running", None), at(5));
        assert_eq!(
            signals(&world(43, "Running", None), &window, at(5))[0].restarts,
            3
        );
        // 20 minutes on, the three restarts left the window.
        window.observe(&world(43, "Running", None), at(25));
        assert_eq!(
            signals(&world(43, "Running", None), &window, at(25))[0].restarts,
            0
        );
    }

    #[test]
    fn a_recent_oomkill_or_crash_loop_is_crit_with_its_time() {
        let window = RestartWindow::default();
        let s = &signals(&world(1, "Running", Some(at(-2))), &window, at(0))[0];
        assert_eq!((s.condition, s.oom_killed), (Condition::Crit, Some(at(-2))));
        assert_eq!(s.since, Some(at(-2)));
        let old = &signals(&world(1, "Running", Some(at(-60))), &window, at(0))[0];
        assert_eq!((old.condition, old.oom_killed), (Condition::Warn, None));
        let s = &signals(&world(1, "CrashLoopBackOff", None), &window, at(0))[0];
        assert!(s.crash_looping);
        assert_eq!(s.condition, Condition::Crit);
    }
}
