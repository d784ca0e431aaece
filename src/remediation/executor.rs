//! The backends that carry out plans. Each one offers a permission check and
//! a dry run where it can; the runtime calls them off the UI loop.

use crate::core::action::{ActionPlan, Backend};
use crate::core::executor::{Check, Executor};
use futures::future::BoxFuture;

/// Used when no backend for actions is configured: refuses, never pretends.
pub struct Unconfigured;

impl Executor for Unconfigured {
    fn permission<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Refused("no backend is configured for this action".into()) })
    }

    fn dry_run<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async { Check::Refused("no backend is configured for this action".into()) })
    }

    fn execute<'a>(&'a self, _: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async { Err("no backend is configured for this action".into()) })
    }
}

/// An executor that is not there yet (the backend is still connecting):
/// refuses with that reason, then delegates once `set` is called.
#[derive(Default)]
pub struct Deferred {
    inner: std::sync::OnceLock<std::sync::Arc<dyn Executor>>,
    waiting_for: String,
}

impl Deferred {
    pub fn new(waiting_for: impl Into<String>) -> Self {
        Deferred {
            inner: std::sync::OnceLock::new(),
            waiting_for: waiting_for.into(),
        }
    }

    /// Makes `executor` carry out every later plan.
    pub fn set(&self, executor: std::sync::Arc<dyn Executor>) {
        let _ = self.inner.set(executor);
    }

    fn not_yet(&self) -> String {
        format!("{} is not connected (yet)", self.waiting_for)
    }
}

impl Executor for Deferred {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        match self.inner.get() {
            Some(e) => e.permission(plan),
            None => Box::pin(async move { Check::Refused(self.not_yet()) }),
        }
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        match self.inner.get() {
            Some(e) => e.dry_run(plan),
            None => Box::pin(async move { Check::Refused(self.not_yet()) }),
        }
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        match self.inner.get() {
            Some(e) => e.execute(plan),
            None => Box::pin(async move { Err(self.not_yet()) }),
        }
    }

    fn refusal(&self, plan: &ActionPlan) -> Option<String> {
        self.inner.get().and_then(|e| e.refusal(plan))
    }
}

/// Sends each plan to the executor of its backend; a backend nobody
/// configured refuses (see `Unconfigured`).
#[derive(Default)]
pub struct Router {
    routes: std::collections::HashMap<Backend, std::sync::Arc<dyn Executor>>,
}

impl Router {
    pub fn new() -> Self {
        Router::default()
    }

    pub fn with(mut self, backend: Backend, e: std::sync::Arc<dyn Executor>) -> Self {
        self.routes.insert(backend, e);
        self
    }

    fn pick(&self, plan: &ActionPlan) -> &dyn Executor {
        match self.routes.get(&plan.action.backend()) {
            Some(e) => e.as_ref(),
            None => &Unconfigured,
        }
    }
}

impl Executor for Router {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        self.pick(plan).permission(plan)
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        self.pick(plan).dry_run(plan)
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        self.pick(plan).execute(plan)
    }

    fn refusal(&self, plan: &ActionPlan) -> Option<String> {
        self.pick(plan).refusal(plan)
    }
}
