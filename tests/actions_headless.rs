//! The guard chain through the app, without a terminal: no `Execute` effect
//! ever happens without a plan the user confirmed.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::dialog::Stage;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::Action;
use opsdeck::core::executor::{Check, Outcome};
use opsdeck::features::pods::model::KubeUpdate;
use support::actions::*;
use support::*;

fn demo_app() -> App {
    let mut app = app((120, 40));
    play_demo(&mut app, 30);
    app
}

fn pod_name(app: &App) -> String {
    app.model
        .pods
        .data
        .pods
        .values()
        .find(|p| p.name.starts_with("inventory"))
        .unwrap()
        .name
        .clone()
}

/// Every kind of action, in a namespace that is not protected (low risk: `y`).
fn unprotected() -> App {
    let mut app = demo_app();
    app.settings.protected = vec!["kube-system".into()];
    app
}

#[test]
fn no_action_kind_executes_before_y_and_each_executes_after() {
    let mut app = unprotected();
    let pod = pod_name(&app);
    for line in [
        "scale deploy/order-consumer 6",
        "restart deploy/api-gateway",
        &format!("delete pod/{pod}"),
    ] {
        open(&mut app, line);
        assert_eq!(stage(&app), Stage::Ready, "{line}");
        for k in ["j", "k", "<Tab>", "n"] {
            assert!(
                executes(&keys(&mut app, &[k])).is_empty(),
                "{k} executed {line}"
            );
            if !matches!(app.overlay, Overlay::Action(_)) {
                open(&mut app, line);
            }
        }
        let effects = keys(&mut app, &["y"]);
        let plans = executes(&effects);
        assert_eq!(plans.len(), 1, "{line}");
        assert!(matches!(stage(&app), Stage::Running { .. }));
        keys(&mut app, &["<Esc>"]);
    }
}

#[test]
fn enter_presses_cancel_by_default_and_confirm_only_when_focused() {
    let mut app = unprotected();
    open(&mut app, "scale deploy/order-consumer 6");
    let effects = keys(&mut app, &["<Enter>"]);
    assert!(executes(&effects).is_empty());
    assert!(
        matches!(app.overlay, Overlay::None),
        "Enter on the default focus cancels"
    );
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Audit {
            event: opsdeck::remediation::audit::AuditEvent::Cancelled,
            ..
        }
    )));
    open(&mut app, "scale deploy/order-consumer 6");
    assert_eq!(executes(&keys(&mut app, &["<Tab>", "<Enter>"])).len(), 1);
}

#[test]
fn nothing_can_be_confirmed_while_checks_are_pending() {
    let mut app = unprotected();
    let effects = command(&mut app, "restart deploy/api-gateway");
    assert!(effects.iter().any(|e| matches!(e, Effect::Precheck { .. })));
    assert_eq!(stage(&app), Stage::Checking);
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    assert!(executes(&keys(&mut app, &["<Tab>", "<Enter>"])).is_empty());
}

#[test]
fn read_only_refuses_everything_and_says_why() {
    let mut app = unprotected();
    app.options.readonly = true;
    for line in [
        "scale deploy/order-consumer 6",
        "restart deploy/api-gateway",
    ] {
        let effects = command(&mut app, line);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Precheck { .. })),
            "no backend call when read-only"
        );
        let Stage::Refused { reason } = stage(&app) else {
            panic!()
        };
        assert!(reason.starts_with("read-only"), "{reason}");
        assert!(executes(&keys(&mut app, &["y", "<Tab>", "<Enter>"])).is_empty());
        assert!(
            app.model
                .timeline
                .row(0)
                .unwrap()
                .text
                .starts_with("refused:")
        );
    }
}

#[test]
fn read_only_per_context_from_config() {
    let mut app = unprotected();
    app.settings.readonly_contexts = vec!["demo".into()];
    assert!(app.readonly());
    command(&mut app, "restart deploy/api-gateway");
    assert!(matches!(stage(&app), Stage::Refused { .. }));
}

#[test]
fn a_protected_namespace_needs_the_typed_name() {
    let mut app = demo_app(); // default protected patterns include "production"
    open(&mut app, "restart deploy/payment-service");
    assert!(executes(&keys(&mut app, &["y"])).is_empty(), "y only types");
    keys(&mut app, &["<Backspace>"]);
    typed(&mut app, "payment-service");
    assert!(
        executes(&keys(&mut app, &["<Tab>", "<Enter>"])).is_empty(),
        "the name without its namespace"
    );
    for _ in 0.."payment-service".len() {
        keys(&mut app, &["<Backspace>"]);
    }
    typed(&mut app, "production/payment-servic");
    assert!(
        executes(&keys(&mut app, &["<Enter>"])).is_empty(),
        "half the name"
    );
    let Overlay::Action(d) = &app.overlay else {
        panic!()
    };
    assert!(!d.can_confirm());
    typed(&mut app, "e");
    let effects = keys(&mut app, &["<Enter>"]);
    assert_eq!(executes(&effects).len(), 1);
}

#[test]
fn scale_to_zero_is_high_risk_and_needs_the_typed_name_anywhere() {
    let mut app = unprotected();
    open(&mut app, "scale deploy/analytics-service 0");
    let Overlay::Action(d) = &app.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.confirm, opsdeck::core::action::Confirm::Typed);
    let ask = format!("type \"{}\" to confirm (high risk)", d.plan.confirm_text());
    assert!(screen(&app).contains(&ask), "{}", screen(&app));
    assert!(executes(&keys(&mut app, &["y", "<Tab>", "<Enter>"])).is_empty());
    // Typing the name is what confirms (the y above typed a "y").
    keys(&mut app, &["<Backspace>"]);
    let name = format!("{}/analytics-service", stage_namespace(&app));
    typed(&mut app, &name);
    let plans = executes(&keys(&mut app, &["<Enter>"])).len();
    assert_eq!(plans, 1, "typing {name} confirms");
}

/// The namespace of the open dialog's plan.
fn stage_namespace(app: &App) -> String {
    match &app.overlay {
        Overlay::Action(d) => d.plan.target.namespace.clone(),
        other => panic!("no dialog: {other:?}"),
    }
}

#[test]
fn a_keymap_can_demand_typed_confirmation() {
    let user = "[timeline]\nprepend_keymap = [{ on = \"R\", run = \"restart deploy/api-gateway\", confirm = \"typed\" }]\n";
    let (keymap, problems) =
        opsdeck::config::keymap::Keymap::load(Some((std::path::Path::new("k.toml"), user)));
    assert!(problems.is_empty());
    let mut app = unprotected();
    app.keymap = keymap;
    let effects = keys(&mut app, &["R"]);
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    let Overlay::Action(d) = &app.overlay else {
        panic!()
    };
    assert_eq!(d.confirm, opsdeck::core::action::Confirm::Typed);
}

#[test]
fn forbidden_and_failed_dry_runs_refuse_before_confirmation() {
    let mut app = unprotected();
    let effects = command(&mut app, "restart deploy/api-gateway");
    precheck(
        &mut app,
        &effects,
        Check::Refused("forbidden: patch deployments in production".into()),
        passed("ok"),
    );
    let Stage::Refused { reason } = stage(&app) else {
        panic!()
    };
    assert_eq!(
        reason,
        "permission: forbidden: patch deployments in production"
    );
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    keys(&mut app, &["<Esc>"]);
    let effects = command(&mut app, "restart deploy/api-gateway");
    precheck(
        &mut app,
        &effects,
        passed("allowed"),
        Check::Refused("admission webhook denied: freeze".into()),
    );
    assert!(matches!(stage(&app), Stage::Refused { .. }));
}

#[test]
fn cooldown_refuses_the_same_action_on_the_same_target_with_time_left() {
    let mut app = unprotected();
    open(&mut app, "restart deploy/api-gateway");
    assert_eq!(executes(&keys(&mut app, &["y"])).len(), 1);
    keys(&mut app, &["<Esc>"]);
    app.update(Event::Tick(app.now + chrono::Duration::seconds(20)));
    open(&mut app, "restart deploy/api-gateway");
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    let Stage::Refused { reason } = stage(&app) else {
        panic!()
    };
    assert!(
        reason.starts_with("cooldown:") && reason.ends_with("wait 40s"),
        "{reason}"
    );
    keys(&mut app, &["<Esc>"]);
    open(&mut app, "restart deploy/order-service");
    assert_eq!(
        executes(&keys(&mut app, &["y"])).len(),
        1,
        "another target is not cooling down"
    );
}

#[test]
fn a_target_that_vanished_before_confirmation_is_refused() {
    let mut app = unprotected();
    let pod = pod_name(&app);
    open(&mut app, &format!("delete pod/{pod}"));
    let gone = ("production".to_string(), pod.clone());
    app.update(Event::Update(opsdeck::update::Update::from(
        KubeUpdate::PodsChanged {
            upserted: vec![],
            deleted: vec![gone],
        },
    )));
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
    let Stage::Refused { reason } = stage(&app) else {
        panic!()
    };
    assert_eq!(reason, "target: target no longer exists");
}

#[test]
fn an_unwritable_audit_log_refuses_every_action() {
    let mut app = unprotected();
    app.audit_error = Some("/var/lib/opsdeck/audit.jsonl: Permission denied".into());
    let effects = command(&mut app, "scale deploy/order-consumer 6");
    assert!(effects.is_empty(), "not even an audit effect: {effects:?}");
    let Stage::Refused { reason } = stage(&app) else {
        panic!()
    };
    assert!(reason.contains("no action may run unaudited"), "{reason}");
    assert!(screen(&app).contains("AUDIT LOG UNWRITABLE"));
}

#[test]
fn a_symlinked_audit_log_refuses_every_action_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.jsonl");
    std::fs::write(&elsewhere, "").unwrap();
    let path = dir.path().join("audit.jsonl");
    std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
    // What main does with the error of opening the audit log.
    let err = opsdeck::remediation::audit::AuditLog::open(&path).unwrap_err();
    let mut app = unprotected();
    app.audit_error = Some(err);
    let effects = command(&mut app, "scale deploy/order-consumer 6");
    assert!(effects.is_empty(), "{effects:?}");
    let Stage::Refused { reason } = stage(&app) else {
        panic!()
    };
    assert!(
        reason.contains("audit.jsonl is a symlink: refused"),
        "{reason}"
    );
    assert!(reason.contains("no action may run unaudited"), "{reason}");
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "");
}

#[test]
fn undo_offers_the_inverse_through_the_same_chain() {
    let mut app = unprotected();
    open(&mut app, "scale deploy/order-consumer +3");
    let effects = keys(&mut app, &["y"]);
    let (id, plan) = match &effects[..] {
        [Effect::Execute { id, plan, .. }] => (*id, plan.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        plan.action,
        Action::Scale {
            deployment: "order-consumer".into(),
            from: 3,
            to: 6
        }
    );
    app.update(Event::ActionDone {
        id,
        plan: Box::new(plan),
        outcome: Outcome::Ok("scaled".into()),
    });
    keys(&mut app, &["<Esc>"]);
    // The world catches up: 6 replicas now.
    let mut d = app
        .model
        .pods
        .data
        .deployment("production", "order-consumer")
        .unwrap()
        .clone();
    d.replicas = 6;
    app.update(Event::Update(opsdeck::update::Update::from(
        KubeUpdate::DeploymentsChanged {
            upserted: vec![d],
            deleted: vec![],
        },
    )));
    keys(&mut app, &["g"]);
    let effects = keys(&mut app, &["u"]);
    assert!(
        executes(&effects).is_empty(),
        "undo is a new plan, not an execution"
    );
    let Overlay::Action(d) = &app.overlay else {
        panic!("no undo dialog")
    };
    assert_eq!(
        d.plan.action,
        Action::Scale {
            deployment: "order-consumer".into(),
            from: 6,
            to: 3
        }
    );
    assert!(d.plan.cli.ends_with("--replicas=3"));
    precheck(&mut app, &effects, passed("ok"), passed("ok"));
    assert_eq!(executes(&keys(&mut app, &["y"])).len(), 1);
}

#[test]
fn outcomes_go_to_the_timeline_with_the_backend_message() {
    let mut app = unprotected();
    open(&mut app, "restart deploy/api-gateway");
    let effects = keys(&mut app, &["y"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!()
    };
    app.update(Event::ActionDone {
        id: *id,
        plan: Box::new(plan.clone()),
        outcome: Outcome::Failed("conflict: object modified".into()),
    });
    let e = app.model.timeline.row(0).unwrap();
    assert_eq!(e.severity, opsdeck::core::source::Severity::Crit);
    assert!(e.text.ends_with("conflict: object modified"), "{}", e.text);
    assert!(e.action.is_none() && app.undo_plans.is_empty());
    assert!(matches!(stage(&app), Stage::Done { ok: false, .. }));
}

#[test]
fn bad_requests_say_why_without_a_dialog() {
    let mut app = unprotected();
    command(&mut app, "scale deploy/nope 3");
    assert!(matches!(app.overlay, Overlay::None));
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("no deployment \"nope\"")
    );
    command(&mut app, "scale deploy/order-consumer lots");
    assert!(
        app.status
            .clone()
            .unwrap()
            .text
            .contains("replicas must be a number")
    );
    command(&mut app, "undo");
    assert!(app.status.clone().unwrap().text.contains("nothing to undo"));
}

#[test]
fn enter_on_an_executed_action_in_the_timeline_shows_its_dialog_and_outcome() {
    let mut app = unprotected();
    open(&mut app, "restart deploy/api-gateway");
    let effects = keys(&mut app, &["y"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    app.update(Event::ActionDone {
        id: *id,
        plan: Box::new(plan.clone()),
        outcome: Outcome::Failed("deployments.apps \"api-gateway\" is forbidden".into()),
    });
    keys(&mut app, &["<Esc>"]);
    assert!(matches!(app.overlay, Overlay::None));
    app.tab = opsdeck::app::tab::Tab::Timeline;
    // Newest first: the outcome is the top entry.
    keys(&mut app, &["g", "<Enter>"]);
    let Overlay::Action(d) = &app.overlay else {
        panic!("no dialog: {:?}", app.status)
    };
    assert_eq!(d.id, *id);
    let Stage::Done { ok, message } = &d.stage else {
        panic!("{:?}", d.stage)
    };
    assert!(!ok);
    assert!(message.contains("is forbidden"), "{message}");
    assert!(screen(&app).contains("is forbidden"));
    // Showing it again executes nothing.
    assert!(executes(&keys(&mut app, &["y"])).is_empty());
}

#[test]
fn a_rollback_is_undone_by_rolling_forward_to_the_revision_it_left() {
    let mut app = unprotected();
    open(&mut app, "rollback deploy/payment-service");
    let effects = keys(&mut app, &["y"]);
    let (id, plan) = match &effects[..] {
        [Effect::Execute { id, plan, .. }] => (*id, plan.clone()),
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        plan.action,
        Action::Rollback {
            from_revision: 14,
            to_revision: 13,
            ..
        }
    ));
    app.update(Event::ActionDone {
        id,
        plan: Box::new(plan),
        outcome: Outcome::Ok("rolled back".into()),
    });
    keys(&mut app, &["<Esc>"]);
    // Not polled since: the deployment still says revision 14.
    keys(&mut app, &["g", "u"]);
    assert!(!matches!(app.overlay, Overlay::Action(_)));
    assert!(
        screen(&app).contains("already runs revision 14"),
        "{}",
        screen(&app)
    );
    // The world catches up: revision 13's template is revision 15 now.
    let mut d = app
        .model
        .pods
        .data
        .deployment("production", "payment-service")
        .unwrap()
        .clone();
    d.revision = Some(15);
    app.update(Event::Update(opsdeck::update::Update::from(
        KubeUpdate::DeploymentsChanged {
            upserted: vec![d],
            deleted: vec![],
        },
    )));
    let effects = keys(&mut app, &["u"]);
    assert!(executes(&effects).is_empty(), "undo is a new plan");
    let Overlay::Action(d) = &app.overlay else {
        panic!("no undo dialog: {}", screen(&app))
    };
    assert!(
        matches!(
            d.plan.action,
            Action::Rollback {
                from_revision: 15,
                to_revision: 14,
                ..
            }
        ),
        "{:?}",
        d.plan.action
    );
    assert!(d.plan.cli.contains("--to-revision=14"));
}

#[test]
fn rollout_pause_and_resume_go_through_the_chain() {
    let mut app = unprotected();
    open(&mut app, "rollout pause deploy/payment-service");
    let Overlay::Action(d) = &app.overlay else {
        panic!("no dialog: {}", screen(&app))
    };
    assert_eq!(
        d.plan.action,
        Action::RolloutPause {
            deployment: "payment-service".into(),
            pause: true
        }
    );
    assert!(d.plan.cli.ends_with("rollout pause deploy/payment-service"));
    assert_eq!(executes(&keys(&mut app, &["y"])).len(), 1);
    keys(&mut app, &["<Esc>"]);
    command(&mut app, "rollout resume deploy/payment-service");
    assert!(
        !matches!(app.overlay, Overlay::Action(_)),
        "the poll says it is not paused"
    );
    assert!(screen(&app).contains("deploy/payment-service is not paused"));
}

#[test]
fn a_rollback_whose_deployment_changed_before_confirming_is_refused_and_planned_again() {
    let mut app = unprotected();
    open(&mut app, "rollback deploy/payment-service");
    let Overlay::Action(first) = &app.overlay else {
        panic!("no dialog: {}", screen(&app))
    };
    let (first_id, Action::Rollback { generation, .. }) = (first.id, &first.plan.action) else {
        panic!("{:?}", first.plan.action)
    };
    let was = *generation;
    // Someone edits the deployment (its spec: the generation moves) while
    // the dialog waits for the confirmation.
    let mut d = app
        .model
        .pods
        .data
        .deployment("production", "payment-service")
        .unwrap()
        .clone();
    d.generation = was + 1;
    let effects = app.update(Event::Update(opsdeck::update::Update::from(
        KubeUpdate::DeploymentsChanged {
            upserted: vec![d],
            deleted: vec![],
        },
    )));
    // The old plan is refused (and audited), a new one is checked afresh.
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Audit { plan, .. }
            if matches!(plan.action, Action::Rollback { generation, .. } if generation == was))),
        "{effects:?}"
    );
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Precheck { .. })),
        "{effects:?}"
    );
    let Overlay::Action(again) = &app.overlay else {
        panic!("no new dialog: {}", screen(&app))
    };
    assert_ne!(again.id, first_id);
    assert!(
        matches!(again.plan.action, Action::Rollback { generation, to_revision: 13, .. } if generation == was + 1),
        "{:?}",
        again.plan.action
    );
    let said = app.status.as_ref().unwrap().text.clone();
    assert!(
        said.contains(&format!(
            "changed since the plan (generation {was} → {})",
            was + 1
        )) && said.contains("planned again"),
        "{said}"
    );
    assert!(
        app.model
            .timeline
            .entries()
            .iter()
            .any(|e| e.text.as_str().starts_with("refused: ")
                && e.text.as_str().contains("changed since the plan")),
        "the refusal is on the Timeline"
    );
    // Nothing ran, and the new plan still waits for `y`.
    assert!(executes(&effects).is_empty());
}
