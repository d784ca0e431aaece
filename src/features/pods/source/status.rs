//! The STATUS, READY and RESTARTS columns of `kubectl get pods`, computed as
//! kubectl's printer computes them (`printPod` in
//! `pkg/printers/internalversion/printers.go`), so opsdeck never disagrees
//! with the `kubectl` an engineer runs next to it.

use super::convert::utc;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};

/// What `kubectl get pods` prints for one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub status: String,
    pub ready: u32,
    pub total: u32,
    pub restarts: u32,
    /// When the most recent counted restart ended its previous run.
    pub last_restart: Option<DateTime<Utc>>,
}

/// The pod reason the node controller sets when it loses a node.
const NODE_LOST: &str = "NodeLost";

/// The columns kubectl prints for `pod`.
pub fn print(pod: &Pod) -> Printed {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let init_specs: &[Container] = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or(&[]);
    let containers = spec.map_or(0, |s| s.containers.len());
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    let mut reason = status
        .and_then(|s| s.reason.clone())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| phase.clone());
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".into();
    }

    // Sidecars (restartable init containers) count as containers.
    let sidecars = init_specs.iter().filter(|c| is_sidecar(c)).count();
    let total = containers + sidecars;
    let mut ready = 0u32;
    let mut restarts = 0u32;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut sidecar_restarts = 0u32;
    let mut sidecar_last_restart: Option<DateTime<Utc>> = None;

    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or(&[]);
    let mut initializing = false;
    for (i, c) in init_statuses.iter().enumerate() {
        let count = count_of(c);
        restarts += count;
        later(&mut last_restart, last_finished(c));
        let sidecar = init_specs
            .iter()
            .find(|s| s.name == c.name)
            .is_some_and(is_sidecar);
        if sidecar {
            sidecar_restarts += count;
            later(&mut sidecar_last_restart, last_finished(c));
        }
        let state = c.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if sidecar && c.started == Some(true) {
            if c.ready {
                ready += 1;
            }
            continue;
        }
        initializing = true;
        reason = if let Some(t) = terminated {
            match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(signal) => format!("Init:Signal:{signal}"),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                },
            }
        } else if let Some(w) = waiting_reason.filter(|r| *r != "PodInitializing") {
            format!("Init:{w}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        break;
    }

    let initialized = conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = sidecar_last_restart;
        let mut has_running = false;
        let statuses = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or(&[]);
        // Backwards, so the first container's reason is the one shown.
        for c in statuses.iter().rev() {
            restarts += count_of(c);
            later(&mut last_restart, last_finished(c));
            let state = c.state.as_ref();
            let waiting = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .filter(|r| !r.is_empty());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(w) = waiting {
                reason = w.to_string();
            } else if let Some(t) = terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(signal) => format!("Signal:{signal}"),
                        None => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if c.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.into();
        }
    }

    let deleting = pod.metadata.deletion_timestamp.is_some();
    let terminal = phase == "Failed" || phase == "Succeeded";
    if deleting && status.and_then(|s| s.reason.as_deref()) == Some(NODE_LOST) {
        reason = "Unknown".into();
    } else if deleting && !terminal {
        reason = "Terminating".into();
    }

    Printed {
        status: reason,
        ready,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        restarts,
        last_restart: if restarts == 0 { None } else { last_restart },
    }
}

/// A native sidecar: an init container that restarts like a regular one.
fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

fn count_of(c: &ContainerStatus) -> u32 {
    u32::try_from(c.restart_count).unwrap_or(0)
}

/// When the container's previous run ended, if it ended.
fn last_finished(c: &ContainerStatus) -> Option<DateTime<Utc>> {
    c.last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
        .and_then(|t| utc(&t.0))
}

fn later(slot: &mut Option<DateTime<Utc>>, candidate: Option<DateTime<Utc>>) {
    if candidate > *slot {
        *slot = candidate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn pod(value: Value) -> Pod {
        serde_json::from_value(value).unwrap()
    }

    fn status_of(value: Value) -> String {
        print(&pod(value)).status
    }

    fn fixture() -> Pod {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kube/pod-oomkilled-crashloop.json"
        )))
        .unwrap()
    }

    /// A pod of the given containers (names c0, c1, ...) and statuses.
    fn with(phase: &str, statuses: Vec<Value>) -> Value {
        let containers: Vec<Value> = (0..statuses.len())
            .map(|i| json!({"name": format!("c{i}")}))
            .collect();
        let statuses: Vec<Value> = statuses
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| {
                s["name"] = json!(format!("c{i}"));
                s["image"] = json!("img");
                s["imageID"] = json!("");
                s
            })
            .collect();
        json!({
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": containers},
            "status": {"phase": phase, "containerStatuses": statuses},
        })
    }

    fn running(ready: bool) -> Value {
        json!({"ready": ready, "restartCount": 0, "state": {"running": {"startedAt": "2026-11-21T08:00:00Z"}}})
    }

    #[test]
    fn the_fixture_prints_as_kubectl_does() {
        let p = print(&fixture());
        assert_eq!(p.status, "CrashLoopBackOff");
        assert_eq!((p.ready, p.total, p.restarts), (1, 2, 7));
        assert_eq!(
            p.last_restart.unwrap().to_rfc3339(),
            "2026-11-21T10:07:49+00:00"
        );
    }

    #[test]
    fn waiting_and_terminated_reasons() {
        let waiting = |r: &str| json!({"ready": false, "restartCount": 3, "state": {"waiting": {"reason": r}}});
        assert_eq!(
            status_of(with("Running", vec![waiting("CrashLoopBackOff")])),
            "CrashLoopBackOff"
        );
        assert_eq!(
            status_of(with("Pending", vec![waiting("ImagePullBackOff")])),
            "ImagePullBackOff"
        );
        assert_eq!(
            status_of(with("Pending", vec![waiting("ErrImagePull")])),
            "ErrImagePull"
        );
        assert_eq!(
            status_of(with("Pending", vec![waiting("ContainerCreating")])),
            "ContainerCreating"
        );
        let terminated = |r: Option<&str>, code: i32, signal: Option<i32>| {
            let mut t = json!({"exitCode": code});
            if let Some(r) = r {
                t["reason"] = json!(r);
            }
            if let Some(s) = signal {
                t["signal"] = json!(s);
            }
            json!({"ready": false, "restartCount": 0, "state": {"terminated": t}})
        };
        assert_eq!(
            status_of(with(
                "Running",
                vec![terminated(Some("OOMKilled"), 137, None)]
            )),
            "OOMKilled"
        );
        assert_eq!(
            status_of(with("Failed", vec![terminated(Some("Error"), 1, None)])),
            "Error"
        );
        assert_eq!(
            status_of(with(
                "Succeeded",
                vec![terminated(Some("Completed"), 0, None)]
            )),
            "Completed"
        );
        assert_eq!(
            status_of(with("Failed", vec![terminated(None, 2, None)])),
            "ExitCode:2"
        );
        assert_eq!(
            status_of(with("Failed", vec![terminated(None, 0, Some(9))])),
            "Signal:9"
        );
    }

    #[test]
    fn the_first_container_with_a_reason_wins() {
        let waiting = json!({"ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}});
        let pull = json!({"ready": false, "restartCount": 2, "state": {"waiting": {"reason": "ImagePullBackOff"}}});
        let p = print(&pod(with("Running", vec![running(true), pull, waiting])));
        assert_eq!(p.status, "ImagePullBackOff");
        assert_eq!((p.ready, p.total, p.restarts), (1, 3, 3));
    }

    #[test]
    fn running_ready_counts_and_plain_phase() {
        let p = print(&pod(with("Running", vec![running(true), running(false)])));
        assert_eq!((p.status.as_str(), p.ready, p.total), ("Running", 1, 2));
        assert_eq!(p.last_restart, None);
        let pending = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Pending"}});
        let p = print(&pod(pending));
        assert_eq!((p.status.as_str(), p.ready, p.total), ("Pending", 0, 1));
    }

    #[test]
    fn completed_with_a_running_container_is_running_or_not_ready() {
        let done = json!({"ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}});
        let mut v = with("Running", vec![done.clone(), running(true)]);
        assert_eq!(status_of(v.clone()), "NotReady");
        v["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert_eq!(status_of(v), "Running");
    }

    #[test]
    fn init_containers() {
        let base = |init_statuses: Value| {
            json!({
                "metadata": {"name": "p"},
                "spec": {"initContainers": [{"name": "migrate"}, {"name": "warm"}], "containers": [{"name": "app"}]},
                "status": {"phase": "Pending", "initContainerStatuses": init_statuses,
                           "containerStatuses": [{"name": "app", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                                                  "state": {"waiting": {"reason": "PodInitializing"}}}]},
            })
        };
        let s = |name: &str, state: Value, restarts: i32| json!({"name": name, "image": "i", "imageID": "", "ready": false, "restartCount": restarts, "state": state});
        let running = json!({"running": {}});
        let done = json!({"terminated": {"exitCode": 0, "reason": "Completed"}});
        let init_wait = json!({"waiting": {"reason": "PodInitializing"}});
        assert_eq!(
            status_of(base(json!([
                s("migrate", running.clone(), 0),
                s("warm", init_wait.clone(), 0)
            ]))),
            "Init:0/2"
        );
        assert_eq!(
            status_of(base(json!([
                s("migrate", done.clone(), 0),
                s("warm", running, 0)
            ]))),
            "Init:1/2"
        );
        let crash = json!({"waiting": {"reason": "CrashLoopBackOff"}});
        let p = print(&pod(base(json!([
            s("migrate", crash, 4),
            s("warm", init_wait, 0)
        ]))));
        assert_eq!(
            (p.status.as_str(), p.restarts),
            ("Init:CrashLoopBackOff", 4)
        );
        let failed = json!({"terminated": {"exitCode": 1, "reason": "Error"}});
        assert_eq!(
            status_of(base(json!([s("migrate", failed, 0)]))),
            "Init:Error"
        );
        let failed_no_reason = json!({"terminated": {"exitCode": 3}});
        assert_eq!(
            status_of(base(json!([s("migrate", failed_no_reason, 0)]))),
            "Init:ExitCode:3"
        );
        let signalled = json!({"terminated": {"exitCode": 0, "signal": 9}});
        // Exit code 0 counts as done whatever the signal.
        assert_eq!(
            status_of(base(json!([
                s("migrate", signalled, 0),
                s("warm", done.clone(), 0)
            ]))),
            "PodInitializing"
        );
    }

    #[test]
    fn sidecars_count_as_containers() {
        let v = json!({
            "metadata": {"name": "p"},
            "spec": {"initContainers": [{"name": "proxy", "restartPolicy": "Always"}], "containers": [{"name": "app"}]},
            "status": {"phase": "Running",
                "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
                "initContainerStatuses": [{"name": "proxy", "image": "i", "imageID": "", "ready": true, "started": true, "restartCount": 2,
                    "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-21T09:00:00Z"}}}],
                "containerStatuses": [{"name": "app", "image": "i", "imageID": "", "ready": true, "restartCount": 1,
                    "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": "2026-11-21T08:00:00Z"}}}]},
        });
        let p = print(&pod(v));
        assert_eq!(
            (p.status.as_str(), p.ready, p.total, p.restarts),
            ("Running", 2, 2, 3)
        );
        assert_eq!(
            p.last_restart.unwrap().to_rfc3339(),
            "2026-11-21T09:00:00+00:00"
        );
    }

    #[test]
    fn terminating_unknown_and_gated() {
        let mut v = with("Running", vec![running(true)]);
        v["metadata"]["deletionTimestamp"] = json!("2026-11-21T10:00:00Z");
        assert_eq!(status_of(v.clone()), "Terminating");
        v["status"]["reason"] = json!("NodeLost");
        assert_eq!(status_of(v.clone()), "Unknown");
        let mut done = with(
            "Succeeded",
            vec![
                json!({"ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}),
            ],
        );
        done["metadata"]["deletionTimestamp"] = json!("2026-11-21T10:00:00Z");
        assert_eq!(
            status_of(done),
            "Completed",
            "a finished pod is not Terminating"
        );
        let gated = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}});
        assert_eq!(status_of(gated), "SchedulingGated");
        let evicted = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}});
        assert_eq!(status_of(evicted), "Evicted");
    }
}
