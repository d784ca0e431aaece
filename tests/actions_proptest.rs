//! Random key sequences in the demo: an `Execute` effect only ever follows
//! the matching confirmation (`y` on a ready plan that needs no more, or
//! Enter on a focused, enabled Confirm after the exact name was typed).
//!
//! The oracle decides which confirmation a plan needs by itself, from the
//! plan's risk and the world's protected namespaces (the test picks them:
//! some worlds protect the demo's namespace, some protect nothing), never
//! from the dialog's own decision.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::dialog::Stage;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::config::keys::KeyPress;
use opsdeck::core::action::{ActionPlan, Risk};
use opsdeck::core::executor::{Check, Outcome};
use proptest::prelude::*;
use support::*;

/// What can happen next: a key, a burst of typing, or a backend answer.
#[derive(Debug, Clone)]
enum Step {
    Key(&'static str),
    Type(&'static str),
    Prechecks { allowed: bool },
    Done,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::sample::select(vec!["y", "n", "j", "k", "u", "g", "<Tab>", "<Enter>", "<Esc>", "<Backspace>", "<Left>", ":", "?", "2", "1", "e", "o"]).prop_map(Step::Key),
        2 => prop::sample::select(vec![
            ":restart deploy/payment-service\n",
            ":restart deploy/api-gateway\n",
            ":scale deploy/order-consumer +1\n",
            ":scale deploy/analytics-service 0\n",
            ":undo\n",
            "payment-service",
            "analytics-service",
            "payment",
        ]).prop_map(Step::Type),
        2 => any::<bool>().prop_map(|allowed| Step::Prechecks { allowed }),
        1 => Just(Step::Done),
    ]
}

/// What the dialog looked like just before a key.
struct Before {
    ready: bool,
    plan: Option<ActionPlan>,
    focus_confirm: bool,
    typed: String,
}

fn before(app: &App) -> Before {
    match &app.overlay {
        Overlay::Action(d) => Before {
            ready: d.stage == Stage::Ready,
            plan: Some(d.plan.clone()),
            focus_confirm: d.focus_confirm,
            typed: d.typed.clone(),
        },
        _ => Before {
            ready: false,
            plan: None,
            focus_confirm: false,
            typed: String::new(),
        },
    }
}

/// The oracle: whether `plan` must have its name typed in a world that
/// protects exactly `protected` (names, not patterns). No key in these
/// steps is bound to demand more.
fn needs_typing(plan: &ActionPlan, protected: &[&str]) -> bool {
    assert_eq!(
        plan.demanded, None,
        "no step uses a binding that demands typing"
    );
    plan.risk == Risk::High
        || protected.contains(&plan.target.namespace.as_str())
        || protected.contains(&plan.target.context.as_str())
}

fn press(app: &mut App, key: KeyPress, pending: &mut Vec<Effect>, protected: &[&str]) {
    let b = before(app);
    let effects = app.update(Event::Key(key));
    for e in &effects {
        if let Effect::Execute { .. } = e {
            let plan = b.plan.as_ref().expect("an Execute with no dialog open");
            let typing = needs_typing(plan, protected);
            let by_y = key == KeyPress::plain('y') && !typing;
            let typed_ok = !typing || b.typed == plan.target.name;
            let by_enter =
                key == KeyPress::parse("<Enter>").unwrap() && b.focus_confirm && typed_ok;
            assert!(
                b.ready && (by_y || by_enter),
                "Execute after {key} without the confirmation {} needs",
                plan.summary()
            );
        }
    }
    pending.extend(effects);
}

/// The demo with its namespace protected, or with nothing protected.
fn world(protect_production: bool) -> (App, Vec<&'static str>) {
    let mut app = app((100, 30));
    let protected = if protect_production {
        vec!["production"]
    } else {
        Vec::new()
    };
    app.settings.protected = protected.iter().map(|p| p.to_string()).collect();
    play_demo(&mut app, 100);
    (app, protected)
}

/// Runs the prechecks the app asked for, all passing.
fn prechecks_pass(app: &mut App, effects: &[Effect]) -> Vec<Effect> {
    let mut out = Vec::new();
    for e in effects {
        if let Effect::Precheck { id, .. } = e {
            out.extend(app.update(Event::Prechecked {
                id: *id,
                permission: Check::Passed("ok".into()),
                dry_run: Check::Passed("ok".into()),
                room: None,
            }));
        }
    }
    out
}

/// The oracle's two answers both happen: in an unprotected world `y`
/// runs a low-risk scale; protected, the same `y` does not.
#[test]
fn y_runs_a_low_risk_plan_only_where_nothing_is_protected() {
    for protect in [false, true] {
        let (mut app, _) = world(protect);
        keys(&mut app, &[":"]);
        typed(&mut app, "scale deploy/order-consumer +1");
        let asked = keys(&mut app, &["<Enter>"]);
        prechecks_pass(&mut app, &asked);
        let effects = keys(&mut app, &["y"]);
        let executed = effects.iter().any(|e| matches!(e, Effect::Execute { .. }));
        assert_eq!(executed, !protect, "protected: {protect}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_an_execute_without_the_confirmation(
        steps in prop::collection::vec(step(), 1..60),
        protect in any::<bool>(),
    ) {
        let (mut app, protected) = world(protect);
        let mut pending: Vec<Effect> = Vec::new();
        for s in steps {
            match s {
                Step::Key(k) => press(&mut app, KeyPress::parse(k).unwrap(), &mut pending, &protected),
                Step::Type(text) => {
                    for c in text.chars() {
                        let key = if c == '\n' { KeyPress::parse("<Enter>").unwrap() } else { KeyPress::plain(c) };
                        press(&mut app, key, &mut pending, &protected);
                    }
                }
                Step::Prechecks { allowed } => {
                    let asked: Vec<u64> = pending.iter().filter_map(|e| match e { Effect::Precheck { id, .. } => Some(*id), _ => None }).collect();
                    pending.retain(|e| !matches!(e, Effect::Precheck { .. }));
                    for id in asked {
                        let permission = if allowed { Check::Passed("ok".into()) } else { Check::Refused("forbidden".into()) };
                        let effects = app.update(Event::Prechecked { id, permission, dry_run: Check::Passed("ok".into()), room: None });
                        let executed = effects.iter().any(|e| matches!(e, Effect::Execute { .. }));
                        prop_assert!(!executed, "a pre-check answer executed something");
                    }
                }
                Step::Done => {
                    let runs: Vec<Effect> = pending.iter().filter(|e| matches!(e, Effect::Execute { .. })).cloned().collect();
                    pending.retain(|e| !matches!(e, Effect::Execute { .. }));
                    for e in runs {
                        if let Effect::Execute { id, plan, .. } = e {
                            app.update(Event::ActionDone { id, plan: Box::new(plan), outcome: Outcome::Ok("ok".into()) });
                        }
                    }
                }
            }
        }
    }
}
