//! What carries out a plan: each backend's executor offers a permission
//! check and a dry run where it can, and reports how the execution ended.

use super::action::ActionPlan;
use futures::future::BoxFuture;
use std::time::Duration;

/// How an execution ended, as the runtime reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    Failed(String),
    TimedOut(Duration),
    /// Nothing was done: the audit line could not be written first, or the
    /// backend refused the plan before sending anything.
    NotRun(String),
}

/// The answer of a permission check or a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Passed(String),
    Refused(String),
    /// The backend does not offer this check: the chain goes on and says so.
    Unsupported(String),
    /// The backend offers the check but gave no answer (timeout, error): the
    /// chain stops, since a check that did not answer never counts as passed.
    NoAnswer(String),
}

/// Carries out actions of the kinds it knows.
pub trait Executor: Send + Sync {
    /// E.g. Kubernetes `SelfSubjectAccessReview` for the exact verb and resource.
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check>;
    /// E.g. Kubernetes `dryRun=All`.
    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check>;
    /// Does it. `Ok` carries the backend's confirmation, `Err` its message.
    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>>;
    /// Asked just before `execute`: a reason to send nothing at all, e.g.
    /// the plan was made for a cluster opsdeck no longer watches.
    fn refusal(&self, _plan: &ActionPlan) -> Option<String> {
        None
    }
}
