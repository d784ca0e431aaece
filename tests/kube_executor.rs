//! The Kubernetes executor against the test API server: the permission
//! check and the dry run change nothing, `execute` does exactly what
//! kubectl would, and refusals come before any attempt.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::core::action::ActionPlan;
use opsdeck::core::executor::{Check, Executor, Outcome};
use opsdeck::features::pods::actions::executor::{KubeExecutor, RESTARTED_AT};
use opsdeck::features::pods::actions::plan::{Scope, delete_pod, rollout_restart, scale};
use opsdeck::features::pods::model::{Deployment, Pod, Workloads};
use opsdeck::remediation::audit::AuditLog;
use opsdeck::remediation::run::{self, Services};
use opsdeck::shared::kube::KubeOverrides;
use opsdeck::shared::kube::connect;
use opsdeck::shared::kube::settings::KubeSettings;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::kube_server::{KubeTestServer, RecordedRequest};
use tempfile::TempDir;

const NS: &str = "production";
const DEPLOY: &str = "payment-service";
const POD: &str = "payment-service-7d9f8c6b5-x2k4p";

struct Setup {
    server: KubeTestServer,
    executor: KubeExecutor,
    workloads: Workloads,
    _dir: TempDir,
}

async fn setup() -> Setup {
    let server = KubeTestServer::start().await;
    server.add_deployment(json!({
        "metadata": {"name": DEPLOY, "namespace": NS},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": DEPLOY}},
                 "template": {"metadata": {"labels": {"app": DEPLOY}},
                              "spec": {"containers": [{"name": DEPLOY, "image": "registry.example/payment-service:2.4.1"}]}}},
    }));
    server.add_pod(
        serde_json::from_str(include_str!("fixtures/kube/pod-oomkilled-crashloop.json")).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let overrides = KubeOverrides {
        kubeconfig: Some(server.write_kubeconfig(dir.path(), NS)),
        ..KubeOverrides::default()
    };
    let conn = connect(&KubeSettings::default(), &overrides).await.unwrap();
    server.clear_requests();
    let workloads = Workloads::with(
        vec![Deployment {
            name: DEPLOY.into(),
            namespace: NS.into(),
            replicas: 3,
            ..Deployment::default()
        }],
        vec![Pod {
            name: POD.into(),
            namespace: NS.into(),
            deployment: Some(DEPLOY.into()),
            status: "CrashLoopBackOff".into(),
            ..Pod::default()
        }],
    );
    Setup {
        executor: KubeExecutor::new(&conn),
        server,
        workloads,
        _dir: dir,
    }
}

impl Setup {
    fn scope(&self) -> Scope<'_> {
        Scope {
            context: "test",
            namespace: NS,
            workloads: &self.workloads,
        }
    }

    fn replicas(&self) -> Value {
        self.server.deployment(NS, DEPLOY)["spec"]["replicas"].clone()
    }

    /// Requests that could have changed something for real.
    fn real_writes(&self) -> Vec<RecordedRequest> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.is_mutating() && !r.is_dry_run())
            .collect()
    }
}

async fn prechecks(s: &Setup, plan: &ActionPlan) -> (Check, Check) {
    (
        s.executor.permission(plan).await,
        s.executor.dry_run(plan).await,
    )
}

#[tokio::test]
async fn scale_changes_the_server_only_on_execute() {
    let s = setup().await;
    let plan = scale(&s.scope(), DEPLOY, 6).unwrap();
    let (permission, dry_run) = prechecks(&s, &plan).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    assert_eq!(
        dry_run,
        Check::Passed("server accepts: replicas 3 → 6".into())
    );
    assert_eq!(s.replicas(), 3);
    assert!(s.real_writes().is_empty(), "{:?}", s.real_writes());
    let review = s
        .server
        .requests()
        .into_iter()
        .find(|r| r.is_access_review())
        .unwrap();
    let attrs = &serde_json::from_str::<Value>(&review.body).unwrap()["spec"]["resourceAttributes"];
    assert_eq!(
        (
            attrs["verb"].as_str(),
            attrs["group"].as_str(),
            attrs["resource"].as_str(),
            attrs["subresource"].as_str()
        ),
        (
            Some("patch"),
            Some("apps"),
            Some("deployments"),
            Some("scale")
        )
    );
    assert_eq!(
        (attrs["namespace"].as_str(), attrs["name"].as_str()),
        (Some(NS), Some(DEPLOY))
    );

    let done = s.executor.execute(&plan).await.unwrap();
    assert_eq!(done, "deployment.apps/payment-service scaled to 6 replicas");
    assert_eq!(s.replicas(), 6);
    let writes = s.real_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(
        writes[0].path,
        format!("/apis/apps/v1/namespaces/{NS}/deployments/{DEPLOY}/scale")
    );
    assert_eq!(
        writes[0].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&writes[0].body).unwrap(),
        json!({"spec": {"replicas": 6}})
    );

    // The undo scales back.
    s.executor
        .execute(plan.undo.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(s.replicas(), 3);
}

#[tokio::test]
async fn rollout_restart_sets_the_annotation_kubectl_sets() {
    let s = setup().await;
    let plan = rollout_restart(&s.scope(), DEPLOY).unwrap();
    let (permission, dry_run) = prechecks(&s, &plan).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    let Check::Passed(text) = dry_run else {
        panic!("{dry_run:?}")
    };
    assert!(
        text.starts_with(&format!("server accepts: {RESTARTED_AT}=")),
        "{text}"
    );
    assert!(text.ends_with("; 3 pods will be replaced"), "{text}");
    let annotations = |s: &Setup| {
        s.server.deployment(NS, DEPLOY)["spec"]["template"]["metadata"]["annotations"].clone()
    };
    assert_eq!(annotations(&s), Value::Null, "a dry run annotates nothing");
    assert!(s.real_writes().is_empty());

    let done = s.executor.execute(&plan).await.unwrap();
    assert!(
        done.starts_with("deployment.apps/payment-service restarted"),
        "{done}"
    );
    let at = annotations(&s)[RESTARTED_AT].as_str().unwrap().to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
    let writes = s.real_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0].path,
        format!("/apis/apps/v1/namespaces/{NS}/deployments/{DEPLOY}")
    );
    assert_eq!(
        writes[0].content_type.as_deref(),
        Some("application/strategic-merge-patch+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&writes[0].body).unwrap(),
        json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}})
    );
    assert_eq!(s.server.deployment(NS, DEPLOY)["metadata"]["generation"], 2);
}

#[tokio::test]
async fn delete_pod_dry_run_keeps_the_pod() {
    let s = setup().await;
    let plan = delete_pod(&s.scope(), POD).unwrap();
    let (permission, dry_run) = prechecks(&s, &plan).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    assert_eq!(
        dry_run,
        Check::Passed(format!(
            "server accepts: delete pod {POD} (grace period 30s)"
        ))
    );
    assert!(s.server.pod(NS, POD).is_some());
    let dry = s
        .server
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert!(dry.is_dry_run(), "the dry run says so: {dry:?}");
    assert!(s.real_writes().is_empty());

    let done = s.executor.execute(&plan).await.unwrap();
    assert_eq!(done, format!("pod \"{POD}\" deleted (grace period 30s)"));
    assert!(s.server.pod(NS, POD).is_none());

    // Gone already: the server's message, with its code.
    let err = s.executor.execute(&plan).await.unwrap_err();
    assert_eq!(
        err,
        format!("delete pods in {NS} failed: pods \"{POD}\" not found (404 NotFound)")
    );
}

#[tokio::test]
async fn forbidden_shows_before_anything_is_tried() {
    let s = setup().await;
    s.server.set_user("oncall@example.com");
    s.server.forbid("patch", "deployments/scale", NS);
    let plan = scale(&s.scope(), DEPLOY, 6).unwrap();

    let permission = s.executor.permission(&plan).await;
    assert_eq!(
        permission,
        Check::Refused(
            "forbidden: User \"oncall@example.com\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"production\"".into()
        )
    );
    assert!(
        s.server
            .requests()
            .iter()
            .all(RecordedRequest::is_access_review),
        "the permission check only asks"
    );
    let Check::Refused(dry) = s.executor.dry_run(&plan).await else {
        panic!("the dry run passed")
    };
    assert!(
        dry.starts_with("dry run: forbidden: patch deployments/scale in production ("),
        "{dry}"
    );

    let err = s.executor.execute(&plan).await.unwrap_err();
    assert!(err.starts_with("forbidden: patch deployments/scale in production (deployments.apps \"payment-service\" is forbidden"), "{err}");
    assert_eq!(s.replicas(), 3);
    // Restarting is another permission, still allowed.
    let restart = rollout_restart(&s.scope(), DEPLOY).unwrap();
    assert_eq!(
        s.executor.permission(&restart).await,
        Check::Passed("allowed".into())
    );
}

#[tokio::test]
async fn plans_run_only_where_they_say() {
    let s = setup().await;
    let mut elsewhere = scale(&s.scope(), DEPLOY, 6).unwrap();
    elsewhere.target.context = "prod-us".into();
    let Check::Refused(why) = s.executor.permission(&elsewhere).await else {
        panic!()
    };
    assert!(why.contains("context \"prod-us\" is not in"), "{why}");
    assert!(s.executor.execute(&elsewhere).await.is_err());

    let mut everywhere = scale(&s.scope(), DEPLOY, 6).unwrap();
    everywhere.target.namespace = "all".into();
    let Check::Refused(why) = s.executor.dry_run(&everywhere).await else {
        panic!()
    };
    assert!(
        why.ends_with("names no namespace; choose one first"),
        "{why}"
    );
    assert!(s.server.requests().is_empty(), "nothing was sent anywhere");
    assert_eq!(s.replicas(), 3);
}

#[tokio::test]
async fn through_the_runtime_with_its_audit_log() {
    let s = setup().await;
    let plan = scale(&s.scope(), DEPLOY, 5).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let executor: Arc<dyn Executor> = Arc::new(s.executor);
    let services = Services {
        executor,
        audit: Some(AuditLog::open(&dir.path().join("audit.jsonl")).unwrap()),
        user: "oncall".into(),
        host: "bastion".into(),
        timeout: Duration::from_secs(30),
    };
    let (permission, dry_run) = run::precheck(&services, &plan).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    assert_eq!(
        dry_run,
        Check::Passed("server accepts: replicas 3 → 5".into())
    );
    let outcome = run::execute(&services, &plan, &[]).await;
    assert_eq!(
        outcome,
        Outcome::Ok("deployment.apps/payment-service scaled to 5 replicas".into())
    );
    assert_eq!(s.server.deployment(NS, DEPLOY)["spec"]["replicas"], 5);
}

/// The rollout fixtures on the server: payment-service at revision 14
/// (2.14.0, stalled) and its ReplicaSets of revisions 13 and 14.
async fn rollout_setup() -> Setup {
    use opsdeck::core::clean::Clean;
    use opsdeck::features::pods::model::KubeUpdate;
    use opsdeck::features::pods::source::convert;
    let mut s = setup().await;
    let deployment: Value = serde_json::from_str(include_str!(
        "fixtures/kube/deployment-payment-service-rollout.json"
    ))
    .unwrap();
    let sets: Value = serde_json::from_str(include_str!(
        "fixtures/kube/replicasets-payment-service.json"
    ))
    .unwrap();
    // Replaces the plain deployment `setup` made.
    s.server.update_deployment(NS, DEPLOY, |d| {
        d["metadata"]["annotations"] = deployment["metadata"]["annotations"].clone();
        d["metadata"]["uid"] = deployment["metadata"]["uid"].clone();
        d["spec"] = deployment["spec"].clone();
    });
    for rs in sets["items"].as_array().unwrap() {
        s.server.add_replica_set(rs.clone());
    }
    let stored = serde_json::from_value(s.server.deployment(NS, DEPLOY)).unwrap();
    let replica_sets = sets["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| convert::replica_set(&serde_json::from_value(v.clone()).unwrap()))
        .collect();
    s.workloads = Workloads::with(vec![convert::deployment(&stored)], vec![]);
    s.workloads
        .apply(Clean::new(KubeUpdate::ReplicaSets(replica_sets)));
    s.server.clear_requests();
    s
}

fn image(s: &Setup) -> Value {
    s.server.deployment(NS, DEPLOY)["spec"]["template"]["spec"]["containers"][0]["image"].clone()
}

#[tokio::test]
async fn rollback_sends_kubectls_patch_and_changes_nothing_before_execute() {
    use opsdeck::features::pods::actions::rollout::rollback;
    let s = rollout_setup().await;
    let plan = rollback(&s.scope(), DEPLOY, None).unwrap();
    assert!(
        plan.effect
            .contains("payment-service:2.14.0 → payment-service:2.13.4")
    );
    let (permission, dry_run) = prechecks(&s, &plan).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    assert_eq!(
        dry_run,
        Check::Passed("server accepts: deploy/payment-service back to revision 13".into())
    );
    assert_eq!(image(&s), "registry.example/payment-service:2.14.0");
    assert!(s.real_writes().is_empty(), "{:?}", s.real_writes());

    let rv_before = s.server.deployment(NS, DEPLOY)["metadata"]["resourceVersion"].clone();
    let outcome = s.executor.execute(&plan).await;
    assert_eq!(
        outcome,
        Ok("deployment.apps/payment-service rolled back to revision 13".into())
    );
    let writes = s.real_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        writes[0].content_type.as_deref(),
        Some("application/json-patch+json")
    );
    let body: Value = serde_json::from_str(&writes[0].body).unwrap();
    let ops = body.as_array().unwrap();
    assert_eq!(
        ops[0],
        json!({"op": "test", "path": "/metadata/resourceVersion", "value": rv_before}),
        "the guard: the deployment as read just before"
    );
    let kubectl: Value = serde_json::from_str(include_str!(
        "fixtures/kube/rollback-payment-service-to-13.json"
    ))
    .unwrap();
    assert_eq!(
        Value::Array(ops[1..].to_vec()),
        kubectl,
        "what kubectl sends"
    );

    let after = s.server.deployment(NS, DEPLOY);
    assert_eq!(image(&s), "registry.example/payment-service:2.13.4");
    assert_eq!(
        after["spec"]["template"]["metadata"]["labels"],
        json!({"app": DEPLOY, "version": "2.13.4"})
    );
    assert_eq!(
        after["metadata"]["annotations"]["kubernetes.io/change-cause"],
        "deploy payment-service 2.13.4 (pipeline #8641)"
    );
}

#[tokio::test]
async fn rollback_refuses_a_pruned_revision_a_changed_deployment_and_a_forbidden_patch() {
    use opsdeck::features::pods::actions::rollout::rollback;
    let s = rollout_setup().await;
    let plan = rollback(&s.scope(), DEPLOY, Some(13)).unwrap();

    // Someone changes the spec between plan and execute.
    s.server.update_deployment(NS, DEPLOY, |d| {
        d["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!("registry.example/payment-service:2.14.1");
    });
    let refused = s.executor.execute(&plan).await.unwrap_err();
    assert_eq!(
        refused,
        "deploy/payment-service changed since the plan (generation 2 → 3): plan again"
    );
    assert_eq!(image(&s), "registry.example/payment-service:2.14.1");
    assert!(
        matches!(s.executor.dry_run(&plan).await, Check::Refused(r) if r.contains("changed since the plan"))
    );

    // Revision 13 pruned by revisionHistoryLimit.
    let s = rollout_setup().await;
    let plan = rollback(&s.scope(), DEPLOY, Some(13)).unwrap();
    s.server.delete_replica_set(NS, "payment-service-5f6b7c8d9");
    match s.executor.dry_run(&plan).await {
        Check::Refused(r) => assert!(
            r.contains("revision 13 of deploy/payment-service no longer exists"),
            "{r}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(s.executor.execute(&plan).await.is_err());
    assert_eq!(image(&s), "registry.example/payment-service:2.14.0");

    // The API server refuses: forbidden, with its reason.
    let s = rollout_setup().await;
    let plan = rollback(&s.scope(), DEPLOY, None).unwrap();
    s.server.forbid("patch", "deployments", NS);
    assert!(
        matches!(s.executor.permission(&plan).await, Check::Refused(r) if r.starts_with("forbidden"))
    );
    let refused = s.executor.execute(&plan).await.unwrap_err();
    assert!(
        refused.contains("forbidden") && refused.contains("test-user"),
        "{refused}"
    );
    assert_eq!(image(&s), "registry.example/payment-service:2.14.0");
}

#[tokio::test]
async fn pause_and_resume_patch_spec_paused() {
    use opsdeck::features::pods::actions::rollout::pause;
    let mut s = rollout_setup().await;
    let plan = pause(&s.scope(), DEPLOY, true).unwrap();
    assert!(matches!(s.executor.dry_run(&plan).await, Check::Passed(_)));
    assert_eq!(s.server.deployment(NS, DEPLOY)["spec"].get("paused"), None);
    assert_eq!(
        s.executor.execute(&plan).await,
        Ok("deployment.apps/payment-service paused".into())
    );
    assert_eq!(s.server.deployment(NS, DEPLOY)["spec"]["paused"], true);
    // A paused deployment cannot be rolled back, as kubectl says (even
    // when the plan was made from a poll before the pause).
    let generation = s.server.deployment(NS, DEPLOY)["metadata"]["generation"]
        .as_i64()
        .unwrap();
    s.workloads.deployments.values_mut().for_each(|d| {
        d.paused = false;
        d.generation = generation;
    });
    let rollback =
        opsdeck::features::pods::actions::rollout::rollback(&s.scope(), DEPLOY, None).unwrap();
    assert!(
        s.executor
            .execute(&rollback)
            .await
            .unwrap_err()
            .contains("is paused")
    );
    s.workloads
        .deployments
        .values_mut()
        .for_each(|d| d.paused = true);
    let resume = pause(&s.scope(), DEPLOY, false).unwrap();
    assert_eq!(
        s.executor.execute(&resume).await,
        Ok("deployment.apps/payment-service resumed".into())
    );
    assert_eq!(s.server.deployment(NS, DEPLOY)["spec"].get("paused"), None);
}
