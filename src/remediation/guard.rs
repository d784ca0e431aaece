//! The guard chain: every reason an action may not run, checked in order.
//! Pure: the app calls it with what it knows; async checks (permission, dry
//! run) arrive as results and are recorded here as decisions.

use crate::core::action::{ActionPlan, Confirm, Risk};
use crate::core::glob::glob_match;
use crate::core::room::{Holder, LockAnswer};
use std::time::Duration;

/// The steps of the chain, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Audit,
    ReadOnly,
    Target,
    Precondition,
    Permission,
    DryRun,
    Confirmation,
    Cooldown,
    /// The war room: no other console is on it, nor ran it just now.
    Room,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Audit => "audit log",
            Step::ReadOnly => "read-only",
            Step::Target => "target",
            Step::Precondition => "preconditions",
            Step::Permission => "permission",
            Step::DryRun => "dry run",
            Step::Confirmation => "confirmation",
            Step::Cooldown => "cooldown",
            Step::Room => "war room",
        }
    }
}

/// What one step decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub step: Step,
    pub passed: bool,
    pub detail: String,
}

impl Decision {
    pub fn pass(step: Step, detail: impl Into<String>) -> Self {
        Decision {
            step,
            passed: true,
            detail: detail.into(),
        }
    }

    pub fn refuse(step: Step, detail: impl Into<String>) -> Self {
        Decision {
            step,
            passed: false,
            detail: detail.into(),
        }
    }

    /// As a Timeline entry (and so a recording) keeps it: redacted.
    pub fn record(&self) -> crate::core::timeline::CheckRecord {
        crate::core::timeline::CheckRecord::new(self.step.label(), self.passed, &self.detail)
    }
}

/// What the app knows when it checks a plan.
#[derive(Debug, Clone)]
pub struct GuardContext<'a> {
    /// Why actions are read-only here, if they are (the flag, the config,
    /// or a context the plan touches).
    pub readonly: Option<String>,
    /// Why the audit log cannot be written, if it cannot.
    pub audit_error: Option<&'a str>,
    pub protected: &'a [String],
    pub target_exists: bool,
    /// Failed preconditions supplied by the action (e.g. "group must be Empty").
    pub failed_preconditions: Vec<String>,
}

/// Steps that run before anything is sent anywhere. Stops at the first refusal.
pub fn before_checks(plan: &ActionPlan, ctx: &GuardContext<'_>) -> Vec<Decision> {
    let mut out = Vec::new();
    let checks: [(Step, Result<String, String>); 4] = [
        (
            Step::Audit,
            match ctx.audit_error {
                Some(e) => Err(format!(
                    "the audit log cannot be written ({e}); no action may run unaudited"
                )),
                None => Ok("writable".into()),
            },
        ),
        (
            Step::ReadOnly,
            match &ctx.readonly {
                Some(why) => Err(why.clone()),
                None => Ok("off".into()),
            },
        ),
        (
            Step::Target,
            if ctx.target_exists {
                Ok(format!("{} exists", plan.target.name))
            } else {
                Err("target no longer exists".into())
            },
        ),
        (
            Step::Precondition,
            if ctx.failed_preconditions.is_empty() {
                Ok("met".into())
            } else {
                Err(ctx.failed_preconditions.join("; "))
            },
        ),
    ];
    for (step, result) in checks {
        match result {
            Ok(detail) => out.push(Decision::pass(step, detail)),
            Err(detail) => {
                out.push(Decision::refuse(step, detail));
                break;
            }
        }
    }
    out
}

/// The confirmation the plan needs: the strictest of risk, protected
/// context/namespace and what the keymap demanded.
pub fn confirmation(plan: &ActionPlan, protected: &[String]) -> (Confirm, Option<String>) {
    let mut level = Confirm::Key;
    let mut why = None;
    if plan.risk == Risk::High {
        level = Confirm::Typed;
        why = Some("high risk".to_string());
    }
    if let Some(reason) = protected_place(plan, protected) {
        level = Confirm::Typed;
        why = Some(reason);
    }
    if plan.demanded == Some(Confirm::Typed) && level == Confirm::Key {
        level = Confirm::Typed;
        why = Some("the key binding asks for it".to_string());
    }
    (level, why)
}

/// Why the plan touches a protected place, if it does: any of its
/// contexts or namespaces matching a pattern, or an environment nobody
/// labelled while anything at all is protected.
fn protected_place(plan: &ActionPlan, protected: &[String]) -> Option<String> {
    if protected.is_empty() {
        return None;
    }
    let names = plan
        .target
        .places
        .iter()
        .flat_map(|p| [p.context.as_deref(), Some(p.namespace.as_str())]);
    for name in names {
        let Some(name) = name else {
            return Some(
                "an actuator URL with no environment label counts as protected (add context = \"…\" to its [breakers.actuators] entry)"
                    .into(),
            );
        };
        if let Some(p) = protected.iter().find(|p| glob_match(p, name)) {
            return Some(format!("{name:?} is protected ({p})"));
        }
    }
    None
}

/// Whether what the user did confirms the plan. Typing nothing never
/// confirms, even if a plan came with no name.
pub fn confirmed(level: Confirm, plan: &ActionPlan, typed: &str) -> bool {
    match level {
        Confirm::Key => true,
        Confirm::Typed => {
            let expected = plan.confirm_text();
            !plan.target.name.trim().is_empty() && typed == expected
        }
    }
}

/// The war room's answer about an action's target, when looking (with
/// the pre-checks) or taking the lock (just before the execute). A room
/// that did not answer is never shown as a lock taken: the step says it
/// was not, and the action goes on with the local chain alone (the war
/// room must not stop local work), or is refused under `require_lock`.
pub fn room(answer: &LockAnswer, taking: bool, require_lock: bool) -> Decision {
    let who = |h: &Option<Holder>, when: &str| {
        h.as_ref().map_or(
            "another console (its lock does not read)".to_string(),
            |h| format!("{} {when} {}", h.by.who(), h.since.format("%H:%M:%S")),
        )
    };
    match answer {
        LockAnswer::Free if taking => Decision::pass(Step::Room, "room lock taken"),
        LockAnswer::Free => Decision::pass(Step::Room, "no other console is on it"),
        LockAnswer::Held(h) => {
            Decision::refuse(Step::Room, format!("in progress by {}", who(h, "since")))
        }
        LockAnswer::Cooling { holder, left } => Decision::refuse(
            Step::Room,
            format!(
                "ran by {}; cooldown: wait {}s",
                who(holder, "at"),
                left.as_secs().max(1)
            ),
        ),
        LockAnswer::Unavailable(why) if require_lock => Decision::refuse(
            Step::Room,
            format!("the room lock could not be taken ({why}); require_lock is set"),
        ),
        LockAnswer::Unavailable(why) => Decision::pass(
            Step::Room,
            format!("the room lock could not be taken ({why}); going on with the local checks"),
        ),
    }
}

/// Refuses a repeat of the same action on the same target within the window.
pub fn cooldown(last_run_ago: Option<Duration>, window: Duration) -> Decision {
    match last_run_ago {
        Some(ago) if ago < window => {
            let left = (window - ago).as_secs().max(1);
            Decision::refuse(
                Step::Cooldown,
                format!(
                    "the same action ran on this target {}s ago; wait {left}s",
                    ago.as_secs()
                ),
            )
        }
        _ => Decision::pass(Step::Cooldown, "clear"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::pods::actions::plan::{Scope, scale};
    use crate::features::pods::model::{Deployment, Workloads};

    fn plan(namespace: &str, to: u32) -> ActionPlan {
        let w = Workloads::with(
            vec![Deployment {
                name: "api".into(),
                namespace: namespace.into(),
                replicas: 2,
                ready: 2,
                ..Default::default()
            }],
            vec![],
        );
        scale(
            &Scope {
                context: "staging",
                namespace,
                workloads: &w,
            },
            "api",
            to,
        )
        .unwrap()
    }

    fn ctx(protected: &[String]) -> GuardContext<'_> {
        GuardContext {
            readonly: None,
            audit_error: None,
            protected,
            target_exists: true,
            failed_preconditions: vec![],
        }
    }

    #[test]
    fn the_chain_stops_at_the_first_refusal_in_order() {
        let p = plan("dev", 3);
        let mut c = ctx(&[]);
        c.readonly = Some("read-only".into());
        c.target_exists = false;
        let d = before_checks(&p, &c);
        assert_eq!(d.last().unwrap().step, Step::ReadOnly);
        assert!(!d.last().unwrap().passed);
        c.audit_error = Some("permission denied");
        let d = before_checks(&p, &c);
        assert_eq!(d.len(), 1);
        assert!(d[0].detail.contains("no action may run unaudited"));
        c.audit_error = None;
        c.readonly = None;
        assert_eq!(
            before_checks(&p, &c).last().unwrap().detail,
            "target no longer exists"
        );
    }

    #[test]
    fn protected_namespaces_and_high_risk_need_the_typed_name() {
        let protected = vec!["prod*".to_string(), "*-prod".into(), "production".into()];
        assert_eq!(confirmation(&plan("dev", 3), &protected).0, Confirm::Key);
        let (level, why) = confirmation(&plan("production", 3), &protected);
        assert_eq!(level, Confirm::Typed);
        assert!(why.unwrap().contains("protected"));
        assert_eq!(confirmation(&plan("dev", 0), &protected).0, Confirm::Typed);
        let mut demanded = plan("dev", 3);
        demanded.demanded = Some(Confirm::Typed);
        assert_eq!(confirmation(&demanded, &protected).0, Confirm::Typed);
        let p = plan("production", 3);
        assert!(!confirmed(Confirm::Typed, &p, "ap"));
        assert!(!confirmed(Confirm::Typed, &p, "api"), "the name alone");
        assert!(confirmed(Confirm::Typed, &p, "production/api"));
    }

    #[test]
    fn a_plan_without_a_name_can_never_be_confirmed_by_typing() {
        let mut p = plan("dev", 3);
        p.target.name = String::new();
        for typed in ["", "dev/", "/"] {
            assert!(!confirmed(Confirm::Typed, &p, typed), "{typed:?}");
        }
        assert!(confirmed(Confirm::Key, &p, ""), "y needs no name");
    }

    #[test]
    fn cooldown_reports_the_time_left() {
        let d = cooldown(Some(Duration::from_secs(15)), Duration::from_secs(60));
        assert!(!d.passed);
        assert!(d.detail.ends_with("wait 45s"), "{}", d.detail);
        assert!(cooldown(Some(Duration::from_secs(61)), Duration::from_secs(60)).passed);
        assert!(cooldown(None, Duration::from_secs(60)).passed);
    }
}
