//! The live Kubernetes source against the test API server, driven only
//! through `connect` and `spawn`: every update it sends is applied to a
//! `Model`, and the assertions are on what the Pods tab would show.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::core::health::Badge;
use opsdeck::core::source::{Severity, SourceId};
use opsdeck::features::pods::model::KubeUpdate;
use opsdeck::features::pods::source::{KubeCommand, KubeHandle, spawn};
use opsdeck::model::Model;
use opsdeck::shared::kube::KubeOverrides;
use opsdeck::shared::kube::connect;
use opsdeck::shared::kube::settings::KubeSettings;
use opsdeck::update::Update;
use serde_json::{Value, json};
use std::time::Duration;
use support::kube_server::{KubeTestServer, MetricsApi, TOKEN};
use tempfile::TempDir;

const NS: &str = "production";
const OOM_POD: &str = "payment-service-7d9f8c6b5-x2k4p";
/// Generous: CI machines are slow and shared. Never a timing assertion.
const DEADLINE: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> Value {
    let text = match name {
        "pod-oomkilled-crashloop" => include_str!("fixtures/kube/pod-oomkilled-crashloop.json"),
        "events-warning" => include_str!("fixtures/kube/events-warning.json"),
        "deployment-payment-service-rollout" => {
            include_str!("fixtures/kube/deployment-payment-service-rollout.json")
        }
        "replicasets-payment-service" => {
            include_str!("fixtures/kube/replicasets-payment-service.json")
        }
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// A running single-container pod of deployment `app`.
fn pod(ns: &str, name: &str, app: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns, "labels": {"app": app, "pod-template-hash": "5c6d7e8f9"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5c6d7e8f9"),
                                          "uid": "u-1", "controller": true}]},
        "spec": {"nodeName": "node-1", "containers": [{"name": app, "image": format!("registry.example/{app}:1.0"),
                 "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": app, "image": format!("registry.example/{app}:1.0"), "imageID": "", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-11-21T07:00:09Z"}}}]},
    })
}

fn deployment(ns: &str, name: &str, replicas: i64) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": format!("registry.example/{name}:2.4.1")}]}}},
    })
}

/// The source running against a test server, and the model it feeds.
struct Live {
    server: KubeTestServer,
    model: Model,
    updates: Vec<Update>,
    rx: opsdeck::transport::UpdateRx,
    handle: KubeHandle,
    /// The connection the source publishes for logs and breakers.
    link: opsdeck::shared::kube::ConnectionLink,
    _dir: TempDir,
}

async fn start(setup: impl FnOnce(&KubeTestServer)) -> Live {
    let server = KubeTestServer::start().await;
    setup(&server);
    let dir = tempfile::tempdir().unwrap();
    let path = server.write_kubeconfig(dir.path(), NS);
    start_with(server, dir, path, KubeOverrides::default()).await
}

async fn start_with(
    server: KubeTestServer,
    dir: TempDir,
    kubeconfig: std::path::PathBuf,
    overrides: KubeOverrides,
) -> Live {
    let settings = KubeSettings {
        metrics_interval_secs: 1,
        ..KubeSettings::default()
    };
    let overrides = KubeOverrides {
        kubeconfig: Some(kubeconfig),
        ..overrides
    };
    let conn = connect(&settings, &overrides).await.unwrap();
    let (tx, rx) = opsdeck::transport::channel(64, 100_000);
    let (link_tx, link) = tokio::sync::watch::channel(None);
    let handle = spawn(conn, &settings, opsdeck::transport::outbox(&tx), link_tx);
    Live {
        server,
        model: Model::default(),
        updates: Vec::new(),
        rx,
        handle,
        link,
        _dir: dir,
    }
}

impl Live {
    /// Applies updates until `done` holds for the model; fails the test
    /// after the deadline, saying what it waited for.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !done(&self.model) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(u)) => {
                    self.updates.push(u.clone());
                    self.model.apply(u);
                }
                Ok(None) => panic!("the source stopped while waiting for {what}"),
                Err(_) => panic!(
                    "no {what} within {DEADLINE:?}; model pods: {:?}; health: {:?}",
                    self.model.pods.data.pods.keys().collect::<Vec<_>>(),
                    self.model.health.get(SourceId::Kubernetes)
                ),
            }
        }
    }

    fn pod(&self, name: &str) -> Option<&opsdeck::features::pods::model::Pod> {
        self.model.pods.data.pod(NS, name)
    }

    fn timeline(&self) -> Vec<(Severity, String)> {
        self.model
            .timeline
            .entries()
            .iter()
            .map(|e| (e.severity, e.text.to_string()))
            .collect()
    }

    fn health_error(&self) -> Option<String> {
        self.model
            .health
            .get(SourceId::Kubernetes)
            .and_then(|h| h.last.error.clone())
    }

    fn full_pod_lists(&self) -> usize {
        self.updates
            .iter()
            .filter(|u| matches!(u, Update::Kube(k) if matches!(**k, KubeUpdate::Pods(_))))
            .count()
    }
}

fn oom_killed(restarts: i64, finished: &str, waiting: Option<&str>) -> impl FnOnce(&mut Value) {
    let finished = finished.to_string();
    let waiting = waiting.map(str::to_string);
    move |p: &mut Value| {
        let s = &mut p["status"]["containerStatuses"][0];
        s["restartCount"] = json!(restarts);
        s["ready"] = json!(waiting.is_none());
        s["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                               "startedAt": "2026-11-21T07:00:09Z", "finishedAt": finished}});
        s["state"] = match waiting {
            Some(reason) => json!({"waiting": {"reason": reason}}),
            None => json!({"running": {"startedAt": finished}}),
        };
    }
}

#[tokio::test]
async fn pods_appear_change_and_disappear() {
    let mut live = start(|s| {
        s.add_deployment(deployment(NS, "payment-service", 3));
        s.add_deployment(deployment(NS, "order-service", 2));
        s.add_pod(fixture("pod-oomkilled-crashloop"));
        s.add_pod(pod(NS, "order-service-5c6d7e8f9-abcde", "order-service"));
        for item in fixture("events-warning")["items"].as_array().unwrap() {
            s.add_event(item.clone());
        }
    })
    .await;
    live.until("both pods, both deployments and the events", |m| {
        m.pods.data.pods.len() == 2
            && m.pods.data.deployments.len() == 2
            && m.pods.data.events.len() == 3
    })
    .await;
    assert_eq!(live.model.context.as_deref(), Some("test"));
    assert_eq!(live.model.namespace.as_deref(), Some(NS));

    let crashing = live.pod(OOM_POD).unwrap();
    assert_eq!(crashing.status, "CrashLoopBackOff");
    assert_eq!(
        (crashing.ready, crashing.total, crashing.restarts),
        (1, 2, 7)
    );
    assert_eq!(crashing.deployment.as_deref(), Some("payment-service"));
    assert_eq!(
        crashing.last_termination.as_ref().unwrap().reason,
        "OOMKilled"
    );
    let payment = live
        .model
        .pods
        .data
        .deployment(NS, "payment-service")
        .unwrap();
    assert_eq!((payment.replicas, payment.ready), (3, 3));
    let events = &live.model.pods.data.events;
    assert_eq!(events[0].reason, "BackOff", "newest first");
    assert!(events.iter().all(|e| e.warning));
    assert!(
        live.timeline().is_empty(),
        "the initial list is history, not news"
    );

    // The container is OOMKilled and restarts.
    let name = "order-service-5c6d7e8f9-abcde";
    live.server
        .update_pod(NS, name, oom_killed(1, "2026-11-21T10:07:49Z", None));
    live.until("the OOM kill", |m| {
        m.pods.data.pod(NS, name).unwrap().restarts == 1
    })
    .await;
    let p = live.pod(name).unwrap();
    assert_eq!(p.status, "Running");
    assert_eq!(p.last_termination.as_ref().unwrap().reason, "OOMKilled");
    assert_eq!(p.last_termination.as_ref().unwrap().exit_code, 137);
    live.until("the Timeline entry", |m| !m.timeline.is_empty())
        .await;
    assert_eq!(
        live.timeline(),
        [(
            Severity::Crit,
            format!("pod {name} OOMKilled (exit code 137), restarts 1")
        )]
    );

    // It crashes again and backs off.
    live.server.update_pod(
        NS,
        name,
        oom_killed(2, "2026-11-21T10:09:00Z", Some("CrashLoopBackOff")),
    );
    live.until("CrashLoopBackOff", |m| {
        m.pods.data.pod(NS, name).unwrap().status == "CrashLoopBackOff"
    })
    .await;
    live.until("two more entries", |m| m.timeline.len() == 3)
        .await;
    let timeline = live.timeline();
    assert_eq!(timeline[1].0, Severity::Crit);
    assert_eq!(
        timeline[2],
        (
            Severity::Warn,
            format!("pod {name} in CrashLoopBackOff (last exit: OOMKilled 137), restarts 2")
        )
    );

    live.server.delete_pod(NS, name);
    live.until("the pod to go", |m| m.pods.data.pod(NS, name).is_none())
        .await;
    assert!(live.pod(OOM_POD).is_some());
    assert_eq!(
        live.full_pod_lists(),
        1,
        "changes never resend the whole list"
    );

    // Health: reported, healthy.
    live.until("a health report", |m| {
        m.health.get(SourceId::Kubernetes).is_some()
    })
    .await;
    assert_eq!(live.health_error(), None);
    assert_eq!(
        live.model.health.badges(chrono::Utc::now())[0],
        (SourceId::Kubernetes, Badge::Ok)
    );

    // A namespaced scope needs no cluster-scoped call (RBAC for one
    // namespace is enough), and no token ever reaches an update.
    for r in live.server.requests() {
        assert!(
            r.path == "/version" || r.path.contains(&format!("/namespaces/{NS}/")),
            "cluster-scoped call {} {}",
            r.method,
            r.path
        );
        assert!(
            !r.is_mutating(),
            "the source changed something: {} {}",
            r.method,
            r.path
        );
    }
    assert!(!format!("{:?}", live.updates).contains(TOKEN));
}

#[tokio::test]
async fn an_expired_watch_relists_without_losing_the_table() {
    let mut live = start(|s| {
        for name in ["a", "b", "c"] {
            s.add_pod(pod(NS, name, "web"));
        }
    })
    .await;
    live.until("three pods", |m| m.pods.data.pods.len() == 3)
        .await;
    // The watch must be open for the expiry to reach it.
    let watching = |s: &KubeTestServer| {
        s.requests()
            .iter()
            .any(|r| r.path.ends_with("/pods") && r.query_param("watch").as_deref() == Some("true"))
    };
    for _ in 0..300 {
        if watching(&live.server) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(watching(&live.server), "the pod watch never started");

    // The relist takes longer than the source's coalescing (50 ms), so a
    // table emptied when the relist starts would be sent and seen.
    live.server.set_read_delay(Some(Duration::from_millis(400)));
    live.server.expire_watches();
    live.server.add_pod(pod(NS, "d", "web"));
    live.server
        .update_pod(NS, "a", |p| p["status"]["phase"] = json!("Failed"));
    live.until("the relist", |m| {
        m.pods.data.pods.len() == 4 && m.pods.data.pod(NS, "a").unwrap().status == "Failed"
    })
    .await;
    assert!(live.full_pod_lists() >= 1);
    let lists = live
        .server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/pods") && r.query_param("watch").is_none())
        .count();
    assert!(lists >= 2, "a relist happened ({lists} lists)");

    // Replaying what was sent: once the table had its three pods it never
    // showed fewer, through the expiry and the relist.
    let mut replay = Model::default();
    let mut filled = false;
    for u in &live.updates {
        replay.apply(u.clone());
        let n = replay.pods.data.pods.len();
        filled |= n >= 3;
        assert!(
            !filled || n >= 3,
            "the table shrank to {n} pods during the relist"
        );
    }
    assert!(filled, "the table never had its pods");
    assert_eq!(
        live.health_error(),
        None,
        "an expired watch is not an error"
    );
}

#[tokio::test]
async fn a_forbidden_namespace_is_a_health_error_and_the_rest_is_shown() {
    let mut live = start(|s| {
        s.add_pod(pod(NS, "a", "web"));
        s.add_deployment(deployment(NS, "web", 1));
        s.forbid("list", "pods", NS);
    })
    .await;
    live.until("a health error", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .is_some_and(|h| h.last.error.is_some())
    })
    .await;
    let error = live.health_error().unwrap();
    assert!(
        error.starts_with("forbidden: list pods in production ("),
        "{error}"
    );
    assert!(
        error.contains("User \"test-user\" cannot list resource \"pods\" in API group \"\" in the namespace \"production\""),
        "{error}"
    );
    live.until("the deployments anyway", |m| {
        m.pods.data.deployments.len() == 1
    })
    .await;
    assert!(live.model.pods.data.pods.is_empty());

    // Access granted: the badge recovers and the pods arrive.
    live.server.allow_all();
    live.until("the pods after the fix", |m| m.pods.data.pods.len() == 1)
        .await;
    live.until("a healthy report", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .is_some_and(|h| h.last.error.is_none())
    })
    .await;
}

/// The API server dies and comes back with the same data (etcd keeps it):
/// the watches resume where they were, and the deployments and events
/// watches, whose objects did not change, get nothing new to say. The
/// badge must clear anyway, once they are connected again.
#[tokio::test]
async fn the_badge_recovers_after_the_api_server_restarts() {
    let server = KubeTestServer::start().await;
    server.add_pod(pod(NS, "a", "web"));
    server.add_deployment(deployment(NS, "web", 1));
    for item in fixture("events-warning")["items"].as_array().unwrap() {
        server.add_event(item.clone());
    }
    let mut api = support::forwarder::Forwarder::start(server.addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    let yaml = server
        .kubeconfig_yaml(NS)
        .replace(&server.base_url(), &format!("http://{}", api.addr()));
    std::fs::write(&path, yaml).unwrap();
    let mut live = start_with(server, dir, path, KubeOverrides::default()).await;
    live.until("the lists and a healthy report", |m| {
        m.pods.data.pods.len() == 1
            && m.pods.data.deployments.len() == 1
            && m.health
                .get(SourceId::Kubernetes)
                .is_some_and(|h| h.last.error.is_none())
    })
    .await;

    api.shut().await;
    live.until("the outage on the badge", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .is_some_and(|h| h.last.error.is_some())
    })
    .await;

    api.open().await;
    // Pods flow again, as they did live (restart counts moving).
    live.server.update_pod(NS, "a", |p| {
        p["status"]["containerStatuses"][0]["restartCount"] = json!(1);
    });
    live.until("the pod change after the restart", |m| {
        m.pods.data.pod(NS, "a").is_some_and(|p| p.restarts == 1)
    })
    .await;
    live.until("the badge healthy again", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .is_some_and(|h| h.last.error.is_none())
    })
    .await;
}

#[tokio::test]
async fn metrics_present_then_absent() {
    let mut live = start(|s| {
        s.add_pod(fixture("pod-oomkilled-crashloop"));
        s.set_pod_metrics(
            NS,
            OOM_POD,
            &[
                ("payment-service", "498m", "505Mi"),
                ("istio-proxy", "12345678n", "48Mi"),
            ],
        );
    })
    .await;
    live.until("metrics", |m| !m.pods.data.metrics.is_empty())
        .await;
    let m = &live.model.pods.data.metrics[&(NS.to_string(), OOM_POD.to_string())];
    assert_eq!(m.cpu_millis, 498 + 13);
    assert_eq!(m.memory_bytes, (505 + 48) << 20);
    assert_eq!(live.model.pods.data.metrics_note, None);

    live.server.set_metrics_api(MetricsApi::Absent);
    live.until("the note", |m| m.pods.data.metrics_note.is_some())
        .await;
    assert_eq!(
        live.model.pods.data.metrics_note.as_deref(),
        Some("metrics API not available (metrics-server not installed?)")
    );
    assert!(live.model.pods.data.metrics.is_empty());
    assert_eq!(
        live.health_error(),
        None,
        "missing metrics are a note, not an error"
    );

    live.server.set_metrics_api(MetricsApi::Unavailable);
    live.until("the unavailable note", |m| {
        m.pods
            .data
            .metrics_note
            .as_deref()
            .is_some_and(|n| n.starts_with("metrics API unavailable"))
    })
    .await;
}

#[tokio::test]
async fn a_malformed_object_is_skipped_and_the_rest_shown() {
    let mut live = start(|s| {
        s.add_pod(pod(NS, "good-1", "web"));
        let mut bad = pod(NS, "bad-1", "web");
        bad["status"]["containerStatuses"][0]["restartCount"] = json!("seven");
        s.add_pod(bad);
        s.add_pod(pod(NS, "good-2", "web"));
    })
    .await;
    live.until("the good pods", |m| m.pods.data.pods.len() == 2)
        .await;
    assert!(live.pod("bad-1").is_none());

    let mut bad = pod(NS, "bad-2", "web");
    bad["spec"]["containers"] = json!("not a list");
    live.server.add_pod(bad);
    live.server.add_pod(pod(NS, "good-3", "web"));
    live.until("the next good pod", |m| {
        m.pods.data.pod(NS, "good-3").is_some()
    })
    .await;
    assert!(live.pod("bad-2").is_none());
    assert_eq!(live.model.pods.data.pods.len(), 3);
    assert_eq!(live.health_error(), None, "one bad object is not an outage");
}

#[tokio::test]
async fn switching_namespace_restarts_the_watchers_in_the_new_scope() {
    let mut live = start(|s| {
        s.add_pod(pod(NS, "prod-a", "web"));
        s.add_pod(pod("staging", "stage-a", "web"));
        s.add_pod(pod("staging", "stage-b", "web"));
    })
    .await;
    live.until("production", |m| m.pods.data.pods.len() == 1)
        .await;

    live.handle
        .commands
        .send(KubeCommand::SetNamespace(Some("staging".into())))
        .await
        .unwrap();
    live.until("staging", |m| {
        m.namespace.as_deref() == Some("staging") && m.pods.data.pods.len() == 2
    })
    .await;
    assert!(live.model.pods.data.pod("staging", "stage-a").is_some());
    assert!(live.model.pods.data.pod(NS, "prod-a").is_none());

    live.handle
        .commands
        .send(KubeCommand::SetNamespace(None))
        .await
        .unwrap();
    live.until("all namespaces", |m| {
        m.namespace.as_deref() == Some("all") && m.pods.data.pods.len() == 3
    })
    .await;
}

#[tokio::test]
async fn switching_context_connects_to_the_other_cluster() {
    let other = KubeTestServer::start().await;
    other.add_pod(pod("staging", "other-a", "web"));
    let server = KubeTestServer::start().await;
    server.add_pod(pod(NS, "prod-a", "web"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1
kind: Config
clusters:
- {{name: one, cluster: {{server: {}}}}}
- {{name: two, cluster: {{server: {}}}}}
users:
- {{name: u, user: {{token: {TOKEN}}}}}
contexts:
- {{name: prod-eu, context: {{cluster: one, user: u, namespace: production}}}}
- {{name: staging-eu, context: {{cluster: two, user: u, namespace: staging}}}}
current-context: prod-eu
",
            server.base_url(),
            other.base_url()
        ),
    )
    .unwrap();
    let mut live = start_with(server, dir, path.clone(), KubeOverrides::default()).await;
    live.until("prod-eu", |m| m.pods.data.pods.len() == 1).await;
    assert_eq!(live.model.context.as_deref(), Some("prod-eu"));
    let contexts = opsdeck::shared::kube::list_contexts(
        &KubeSettings::default(),
        &KubeOverrides {
            kubeconfig: Some(path),
            ..KubeOverrides::default()
        },
    );
    assert_eq!(contexts, ["prod-eu", "staging-eu"]);

    live.handle
        .commands
        .send(KubeCommand::SetContext("staging-eu".into()))
        .await
        .unwrap();
    live.until("the other cluster", |m| {
        m.context.as_deref() == Some("staging-eu")
            && m.namespace.as_deref() == Some("staging")
            && m.pods.data.pod("staging", "other-a").is_some()
    })
    .await;
    assert_eq!(
        live.model.pods.data.pods.len(),
        1,
        "nothing of the old cluster is left"
    );
    let published = live.link.borrow().clone().unwrap();
    assert_eq!(
        (published.context.as_str(), published.namespace.as_deref()),
        ("staging-eu", Some("staging")),
        "logs and breakers follow the switch"
    );

    live.handle
        .commands
        .send(KubeCommand::SetContext("nope".into()))
        .await
        .unwrap();
    live.until("the refusal", |m| {
        m.timeline
            .entries()
            .iter()
            .any(|e| e.text.starts_with("cannot switch to context nope"))
    })
    .await;
    assert_eq!(live.model.context.as_deref(), Some("staging-eu"));
    drop(other);
}

#[tokio::test]
async fn connect_errors_say_what_to_fix() {
    let server = KubeTestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = server.write_kubeconfig(dir.path(), NS);
    let settings = KubeSettings::default();
    let with = |context: Option<&str>, namespace: Option<&str>, all: bool| KubeOverrides {
        kubeconfig: Some(path.clone()),
        context: context.map(str::to_string),
        namespace: namespace.map(str::to_string),
        all_namespaces: all,
    };
    let err = connect(&settings, &with(Some("prod"), None, false))
        .await
        .unwrap_err();
    assert!(
        err.contains("context \"prod\" is not in") && err.contains("(contexts: test)"),
        "{err}"
    );
    let missing = KubeOverrides {
        kubeconfig: Some(dir.path().join("nope")),
        ..KubeOverrides::default()
    };
    let err = connect(&settings, &missing).await.unwrap_err();
    assert!(
        err.starts_with(&format!("kubeconfig {}", dir.path().join("nope").display())),
        "{err}"
    );

    let conn = connect(&settings, &with(None, None, false)).await.unwrap();
    assert_eq!(
        (conn.context.as_str(), conn.namespace.as_deref()),
        ("test", Some(NS))
    );
    let conn = connect(&settings, &with(None, Some("staging"), false))
        .await
        .unwrap();
    assert_eq!(conn.namespace.as_deref(), Some("staging"));
    let conn = connect(&settings, &with(None, None, true)).await.unwrap();
    assert_eq!(conn.namespace, None);
    let from_settings = KubeSettings {
        namespace: Some("payments".into()),
        ..KubeSettings::default()
    };
    let conn = connect(&from_settings, &with(None, None, false))
        .await
        .unwrap();
    assert_eq!(conn.namespace.as_deref(), Some("payments"));
    assert!(!format!("{conn:?}").contains(TOKEN));
}

#[tokio::test]
async fn probe_reports_the_server_the_context_and_what_rbac_allows() {
    let server = KubeTestServer::start().await;
    server.forbid("patch", "deployments/scale", NS);
    server.set_metrics_api(MetricsApi::Absent);
    let dir = tempfile::tempdir().unwrap();
    let overrides = KubeOverrides {
        kubeconfig: Some(server.write_kubeconfig(dir.path(), NS)),
        ..KubeOverrides::default()
    };
    let rows = opsdeck::features::pods::source::probe(&KubeSettings::default(), &overrides).await;
    let table: Vec<(&str, bool, &str)> = rows
        .iter()
        .map(|r| (r.check.as_str(), r.ok, r.detail.as_str()))
        .collect();
    assert_eq!(table[0], ("context", true, "test (namespace production)"));
    assert_eq!(table[1], ("api server", true, "v1.34.2 answered"));
    assert!(
        table.contains(&("list pods in production", true, "allowed")),
        "{table:#?}"
    );
    assert!(
        table.contains(&("watch pods in production", true, "allowed")),
        "{table:#?}"
    );
    assert!(
        table.contains(&("list replicasets in production", true, "allowed")),
        "the rollout history needs them: {table:#?}"
    );
    assert!(table.contains(&(
        "patch deployments/scale in production",
        false,
        "forbidden: User \"test-user\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"production\""
    )));
    assert_eq!(
        table.last(),
        Some(&(
            "metrics API",
            false,
            "metrics API not available (metrics-server not installed?)"
        ))
    );
    assert!(
        server.requests().iter().all(|r| !r.is_mutating()),
        "probing changes nothing"
    );

    // A server that is gone: the context loads, the API server row says why.
    let closed_port = support::closed_port::ClosedPort::new();
    let closed = closed_port.addr();
    let path = dir.path().join("gone");
    std::fs::write(
        &path,
        server
            .kubeconfig_yaml(NS)
            .replace(&server.base_url(), &format!("http://{closed}")),
    )
    .unwrap();
    let gone = KubeOverrides {
        kubeconfig: Some(path),
        ..KubeOverrides::default()
    };
    let rows = opsdeck::features::pods::source::probe(&KubeSettings::default(), &gone).await;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows[0].ok);
    assert!(!rows[1].ok);
    assert!(
        rows[1].detail.starts_with("cannot reach the API server: ")
            && rows[1].detail.contains("Connection refused"),
        "{}",
        rows[1].detail
    );
}

#[tokio::test]
async fn a_failing_relist_keeps_the_last_data() {
    let mut live = start(|s| {
        s.add_pod(pod(NS, "a", "web"));
        s.add_pod(pod(NS, "b", "web"));
    })
    .await;
    live.until("the pods", |m| m.pods.data.pods.len() == 2)
        .await;
    for _ in 0..300 {
        let watching = live.server.requests().iter().any(|r| {
            r.path.ends_with("/pods") && r.query_param("watch").as_deref() == Some("true")
        });
        if watching {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // RBAC changes under us, then the watch expires: the relist fails.
    live.server.forbid("list", "pods", NS);
    live.server.forbid("watch", "pods", NS);
    live.server.expire_watches();
    live.until("the error", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .and_then(|h| h.last.error.as_deref())
            .is_some_and(|e| e.starts_with("forbidden: list pods in production"))
    })
    .await;
    assert_eq!(
        live.model.pods.data.pods.len(),
        2,
        "the last data stays, marked by the badge"
    );
    let health = live.model.health.get(SourceId::Kubernetes).unwrap();
    assert!(
        health.last_ok.is_some(),
        "the time of the last good data is known"
    );
}

#[tokio::test]
async fn an_unreachable_api_server_is_a_health_error() {
    let server = KubeTestServer::start().await;
    let closed_port = support::closed_port::ClosedPort::new();
    let closed = closed_port.addr();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    let yaml = server
        .kubeconfig_yaml(NS)
        .replace(&server.base_url(), &format!("http://{closed}"));
    std::fs::write(&path, yaml).unwrap();
    let mut live = start_with(server, dir, path, KubeOverrides::default()).await;
    live.until("the error", |m| {
        m.health
            .get(SourceId::Kubernetes)
            .is_some_and(|h| h.last.error.is_some())
    })
    .await;
    let error = live.health_error().unwrap();
    assert!(error.contains("Connection refused"), "{error}");
    assert_eq!(live.full_pod_lists(), 0, "no empty list stands in for data");
}

#[tokio::test]
async fn a_deployments_history_comes_from_its_replica_sets() {
    use opsdeck::features::pods::rollout::history::history;
    let mut live = start(|s| {
        s.add_deployment(fixture("deployment-payment-service-rollout"));
        for rs in fixture("replicasets-payment-service")["items"]
            .as_array()
            .unwrap()
        {
            s.add_replica_set(rs.clone());
        }
        s.add_pod(fixture("pod-oomkilled-crashloop"));
    })
    .await;
    let revisions = |m: &Model| {
        history(&m.pods.data, NS, "payment-service")
            .iter()
            .map(|r| (r.replica_set.revision, r.images_short(), r.pods.len()))
            .collect::<Vec<_>>()
    };
    live.until("two revisions, the new one with its pod", |m| {
        revisions(m).len() == 2 && revisions(m)[0].2 == 1
    })
    .await;
    assert_eq!(
        revisions(&live.model),
        [
            (
                Some(14),
                "payment-service:2.14.0, envoy:1.30.2".to_string(),
                1
            ),
            (
                Some(13),
                "payment-service:2.13.4, envoy:1.30.2".to_string(),
                0
            ),
        ]
    );
    let d = live
        .model
        .pods
        .data
        .deployment(NS, "payment-service")
        .unwrap();
    assert_eq!(d.revision, Some(14));
    assert_eq!(d.progressing.as_deref(), Some("ProgressDeadlineExceeded"));

    // revisionHistoryLimit prunes revision 13: the history follows.
    live.server
        .delete_replica_set(NS, "payment-service-5f6b7c8d9");
    live.until("revision 13 gone", |m| revisions(m).len() == 1)
        .await;
}

#[tokio::test]
async fn rollouts_starting_stalling_and_rolled_back_reach_the_timeline() {
    let mut live = start(|s| {
        s.set_auto_rollout(false);
        let mut d = fixture("deployment-payment-service-rollout");
        // Revision 13 running, its rollout complete.
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!("13");
        d["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!("registry.example/payment-service:2.13.4");
        d["status"]["conditions"][1]["reason"] = json!("NewReplicaSetAvailable");
        s.add_deployment(d);
        let sets = fixture("replicasets-payment-service");
        s.add_replica_set(sets["items"][0].clone());
    })
    .await;
    live.until("the deployment", |m| {
        m.pods.data.deployment(NS, "payment-service").is_some()
    })
    .await;
    let rollout = |d: &mut Value, revision: &str, tag: &str, reason: &str| {
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!(revision);
        d["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!(format!("registry.example/payment-service:{tag}"));
        d["status"]["conditions"][1]["reason"] = json!(reason);
    };
    live.server.update_deployment(NS, "payment-service", |d| {
        rollout(d, "14", "2.14.0", "ReplicaSetUpdated")
    });
    let has = |m: &Model, text: &str| m.timeline.entries().iter().any(|e| e.text.contains(text));
    live.until("rollout started", |m| {
        has(m, "rollout of deploy/payment-service started: revision 14 (payment-service:2.14.0, envoy:1.30.2)")
    })
    .await;
    live.server.update_deployment(NS, "payment-service", |d| {
        d["status"]["conditions"][1]["reason"] = json!("ProgressDeadlineExceeded");
    });
    live.until("rollout stalled", |m| {
        has(
            m,
            "rollout of deploy/payment-service stalled (ProgressDeadlineExceeded)",
        )
    })
    .await;
    // A rollback: the controller renumbers revision 13's ReplicaSet to 15.
    live.server
        .update_replica_set(NS, "payment-service-5f6b7c8d9", |r| {
            r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!("15");
        });
    live.server.update_deployment(NS, "payment-service", |d| {
        rollout(d, "15", "2.13.4", "ReplicaSetUpdated")
    });
    live.until("rolled back", |m| {
        has(
            m,
            "deploy/payment-service rolled back from revision 14 to revision 13's template",
        )
    })
    .await;
    let entry = live
        .model
        .timeline
        .entries()
        .iter()
        .find(|e| e.text.contains("rolled back"))
        .unwrap();
    assert!(matches!(
        &entry.about,
        Some(opsdeck::core::timeline::About::Deployment { name, .. }) if name.as_str() == "payment-service"
    ));
}

#[tokio::test]
async fn a_rollback_and_its_undo_round_trip_through_the_watch() {
    use opsdeck::core::executor::Executor;
    use opsdeck::features::pods::actions::executor::KubeExecutor;
    use opsdeck::features::pods::actions::plan::Scope;
    use opsdeck::features::pods::actions::rollout::rollback;
    let mut live = start(|s| {
        s.add_deployment(fixture("deployment-payment-service-rollout"));
        for rs in fixture("replicasets-payment-service")["items"]
            .as_array()
            .unwrap()
        {
            s.add_replica_set(rs.clone());
        }
    })
    .await;
    let revision = |m: &Model| {
        m.pods
            .data
            .deployment(NS, "payment-service")
            .and_then(|d| d.revision)
    };
    live.until("revision 14 and its history", |m| {
        revision(m) == Some(14) && m.pods.data.replica_sets.len() == 2
    })
    .await;
    let conn = live.link.borrow().clone().unwrap();
    let executor = KubeExecutor::new(&conn);
    let plan_to = |m: &Model, to: Option<u64>| {
        rollback(
            &Scope {
                context: "test",
                namespace: NS,
                workloads: &m.pods.data,
            },
            "payment-service",
            to,
        )
        .unwrap()
    };
    let plan = plan_to(&live.model, None);
    assert_eq!(
        executor.execute(&plan).await,
        Ok("deployment.apps/payment-service rolled back to revision 13".into())
    );
    live.until("revision 15 with 2.13.4, on the Timeline", |m| {
        revision(m) == Some(15)
            && m.timeline.entries().iter().any(|e| {
                e.text
                    .contains("rolled back from revision 14 to revision 13's template")
            })
    })
    .await;
    // Undo: forward to the revision it left, planned from the watch.
    let undo = plan_to(&live.model, Some(14));
    assert!(
        undo.effect
            .contains("payment-service:2.13.4 → payment-service:2.14.0"),
        "{}",
        undo.effect
    );
    assert_eq!(
        executor.execute(&undo).await,
        Ok("deployment.apps/payment-service rolled back to revision 14".into())
    );
    live.until("revision 16 with 2.14.0", |m| {
        revision(m) == Some(16)
            && m.pods
                .data
                .deployment(NS, "payment-service")
                .unwrap()
                .images[0]
                .1
                == "registry.example/payment-service:2.14.0"
    })
    .await;
}
