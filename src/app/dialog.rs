//! The action dialog: a plan, the guard chain's decisions as they come in,
//! and the confirmation. The only way to an `Effect::Execute`.

use super::tab::Tab;
use super::{App, Effect, Overlay};
use crate::core::action::{Action, ActionPlan, Confirm};
use crate::core::command::ActionRequest;
use crate::core::executor::{Check, Outcome};
use crate::core::source::Severity;
use crate::core::timeline::{Origin, TimelineEntry};
use crate::features::pods::actions::plan::{self, Scope};
use crate::features::pods::actions::rollout as rollout_plan;
use crate::remediation::audit::AuditEvent;
use crate::remediation::guard::{self, Decision, GuardContext, Step};
use crate::shared::feature::PlanContext;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Where an attempt is in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for the permission check and the dry run.
    Checking,
    /// Waiting for the user's confirmation.
    Ready,
    /// Confirmed; waiting for the war room's lock.
    Locking,
    Running {
        since: DateTime<Utc>,
    },
    Done {
        ok: bool,
        message: String,
    },
    Refused {
        reason: String,
    },
}

/// Executed actions' dialogs kept for Enter on their Timeline entries.
const FINISHED_KEPT: usize = 100;

/// An open action dialog.
#[derive(Debug, Clone)]
pub struct ActionDialog {
    pub id: u64,
    pub plan: ActionPlan,
    pub confirm: Confirm,
    pub confirm_why: Option<String>,
    pub decisions: Vec<Decision>,
    pub stage: Stage,
    /// What the user typed for a typed confirmation.
    pub typed: String,
    /// False: Cancel has the focus (the default).
    pub focus_confirm: bool,
    /// The action whose undo this is: its undo is used up when this runs.
    pub undoes: Option<u64>,
    /// What this attempt stored under the war room's lock, once it asked
    /// for it (released with the outcome, or at once if refused).
    pub holder: Option<crate::core::room::Holder>,
}

impl ActionDialog {
    /// Whether the Confirm button can be pressed now.
    pub fn can_confirm(&self) -> bool {
        self.stage == Stage::Ready && guard::confirmed(self.confirm, &self.plan, &self.typed)
    }

    /// Running: it cannot be stopped, only hidden.
    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. })
    }

    /// Ran or refused: only closing is left.
    pub fn finished(&self) -> bool {
        matches!(self.stage, Stage::Done { .. } | Stage::Refused { .. })
    }

    /// Whether keys type into the name field.
    pub fn wants_typing(&self) -> bool {
        self.confirm == Confirm::Typed && matches!(self.stage, Stage::Checking | Stage::Ready)
    }
}

impl App {
    /// Whether actions are refused for read-only: flag, config, or context.
    pub fn readonly(&self) -> bool {
        self.options.readonly
            || self
                .model
                .context
                .as_ref()
                .is_some_and(|c| self.settings.readonly_contexts.contains(c))
    }

    /// Why this plan may not run for read-only, if so: the flag or config,
    /// or any context it touches listed in `readonly_contexts`.
    fn readonly_for(&self, plan: &ActionPlan) -> Option<String> {
        if self.readonly() {
            return Some("opsdeck is read-only (--readonly or readonly in config)".into());
        }
        let contexts = &self.settings.readonly_contexts;
        let touched = plan
            .target
            .places
            .iter()
            .filter_map(|p| p.context.as_deref());
        for context in touched {
            if contexts.iter().any(|c| c == context) {
                return Some(format!(
                    "context {context:?} is read-only (readonly_contexts)"
                ));
            }
        }
        None
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            context: self.model.context.as_deref().unwrap_or("default"),
            namespace: self.model.namespace.as_deref().unwrap_or("default"),
            workloads: &self.model.pods.data,
        }
    }

    /// The scope and name of an action on `name` (or `namespace/name`):
    /// the watched namespace, or under `-A` the one namespace that has
    /// it. A name in several namespaces is refused with the choices, so
    /// nothing lands on whichever namespace sorts first.
    fn resolve<'n>(&self, name: &'n str, pod: bool) -> Result<(Scope<'_>, &'n str), String> {
        let mut scope = self.scope();
        let kind = if pod { "pod" } else { "deploy" };
        if let Some((ns, short)) = name.split_once('/') {
            if scope.namespace != "all" && scope.namespace != ns {
                return Err(format!(
                    "{ns} is not the watched namespace ({}): :ns {ns} first",
                    scope.namespace
                ));
            }
            if scope.namespace == "all" {
                scope.namespace = self.namespace_named(ns).ok_or_else(|| {
                    format!("no {kind}/{short} in {ns}: nothing is watched there")
                })?;
            }
            return Ok((scope, short));
        }
        if scope.namespace != "all" {
            return Ok((scope, name));
        }
        let w = &self.model.pods.data;
        let found: Vec<&str> = if pod {
            w.pods
                .keys()
                .filter(|(_, n)| n == name)
                .map(|(ns, _)| ns.as_str())
                .collect()
        } else {
            w.deployments
                .keys()
                .filter(|(_, n)| n == name)
                .map(|(ns, _)| ns.as_str())
                .collect()
        };
        // On the Pods tab the selected row says which one is meant.
        let selected = (self.tab == super::tab::Tab::Pods)
            .then(|| self.model.pods.view.selected_key())
            .flatten()
            .map(|(ns, _)| ns.as_str())
            .filter(|ns| found.contains(ns));
        match (selected, found.as_slice()) {
            (Some(ns), _) | (None, &[ns]) => scope.namespace = ns,
            (None, []) => {}
            (None, many) => {
                return Err(format!(
                    "{kind}/{name} is in {} namespaces ({}): say which, e.g. {kind}/{}/{name}",
                    many.len(),
                    many.join(", "),
                    many[0]
                ));
            }
        }
        Ok((scope, name))
    }

    /// A rollback dialog still waiting for the user, whose deployment the
    /// watch shows changed since the plan (its generation moved): the
    /// plan is refused and made again from what is there now, so the
    /// user confirms what would really happen. The executor's own check
    /// stays the backstop for a change the watch has not shown yet.
    pub(super) fn replan_if_changed(&mut self) -> Vec<Effect> {
        let Overlay::Action(dialog) = &self.overlay else {
            return Vec::new();
        };
        let Action::Rollback {
            deployment,
            to_revision,
            generation,
            ..
        } = &dialog.plan.action
        else {
            return Vec::new();
        };
        if !matches!(dialog.stage, Stage::Checking | Stage::Ready) {
            return Vec::new();
        }
        let ns = dialog.plan.target.namespace.clone();
        let Some(now) = self
            .model
            .pods
            .data
            .deployment(&ns, deployment)
            .map(|d| d.generation)
        else {
            return Vec::new();
        };
        if now == *generation {
            return Vec::new();
        }
        let (name, to, was) = (deployment.clone(), *to_revision, *generation);
        let Overlay::Action(mut old) = std::mem::replace(&mut self.overlay, Overlay::None) else {
            return Vec::new();
        };
        let why = format!("deploy/{name} changed since the plan (generation {was} → {now})");
        let mut effects = self.refuse(&mut old, &Decision::refuse(Step::Target, why.clone()));
        let replanned = {
            let scope = Scope {
                namespace: ns.as_str(),
                ..self.scope()
            };
            rollout_plan::rollback(&scope, &name, Some(to))
        };
        match replanned {
            Ok(plan) => {
                effects.extend(self.open_action(plan));
                self.say(
                    Severity::Warn,
                    format!("{why}: planned again from what runs now"),
                );
            }
            Err(e) => {
                self.overlay = Overlay::Action(old);
                self.say(Severity::Warn, format!("{why}; cannot plan again: {e}"));
            }
        }
        effects
    }

    /// The watched data's own copy of a namespace name (borrowed for the
    /// scope), if any object lives there.
    fn namespace_named(&self, ns: &str) -> Option<&str> {
        let w = &self.model.pods.data;
        w.deployments
            .keys()
            .chain(w.pods.keys())
            .map(|(n, _)| n.as_str())
            .find(|n| *n == ns)
    }

    /// What a tab's plans and prompts need of the shell.
    pub(super) fn plan_context(&self) -> PlanContext<'_> {
        PlanContext {
            context: self.model.context.as_deref().unwrap_or("default"),
            all_namespaces: self.model.namespace.as_deref() == Some("all"),
        }
    }

    /// Turns a request into a plan and opens the dialog on it.
    pub(super) fn request_action(&mut self, request: ActionRequest, typed: bool) -> Vec<Effect> {
        if self.options.replay {
            self.say(Severity::Info, "replay: actions are not run");
            return Vec::new();
        }
        let plan = match request {
            ActionRequest::Undo => return self.undo(),
            ActionRequest::Scale {
                deployment,
                replicas,
            } => self.resolve(&deployment, false).and_then(|(scope, name)| {
                let current = scope.workloads.deployment(scope.namespace, name);
                let n = target_replicas(&replicas, current.map_or(0, |d| d.replicas))?;
                plan::scale(&scope, name, n)
            }),
            ActionRequest::Restart { deployment } => self
                .resolve(&deployment, false)
                .and_then(|(scope, name)| plan::rollout_restart(&scope, name)),
            ActionRequest::Rollback {
                deployment,
                revision,
            } => self.resolve(&deployment, false).and_then(|(scope, name)| {
                let to = match revision.as_str() {
                    "" => None,
                    n => Some(
                        n.parse()
                            .map_err(|_| format!("{n:?} is not a revision number"))?,
                    ),
                };
                rollout_plan::rollback(&scope, name, to)
            }),
            ActionRequest::Rollout { pause, deployment } => self
                .resolve(&deployment, false)
                .and_then(|(scope, name)| rollout_plan::pause(&scope, name, pause)),
            ActionRequest::Delete { pod } => self
                .resolve(&pod, true)
                .and_then(|(scope, name)| plan::delete_pod(&scope, name)),
            ActionRequest::Breaker { .. }
            | ActionRequest::Reset { .. }
            | ActionRequest::PgSignal { .. }
            | ActionRequest::KillOp => self
                .feature(self.tab)
                .plan(&request, &self.plan_context())
                .unwrap_or_else(|| Err(format!("no such action on the {} tab", self.tab.title()))),
        };
        match plan {
            Ok(mut plan) => {
                if typed {
                    plan.demanded = Some(Confirm::Typed);
                }
                self.open_action(plan)
            }
            Err(e) => {
                self.say(Severity::Warn, e);
                Vec::new()
            }
        }
    }

    /// Opens the dialog and runs the steps that need no backend.
    pub fn open_action(&mut self, mut plan: ActionPlan) -> Vec<Effect> {
        plan.redact_texts();
        self.next_action_id += 1;
        let id = self.next_action_id;
        let (confirm, confirm_why) = guard::confirmation(&plan, &self.settings.protected);
        let decisions = guard::before_checks(&plan, &self.guard_context(&plan));
        let mut dialog = ActionDialog {
            id,
            plan,
            confirm,
            confirm_why,
            decisions,
            stage: Stage::Checking,
            typed: String::new(),
            focus_confirm: false,
            undoes: None,
            holder: None,
        };
        let mut effects = Vec::new();
        if let Some(refusal) = dialog.decisions.iter().find(|d| !d.passed).cloned() {
            effects.extend(self.refuse(&mut dialog, &refusal));
        } else {
            effects.push(Effect::Precheck {
                id,
                plan: dialog.plan.clone(),
                room: self.in_room().then(|| dialog.plan.lock_keys()),
            });
        }
        self.overlay = Overlay::Action(Box::new(dialog));
        effects
    }

    fn guard_context(&self, plan: &ActionPlan) -> GuardContext<'_> {
        GuardContext {
            readonly: self.readonly_for(plan),
            audit_error: self.audit_error.as_deref(),
            protected: &self.settings.protected,
            target_exists: self.target_exists(plan),
            failed_preconditions: Tab::ALL
                .iter()
                .flat_map(|t| self.feature(*t).failed_preconditions(plan))
                .collect(),
        }
    }

    /// The feature whose backend the plan acts on answers; a plan no
    /// feature answers for counts as gone.
    fn target_exists(&self, plan: &ActionPlan) -> bool {
        Tab::ALL
            .iter()
            .find_map(|t| self.feature(*t).target_exists(plan))
            .unwrap_or(false)
    }

    /// Ends the attempt with a refusal: in the dialog, the Timeline and the audit log.
    pub(super) fn refuse(&mut self, dialog: &mut ActionDialog, refusal: &Decision) -> Vec<Effect> {
        let reason = format!("{}: {}", refusal.step.label(), refusal.detail);
        dialog.stage = Stage::Refused {
            reason: reason.clone(),
        };
        self.add_to_timeline(
            TimelineEntry::new(
                self.now,
                Severity::Warn,
                Origin::Opsdeck,
                format!("refused: {} ({reason})", dialog.plan.summary()),
            )
            .about(crate::core::timeline::About::Action {
                id: dialog.id,
                executed: None,
                checks: dialog.decisions.iter().map(Decision::record).collect(),
            }),
        );
        tracing::warn!(plan = %dialog.plan.effect, "action refused: {reason}");
        self.audit_effect(dialog, AuditEvent::Refused, Some(reason))
    }

    fn audit_effect(
        &self,
        dialog: &ActionDialog,
        event: AuditEvent,
        detail: Option<String>,
    ) -> Vec<Effect> {
        if self.audit_error.is_some() {
            return Vec::new();
        }
        vec![Effect::Audit {
            plan: dialog.plan.clone(),
            decisions: dialog.decisions.clone(),
            event,
            detail,
        }]
    }

    /// The permission check and dry run came back.
    pub(super) fn on_prechecked(
        &mut self,
        id: u64,
        permission: Check,
        dry_run: Check,
        room: Option<crate::core::room::LockAnswer>,
    ) -> Vec<Effect> {
        let Overlay::Action(mut dialog) = std::mem::replace(&mut self.overlay, Overlay::None)
        else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if dialog.id == id && dialog.stage == Stage::Checking {
            for (step, check) in [(Step::Permission, permission), (Step::DryRun, dry_run)] {
                let decision = match check {
                    Check::Passed(d) => Decision::pass(step, d),
                    Check::Unsupported(d) => Decision::pass(step, format!("not checked: {d}")),
                    Check::NoAnswer(d) => Decision::refuse(step, format!("did not answer: {d}")),
                    Check::Refused(d) => Decision::refuse(step, crate::core::redact::redact(&d)),
                };
                let refused = !decision.passed;
                dialog.decisions.push(decision.clone());
                if refused {
                    effects.extend(self.refuse(&mut dialog, &decision));
                    break;
                }
            }
            if let Some(answer) = room
                && dialog.stage == Stage::Checking
            {
                let decision = self.room_decision(&answer, false);
                dialog.decisions.push(decision.clone());
                if !decision.passed {
                    effects.extend(self.refuse(&mut dialog, &decision));
                }
            }
            if dialog.stage == Stage::Checking {
                dialog.stage = Stage::Ready;
            }
        }
        self.overlay = Overlay::Action(dialog);
        effects
    }

    /// `y`, or Enter on Confirm: the last checks, then the only Execute.
    pub(super) fn confirm_action(&mut self, via_key: bool) -> Vec<Effect> {
        let Overlay::Action(mut dialog) = std::mem::replace(&mut self.overlay, Overlay::None)
        else {
            return Vec::new();
        };
        let allowed = dialog.can_confirm() && (!via_key || dialog.confirm == Confirm::Key);
        if !allowed {
            self.overlay = Overlay::Action(dialog);
            return Vec::new();
        }
        let mut effects = Vec::new();
        // Things may have changed while the dialog was open: check again.
        let again = guard::before_checks(&dialog.plan, &self.guard_context(&dialog.plan));
        let last = self
            .cooldowns
            .get(&dialog.plan.cooldown_key())
            .and_then(|t| (self.now - *t).to_std().ok());
        let window = Duration::from_secs(u64::from(self.settings.cooldown_secs));
        let checks = again.into_iter().filter(|d| !d.passed).chain([
            Decision::pass(
                Step::Confirmation,
                match dialog.confirm {
                    Confirm::Key => "confirmed with y".to_string(),
                    Confirm::Typed => format!("typed {:?}", dialog.typed),
                },
            ),
            guard::cooldown(last, window),
        ]);
        for d in checks {
            let refused = !d.passed;
            dialog.decisions.push(d.clone());
            if refused {
                effects.extend(self.refuse(&mut dialog, &d));
                self.overlay = Overlay::Action(dialog);
                return effects;
            }
        }
        effects.extend(self.lock_or_execute(&mut dialog));
        self.overlay = Overlay::Action(dialog);
        effects
    }

    /// Every check passed: the only `Effect::Execute`.
    pub(super) fn execute(&mut self, dialog: &mut ActionDialog) -> Vec<Effect> {
        self.cooldowns.insert(dialog.plan.cooldown_key(), self.now);
        if let Some(undone) = dialog.undoes {
            self.undo_plans.remove(&undone);
        }
        dialog.stage = Stage::Running { since: self.now };
        self.keep_finished(dialog.clone());
        vec![Effect::Execute {
            id: dialog.id,
            plan: dialog.plan.clone(),
            decisions: dialog.decisions.clone(),
        }]
    }

    /// Keeps an executed action's dialog, so Enter on its Timeline entry
    /// shows it again with its outcome; the oldest go first.
    pub(super) fn keep_finished(&mut self, dialog: ActionDialog) {
        self.finished.insert(dialog.id, dialog);
        while self.finished.len() > FINISHED_KEPT {
            self.finished.pop_first();
        }
    }

    /// Esc or Cancel: nothing runs; the attempt is audited.
    pub(super) fn cancel_action(&mut self) -> Vec<Effect> {
        let Overlay::Action(dialog) = std::mem::replace(&mut self.overlay, Overlay::None) else {
            return Vec::new();
        };
        match dialog.stage {
            // It keeps running; its outcome goes to the Timeline.
            Stage::Running { .. } => Vec::new(),
            Stage::Done { .. } | Stage::Refused { .. } => Vec::new(),
            Stage::Checking | Stage::Ready => {
                self.audit_effect(&dialog, AuditEvent::Cancelled, None)
            }
            // Nothing ran; whatever the lock request takes is given back.
            Stage::Locking => {
                let mut effects = self.release(&dialog);
                effects.extend(self.audit_effect(&dialog, AuditEvent::Cancelled, None));
                effects
            }
        }
    }

    /// The runtime reports how an execution ended (after the audit line is on disk).
    pub(super) fn on_action_done(
        &mut self,
        id: u64,
        plan: ActionPlan,
        outcome: Outcome,
    ) -> Vec<Effect> {
        let effects = self.room_outcome(id, &plan, &outcome);
        let (ok, severity, text) = match &outcome {
            Outcome::Ok(msg) => (
                true,
                Severity::Info,
                format!("done: {} — {msg}", plan.summary()),
            ),
            Outcome::Failed(msg) => (
                false,
                Severity::Crit,
                format!("failed: {} — {msg}", plan.summary()),
            ),
            Outcome::TimedOut(d) => (
                false,
                Severity::Crit,
                format!(
                    "timed out after {}s: {} (it may still complete; not retried)",
                    d.as_secs(),
                    plan.summary()
                ),
            ),
            Outcome::NotRun(msg) => (
                false,
                Severity::Crit,
                format!("not run: {} — {msg}", plan.summary()),
            ),
        };
        if matches!(outcome, Outcome::NotRun(_)) {
            // Nothing reached the backend, so nothing to cool down from.
            self.cooldowns.remove(&plan.cooldown_key());
        }
        let decisions = self.finished.get(&id).map(|d| d.decisions.as_slice());
        let executed = decisions.map(|decisions| {
            let confirmation = decisions
                .iter()
                .rev()
                .find(|x| x.step == Step::Confirmation)
                .map_or("", |x| x.detail.as_str());
            Box::new(crate::core::timeline::Executed::new(
                &plan.for_audit().cli,
                &self.options.user,
                confirmation,
            ))
        });
        let checks = decisions
            .unwrap_or_default()
            .iter()
            .map(Decision::record)
            .collect();
        let mut entry = TimelineEntry::new(self.now, severity, Origin::Opsdeck, text.clone())
            .about(crate::core::timeline::About::Action {
                id,
                executed,
                checks,
            });
        if let Some(d) = self.finished.get_mut(&id) {
            d.stage = Stage::Done {
                ok,
                message: text.clone(),
            };
        }
        if ok && let Some(inverse) = &plan.undo {
            entry.action = Some(id);
            self.undo_plans.insert(id, (**inverse).clone());
        }
        self.add_to_timeline(entry);
        if ok {
            tracing::info!("{text}");
        } else {
            tracing::error!("{text}");
        }
        if let Overlay::Action(dialog) = &mut self.overlay
            && dialog.id == id
        {
            dialog.stage = Stage::Done { ok, message: text };
        }
        effects
    }
}

/// `6` sets, `+2` / `-1` adjust the current count.
fn target_replicas(arg: &str, current: u32) -> Result<u32, String> {
    let bad = || format!("replicas must be a number, +n or -n, not {arg:?}");
    if let Some(n) = arg.strip_prefix('+') {
        let n: u32 = n.parse().map_err(|_| bad())?;
        return current.checked_add(n).ok_or_else(bad);
    }
    if let Some(n) = arg.strip_prefix('-') {
        let n: u32 = n.parse().map_err(|_| bad())?;
        return Ok(current.saturating_sub(n));
    }
    arg.parse().map_err(|_| bad())
}
