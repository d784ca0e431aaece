//! Execution off the UI loop: the audit line is on disk before the action
//! runs and before its outcome is reported; timeouts and backend errors are
//! reported (secrets redacted) and never retried.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use futures::future::BoxFuture;
use opsdeck::core::action::ActionPlan;
use opsdeck::core::executor::{Check, Executor, Outcome};
use opsdeck::features::pods::actions::plan::{Scope, scale};
use opsdeck::features::pods::model::{Deployment, Workloads};
use opsdeck::remediation::audit::AuditLog;
use opsdeck::remediation::guard::{Decision, Step};
use opsdeck::remediation::run::{self, Services};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An executor that answers as told and records what it saw of the audit file.
struct Backend {
    audit_path: PathBuf,
    reply: Result<String, String>,
    delay: Duration,
    calls: AtomicUsize,
    audit_lines_at_execute: Mutex<Option<usize>>,
}

impl Executor for Backend {
    fn permission<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Passed("allowed".into()) })
    }
    fn dry_run<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Check::Passed("late".into())
        })
    }
    fn execute<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let lines = std::fs::read_to_string(&self.audit_path)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            *self.audit_lines_at_execute.lock().unwrap() = Some(lines);
            tokio::time::sleep(self.delay).await;
            self.reply.clone()
        })
    }
}

fn plan() -> ActionPlan {
    let w = Workloads::with(
        vec![Deployment {
            name: "order-consumer".into(),
            namespace: "production".into(),
            replicas: 3,
            ready: 3,
            ..Default::default()
        }],
        vec![],
    );
    scale(
        &Scope {
            context: "prod-eu",
            namespace: "production",
            workloads: &w,
        },
        "order-consumer",
        6,
    )
    .unwrap()
}

fn setup(
    reply: Result<String, String>,
    delay: Duration,
    with_audit: bool,
) -> (tempfile::TempDir, Arc<Backend>, Services) {
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let backend = Arc::new(Backend {
        audit_path: audit_path.clone(),
        reply,
        delay,
        calls: AtomicUsize::new(0),
        audit_lines_at_execute: Mutex::new(None),
    });
    let services = Services {
        executor: backend.clone(),
        audit: with_audit.then(|| AuditLog::open(&audit_path).unwrap()),
        user: "ana".into(),
        host: "bastion-1".into(),
        timeout: Duration::from_millis(300),
    };
    (dir, backend, services)
}

fn audit_lines(dir: &tempfile::TempDir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn decisions() -> Vec<Decision> {
    vec![Decision::pass(
        Step::Confirmation,
        "typed \"order-consumer\"",
    )]
}

#[tokio::test]
async fn the_audit_line_is_on_disk_before_the_action_and_before_the_outcome() {
    let (dir, backend, services) = setup(
        Ok("deployment.apps/order-consumer scaled".into()),
        Duration::ZERO,
        true,
    );
    let outcome = run::execute(&services, &plan(), &decisions()).await;
    assert_eq!(
        outcome,
        Outcome::Ok("deployment.apps/order-consumer scaled".into())
    );
    assert_eq!(
        *backend.audit_lines_at_execute.lock().unwrap(),
        Some(1),
        "started line written first"
    );
    let lines = audit_lines(&dir);
    assert_eq!(
        lines.len(),
        2,
        "the result line exists when execute returns"
    );
    assert_eq!(lines[0]["event"], "started");
    assert_eq!(lines[1]["event"], "ok");
    assert_eq!(lines[1]["user"], "ana");
    assert_eq!(lines[1]["host"], "bastion-1");
    assert_eq!(lines[1]["context"], "prod-eu");
    assert_eq!(lines[1]["guards"][0]["detail"], "typed \"order-consumer\"");
    assert_eq!(lines[1]["result"], "deployment.apps/order-consumer scaled");
}

#[tokio::test]
async fn a_slow_backend_times_out_and_is_not_retried() {
    let (dir, backend, services) = setup(Ok("late".into()), Duration::from_secs(5), true);
    let outcome = run::execute(&services, &plan(), &decisions()).await;
    assert_eq!(outcome, Outcome::TimedOut(Duration::from_millis(300)));
    assert_eq!(backend.calls.load(Ordering::SeqCst), 1);
    assert_eq!(audit_lines(&dir)[1]["event"], "timed_out");
}

#[tokio::test]
async fn backend_errors_are_shown_verbatim_with_secrets_redacted() {
    let (dir, backend, services) = setup(
        Err("dial postgres://ops:hunter2@10.0.0.5:5432/orders: connection refused".into()),
        Duration::ZERO,
        true,
    );
    let outcome = run::execute(&services, &plan(), &decisions()).await;
    assert_eq!(
        outcome,
        Outcome::Failed("dial postgres://ops:***@10.0.0.5:5432/orders: connection refused".into())
    );
    assert_eq!(
        backend.calls.load(Ordering::SeqCst),
        1,
        "a failed action is not retried"
    );
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(!text.contains("hunter2"));
    assert_eq!(audit_lines(&dir)[1]["event"], "failed");
}

#[tokio::test]
async fn without_an_audit_log_nothing_runs() {
    let (_dir, backend, services) = setup(Ok("x".into()), Duration::ZERO, false);
    let outcome = run::execute(&services, &plan(), &decisions()).await;
    assert!(matches!(outcome, Outcome::NotRun(_)), "{outcome:?}");
    assert_eq!(backend.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn prechecks_that_do_not_answer_in_time_say_so() {
    let (_dir, _backend, services) = setup(Ok("x".into()), Duration::ZERO, true);
    let (permission, dry_run) = run::precheck(&services, &plan()).await;
    assert_eq!(permission, Check::Passed("allowed".into()));
    // The dry run is offered but did not answer: that is not a pass.
    assert!(
        matches!(&dry_run, Check::NoAnswer(d) if d.starts_with("no answer in")),
        "{dry_run:?}"
    );
}

/// A backend whose every answer names a secret.
struct Chatty;

impl Executor for Chatty {
    fn permission<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async {
            Check::Passed(
                "allowed via postgres://ops:hunter2@db/x \x1b]52;c;ZXZpbA==\x07\u{202E}".into(),
            )
        })
    }
    fn dry_run<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Unsupported("ALTER ROLE bob PASSWORD 'hunter2' skipped".into()) })
    }
    fn execute<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async { Ok("done \x1b[2J pass\x1b[0mword=hunter2".into()) })
    }
}

/// Precheck details and outcomes reach the dialog, the Timeline and the
/// audit log: redacted, and with no escape sequence or bidi override.
#[tokio::test]
async fn precheck_details_that_pass_are_redacted_too() {
    let (dir, _backend, mut services) = setup(Ok("x".into()), Duration::ZERO, true);
    services.executor = Arc::new(Chatty);
    let (permission, dry_run) = run::precheck(&services, &plan()).await;
    assert_eq!(
        permission,
        Check::Passed("allowed via postgres://ops:***@db/x \u{241B}\u{FFFD}".into())
    );
    assert_eq!(
        dry_run,
        Check::Unsupported("ALTER ROLE bob PASSWORD '***' skipped".into())
    );

    // An escape sequence cannot hide a key from the redactor.
    let outcome = run::execute(&services, &plan(), &decisions()).await;
    assert_eq!(outcome, Outcome::Ok("done  password=***".into()));

    // Whoever made a decision's detail or a result, the audit line has no secret.
    let leaky = vec![Decision::pass(Step::DryRun, "token=hunter2")];
    let event = opsdeck::remediation::audit::AuditEvent::Refused;
    let result = Some("Authorization: Bearer hunter2".to_string());
    run::audit(&services, &plan(), &leaky, event, result)
        .await
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    let line = &audit_lines(&dir)[2];
    assert_eq!(line["guards"][0]["detail"], "token=***");
    assert_eq!(line["result"], "Authorization: Bearer ***");
}

#[tokio::test]
async fn a_rollbacks_audit_line_names_both_revisions_and_every_image_change() {
    use opsdeck::core::clean::Clean;
    use opsdeck::features::pods::actions::rollout::rollback;
    use opsdeck::features::pods::model::{KubeUpdate, ReplicaSet};
    let image = |tag: &str| {
        vec![(
            "app".to_string(),
            format!("registry.example/payment-service:{tag}"),
        )]
    };
    let mut w = Workloads::with(
        vec![Deployment {
            name: "payment-service".into(),
            namespace: "production".into(),
            revision: Some(14),
            images: image("2.14.0"),
            generation: 21,
            ..Default::default()
        }],
        vec![],
    );
    w.apply(Clean::new(KubeUpdate::ReplicaSets(vec![ReplicaSet {
        name: "payment-service-5f6b7c8d9".into(),
        namespace: "production".into(),
        deployment: Some("payment-service".into()),
        revision: Some(13),
        images: image("2.13.4"),
        ..Default::default()
    }])));
    let plan = rollback(
        &Scope {
            context: "prod-eu",
            namespace: "production",
            workloads: &w,
        },
        "payment-service",
        None,
    )
    .unwrap();
    let (dir, _, services) = setup(
        Ok("deployment.apps/payment-service rolled back to revision 13".into()),
        Duration::ZERO,
        true,
    );
    run::execute(&services, &plan, &decisions()).await;
    let line = &audit_lines(&dir)[1];
    let action = &line["plan"]["action"];
    assert_eq!(action["kind"], "rollback", "{line}");
    assert_eq!(
        (
            action["from_revision"].as_u64(),
            action["to_revision"].as_u64()
        ),
        (Some(14), Some(13))
    );
    assert_eq!(action["generation"], 21);
    assert_eq!(
        action["images"][0],
        serde_json::json!({"container": "app", "from": "registry.example/payment-service:2.14.0", "to": "registry.example/payment-service:2.13.4"})
    );
    assert_eq!(
        line["plan"]["cli"],
        "kubectl rollout undo deploy/payment-service --to-revision=13 -n production --context prod-eu"
    );
}
