//! Driving the guard chain through the app as the runtime would: a
//! command, the pre-check's answer, the effects that follow.

use super::{keys, typed};
use opsdeck::app::dialog::Stage;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::core::action::ActionPlan;
use opsdeck::core::executor::Check;

/// Types a command line and returns the effects of Enter.
pub fn command(app: &mut App, line: &str) -> Vec<Effect> {
    keys(app, &[":"]);
    typed(app, line);
    keys(app, &["<Enter>"])
}

pub fn executes(effects: &[Effect]) -> Vec<&ActionPlan> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Execute { plan, .. } => Some(plan),
            _ => None,
        })
        .collect()
}

/// Answers the pre-check the app asked for, like the runtime would.
pub fn precheck(
    app: &mut App,
    effects: &[Effect],
    permission: Check,
    dry_run: Check,
) -> Vec<Effect> {
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Precheck { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a pre-check was asked for");
    app.update(Event::Prechecked {
        id,
        permission,
        dry_run,
        room: None,
    })
}

pub fn passed(what: &str) -> Check {
    Check::Passed(what.into())
}

pub fn stage(app: &App) -> Stage {
    match &app.overlay {
        Overlay::Action(d) => d.stage.clone(),
        other => panic!("no dialog: {other:?}"),
    }
}

/// Opens a plan from a command and answers its pre-check.
pub fn open(app: &mut App, line: &str) -> Vec<Effect> {
    let effects = command(app, line);
    assert!(executes(&effects).is_empty(), "executed on open: {line}");
    let more = precheck(app, &effects, passed("allowed"), passed("dry run ok"));
    assert!(executes(&more).is_empty(), "executed on pre-check: {line}");
    more
}
