//! Live `opsdeck` (not the demo) in tmux against the Kubernetes test API
//! server: the Pods tab fills from the watch, follows changes, and a restart
//! reaches the server only after the typed confirmation. With Kubernetes
//! turned off, the other sources still run.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use serde_json::{Value, json};
use support::actuator_server::{ActuatorServer, BreakerConfig, Config};
use support::kube_server::KubeTestServer;
use support::tmux::{Tmux, available, opsdeck_check, opsdeck_line, write_config};

const NS: &str = "production";

fn fixture_pod() -> Value {
    serde_json::from_str(include_str!("fixtures/kube/pod-oomkilled-crashloop.json")).unwrap()
}

fn pod(name: &str, app: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": NS, "labels": {"app": app, "pod-template-hash": "5c6d7e8f9"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5c6d7e8f9"),
                                          "uid": "u-1", "controller": true}]},
        "spec": {"nodeName": "node-1", "containers": [{"name": app, "image": format!("registry.example/{app}:1.0")}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": app, "image": format!("registry.example/{app}:1.0"), "imageID": "", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-11-21T07:00:09Z"}}}]},
    })
}

fn deployment(name: &str, replicas: i64) -> Value {
    json!({
        "metadata": {"name": name, "namespace": NS},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": format!("registry.example/{name}:2.4.1")}]}}},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_pods_follow_the_cluster_and_a_restart_needs_the_typed_name() {
    if !available("live_pods_follow_the_cluster_and_a_restart_needs_the_typed_name") {
        return;
    }
    let server = KubeTestServer::start().await;
    server.add_deployment(deployment("payment-service", 3));
    server.add_deployment(deployment("order-service", 2));
    server.add_pod(fixture_pod());
    server.add_pod(pod("order-service-5c6d7e8f9-abcde", "order-service"));
    let xdg = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(xdg.path(), NS);
    let line = format!(
        "KUBECONFIG={} {}",
        kubeconfig.display(),
        opsdeck_line(xdg.path(), "")
    );

    let tmux = tokio::task::spawn_blocking(move || {
        let tmux = Tmux::start("live", 120, 32);
        tmux.run_line(&line);
        // It starts on the Overview, where the deployments are services.
        tmux.wait_for("payment-service", 30);
        tmux.keys(&["1"]);
        let pane = tmux.wait_for("order-service-5c6d7e8f9-abcde", 30);
        assert!(pane.contains("CrashLoopBackOff"), "{pane}");
        assert!(pane.contains("test/production"), "header scope:\n{pane}");
        tmux.wait_for("[kube ok]", 30);
        tmux
    })
    .await
    .unwrap();

    server.delete_pod(NS, "order-service-5c6d7e8f9-abcde");
    let tmux = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while tmux.capture().contains("order-service-5c6d7e8f9-abcde") {
            assert!(
                std::time::Instant::now() < deadline,
                "the deleted pod stayed:\n{}",
                tmux.capture()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        tmux.keys(&[":"]);
        tmux.keys(&["-l", "restart deploy/payment-service"]);
        tmux.keys(&["Enter"]);
        let pane = tmux.wait_for("type \"production/payment-service\" to confirm", 20);
        assert!(
            pane.contains(
                "kubectl --context test -n production rollout restart deploy/payment-service"
            ),
            "{pane}"
        );
        assert!(
            pane.contains("permission    allowed"),
            "SelfSubjectAccessReview shown:\n{pane}"
        );
        tmux
    })
    .await
    .unwrap();

    let mutating: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.is_mutating() && !r.is_dry_run())
        .collect();
    assert!(
        mutating.is_empty(),
        "nothing changed before confirmation: {mutating:?}"
    );
    assert!(
        server.requests().iter().any(|r| r.is_dry_run()),
        "the dry run was sent"
    );

    let tmux = tokio::task::spawn_blocking(move || {
        tmux.keys(&["-l", "production/payment-service"]);
        tmux.keys(&["Tab", "Enter"]);
        tmux.wait_for("done: restart", 20);
        tmux
    })
    .await
    .unwrap();
    let d = server.deployment(NS, "payment-service");
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string(),
        "{d}"
    );
    tokio::task::spawn_blocking(move || {
        tmux.escape_until_gone("Enter or Esc closes", 10);
        tmux.keys(&["q"]);
        tmux.wait_for("EXITED:0", 10);
    })
    .await
    .unwrap();
}

#[test]
fn with_kubernetes_off_the_other_sources_still_run() {
    if !available("with_kubernetes_off_the_other_sources_still_run") {
        return;
    }
    let actuator = ActuatorServer::start(
        Config::new("order-service").breaker("paymentService", BreakerConfig::default()),
    );
    let xdg = tempfile::tempdir().unwrap();
    write_config(
        xdg.path(),
        "config.toml",
        &format!(
            "[kubernetes]\nenabled = false\n\n[breakers]\ninterval_secs = 1\n\n\
             [breakers.actuators]\norder-service = \"{}\"\n",
            actuator.base_url()
        ),
    );
    let tmux = Tmux::start("nokube", 120, 32);
    // No kubeconfig at all: nothing may try to reach a cluster.
    tmux.run_line(&format!(
        "KUBECONFIG=/nonexistent {}",
        opsdeck_line(xdg.path(), "")
    ));
    tmux.wait_for("1 Pods", 20);
    tmux.keys(&["4"]);
    let pane = tmux.wait_for("CLOSED", 30);
    assert!(pane.contains("paymentService"), "{pane}");
    assert!(!pane.contains("kube ok"), "{pane}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0", 10);
}

/// `opsdeck check` prints the service map it derived from a few seconds
/// of the real sources: the deployments, the breaker in order-service
/// protecting calls to payment-service, a configured name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_prints_the_service_map_it_derived() {
    if !available("check_prints_the_service_map_it_derived") {
        return;
    }
    let server = KubeTestServer::start().await;
    server.add_deployment(deployment("payment-service", 3));
    server.add_deployment(deployment("order-service", 2));
    let actuator = ActuatorServer::start(
        Config::new("order-service").breaker("paymentService", BreakerConfig::default()),
    );
    let xdg = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(xdg.path(), NS);
    write_config(
        xdg.path(),
        "config.toml",
        &format!(
            "[breakers]\ninterval_secs = 1\n\n[breakers.actuators]\norder-service = \"{}\"\n\n\
             [services.payments]\ndeployments = [\"payment-service\"]\n\n\
             [services.ghost]\ndeployments = [\"nowhere\"]\n",
            actuator.base_url()
        ),
    );
    let out = opsdeck_check(xdg.path(), Some(&kubeconfig)).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} line:\n{stdout}"))
            .to_string()
    };
    assert!(stdout.contains("services (3 linked"), "{stdout}");
    let payments = line("payments");
    assert!(payments.contains("deployments payment-service"), "{stdout}");
    assert!(
        payments.contains("breakers to it paymentService"),
        "{stdout}"
    );
    assert!(
        line("order-service").contains("deployments order-service"),
        "{stdout}"
    );
    assert!(
        line("ghost").contains("no data (links to nothing)"),
        "{stdout}"
    );
}

/// #20 item 6: q while a restart is still running waits for it and says
/// so; a second q leaves at once and the audit log says "abandoned". With
/// a short wait, leaving follows the outcome by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_while_an_action_runs_waits_for_it_or_abandons_it() {
    if !available("quitting_while_an_action_runs_waits_for_it_or_abandons_it") {
        return;
    }
    for (delay_secs, second_q) in [(600, true), (3, false)] {
        let server = KubeTestServer::start().await;
        server.add_deployment(deployment("payment-service", 3));
        server.set_write_delay(Some(std::time::Duration::from_secs(delay_secs)));
        let xdg = tempfile::tempdir().unwrap();
        let kubeconfig = server.write_kubeconfig(xdg.path(), NS);
        write_config(
            xdg.path(),
            "config.toml",
            "[actions]\nprotected = []\ntimeout_secs = 20\n",
        );
        let line = format!(
            "KUBECONFIG={} {}",
            kubeconfig.display(),
            opsdeck_line(xdg.path(), "")
        );
        let tmux = tokio::task::spawn_blocking(move || {
            let tmux = Tmux::start("leave", 120, 32);
            tmux.run_line(&line);
            tmux.wait_for("payment-service      3/3", 30);
            tmux.keys(&[":"]);
            tmux.keys(&["-l", "restart deploy/payment-service"]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("y confirms", 20);
            tmux.keys(&["y"]);
            tmux.wait_for("running…", 10);
            tmux.keys(&["Escape"]);
            tmux.escape_until_gone("running…", 10);
            tmux.keys(&["q"]);
            let pane = tmux.wait_for("leaving (q again: now)", 10);
            assert!(
                pane.contains("for restart every pod of deploy/payment-service"),
                "{pane}"
            );
            if second_q {
                tmux.keys(&["q"]);
            }
            tmux.wait_for("EXITED:0", 20);
        });
        tmux.await.unwrap();
        let audit = std::fs::read_to_string(xdg.path().join("state/opsdeck/audit.jsonl")).unwrap();
        let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
        let expected = if second_q { "abandoned" } else { "ok" };
        assert_eq!(last["event"], expected, "{audit}");
    }
}
