//! Carrying out plans off the UI loop: pre-checks, and execution wrapped in
//! audit lines (the first before anything is done, the last before the
//! outcome is reported) with a timeout. Nothing here retries.

use super::audit::{AuditEvent, AuditLog, AuditRecord};
use super::guard::Decision;
use crate::core::action::ActionPlan;
use crate::core::executor::{Check, Executor, Outcome};
use crate::core::redact::redact;
use crate::core::sanitize::safe;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

/// What the runtime needs to carry out actions.
#[derive(Clone)]
pub struct Services {
    pub executor: Arc<dyn Executor>,
    /// `None` when the audit log could not be opened: nothing may run.
    pub audit: Option<AuditLog>,
    pub user: String,
    pub host: String,
    pub timeout: Duration,
}

/// Permission check and dry run, each bounded by the action timeout. Their
/// details, whatever the answer, are sanitized and redacted here: the
/// dialog shows them and the audit log keeps them.
pub async fn precheck(s: &Services, plan: &ActionPlan) -> (Check, Check) {
    let bounded = |f| async move {
        shown_check(
            tokio::time::timeout(s.timeout, f)
                .await
                .unwrap_or_else(|_| {
                    Check::NoAnswer(format!("no answer in {}s", s.timeout.as_secs()))
                }),
        )
    };
    tokio::join!(
        bounded(s.executor.permission(plan)),
        bounded(s.executor.dry_run(plan))
    )
}

fn shown_check(check: Check) -> Check {
    match check {
        Check::Passed(d) => Check::Passed(shown(&d)),
        Check::Refused(d) => Check::Refused(shown(&d)),
        Check::Unsupported(d) => Check::Unsupported(shown(&d)),
        Check::NoAnswer(d) => Check::NoAnswer(shown(&d)),
    }
}

/// A backend's text as the dialog, the Timeline and the audit log may hold
/// it: sanitized first, so an escape sequence cannot hide a key from the
/// redactor (`pass\x1b[0mword=`), then redacted.
fn shown(text: &str) -> String {
    redact(&safe(text))
}

/// Writes one audit line on a blocking thread (it fsyncs). Guard details
/// and the result are redacted again here, whoever made them: every audit
/// line goes through this.
pub async fn audit(
    s: &Services,
    plan: &ActionPlan,
    decisions: &[Decision],
    event: AuditEvent,
    result: Option<String>,
) -> Result<(), String> {
    let Some(log) = s.audit.clone() else {
        return Err("no audit log".into());
    };
    let decisions: Vec<Decision> = decisions
        .iter()
        .map(|d| Decision {
            detail: shown(&d.detail),
            ..d.clone()
        })
        .collect();
    let result = result.map(|r| shown(&r));
    let (plan, user, host) = (plan.for_audit(), s.user.clone(), s.host.clone());
    tokio::task::spawn_blocking(move || {
        log.append(&AuditRecord {
            time: Utc::now(),
            user: &user,
            host: &host,
            context: &plan.target.context,
            event,
            plan: &plan,
            guards: &decisions,
            result: result.as_deref(),
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Audits, executes with a timeout, audits the result; then returns.
pub async fn execute(s: &Services, plan: &ActionPlan, decisions: &[Decision]) -> Outcome {
    if let Some(reason) = s.executor.refusal(plan) {
        let reason = shown(&reason);
        if let Err(e) = audit(
            s,
            plan,
            decisions,
            AuditEvent::Refused,
            Some(reason.clone()),
        )
        .await
        {
            tracing::error!(
                "audit line for the refusal of {:?} failed: {e}",
                plan.effect
            );
        }
        return Outcome::NotRun(reason);
    }
    if let Err(e) = audit(s, plan, decisions, AuditEvent::Started, None).await {
        return Outcome::NotRun(format!("the audit log could not be written ({e})"));
    }
    let outcome = match tokio::time::timeout(s.timeout, s.executor.execute(plan)).await {
        Ok(Ok(msg)) => Outcome::Ok(shown(&msg)),
        Ok(Err(msg)) => Outcome::Failed(shown(&msg)),
        Err(_) => Outcome::TimedOut(s.timeout),
    };
    let (event, text) = match &outcome {
        Outcome::Ok(m) => (AuditEvent::Ok, m.clone()),
        Outcome::Failed(m) => (AuditEvent::Failed, m.clone()),
        Outcome::TimedOut(d) => (
            AuditEvent::TimedOut,
            format!("no answer in {}s", d.as_secs()),
        ),
        Outcome::NotRun(m) => (AuditEvent::Refused, m.clone()),
    };
    if let Err(e) = audit(s, plan, decisions, event, Some(text)).await {
        tracing::error!("audit line for the result of {:?} failed: {e}", plan.effect);
    }
    outcome
}
