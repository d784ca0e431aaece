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
