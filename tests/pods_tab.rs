//! The Pods tab on the demo cluster: views, sorting, filtering, detail, and
//! actions on the selected row going through the guarded path.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::{App, Effect, Overlay};
use opsdeck::core::action::Action;
use opsdeck::features::pods::view::PodsMode;
use support::*;

/// The demo 100 s in: payment-service OOMKilled and crash-looping.
fn incident(size: (u16, u16)) -> App {
    let mut app = pods_app(size);
    play_demo(&mut app, 100);
    app
}

fn sorted_by_status(app: &mut App) {
    keys(app, &["o", "o"]);
    assert_eq!(app.model.pods.view.sort.title(), "STATUS");
}

fn selected_pod(app: &App) -> String {
    app.model.pods.view.selected_key().unwrap().1.clone()
}

fn dialog_action(app: &App) -> Action {
    match &app.overlay {
        Overlay::Action(d) => d.plan.action.clone(),
        other => panic!("no action dialog: {other:?}"),
    }
}

#[test]
fn pods_sorted_by_status_put_the_crash_first() {
    for size in [(80, 24), (160, 48)] {
        let mut app = incident(size);
        sorted_by_status(&mut app);
        assert!(selected_pod(&app).starts_with("payment-service"));
        assert_snapshot!(
            format!("pods_by_status_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn a_crash_looping_pod_is_drawn_in_the_crit_style() {
    let mut app = incident((160, 48));
    sorted_by_status(&mut app);
    let terminal = render(&app);
    let text = screen(&app);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("CrashLoopBackOff"))
        .unwrap();
    let x = line[..line.find("CrashLoopBackOff").unwrap()]
        .chars()
        .count() as u16;
    assert_eq!(
        terminal.backend().buffer()[(x, y as u16)].fg,
        app.theme.crit.fg.unwrap()
    );
}

#[test]
fn the_detail_pane_shows_containers_last_state_and_warning_events() {
    let mut app = incident((160, 48));
    sorted_by_status(&mut app);
    keys(&mut app, &["<Enter>"]);
    let text = screen(&app);
    assert!(
        text.contains("last state: Terminated OOMKilled (exit code 137)"),
        "{text}"
    );
    assert!(text.contains("BackOff"), "{text}");
    assert!(text.contains("deploy/payment-service: 3 desired"), "{text}");
    assert_snapshot!(render(&app).backend());
    keys(&mut app, &["<Esc>"]);
    assert!(!app.model.pods.view.detail, "Esc closes the detail first");
}

#[test]
fn deployments_and_events_views() {
    let mut app = incident((120, 30));
    keys(&mut app, &["d"]);
    assert_eq!(app.model.pods.view.mode, PodsMode::Deployments);
    assert_snapshot!("deployments", render(&app).backend());
    keys(&mut app, &["e"]);
    assert_eq!(app.model.pods.view.mode, PodsMode::Events);
    assert_snapshot!("warning_events", render(&app).backend());
    keys(&mut app, &[":"]);
    typed(&mut app, "pods");
    keys(&mut app, &["<Enter>"]);
    assert_eq!(app.model.pods.view.mode, PodsMode::Pods);
}

#[test]
fn the_filter_takes_substrings_negation_and_label_selectors() {
    let mut app = incident((120, 30));
    keys(&mut app, &["/"]);
    typed(&mut app, "-l app=payment-service");
    assert_eq!(app.model.pods.view.len(), 3, "live while typing");
    keys(&mut app, &["<Enter>"]);
    assert_snapshot!(render(&app).backend());
    keys(&mut app, &["/", "<C-u>"]);
    typed(&mut app, "!Running");
    keys(&mut app, &["<Enter>"]);
    assert!(
        app.model
            .pods
            .view
            .rows()
            .iter()
            .all(|(_, n)| n.starts_with("payment-service"))
    );
    keys(&mut app, &["<Esc>"]);
    assert_eq!(app.model.pods.view.len(), app.model.pods.data.pods.len());
}

#[test]
fn actions_on_the_selected_pod_plan_against_its_deployment() {
    let mut app = incident((120, 30));
    sorted_by_status(&mut app);
    let pod = selected_pod(&app);
    let effects = keys(&mut app, &["R"]);
    assert!(effects.iter().all(|e| !matches!(e, Effect::Execute { .. })));
    assert_eq!(
        dialog_action(&app),
        Action::RolloutRestart {
            deployment: "payment-service".into()
        }
    );
    keys(&mut app, &["<Esc>"]);
    keys(&mut app, &["+"]);
    assert_eq!(
        dialog_action(&app),
        Action::Scale {
            deployment: "payment-service".into(),
            from: 3,
            to: 4
        }
    );
    keys(&mut app, &["<Esc>"]);
    keys(&mut app, &["X"]);
    assert_eq!(dialog_action(&app), Action::DeletePod { pod });
    keys(&mut app, &["<Esc>"]);
    keys(&mut app, &["s"]);
    let Overlay::Input(line) = &app.overlay else {
        panic!()
    };
    assert_eq!(line.value(), "scale deploy/payment-service ");
}

#[test]
fn deleting_needs_a_pod_selected() {
    let mut app = incident((120, 30));
    keys(&mut app, &["d", "X"]);
    assert!(matches!(app.overlay, Overlay::None));
    assert!(app.status.clone().unwrap().text.contains("select a pod"));
    keys(&mut app, &["G", "R"]);
    assert!(
        matches!(dialog_action(&app), Action::RolloutRestart { .. }),
        "restart acts on the selected deployment"
    );
}

#[test]
fn without_kubernetes_the_tab_says_how_to_configure_it() {
    let app = pods_app((80, 24));
    assert!(screen(&app).contains("Kubernetes is not configured"));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn ctx_and_ns_switch_a_live_source_and_say_why_not_in_the_demo() {
    let mut app = incident((120, 30));
    keys(&mut app, &[":"]);
    typed(&mut app, "ns staging");
    assert!(keys(&mut app, &["<Enter>"]).is_empty());
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("demo has one context")
    );
    app.update(opsdeck::app::Event::Update(
        opsdeck::update::Update::Contexts(opsdeck::core::clean::Clean::new(vec![
            "prod-eu".into(),
            "staging-eu".into(),
        ])),
    ));
    keys(&mut app, &[":"]);
    typed(&mut app, "ctx st");
    keys(&mut app, &["<Tab>"]);
    let effects = keys(&mut app, &["<Enter>"]);
    assert_eq!(
        effects,
        vec![Effect::SetScope {
            context: Some("staging-eu".into()),
            namespace: None
        }]
    );
    keys(&mut app, &[":"]);
    typed(&mut app, "ctx nope");
    assert!(keys(&mut app, &["<Enter>"]).is_empty());
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("no context \"nope\"")
    );
    keys(&mut app, &[":"]);
    typed(&mut app, "ns all");
    let effects = keys(&mut app, &["<Enter>"]);
    assert_eq!(
        effects,
        vec![Effect::SetScope {
            context: None,
            namespace: Some("all".into())
        }]
    );
}

#[test]
fn with_every_namespace_watched_actions_target_the_objects_own_namespace() {
    use opsdeck::features::pods::model::{Deployment, KubeUpdate, Pod};
    use opsdeck::update::Update;
    let mut app = pods_app((120, 30));
    app.update(opsdeck::app::Event::Update(Update::Scope {
        context: "prod-eu".into(),
        namespace: "all".into(),
    }));
    let deployment = |ns: &str| Deployment {
        name: "api".into(),
        namespace: ns.into(),
        replicas: 2,
        ready: 2,
        ..Default::default()
    };
    let pod = |ns: &str, name: &str| Pod {
        name: name.into(),
        namespace: ns.into(),
        deployment: Some("api".into()),
        status: "Running".into(),
        ..Default::default()
    };
    app.update(opsdeck::app::Event::Update(Update::from(
        KubeUpdate::Deployments(vec![deployment("team-a"), deployment("team-b")]),
    )));
    app.update(opsdeck::app::Event::Update(Update::from(KubeUpdate::Pods(
        vec![pod("team-a", "api-1"), pod("team-b", "api-2")],
    ))));
    keys(&mut app, &["j", "X"]);
    let Overlay::Action(d) = &app.overlay else {
        panic!("{:?}", app.status)
    };
    assert_eq!(d.plan.target.namespace, "team-b");
    assert!(
        d.plan.cli.contains("-n team-b delete pod api-2"),
        "{}",
        d.plan.cli
    );
    keys(&mut app, &["<Esc>", "R"]);
    let Overlay::Action(d) = &app.overlay else {
        panic!("{:?}", app.status)
    };
    assert_eq!(
        d.plan.target.namespace, "team-b",
        "the selected pod's deployment, not its namesake"
    );
    // `s` names the deployment with its namespace, so `:scale` finds it.
    keys(&mut app, &["<Esc>", "s"]);
    let Overlay::Input(line) = &app.overlay else {
        panic!("{:?}", app.status)
    };
    assert_eq!(line.value(), "scale deploy/team-b/api ");
}

#[test]
fn deployments_show_the_rollout_and_enter_opens_its_revisions() {
    for size in [(80, 24), (160, 48)] {
        let mut app = incident(size);
        keys(&mut app, &["d"]);
        let text = screen(&app);
        assert!(text.contains("REV") && text.contains("ROLLOUT"), "{text}");
        let terminal = render(&app);
        let (y, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("stalled"))
            .unwrap();
        let x = line[..line.find("stalled").unwrap()].chars().count() as u16;
        assert_eq!(
            terminal.backend().buffer()[(x, y as u16)].fg,
            app.theme.crit.fg.unwrap(),
            "a stalled rollout is drawn in the crit style"
        );
        assert_snapshot!(
            format!("deployments_{}x{}", size.0, size.1),
            terminal.backend()
        );
        while app.model.pods.view.selected_key().unwrap().1 != "payment-service" {
            keys(&mut app, &["j"]);
        }
        keys(&mut app, &["<Enter>"]);
        let text = screen(&app);
        assert!(text.contains("rollout of deploy/payment-service"), "{text}");
        assert!(text.contains("payment-service:2.14.0"), "{text}");
        assert!(text.contains("payment-service:2.13.4"), "{text}");
        assert!(text.contains("pods of revision 14"), "{text}");
        if size.0 >= 160 {
            assert!(
                text.contains("rollback advised: error ratio 9.4% > 5% on revision 14 (payment-service:2.14.0) vs 0.1% on revision 13"),
                "{text}"
            );
        }
        assert_snapshot!(
            format!("rollout_detail_{}x{}", size.0, size.1),
            render(&app).backend()
        );
        keys(&mut app, &["j"]);
        assert_eq!(
            app.model.pods.view.revision, 1,
            "down picks the older revision"
        );
        assert!(screen(&app).contains("revision 13: no pods"));
    }
}

#[test]
fn rollback_is_planned_from_the_command_line_and_from_the_rollout_detail() {
    let mut app = incident((160, 48));
    keys(&mut app, &[":"]);
    typed(&mut app, "rollback deploy/payment-service");
    keys(&mut app, &["<Enter>"]);
    match dialog_action(&app) {
        Action::Rollback {
            deployment,
            from_revision,
            to_revision,
            ..
        } => assert_eq!(
            (deployment.as_str(), from_revision, to_revision),
            ("payment-service", 14, 13)
        ),
        other => panic!("{other:?}"),
    }
    let text = screen(&app);
    assert!(
        text.contains("payment-service:2.14.0 → payment-service:2.13.4"),
        "{text}"
    );
    assert!(
        text.contains("kubectl rollout undo deploy/payment-service --to-revision=13 -n production"),
        "{text}"
    );
    let Overlay::Action(d) = &app.overlay else {
        panic!("no dialog")
    };
    assert_eq!(
        d.confirm,
        opsdeck::core::action::Confirm::Typed,
        "production is protected"
    );
    assert_snapshot!("rollback_plan_160x48", render(&app).backend());
    keys(&mut app, &["<Esc>"]);

    // `U` in the rollout detail rolls back to the revision picked there.
    keys(&mut app, &["d"]);
    while app.model.pods.view.selected_key().unwrap().1 != "payment-service" {
        keys(&mut app, &["j"]);
    }
    keys(&mut app, &["<Enter>", "j", "U"]);
    assert!(matches!(
        dialog_action(&app),
        Action::Rollback {
            to_revision: 13,
            ..
        }
    ));
    keys(&mut app, &["<Esc>"]);
    keys(&mut app, &[":"]);
    typed(&mut app, "rollback deploy/payment-service 9");
    keys(&mut app, &["<Enter>"]);
    assert!(
        !matches!(app.overlay, Overlay::Action(_)),
        "a pruned revision is refused before any dialog"
    );
    assert!(screen(&app).contains("revision 9 of deploy/payment-service no longer exists"));
}

/// Issue 21: a watched change to a pod scrolled out of view draws no
/// frame; one on screen, one that changes the title's count, or any change
/// while the Overview is shown, does.
#[test]
fn only_changes_that_can_show_ask_for_a_frame() {
    use opsdeck::app::Event;
    use opsdeck::app::tab::Tab;
    use opsdeck::features::pods::model::{KubeUpdate, Pod};
    use opsdeck::update::Update;
    let pod = |i: usize, restarts: u32| Pod {
        name: format!("web-{i:03}"),
        namespace: "prod".into(),
        deployment: Some("web".into()),
        status: "Running".into(),
        restarts,
        ..Pod::default()
    };
    let change = |app: &mut App, i: usize, restarts: u32| {
        app.begin_batch();
        app.update(Event::Update(Update::from(KubeUpdate::PodsChanged {
            upserted: vec![pod(i, restarts)],
            deleted: Vec::new(),
        })));
        app.end_batch();
        app.take_redraw()
    };
    let mut app = pods_app((120, 30));
    app.update(Event::Update(Update::from(KubeUpdate::Pods(
        (0..500).map(|i| pod(i, 0)).collect(),
    ))));
    assert!(app.take_redraw(), "the first list shows");
    assert!(!change(&mut app, 400, 1), "web-400 is far below the screen");
    assert!(change(&mut app, 3, 1), "web-003 is on screen");
    assert!(
        change(&mut app, 900, 0),
        "a new pod changes the title's count"
    );
    keys(&mut app, &["G"]);
    assert!(
        change(&mut app, 480, 2),
        "at the bottom, web-480 is on screen"
    );
    assert!(!change(&mut app, 3, 2), "and web-003 is not");
    app.tab = Tab::Logs;
    assert!(!change(&mut app, 480, 3), "the Logs tab shows no pod row");
    app.tab = Tab::Overview;
    assert!(change(&mut app, 480, 4), "the Overview shows restarts");
}
