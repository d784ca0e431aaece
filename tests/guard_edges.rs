//! The edges of the guard chain (#20 items 1–7), through the app as in
//! `actions_headless.rs`: plans over several namespaces, undo, names that
//! exist in more than one namespace, checks that did not answer, typed
//! confirmations, leaving while an action runs, and secrets in plans.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::dialog::Stage;
use opsdeck::app::tab::Tab;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::{Action, ActionPlan, Confirm, Endpoint};
use opsdeck::core::executor::{Check, Outcome};
use opsdeck::features::breakers::data::BreakerState;
use opsdeck::features::breakers::model::{
    BreakerSource, BreakersUpdate, Figures, Observation, RowKey,
};
use opsdeck::features::pods::model::{Deployment, KubeUpdate};
use opsdeck::remediation::audit::AuditEvent;
use opsdeck::update::Update;
use support::actions::*;
use support::*;

fn dialog(app: &App) -> &opsdeck::app::dialog::ActionDialog {
    match &app.overlay {
        Overlay::Action(d) => d,
        other => panic!("no dialog ({:?}): {other:?}", app.status),
    }
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn scoped(app: &mut App, context: &str, namespace: &str) {
    app.update(Event::Update(Update::Scope {
        context: context.into(),
        namespace: namespace.into(),
    }));
}

fn deployments(app: &mut App, list: &[(&str, &str)]) {
    let list = list
        .iter()
        .map(|(ns, name)| Deployment {
            name: (*name).into(),
            namespace: (*ns).into(),
            replicas: 2,
            ready: 2,
            ..Default::default()
        })
        .collect();
    app.update(Event::Update(Update::from(KubeUpdate::Deployments(list))));
}

/// Confirms the open dialog with `y` and reports the outcome back.
fn run(app: &mut App, outcome: Outcome) -> u64 {
    let effects = keys(app, &["y"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    let id = *id;
    app.update(Event::ActionDone {
        id,
        plan: Box::new(plan.clone()),
        outcome,
    });
    keys(app, &["<Esc>"]);
    id
}

/// Selects the Timeline entry of action `id`.
fn select_entry_of(app: &mut App, id: u64) {
    app.tab = Tab::Timeline;
    keys(app, &["g"]);
    for _ in 0..app.model.timeline.entries().len() {
        if app.model.timeline.selected().and_then(|e| e.action) == Some(id) {
            return;
        }
        keys(app, &["j"]);
    }
    panic!("no Timeline entry for action {id}");
}

fn breaker_obs(pod: &str, endpoint: Endpoint) -> Observation {
    Observation {
        key: RowKey {
            service: "orders".into(),
            instance: pod.into(),
            breaker: "paymentService".into(),
        },
        target: pod.into(),
        endpoint: Some(endpoint),
        figures: Figures {
            state: BreakerState::Open,
            failure_rate: None,
            failure_threshold: None,
            slow_rate: None,
            slow_threshold: None,
            buffered: None,
            failed: None,
            slow: None,
            not_permitted: None,
        },
    }
}

fn proxied(namespace: &str, pod: &str) -> Observation {
    breaker_obs(
        pod,
        Endpoint::PodProxy {
            namespace: namespace.into(),
            pod: pod.into(),
            port: 8080,
            base_path: "/actuator".into(),
        },
    )
}

fn breakers(app: &mut App, observations: Vec<Observation>) {
    let targets = observations.iter().map(|o| o.target.clone()).collect();
    app.update(Event::Update(Update::from(BreakersUpdate {
        source: BreakerSource::Actuator,
        at: app.now,
        observations,
        targets,
        failures: Vec::new(),
        keep_unlisted: false,
    })));
    app.tab = Tab::Breakers;
    keys(app, &["g"]);
}

/// Item 1: `C` on a breaker whose pods are in canary and production.
#[test]
fn a_plan_over_two_namespaces_names_both_and_is_protected_by_either() {
    let mut app = app((120, 40));
    app.settings.protected = vec!["production".into()];
    scoped(&mut app, "prod-eu", "all");
    breakers(
        &mut app,
        vec![
            proxied("canary", "orders-a"),
            proxied("production", "orders-b"),
        ],
    );
    let effects = keys(&mut app, &["C"]);
    let d = dialog(&app);
    assert_eq!(d.plan.target.places.len(), 2, "{:?}", d.plan.target);
    let shown = d.plan.target.to_string();
    assert!(shown.contains("1 in canary (prod-eu)"), "{shown}");
    assert!(shown.contains("1 in production (prod-eu)"), "{shown}");
    assert_eq!(d.confirm, Confirm::Typed, "production is protected");
    assert!(d.confirm_why.as_deref().unwrap().contains("production"));
    assert_eq!(d.plan.confirm_text(), "paymentService", "no one namespace");
    assert!(screen(&app).contains("1 in production"), "{}", screen(&app));
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
}

/// Item 1: an actuator URL is in the environment its config label says;
/// with no label it counts as protected.
#[test]
fn actuator_urls_are_judged_by_their_label_or_else_protected() {
    let url = |context: Option<&str>| Endpoint::Url {
        base: "http://orders:8080/actuator".into(),
        context: context.map(str::to_string),
        namespace: Some("orders".into()),
    };
    let mut app = app((120, 40));
    app.settings.protected = vec!["prod-*".into()];
    scoped(&mut app, "staging", "shop");
    breakers(&mut app, vec![breaker_obs("orders-a", url(None))]);
    keys(&mut app, &["C"]);
    let d = dialog(&app);
    assert_eq!(d.confirm, Confirm::Typed);
    assert!(
        d.confirm_why
            .as_deref()
            .unwrap()
            .contains("no environment label"),
        "{:?}",
        d.confirm_why
    );
    keys(&mut app, &["<Esc>"]);

    breakers(&mut app, vec![breaker_obs("orders-a", url(Some("dev")))]);
    keys(&mut app, &["C"]);
    assert_eq!(dialog(&app).confirm, Confirm::Key, "dev is not protected");
    keys(&mut app, &["<Esc>"]);

    // Read-only is decided over the plan's contexts, not only the watched one.
    app.settings.readonly_contexts = vec!["prod-eu".into()];
    breakers(
        &mut app,
        vec![breaker_obs("orders-a", url(Some("prod-eu")))],
    );
    keys(&mut app, &["C"]);
    let Stage::Refused { reason } = &dialog(&app).stage else {
        panic!("{:?}", dialog(&app).stage)
    };
    assert!(reason.contains("\"prod-eu\" is read-only"), "{reason}");
}

/// Item 3: under -A a name in two namespaces is refused with the choices;
/// `namespace/name` picks one, and the typed confirmation is that.
#[test]
fn a_name_in_two_namespaces_must_be_said_with_its_namespace() {
    let mut app = app((120, 40));
    scoped(&mut app, "prod-eu", "all");
    deployments(&mut app, &[("canary", "api"), ("production", "api")]);
    app.tab = Tab::Lag;
    let effects = command(&mut app, "scale deploy/api 0");
    assert!(executes(&effects).is_empty());
    assert!(matches!(app.overlay, Overlay::None), "no dialog");
    let said = status(&app);
    assert!(
        said.contains("in 2 namespaces (canary, production)"),
        "{said}"
    );
    assert!(said.contains("deploy/canary/api"), "{said}");

    let effects = command(&mut app, "scale deploy/canary/api 0");
    let d = dialog(&app);
    assert_eq!(d.plan.target.namespace, "canary");
    assert!(
        d.plan.cli.contains("-n canary scale deploy/api"),
        "{}",
        d.plan.cli
    );
    assert_eq!(d.plan.confirm_text(), "canary/api");
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    typed(&mut app, "api");
    assert!(executes(&keys(&mut app, &["<Tab>", "<Enter>"])).is_empty());
    keys(&mut app, &["<Esc>"]);

    let offered = opsdeck::app::run_command::completions(
        "scale deploy/",
        &[],
        &app.model.pods.data,
        &[],
        &[],
    );
    assert_eq!(offered, ["deploy/canary/api", "deploy/production/api"]);
}

/// Item 4: a check the backend offers that did not answer refuses.
#[test]
fn a_check_that_did_not_answer_refuses_and_one_not_offered_passes() {
    let mut app = app((120, 40));
    play_demo(&mut app, 30);
    app.settings.protected.clear();
    let effects = command(&mut app, "restart deploy/api-gateway");
    precheck(
        &mut app,
        &effects,
        Check::NoAnswer("no answer in 30s".into()),
        passed("ok"),
    );
    let Stage::Refused { reason } = stage(&app) else {
        panic!("{:?}", stage(&app))
    };
    assert_eq!(reason, "permission: did not answer: no answer in 30s");
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    keys(&mut app, &["<Esc>"]);
    let effects = command(&mut app, "restart deploy/api-gateway");
    precheck(
        &mut app,
        &effects,
        Check::Unsupported("the actuator has no permission check".into()),
        passed("ok"),
    );
    assert_eq!(stage(&app), Stage::Ready);
    let d = dialog(&app);
    assert!(
        d.decisions
            .iter()
            .any(|x| x.detail.starts_with("not checked:"))
    );
}

fn demo_scaled() -> (App, u64) {
    let mut app = app((120, 40));
    play_demo(&mut app, 30);
    app.settings.protected.clear();
    open(&mut app, "scale deploy/order-consumer +3");
    let id = run(&mut app, Outcome::Ok("scaled".into()));
    (app, id)
}

/// Item 2: undo acts on the cluster it undoes; after `:ctx` it is refused.
#[test]
fn undo_is_refused_in_another_context() {
    let (mut app, id) = demo_scaled();
    let ns = app.model.namespace.clone().unwrap();
    scoped(&mut app, "staging", &ns);
    select_entry_of(&mut app, id);
    keys(&mut app, &["u"]);
    assert!(matches!(app.overlay, Overlay::None), "no dialog");
    let said = status(&app);
    assert!(said.contains("it ran in context demo"), "{said}");
    assert!(said.contains("now watches staging"), "{said}");
}

/// Item 2: `u` acts on the selected entry only, and an undo is used once.
#[test]
fn undo_takes_the_selected_entry_and_is_used_once() {
    let (mut app, id) = demo_scaled();
    app.tab = Tab::Timeline;
    keys(&mut app, &["n"]);
    typed(&mut app, "paged payments");
    keys(&mut app, &["<Enter>"]);
    // The note is selected: no falling back to the latest undoable action.
    assert_eq!(app.model.timeline.selected().unwrap().action, None);
    keys(&mut app, &["u"]);
    assert!(matches!(app.overlay, Overlay::None), "no dialog");
    assert!(
        status(&app).starts_with("nothing to undo"),
        "{}",
        status(&app)
    );

    let mut d = app
        .model
        .pods
        .data
        .deployment("production", "order-consumer")
        .unwrap()
        .clone();
    d.replicas = 6;
    app.update(Event::Update(Update::from(
        KubeUpdate::DeploymentsChanged {
            upserted: vec![d],
            deleted: vec![],
        },
    )));
    select_entry_of(&mut app, id);
    let effects = keys(&mut app, &["u"]);
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    assert_eq!(executes(&keys(&mut app, &["y"])).len(), 1);
    keys(&mut app, &["<Esc>"]);
    select_entry_of(&mut app, id);
    keys(&mut app, &["u"]);
    assert!(matches!(app.overlay, Overlay::None), "no second undo");
    assert!(status(&app).contains("already undone"), "{}", status(&app));
}

/// Item 6: q while an action runs waits for its outcome, then leaves.
#[test]
fn quitting_waits_for_a_running_action_and_says_for_what() {
    let mut app = app((120, 40));
    play_demo(&mut app, 30);
    app.settings.protected.clear();
    open(&mut app, "restart deploy/api-gateway");
    let effects = keys(&mut app, &["y"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    let (id, plan) = (*id, plan.clone());
    keys(&mut app, &["<Esc>"]);
    assert!(keys(&mut app, &["q"]).is_empty(), "q waits");
    let footer = screen(&app);
    assert!(
        footer.contains(
            "leaving (q again: now) — waiting up to 32s for restart every pod of deploy/api-gateway"
        ),
        "{footer}"
    );
    let effects = app.update(Event::ActionDone {
        id,
        plan: Box::new(plan),
        outcome: Outcome::Ok("restarted".into()),
    });
    assert_eq!(effects, vec![Effect::Quit], "leaves once the outcome is in");
}

/// Item 6: a second q (or a signal, or the wait running out) leaves at
/// once, and the running action's audit line says it was abandoned.
#[test]
fn a_second_q_or_the_deadline_leaves_and_audits_the_action_as_abandoned() {
    for second in ["q", "SIGTERM", "deadline"] {
        let mut app = app((120, 40));
        play_demo(&mut app, 30);
        app.settings.protected.clear();
        open(&mut app, "restart deploy/api-gateway");
        keys(&mut app, &["y", "<Esc>"]);
        assert!(app.update(Event::Signal("SIGHUP")).is_empty(), "{second}");
        let effects = match second {
            "q" => keys(&mut app, &["q"]),
            "SIGTERM" => app.update(Event::Signal("SIGTERM")),
            _ => {
                let later = app.now + chrono::Duration::seconds(31);
                assert!(app.update(Event::Tick(later)).is_empty(), "not yet");
                app.update(Event::Tick(later + chrono::Duration::seconds(2)))
            }
        };
        assert_eq!(effects.last(), Some(&Effect::Quit), "{second}");
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::Audit { event: AuditEvent::Abandoned, plan, .. }
                    if plan.summary().contains("api-gateway")
            )),
            "{second}: {effects:?}"
        );
    }
}

/// Item 7: what a plan shows, and the audit's copy, hold no secret; the
/// executor still gets the real query to compare with what runs now.
#[test]
fn a_plan_with_a_password_in_its_query_shows_and_audits_none() {
    let query = "ALTER ROLE bob PASSWORD 'hunter2'";
    let plan = ActionPlan {
        action: Action::PgSignal {
            target: "orders-db".into(),
            pid: 4242,
            terminate: false,
            query: query.into(),
            running_secs: Some(40),
            user: Some("bob".into()),
            database: Some("orders".into()),
            waiting: 0,
            backend_start: None,
        },
        target: opsdeck::core::action::Target::one("backend", "4242", "orders", "orders-db"),
        effect: format!("cancel the query of pid 4242 on orders-db\nquery: {query}"),
        risk: opsdeck::core::action::Risk::Low,
        risk_reason: None,
        undo_text: "cannot be undone".into(),
        undo: None,
        cli: format!("SELECT pg_cancel_backend(4242);  -- {query}"),
        demanded: None,
    };
    let mut app = app((120, 40));
    let effects = app.open_action(plan);
    assert!(!screen(&app).contains("hunter2"), "{}", screen(&app));
    let d = dialog(&app);
    assert!(!d.plan.effect.contains("hunter2") && !d.plan.cli.contains("hunter2"));
    let Action::PgSignal { query: kept, .. } = &d.plan.action else {
        panic!()
    };
    assert_eq!(kept, query, "the executor compares the real query");
    let audited = serde_json::to_string(&d.plan.for_audit()).unwrap();
    assert!(!audited.contains("hunter2"), "{audited}");
    assert!(
        audited.contains("ALTER ROLE bob"),
        "the rest is kept: {audited}"
    );
    drop(effects);
}

/// Item 2: a breaker's undo is planned from the latest poll: an instance
/// that is gone refuses it, one already back is left out.
#[test]
fn a_breaker_undo_is_planned_from_the_states_now() {
    let mut app = app((120, 40));
    app.settings.protected.clear();
    scoped(&mut app, "prod-eu", "shop");
    let pods = |states: &[(&str, BreakerState)]| {
        states
            .iter()
            .map(|(pod, state)| {
                let mut o = proxied("shop", pod);
                o.figures.state = state.clone();
                o
            })
            .collect::<Vec<_>>()
    };
    use BreakerState::*;
    breakers(&mut app, pods(&[("orders-a", Open), ("orders-b", Open)]));
    let effects = keys(&mut app, &["C"]);
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    let id = run(&mut app, Outcome::Ok("closed".into()));

    breakers(&mut app, pods(&[("orders-a", Closed)]));
    select_entry_of(&mut app, id);
    keys(&mut app, &["u"]);
    assert!(matches!(app.overlay, Overlay::None));
    assert!(
        status(&app).contains("orders-b is gone"),
        "{}",
        status(&app)
    );

    breakers(
        &mut app,
        pods(&[("orders-a", ForcedOpen), ("orders-b", Closed)]),
    );
    select_entry_of(&mut app, id);
    keys(&mut app, &["u"]);
    let d = dialog(&app);
    assert!(
        d.plan
            .effect
            .ends_with("on 1 instance(s):\n  orders-b: CLOSED → FORCED_OPEN"),
        "{}",
        d.plan.effect
    );
}
