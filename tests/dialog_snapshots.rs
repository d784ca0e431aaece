//! Snapshots of the action dialog in each state of the guard chain.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use insta::assert_snapshot;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::executor::{Check, Outcome};
use support::*;

fn open(app: &mut App, line: &str, permission: Check) -> Vec<Effect> {
    keys(app, &[":"]);
    typed(app, line);
    let effects = keys(app, &["<Enter>"]);
    let Some(Effect::Precheck { id, .. }) = effects.first() else {
        return effects;
    };
    app.update(Event::Prechecked {
        id: *id,
        permission,
        dry_run: Check::Passed("the demo cluster accepts it".into()),
        room: None,
    })
}

fn demo(size: (u16, u16)) -> App {
    let mut app = app(size);
    play_demo(&mut app, 100);
    app
}

#[test]
fn low_risk_plan() {
    for size in [(80, 24), (160, 48)] {
        let mut app = demo(size);
        app.settings.protected = vec![];
        open(
            &mut app,
            "scale deploy/order-consumer 6",
            Check::Passed("allowed: patch deployments/scale".into()),
        );
        assert_snapshot!(
            format!("dialog_low_risk_{}x{}", size.0, size.1),
            render(&app).backend()
        );
    }
}

#[test]
fn high_risk_with_the_name_half_typed() {
    let mut app = demo((100, 30));
    open(
        &mut app,
        "restart deploy/payment-service",
        Check::Passed("allowed".into()),
    );
    typed(&mut app, "payment-se");
    keys(&mut app, &["<Tab>"]);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn refused_by_read_only() {
    let mut app = demo((100, 30));
    app.options.readonly = true;
    open(
        &mut app,
        "restart deploy/payment-service",
        Check::Passed("allowed".into()),
    );
    assert_snapshot!(render(&app).backend());
    // Only closing is left: `y` does nothing, Enter closes.
    keys(&mut app, &["y"]);
    assert!(matches!(app.overlay, Overlay::Action(_)));
    keys(&mut app, &["<Enter>"]);
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn forbidden_by_the_permission_check() {
    let mut app = demo((100, 30));
    open(
        &mut app,
        "scale deploy/order-consumer 6",
        Check::Refused("forbidden: User \"ana\" cannot patch resource \"deployments/scale\" in namespace \"production\"".into()),
    );
    assert_snapshot!(render(&app).backend());
}

#[test]
fn running_with_spinner_then_failed() {
    let mut app = demo((100, 30));
    app.settings.protected = vec![];
    open(
        &mut app,
        "restart deploy/api-gateway",
        Check::Passed("allowed".into()),
    );
    let effects = keys(&mut app, &["y"]);
    let [Effect::Execute { id, plan, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    app.update(Event::Tick(app.now + chrono::Duration::seconds(2)));
    assert_snapshot!("running", render(&app).backend());
    // A running action cannot be stopped: `n` does not pretend to cancel
    // it (nor hide it), and `y` does not run it again.
    assert!(keys(&mut app, &["n", "y"]).is_empty());
    assert!(matches!(app.overlay, Overlay::Action(_)));
    app.update(Event::ActionDone {
        id: *id,
        plan: Box::new(plan.clone()),
        outcome: Outcome::Failed("Operation cannot be fulfilled on deployments.apps \"api-gateway\": the object has been modified".into()),
    });
    assert_snapshot!("failed", render(&app).backend());
}

#[test]
fn at_80x24_plain_passes_fold_so_the_war_rooms_answer_and_the_typed_name_stay_in_view() {
    let mut app = demo((80, 24));
    keys(&mut app, &[":"]);
    typed(&mut app, "restart deploy/payment-service");
    let effects = keys(&mut app, &["<Enter>"]);
    let Some(Effect::Precheck { id, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    app.update(Event::Prechecked {
        id: *id,
        permission: Check::Passed("allowed: rollout_restart deployment".into()),
        dry_run: Check::Passed(
            "the demo cluster accepts: restart every pod of deploy/payment-service (3 replicas), one by one".into(),
        ),
        room: Some(opsdeck::core::room::LockAnswer::Unavailable(
            "connect: Connection refused (os error 111)".into(),
        )),
    });
    let shown = screen(&app);
    assert!(
        shown.contains("audit log · read-only · target · preconditions"),
        "{shown}"
    );
    assert!(shown.contains("war room"), "{shown}");
    assert!(shown.contains("could not be taken"), "{shown}");
    assert!(
        shown.contains("type \"production/payment-service\" to confirm"),
        "{shown}"
    );
    assert_snapshot!(render(&app).backend());
}
