//! Leaving while an action runs (q, SIGTERM, SIGHUP): opsdeck waits, up to
//! the action timeout, for each running action's outcome, so its audit line
//! and Timeline entry are written; a second q leaves at once and audits the
//! actions as abandoned.

use super::dialog::{ActionDialog, Stage};
use super::{App, Effect};
use crate::remediation::audit::AuditEvent;

/// A little more than the action timeout: the executor's own timeout and
/// its last audit line come first.
const SLACK_SECS: i64 = 2;

impl App {
    /// Actions confirmed and not yet reported done.
    pub fn running_actions(&self) -> Vec<&ActionDialog> {
        self.finished
            .values()
            .filter(|d| matches!(d.stage, Stage::Running { .. }))
            .collect()
    }

    /// `q` or a signal: leave, or wait for running actions first.
    pub(super) fn leave(&mut self, why: &str) -> Vec<Effect> {
        if self.running_actions().is_empty() {
            return vec![Effect::Quit];
        }
        if self.leaving.is_some() {
            return self.abandon(&format!("{why} again while waiting"));
        }
        let wait = i64::from(self.settings.action_timeout_secs) + SLACK_SECS;
        self.leaving = Some(self.now + chrono::Duration::seconds(wait));
        tracing::warn!(
            "{why}: waiting up to {wait}s for {} running action(s)",
            self.running_actions().len()
        );
        Vec::new()
    }

    /// After an outcome or a tick: leave once nothing runs or time is up.
    pub(super) fn leave_if_done(&mut self) -> Vec<Effect> {
        let Some(deadline) = self.leaving else {
            return Vec::new();
        };
        if self.running_actions().is_empty() {
            vec![Effect::Quit]
        } else if self.now >= deadline {
            self.abandon("no outcome within the action timeout")
        } else {
            Vec::new()
        }
    }

    /// Leaves now; each running action's audit line says it was abandoned
    /// (the runtime writes these before it exits).
    fn abandon(&mut self, why: &str) -> Vec<Effect> {
        let mut effects: Vec<Effect> = self
            .running_actions()
            .into_iter()
            .filter(|_| self.audit_error.is_none())
            .map(|d| Effect::Audit {
                plan: d.plan.clone(),
                decisions: d.decisions.clone(),
                event: AuditEvent::Abandoned,
                detail: Some(format!("opsdeck left before the outcome was known ({why})")),
            })
            .collect();
        for d in self.running_actions() {
            tracing::error!("abandoned: {} ({why})", d.plan.summary());
        }
        effects.push(Effect::Quit);
        effects
    }

    /// The footer's line while leaving: what opsdeck waits for.
    pub fn leaving_line(&self) -> Option<String> {
        let deadline = self.leaving?;
        let running = self.running_actions();
        let first = running.first()?;
        let more = match running.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        let left = (deadline - self.now).num_seconds().max(0);
        // The key first: a long summary is cut at the right edge.
        Some(format!(
            "leaving (q again: now) — waiting up to {left}s for {}{more}",
            first.plan.summary()
        ))
    }
}
