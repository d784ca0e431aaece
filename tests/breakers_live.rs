#![allow(clippy::unwrap_used)]
//! The Breakers source and actions against the actuator test server (with
//! resilience4j's state machine), directly and through the Kubernetes
//! test server's pod proxy: transitions reach the Timeline, CLOSE through
//! the guard chain changes the server's breaker, undo puts it back.

mod support;

use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::Backend;
use opsdeck::core::executor::Executor;
use opsdeck::features::breakers::actions::executor::ActuatorExecutor;
use opsdeck::features::breakers::settings::{BreakerDiscovery, BreakerSettings};
use opsdeck::features::breakers::source::{KubeLink, Transport, poll_actuators};
use opsdeck::remediation::audit::AuditLog;
use opsdeck::remediation::executor::Router;
use opsdeck::remediation::run::{self, Services};
use opsdeck::shared::kube::KubeOverrides;
use opsdeck::shared::kube::connect;
use opsdeck::shared::kube::settings::KubeSettings;
use opsdeck::update::Update;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::actuator_server::{ActuatorServer, BreakerConfig, Call, Config, Mode};
use support::kube_server::KubeTestServer;
use support::{app, keys, screen};

const PAYMENT: &str = "paymentService";

fn server() -> ActuatorServer {
    ActuatorServer::start(
        Config::new("order-service")
            .breaker(PAYMENT, BreakerConfig::default())
            .breaker("inventoryService", BreakerConfig::default()),
    )
}

fn no_kube() -> KubeLink {
    tokio::sync::watch::channel(None).1
}

fn transport(link: KubeLink) -> Transport {
    Transport::new(link, None, Duration::from_secs(3)).unwrap()
}

fn direct(server: &ActuatorServer) -> BreakerSettings {
    BreakerSettings {
        actuators: [(
            "order-service".to_string(),
            opsdeck::features::breakers::settings::Actuator {
                url: server.base_url(),
                ..Default::default()
            },
        )]
        .into(),
        ..BreakerSettings::default()
    }
}

/// One poll of the settings, through the app, as the runtime would.
async fn poll_into(app: &mut App, settings: &BreakerSettings, t: &Transport, link: &KubeLink) {
    let (update, error) = poll_actuators(settings, t, link).await;
    assert_eq!(error, None, "{:?}", update.failures);
    app.update(Event::Update(Update::from(update)));
}

/// Carries out the app's effects the way the runtime does, feeding the
/// results back, until nothing is left.
async fn drive(app: &mut App, services: &Services, mut effects: Vec<Effect>) {
    while let Some(effect) = effects.pop() {
        match effect {
            Effect::Precheck { id, plan, .. } => {
                let (permission, dry_run) = run::precheck(services, &plan).await;
                effects.extend(app.update(Event::Prechecked {
                    id,
                    permission,
                    dry_run,
                    room: None,
                }));
            }
            Effect::Execute {
                id,
                plan,
                decisions,
            } => {
                let outcome = run::execute(services, &plan, &decisions).await;
                effects.extend(app.update(Event::ActionDone {
                    id,
                    plan: Box::new(plan),
                    outcome,
                }));
            }
            _ => {}
        }
    }
}

fn services(dir: &tempfile::TempDir, executor: Arc<dyn Executor>) -> Services {
    Services {
        executor: Arc::new(Router::new().with(Backend::Actuator, executor)),
        audit: Some(AuditLog::open(&dir.path().join("audit.jsonl")).unwrap()),
        user: "tester".into(),
        host: "bastion".into(),
        timeout: Duration::from_secs(5),
    }
}

fn timeline(app: &App) -> Vec<String> {
    app.model
        .timeline
        .entries()
        .iter()
        .map(|e| e.text.to_string())
        .collect()
}

fn breakers_tab(size: (u16, u16)) -> App {
    let mut a = app(size);
    a.update(Event::Update(Update::Scope {
        context: "test".into(),
        namespace: "shop".into(),
    }));
    keys(&mut a, &[":", "t", "a", "b", " ", "b", "r", "<Enter>"]);
    assert_eq!(a.tab, Tab::Breakers);
    a
}

#[tokio::test]
async fn transitions_seen_between_polls_reach_the_timeline() {
    let s = server();
    let (link, settings) = (no_kube(), direct(&s));
    let t = transport(link.clone());
    let mut a = breakers_tab((160, 48));
    poll_into(&mut a, &settings, &t, &link).await;
    assert!(screen(&a).contains("warming up"), "{}", screen(&a));
    s.calls(PAYMENT, 5, Call::Failure);
    poll_into(&mut a, &settings, &t, &link).await;
    assert!(
        timeline(&a).contains(
            &"order-service paymentService CLOSED → OPEN, failure rate 100% > 50% on 1/1 (order-service)"
                .replace(" on 1/1 (order-service)", "")
        ),
        "{:?}",
        timeline(&a)
    );
    s.advance(Duration::from_secs(61));
    s.calls(PAYMENT, 3, Call::Success);
    poll_into(&mut a, &settings, &t, &link).await;
    let last = timeline(&a).last().cloned().unwrap();
    assert_eq!(last, "order-service paymentService OPEN → CLOSED");
    let screen = screen(&a);
    assert!(screen.contains("O→C"), "{screen}");
}

#[tokio::test]
async fn close_through_the_guard_chain_changes_the_breaker_and_undo_restores_it() {
    let s = server();
    let (link, settings) = (no_kube(), direct(&s));
    let t = transport(link.clone());
    s.calls(PAYMENT, 5, Call::Failure);
    assert_eq!(s.state(PAYMENT), "OPEN");
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, Arc::new(ActuatorExecutor::new(t.clone())));
    let mut a = breakers_tab((160, 48));
    poll_into(&mut a, &settings, &t, &link).await;
    // The open breaker sorts first.
    let effects = keys(&mut a, &["c"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        d.plan.effect.contains("order-service: OPEN → CLOSED"),
        "{}",
        d.plan.effect
    );
    assert!(
        d.plan.cli.contains("/circuitbreakers/paymentService"),
        "{}",
        d.plan.cli
    );
    assert!(s.requests().iter().all(|r| !r.starts_with("POST")));
    drive(&mut a, &services, effects).await;
    // A URL with no environment label counts as protected: the name is typed.
    assert!(keys(&mut a, &["y"]).is_empty());
    keys(&mut a, &["<Backspace>"]);
    support::typed(&mut a, "paymentService");
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(s.state(PAYMENT), "CLOSED");
    let done = timeline(&a)
        .into_iter()
        .find(|t| t.starts_with("done:"))
        .unwrap();
    assert!(
        done.ends_with("— paymentService order-service: CLOSED"),
        "{done}"
    );
    keys(&mut a, &["<Esc>"]);
    poll_into(&mut a, &settings, &t, &link).await;
    // Undo: OPEN cannot be set through the actuator, so it is forced open.
    keys(&mut a, &["7", "g"]);
    while a.model.timeline.selected().and_then(|e| e.action).is_none() {
        keys(&mut a, &["j"]);
    }
    let effects = keys(&mut a, &["u"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no undo dialog: {:?}", a.status)
    };
    assert!(
        d.plan.effect.contains("CLOSED → FORCED_OPEN"),
        "{}",
        d.plan.effect
    );
    drive(&mut a, &services, effects).await;
    keys(
        &mut a,
        &[
            "p", "a", "y", "m", "e", "n", "t", "S", "e", "r", "v", "i", "c", "e",
        ],
    );
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(s.state(PAYMENT), "FORCED_OPEN");
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(
        audit
            .lines()
            .filter(|l| l.contains("\"event\":\"ok\""))
            .count(),
        2,
        "{audit}"
    );
}

#[tokio::test]
async fn disable_is_high_risk_and_wants_the_typed_name() {
    let s = server();
    let (link, settings) = (no_kube(), direct(&s));
    let t = transport(link.clone());
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, Arc::new(ActuatorExecutor::new(t.clone())));
    let mut a = breakers_tab((160, 48));
    poll_into(&mut a, &settings, &t, &link).await;
    let effects = keys(&mut a, &["x"]);
    drive(&mut a, &services, effects).await;
    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(
        s.state("inventoryService"),
        "CLOSED",
        "y alone must not disable"
    );
    let shown = screen(&a);
    assert!(shown.contains("HIGH"), "{shown}");
    assert!(
        shown.contains("type \"inventoryService\" to confirm"),
        "{shown}"
    );
    // Typing the name is what disables it.
    keys(&mut a, &["<Backspace>"]);
    support::typed(&mut a, "inventoryService");
    let effects = keys(&mut a, &["<Tab>", "<Enter>"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(s.state("inventoryService"), "DISABLED");
}

#[tokio::test]
async fn bad_actuators_get_a_message_that_says_what_to_fix() {
    let s = server();
    let (link, settings) = (no_kube(), direct(&s));
    let t = transport(link.clone());
    let cases = [
        (
            Mode::NotExposed,
            "circuitbreakers endpoint not exposed on order-service: add it to management.endpoints.web.exposure.include",
        ),
        (Mode::Unauthorized, "order-service: 401 Unauthorized"),
        (Mode::Forbidden, "order-service: 403 Forbidden"),
        (Mode::Html, "order-service: actuator reply is not JSON"),
        (Mode::JunkJson, "order-service: actuator reply is not JSON"),
    ];
    for (mode, expected) in cases {
        s.set_mode(mode);
        let (update, error) = poll_actuators(&settings, &t, &link).await;
        let error = error.unwrap();
        assert!(error.starts_with(expected), "{mode:?}: {error}");
        assert_eq!(update.failures.len(), 1);
    }
    s.set_mode(Mode::Normal);
    let (update, error) = poll_actuators(&settings, &t, &link).await;
    assert_eq!(error, None);
    assert_eq!(update.observations.len(), 2);
}

/// The pods of order-service, their actuators on 8080.
fn order_service_pods() -> BreakerDiscovery {
    BreakerDiscovery {
        selector: "app=order-service".into(),
        port: 8080,
        path: "/actuator".into(),
        namespace: None,
    }
}

#[tokio::test]
async fn discovery_without_kubernetes_says_so_and_the_urls_are_still_read() {
    let s = server();
    let settings = BreakerSettings {
        discovery: Some(order_service_pods()),
        ..direct(&s)
    };
    // Kubernetes off: nothing will ever send on the link.
    let link = no_kube();
    let (update, error) = poll_actuators(&settings, &transport(link.clone()), &link).await;
    assert_eq!(
        error.as_deref(),
        Some("pod discovery needs Kubernetes, which is off (kubernetes.enabled = false)")
    );
    assert_eq!(update.observations.len(), 2, "the configured URL is read");
    // Kubernetes on but not connected yet: a wait, not a misconfiguration.
    let (link_tx, link) = tokio::sync::watch::channel(None);
    let (_, error) = poll_actuators(&settings, &transport(link.clone()), &link).await;
    assert_eq!(
        error.as_deref(),
        Some("waiting for the Kubernetes connection")
    );
    drop(link_tx);
}

#[tokio::test]
async fn pods_are_found_by_label_and_read_and_changed_through_the_pod_proxy() {
    let kube = KubeTestServer::start().await;
    let servers: Vec<ActuatorServer> = (0..2).map(|_| server()).collect();
    for (i, s) in servers.iter().enumerate() {
        let pod = format!("order-service-7d9f8c6b5-p{i}");
        kube.add_pod(json!({
            "metadata": {"name": pod, "namespace": "shop", "labels": {"app": "order-service"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": "order-service-7d9f8c6b5", "uid": "u", "controller": true}]},
            "spec": {"containers": [{"name": "app", "image": "order-service:1"}]},
            "status": {"phase": "Running", "podIP": format!("10.0.0.{i}")}
        }));
        kube.set_pod_proxy_target("shop", &pod, 8080, &s.base_url().replace("/actuator", ""));
    }
    kube.add_pod(json!({
        "metadata": {"name": "db-0", "namespace": "shop", "labels": {"app": "db"}},
        "spec": {"containers": [{"name": "db", "image": "postgres:15"}]},
        "status": {"phase": "Running", "podIP": "10.0.0.9"}
    }));
    servers[0].calls(PAYMENT, 5, Call::Failure);
    let dir = tempfile::tempdir().unwrap();
    let overrides = KubeOverrides {
        kubeconfig: Some(kube.write_kubeconfig(dir.path(), "shop")),
        ..KubeOverrides::default()
    };
    let conn = connect(&KubeSettings::default(), &overrides).await.unwrap();
    let (link_tx, link) = tokio::sync::watch::channel(Some(conn));
    let settings = BreakerSettings {
        discovery: Some(order_service_pods()),
        ..BreakerSettings::default()
    };
    let t = transport(link.clone());
    let mut a = breakers_tab((160, 48));
    poll_into(&mut a, &settings, &t, &link).await;
    let rows = &a.model.breakers.data.rows;
    assert_eq!(rows.len(), 4, "two pods x two breakers: {:?}", rows.keys());
    assert!(rows.keys().all(|k| k.service == "order-service"));
    assert!(a.model.breakers.data.disagrees("order-service", PAYMENT));
    assert!(screen(&a).contains("≠OPEN"), "{}", screen(&a));

    let services = services(&dir, Arc::new(ActuatorExecutor::new(t.clone())));
    let proxied_posts = || {
        kube.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.contains("/proxy/"))
            .count()
    };
    // Without RBAC for pods/proxy the permission step refuses it up front.
    kube.forbid("create", "pods/proxy", "shop");
    let effects = keys(&mut a, &["C"]);
    drive(&mut a, &services, effects).await;
    let refusal = &a.model.timeline.entries().last().unwrap().text;
    assert!(
        refusal.contains("permission") && refusal.contains("pods/proxy"),
        "{refusal}"
    );
    assert_eq!(proxied_posts(), 0);
    keys(&mut a, &["<Esc>"]);
    kube.allow_all();

    // C: CLOSE on every pod of the deployment; the plan lists the one not closed.
    let effects = keys(&mut a, &["C"]);
    let Overlay::Action(d) = &a.overlay else {
        panic!("no dialog: {:?}", a.status)
    };
    assert!(
        d.plan
            .effect
            .contains("order-service-7d9f8c6b5-p0: OPEN → CLOSED"),
        "{}",
        d.plan.effect
    );
    assert!(d.plan.cli.contains("kubectl --context"), "{}", d.plan.cli);
    drive(&mut a, &services, effects).await;
    // `:ctx` switches clusters while the dialog is open: nothing is sent.
    let mut elsewhere = link.borrow().clone().unwrap();
    elsewhere.context = "staging".into();
    let planned_in = link_tx.send_replace(Some(elsewhere));
    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(servers[0].state(PAYMENT), "OPEN");
    assert_eq!(proxied_posts(), 0, "nothing reached the proxy");
    let refusal = &a.model.timeline.entries().last().unwrap().text;
    assert!(
        refusal.starts_with("not run:")
            && refusal.contains("planned in context test, but opsdeck now watches staging"),
        "{refusal}"
    );
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "refused", "{last}");
    assert!(!audit.contains("\"started\""), "nothing started: {audit}");
    // Back in the planned cluster, the same action goes through.
    link_tx.send_replace(planned_in);
    keys(&mut a, &["<Esc>"]);
    let effects = keys(&mut a, &["C"]);
    drive(&mut a, &services, effects).await;
    let effects = keys(&mut a, &["y"]);
    drive(&mut a, &services, effects).await;
    assert_eq!(servers[0].state(PAYMENT), "CLOSED");
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .last()
            .unwrap()
            .contains("allowed: create pods/proxy on 1 pod(s)"),
        "{audit}"
    );
    assert!(
        kube.requests().iter().any(|r| r.method == "POST"
            && r.path.ends_with("/pods/order-service-7d9f8c6b5-p0:8080/proxy/actuator/circuitbreakers/paymentService")),
        "{:?}",
        kube.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect::<Vec<_>>()
    );

    // A pod that goes away drops out on the next poll.
    kube.delete_pod("shop", "order-service-7d9f8c6b5-p1");
    keys(&mut a, &["<Esc>"]);
    poll_into(&mut a, &settings, &t, &link).await;
    assert_eq!(a.model.breakers.data.rows.len(), 2);

    // `:ctx` elsewhere: the old cluster's pods are not offered for actions.
    a.update(Event::Update(Update::Scope {
        context: "staging".into(),
        namespace: "shop".into(),
    }));
    assert!(a.model.breakers.data.rows.is_empty());
    assert!(!screen(&a).contains("7d9f8c6b5-p0"), "{}", screen(&a));
}

#[tokio::test]
async fn check_probes_read_and_write_without_changing_anything() {
    use opsdeck::core::action::Endpoint;
    use opsdeck::features::breakers::source::probe::probe_actuator;
    let s = server();
    let t = transport(no_kube());
    let endpoint = Endpoint::url(&s.base_url());
    s.calls(PAYMENT, 5, Call::Failure);
    let rows = probe_actuator(&t, &endpoint, "order-service").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.ok), "{rows:?}");
    assert!(rows[0].detail.contains("2 breaker(s)"), "{rows:?}");
    assert_eq!(s.state(PAYMENT), "OPEN", "the write probe changes nothing");
    s.set_mode(Mode::ReadOnly);
    let rows = probe_actuator(&t, &endpoint, "order-service").await;
    assert!(!rows[1].ok, "{rows:?}");
    assert!(rows[1].detail.contains("405"), "{rows:?}");
    s.set_mode(Mode::NotExposed);
    let rows = probe_actuator(&t, &endpoint, "order-service").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].detail.contains("not exposed"), "{rows:?}");
}

#[tokio::test]
async fn an_endless_actuator_reply_is_read_up_to_the_bound_only() {
    use opsdeck::core::action::Endpoint;
    use opsdeck::features::breakers::source::transport::MAX_BODY;
    use std::sync::atomic::Ordering;
    let (addr, sent) =
        support::http::serve_endless(r#"{"circuitBreakers":{"#, r#""b":{"state":"CLOSED"},"#);
    let t = Transport::new(no_kube(), None, Duration::from_secs(10)).unwrap();
    let endpoint = Endpoint::url(&format!("http://{addr}/actuator"));
    let started = std::time::Instant::now();
    let err = t.get(&endpoint, "/circuitbreakers").await.unwrap_err();
    assert_eq!(
        err,
        format!("HTTP 200: the reply is larger than 4 MiB [cut at {MAX_BODY} bytes], not read")
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = sent.load(Ordering::Relaxed);
    // The bound plus what the sockets' buffers held, never the whole stream.
    assert!(
        sent < (MAX_BODY as u64) + (32 << 20),
        "{sent} bytes were sent"
    );
}

#[tokio::test]
async fn an_endless_reply_through_the_pod_proxy_is_read_up_to_the_bound_only() {
    use opsdeck::core::action::Endpoint;
    use opsdeck::features::breakers::source::transport::MAX_BODY;
    use std::sync::atomic::Ordering;
    let (addr, sent) =
        support::http::serve_endless(r#"{"circuitBreakers":{"#, r#""b":{"state":"CLOSED"},"#);
    let kube = KubeTestServer::start().await;
    let pod = "order-service-7d9f8c6b5-p0";
    kube.add_pod(json!({
        "metadata": {"name": pod, "namespace": "shop", "labels": {"app": "order-service"}},
        "spec": {"containers": [{"name": "app", "image": "order-service:1"}]},
        "status": {"phase": "Running", "podIP": "10.0.0.1"}
    }));
    kube.set_pod_proxy_target("shop", pod, 8080, &format!("http://{addr}"));
    let dir = tempfile::tempdir().unwrap();
    let overrides = KubeOverrides {
        kubeconfig: Some(kube.write_kubeconfig(dir.path(), "shop")),
        ..KubeOverrides::default()
    };
    let conn = connect(&KubeSettings::default(), &overrides).await.unwrap();
    let (_link_tx, link) = tokio::sync::watch::channel(Some(conn));
    let t = Transport::new(link, None, Duration::from_secs(10)).unwrap();
    let endpoint = Endpoint::PodProxy {
        namespace: "shop".into(),
        pod: pod.into(),
        port: 8080,
        base_path: "/actuator".into(),
    };
    let started = std::time::Instant::now();
    let err = t.get(&endpoint, "/circuitbreakers").await.unwrap_err();
    assert_eq!(
        err,
        format!("HTTP 200: the reply is larger than 4 MiB [cut at {MAX_BODY} bytes], not read")
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = sent.load(Ordering::Relaxed);
    // The bound plus what two hops of socket buffers held.
    assert!(
        sent < (MAX_BODY as u64) + (64 << 20),
        "{sent} bytes were sent"
    );
}
