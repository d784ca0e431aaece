//! Following pod logs through the test API server's log endpoint: two pods
//! streaming, one deleted, one added; `previous`; the query parameters sent.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::features::logs::line::Level;
use opsdeck::features::logs::model::Logs;
use opsdeck::features::logs::source::{FollowLogs, LogOptions, LogTarget, run};
use opsdeck::shared::kube::connect;
use opsdeck::shared::kube::settings::KubeSettings;
use opsdeck::shared::kube::{ConnectionLink, KubeOverrides};
use opsdeck::update::Update;
use serde_json::{Value, json};
use std::time::Duration;
use support::kube_server::KubeTestServer;
use tokio::sync::mpsc;

const NS: &str = "production";

fn pod(name: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": NS, "labels": {"app": "order-service"}},
        "spec": {"containers": [{"name": "app", "image": "registry.example/order-service:3.1.0"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "x", "imageID": "", "ready": true,
                   "restartCount": 0, "state": {"running": {"startedAt": "2026-11-21T07:00:09Z"}}}]},
    })
}

fn target(pod: &str) -> LogTarget {
    LogTarget {
        namespace: NS.into(),
        pod: pod.into(),
        container: "app".into(),
    }
}

struct Follower {
    logs: Logs,
    rx: opsdeck::transport::UpdateRx,
    requests: mpsc::UnboundedSender<FollowLogs>,
}

impl Follower {
    async fn start(server: &KubeTestServer, dir: &std::path::Path) -> Follower {
        let kubeconfig = server.write_kubeconfig(dir, NS);
        let overrides = KubeOverrides {
            kubeconfig: Some(kubeconfig),
            ..KubeOverrides::default()
        };
        let conn = connect(&KubeSettings::default(), &overrides).await.unwrap();
        Follower::on(tokio::sync::watch::channel(Some(conn)).1)
    }

    /// Follows through whatever connection `link` holds.
    fn on(link: ConnectionLink) -> Follower {
        let (tx, rx) = opsdeck::transport::channel(64, 100_000);
        let (requests, requests_rx) = mpsc::unbounded_channel();
        tokio::spawn(run(
            link,
            opsdeck::transport::outbox(&tx),
            requests_rx,
            vec!["correlation_id".into()],
        ));
        Follower {
            logs: Logs::default(),
            rx,
            requests,
        }
    }

    async fn follow(&self, pods: &[&str], options: LogOptions) {
        let targets = pods.iter().map(|p| target(p)).collect();
        self.requests.send(FollowLogs { targets, options }).unwrap();
    }

    /// Applies updates until a visible line contains `needle`.
    async fn until(&mut self, needle: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !(0..self.logs.visible_len())
            .any(|r| self.logs.row(r).unwrap().message().contains(needle))
        {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(Update::Logs(u))) => self.logs.apply(u),
                Ok(Some(_)) => {}
                _ => panic!(
                    "{needle:?} never arrived; have:\n{}",
                    self.logs.visible_text()
                ),
            }
        }
    }
}

#[tokio::test]
async fn two_pods_stream_one_goes_one_comes_and_lines_are_parsed() {
    let server = KubeTestServer::start().await;
    server.add_pod(pod("order-1"));
    server.add_pod(pod("order-2"));
    server.push_log(NS, "order-1", "app", r#"{"timestamp": "2026-11-21T10:07:58.231Z", "level": "error", "event": "Payment call failed", "correlation_id": "c0rr-1"}"#);
    server.push_log(NS, "order-2", "app", "2026-11-21 10:07:58.301  WARN 1 --- [nio-8080-exec-7] o.s.Resolver : slow \x1b[31mred\x1b[0m");
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::start(&server, dir.path()).await;
    f.follow(&["order-1", "order-2"], LogOptions::default())
        .await;
    f.until("Payment call failed").await;
    f.until("slow red").await;
    let error = (0..f.logs.visible_len())
        .map(|r| f.logs.row(r).unwrap())
        .find(|l| l.pod() == "order-1")
        .unwrap();
    assert_eq!(error.level(), Level::Error);
    assert_eq!(error.correlation(), Some("c0rr-1"));
    assert!(
        error.time().is_some(),
        "timestamps=true gives each line its kubelet time"
    );

    // Lines pushed later arrive while following.
    server.push_log(NS, "order-2", "app", "later line");
    f.until("later line").await;

    // A deleted pod's stream ends and is marked; a new pod is followed when asked.
    server.delete_pod(NS, "order-1");
    f.until("log stream ended; resuming").await;
    f.until("pod is gone: stream closed").await;
    server.add_pod(pod("order-3"));
    server.push_log(NS, "order-3", "app", "hello from order-3");
    f.follow(&["order-2", "order-3"], LogOptions::default())
        .await;
    f.until("hello from order-3").await;

    let log_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/log"))
        .collect();
    let first = &log_requests[0];
    assert_eq!(first.query_param("follow").as_deref(), Some("true"));
    assert_eq!(first.query_param("timestamps").as_deref(), Some("true"));
    assert_eq!(first.query_param("container").as_deref(), Some("app"));
    assert_eq!(first.query_param("tailLines").as_deref(), Some("200"));
}

#[tokio::test]
async fn the_previous_container_and_since_seconds() {
    let server = KubeTestServer::start().await;
    server.add_pod(pod("pay-1"));
    server.push_log(
        NS,
        "pay-1",
        "app",
        "java.lang.OutOfMemoryError: Java heap space",
    );
    server.push_log(
        NS,
        "pay-1",
        "app",
        "\tat com.example.payment.LedgerCache.load(LedgerCache.java:88)",
    );
    server.restart_container_log(NS, "pay-1", "app");
    server.push_log(NS, "pay-1", "app", "started again");
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::start(&server, dir.path()).await;
    f.follow(
        &["pay-1"],
        LogOptions {
            previous: true,
            since_seconds: Some(3600),
            tail_lines: None,
        },
    )
    .await;
    f.until("end of the previous container's log").await;
    let oom = (0..f.logs.visible_len())
        .map(|r| f.logs.row(r).unwrap())
        .find(|l| l.message().contains("OutOfMemoryError"))
        .unwrap();
    assert_eq!(oom.extra().len(), 1, "the stack trace stays with its line");
    assert!(
        !f.logs.visible_text().contains("started again"),
        "previous means the terminated container only"
    );
    let req = server
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/log"))
        .unwrap();
    assert_eq!(req.query_param("previous").as_deref(), Some("true"));
    assert_eq!(req.query_param("sinceSeconds").as_deref(), Some("3600"));
}

#[tokio::test]
async fn switching_context_restarts_the_streams_on_the_other_cluster() {
    let prod = KubeTestServer::start().await;
    let staging = KubeTestServer::start().await;
    for (server, line) in [(&prod, "from prod"), (&staging, "from staging")] {
        server.add_pod(pod("order-1"));
        server.push_log(NS, "order-1", "app", line);
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let conn = |server: &KubeTestServer, dir: &std::path::Path| {
        let overrides = KubeOverrides {
            kubeconfig: Some(server.write_kubeconfig(dir, NS)),
            ..KubeOverrides::default()
        };
        async move { connect(&KubeSettings::default(), &overrides).await.unwrap() }
    };
    let (link_tx, link) = tokio::sync::watch::channel(Some(conn(&prod, dir_a.path()).await));
    let mut f = Follower::on(link);
    f.follow(&["order-1"], LogOptions::default()).await;
    f.until("from prod").await;
    // Both kubeconfigs name their context `test`; rename one so it is a switch.
    let mut other = conn(&staging, dir_b.path()).await;
    other.context = "staging".into();
    link_tx.send_replace(Some(other));
    f.until("from staging").await;
    // Proof the old stream is closed, not a pause: the prod server has no
    // follower left (a line written to a closed connection shows it).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while prod.log_followers(NS, "order-1", "app") > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old cluster's stream is still followed"
        );
        prod.push_log(NS, "order-1", "app", "prod ping");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    prod.push_log(NS, "order-1", "app", "prod again");
    staging.push_log(NS, "order-1", "app", "staging again");
    f.until("staging again").await;
    assert!(
        !f.logs.visible_text().contains("prod again"),
        "the old cluster's stream stopped:\n{}",
        f.logs.visible_text()
    );
}

#[tokio::test]
async fn a_line_of_megabytes_is_cut_and_the_lines_after_it_arrive() {
    let server = KubeTestServer::start().await;
    server.add_pod(pod("order-1"));
    server.push_log(NS, "order-1", "app", "before the blob");
    server.push_log(
        NS,
        "order-1",
        "app",
        &format!("blob:{}", "x".repeat(8 << 20)),
    );
    server.push_log(NS, "order-1", "app", "after the blob");
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::start(&server, dir.path()).await;
    f.follow(&["order-1"], LogOptions::default()).await;
    f.until("after the blob").await;
    // Followed live, after the cut line as well.
    server.push_log(NS, "order-1", "app", "live after");
    f.until("live after").await;
    let messages: Vec<String> = (0..f.logs.visible_len())
        .map(|r| f.logs.row(r).unwrap().message().to_string())
        .collect();
    assert_eq!(
        messages.len(),
        4,
        "{:?}",
        messages.iter().map(|m| m.len()).collect::<Vec<_>>()
    );
    assert_eq!(messages[0], "before the blob");
    let blob = &messages[1];
    assert!(blob.starts_with("blob:xxx"), "{}", &blob[..20]);
    assert!(
        blob.ends_with(" [line cut at 65536 bytes]"),
        "{}",
        &blob[blob.len() - 40..]
    );
    assert!(blob.len() < 70_000, "{}", blob.len());
    assert_eq!(messages[2], "after the blob");
    assert_eq!(messages[3], "live after");
}

/// #19 item 5: a stream whose lines are stamped a minute ago says how far
/// behind it is, and says so no more once it has caught up.
#[tokio::test]
async fn a_stream_that_falls_behind_says_by_how_much_and_when_it_caught_up() {
    let server = KubeTestServer::start().await;
    server.add_pod(pod("order-1"));
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::start(&server, dir.path()).await;
    f.follow(&["order-1"], LogOptions::default()).await;
    server.push_late_log(NS, "order-1", "app", "written a minute ago", 60);
    f.until("written a minute ago").await;
    let behind = f.logs.behind.get("order-1").copied();
    assert!(behind.is_some_and(|s| (55..=90).contains(&s)), "{behind:?}");
    server.push_log(NS, "order-1", "app", "written now");
    f.until("written now").await;
    // The report travels in the events' lane, beside the lines' own.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while f.logs.behind.contains_key("order-1") {
        match tokio::time::timeout_at(deadline, f.rx.recv()).await {
            Ok(Some(Update::Logs(u))) => f.logs.apply(u),
            Ok(Some(_)) => {}
            _ => panic!("still behind after catching up: {:?}", f.logs.behind),
        }
    }
}
