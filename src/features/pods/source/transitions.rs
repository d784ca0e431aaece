//! Automatic Timeline entries from pod changes seen while watching: a
//! container newly OOMKilled (Crit) and a pod entering CrashLoopBackOff
//! (Warn). A pod's first sighting (the initial list, a new pod) only records
//! its state, so starting opsdeck mid-incident does not replay history.

use super::convert::utc;
use super::table::Key;
use crate::core::source::{Severity, SourceId};
use crate::core::timeline::{About, Origin, TimelineEntry};
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{ContainerStateTerminated, ContainerStatus, Pod};
use std::collections::HashMap;

/// What was last seen of one container.
#[derive(Debug, Clone, Default)]
struct Seen {
    restarts: i32,
    crash_looping: bool,
    /// Identity of the last OOM kill recorded, so the same kill seen first
    /// as the current state and then as the last state is told once.
    last_oom: Option<String>,
}

/// The containers of every pod in scope, as last seen.
#[derive(Debug, Default)]
pub struct Transitions {
    pods: HashMap<Key, HashMap<String, Seen>>,
}

impl Transitions {
    /// Records the pod and returns the entries its changes call for.
    /// `qualified` names pods as `namespace/name` (all-namespaces scope).
    pub fn observe(
        &mut self,
        pod: &Pod,
        qualified: bool,
        now: DateTime<Utc>,
    ) -> Vec<TimelineEntry> {
        let key = (
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
        );
        let label = if qualified {
            format!("{}/{}", key.0, key.1)
        } else {
            key.1.clone()
        };
        let statuses = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[]);
        let known = self.pods.contains_key(&key);
        let previous = self.pods.remove(&key).unwrap_or_default();
        let pod_restarts: i32 = statuses.iter().map(|c| c.restart_count.max(0)).sum();
        let many = statuses.len() > 1;
        let mut entries = Vec::new();
        let mut seen = HashMap::new();
        let about = About::Pod {
            namespace: key.0.as_str().into(),
            name: key.1.as_str().into(),
        };
        for c in statuses {
            let before = previous.get(&c.name).cloned().unwrap_or_default();
            let mut now_seen = Seen {
                restarts: c.restart_count,
                crash_looping: waiting_reason(c) == Some("CrashLoopBackOff"),
                last_oom: before.last_oom.clone(),
            };
            let who = if many {
                format!("pod {label} container {}", c.name)
            } else {
                format!("pod {label}")
            };
            if let Some((id, t)) = oom_kill(c, &before) {
                if known && before.last_oom.as_ref() != Some(&id) {
                    let at = t
                        .finished_at
                        .as_ref()
                        .and_then(|f| utc(&f.0))
                        .unwrap_or(now);
                    entries.push(
                        TimelineEntry::new(
                            at,
                            Severity::Crit,
                            Origin::Source(SourceId::Kubernetes),
                            format!(
                                "{who} OOMKilled (exit code {}), restarts {pod_restarts}",
                                t.exit_code
                            ),
                        )
                        .about(about.clone()),
                    );
                }
                now_seen.last_oom = Some(id);
            }
            if known && now_seen.crash_looping && !before.crash_looping {
                let last = last_exit(c)
                    .map(|t| {
                        format!(
                            " (last exit: {} {})",
                            t.reason.as_deref().unwrap_or("Error"),
                            t.exit_code
                        )
                    })
                    .unwrap_or_default();
                entries.push(
                    TimelineEntry::new(
                        now,
                        Severity::Warn,
                        Origin::Source(SourceId::Kubernetes),
                        format!("{who} in CrashLoopBackOff{last}, restarts {pod_restarts}"),
                    )
                    .about(about.clone()),
                );
            }
            seen.insert(c.name.clone(), now_seen);
        }
        self.pods.insert(key, seen);
        entries
    }

    pub fn forget(&mut self, key: &Key) {
        self.pods.remove(key);
    }

    /// After a relist: pods that are no longer listed are forgotten.
    pub fn retain(&mut self, listed: &std::collections::HashSet<Key>) {
        self.pods.retain(|k, _| listed.contains(k));
    }
}

fn waiting_reason(c: &ContainerStatus) -> Option<&str> {
    c.state.as_ref()?.waiting.as_ref()?.reason.as_deref()
}

fn last_exit(c: &ContainerStatus) -> Option<&ContainerStateTerminated> {
    c.last_state.as_ref()?.terminated.as_ref()
}

/// The container's OOM kill, if it has one that counts now: being
/// terminated OOMKilled, or having restarted since last seen after one.
fn oom_kill<'a>(
    c: &'a ContainerStatus,
    before: &Seen,
) -> Option<(String, &'a ContainerStateTerminated)> {
    let current = c
        .state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .filter(|t| t.reason.as_deref() == Some("OOMKilled"));
    let last = last_exit(c)
        .filter(|t| t.reason.as_deref() == Some("OOMKilled"))
        .filter(|_| c.restart_count > before.restarts || before.last_oom.is_none());
    let t = current.or(last)?;
    let id = match (&t.finished_at, &t.started_at) {
        (Some(f), _) => format!("finished {}", f.0),
        (None, Some(s)) => format!("started {}", s.0),
        (None, None) => format!("restart {}", c.restart_count),
    };
    Some((id, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn pod(restarts: i32, state: Value, last: Option<Value>) -> Pod {
        let mut status = json!({"name": "app", "image": "i", "imageID": "", "ready": false,
                                "restartCount": restarts, "state": state});
        if let Some(l) = last {
            status["lastState"] = json!({"terminated": l});
        }
        serde_json::from_value(json!({
            "metadata": {"name": "pay-1", "namespace": "prod"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [status]},
        }))
        .unwrap()
    }

    fn oom(finished: &str) -> Value {
        json!({"exitCode": 137, "reason": "OOMKilled", "finishedAt": finished})
    }

    fn texts(entries: &[TimelineEntry]) -> Vec<(Severity, String)> {
        entries
            .iter()
            .map(|e| (e.severity, e.text.to_string()))
            .collect()
    }

    #[test]
    fn the_first_sighting_records_without_entries() {
        let mut t = Transitions::default();
        let crash = json!({"waiting": {"reason": "CrashLoopBackOff"}});
        let first = pod(7, crash.clone(), Some(oom("2026-11-21T10:07:49Z")));
        assert!(t.observe(&first, false, Utc::now()).is_empty());
        assert!(
            t.observe(&first, false, Utc::now()).is_empty(),
            "nothing changed"
        );
    }

    #[test]
    fn an_oom_kill_then_crash_loop() {
        let mut t = Transitions::default();
        let now = Utc::now();
        let running = json!({"running": {}});
        t.observe(&pod(0, running.clone(), None), false, now);
        // The kubelet reports the kill first, then the restart.
        let killed = pod(0, json!({"terminated": oom("2026-11-21T10:07:49Z")}), None);
        let e = t.observe(&killed, false, now);
        assert_eq!(
            texts(&e),
            [(
                Severity::Crit,
                "pod pay-1 OOMKilled (exit code 137), restarts 0".to_string()
            )]
        );
        assert_eq!(e[0].at.to_rfc3339(), "2026-11-21T10:07:49+00:00");
        let restarted = pod(1, running.clone(), Some(oom("2026-11-21T10:07:49Z")));
        assert!(
            t.observe(&restarted, false, now).is_empty(),
            "the same kill is told once"
        );
        // A second kill seen only after the restart.
        let again = pod(
            2,
            json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            Some(oom("2026-11-21T10:09:00Z")),
        );
        assert_eq!(
            texts(&t.observe(&again, true, now)),
            [
                (
                    Severity::Crit,
                    "pod prod/pay-1 OOMKilled (exit code 137), restarts 2".to_string()
                ),
                (
                    Severity::Warn,
                    "pod prod/pay-1 in CrashLoopBackOff (last exit: OOMKilled 137), restarts 2"
                        .to_string()
                ),
            ]
        );
        assert!(t.observe(&again, true, now).is_empty());
    }

    #[test]
    fn an_error_exit_is_not_an_oom_and_forgotten_pods_start_over() {
        let mut t = Transitions::default();
        let now = Utc::now();
        t.observe(&pod(0, json!({"running": {}}), None), false, now);
        let error = json!({"exitCode": 1, "reason": "Error", "finishedAt": "2026-11-21T10:00:00Z"});
        let e = t.observe(
            &pod(
                1,
                json!({"waiting": {"reason": "CrashLoopBackOff"}}),
                Some(error),
            ),
            false,
            now,
        );
        assert_eq!(
            texts(&e),
            [(
                Severity::Warn,
                "pod pay-1 in CrashLoopBackOff (last exit: Error 1), restarts 1".to_string()
            )]
        );
        t.forget(&("prod".into(), "pay-1".into()));
        let killed = pod(2, json!({"running": {}}), Some(oom("2026-11-21T10:09:00Z")));
        assert!(t.observe(&killed, false, now).is_empty());
    }
}
