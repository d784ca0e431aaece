//! Carries out plans against the demo world, through the same guard chain
//! and executor interface as a real backend.

use crate::core::action::{Action, ActionPlan};
use crate::core::executor::{Check, Executor};
use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

/// An action for the demo task to apply to its world.
pub struct DemoRequest {
    pub action: Action,
    pub reply: oneshot::Sender<Result<String, String>>,
}

/// The executor of `opsdeck demo`.
pub struct DemoExecutor {
    tx: mpsc::Sender<DemoRequest>,
}

impl DemoExecutor {
    pub fn new(tx: mpsc::Sender<DemoRequest>) -> Self {
        DemoExecutor { tx }
    }
}

impl Executor for DemoExecutor {
    fn permission<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(async move {
            Check::Passed(format!(
                "allowed: {} {}",
                plan.action.verb(),
                plan.target.kind
            ))
        })
    }

    fn dry_run<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Check> {
        Box::pin(
            async move { Check::Passed(format!("the demo cluster accepts: {}", plan.summary())) },
        )
    }

    fn execute<'a>(&'a self, plan: &'a ActionPlan) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let request = DemoRequest {
                action: plan.action.clone(),
                reply,
            };
            self.tx
                .send(request)
                .await
                .map_err(|_| "the demo world has stopped".to_string())?;
            answer
                .await
                .map_err(|_| "the demo world did not answer".to_string())?
        })
    }
}
