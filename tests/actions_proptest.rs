//! Random key sequences in the demo: an `Execute` effect only ever follows
//! the matching confirmation (`y` on a ready low-risk plan, or Enter on a
//! focused, enabled Confirm after the exact name was typed).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use opsdeck::app::dialog::Stage;
use opsdeck::app::{App, Effect, Event, Overlay};
use opsdeck::config::keys::KeyPress;
use opsdeck::core::action::Confirm;
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
    confirm: Option<Confirm>,
    focus_confirm: bool,
    /// Whether the typed text equals the target's name (judged here, not by the app).
    name_typed: bool,
}

fn before(app: &App) -> Before {
    match &app.overlay {
        Overlay::Action(d) => Before {
            ready: d.stage == Stage::Ready,
            confirm: Some(d.confirm),
            focus_confirm: d.focus_confirm,
            name_typed: d.typed == d.plan.target.name,
        },
        _ => Before {
            ready: false,
            confirm: None,
            focus_confirm: false,
            name_typed: false,
        },
    }
}

fn press(app: &mut App, key: KeyPress, pending: &mut Vec<Effect>) {
    let b = before(app);
    let effects = app.update(Event::Key(key));
    for e in &effects {
        if let Effect::Execute { .. } = e {
            let by_y = key == KeyPress::plain('y') && b.confirm == Some(Confirm::Key);
            let typed_ok = b.confirm == Some(Confirm::Key) || b.name_typed;
            let by_enter =
                key == KeyPress::parse("<Enter>").unwrap() && b.focus_confirm && typed_ok;
            assert!(
                b.ready && (by_y || by_enter),
                "Execute after {key} without a confirmation"
            );
        }
    }
    pending.extend(effects);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_an_execute_without_the_confirmation(steps in prop::collection::vec(step(), 1..60)) {
        let mut app = app((100, 30));
        play_demo(&mut app, 100);
        let mut pending: Vec<Effect> = Vec::new();
        for s in steps {
            match s {
                Step::Key(k) => press(&mut app, KeyPress::parse(k).unwrap(), &mut pending),
                Step::Type(text) => {
                    for c in text.chars() {
                        let key = if c == '\n' { KeyPress::parse("<Enter>").unwrap() } else { KeyPress::plain(c) };
                        press(&mut app, key, &mut pending);
                    }
                }
                Step::Prechecks { allowed } => {
                    let asked: Vec<u64> = pending.iter().filter_map(|e| match e { Effect::Precheck { id, .. } => Some(*id), _ => None }).collect();
                    pending.retain(|e| !matches!(e, Effect::Precheck { .. }));
                    for id in asked {
                        let permission = if allowed { Check::Passed("ok".into()) } else { Check::Refused("forbidden".into()) };
                        let effects = app.update(Event::Prechecked { id, permission, dry_run: Check::Passed("ok".into()) });
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
