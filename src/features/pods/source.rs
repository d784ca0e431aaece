//! The live Kubernetes source: pods, deployments and events watched (list
//! then watch, never polled), pod metrics polled, health reported, and
//! Timeline entries for pods newly OOMKilled or crash-looping.
//!
//! `connect` makes a `KubeConnection`; `spawn` runs the source on it and
//! returns a `KubeHandle` through which the UI changes namespace or context.

mod alive;
pub mod convert;
mod events;
mod health;
mod metrics;
pub mod probe;
pub mod quantity;
mod raw;
pub mod revisions;
mod rollouts;
mod run;
mod scope;
pub mod status;
mod table;
mod transitions;

pub use probe::probe;

use crate::core::outbox::Outbox;
use crate::features::pods::model::KubeUpdate;
use crate::shared::kube::KubeConnection;
use crate::shared::kube::settings::KubeSettings;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// What the UI can ask of the running source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeCommand {
    /// Watch this namespace, or all namespaces (`None`).
    SetNamespace(Option<String>),
    /// Switch to this kubeconfig context.
    SetContext(String),
}

/// The running source. Dropping it stops the source.
pub struct KubeHandle {
    pub commands: mpsc::Sender<KubeCommand>,
    task: JoinHandle<()>,
}

impl Drop for KubeHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the source on the current tokio runtime. It first sends
/// `Update::Scope`, then the full lists, then changes, until `tx` closes.
/// Every scope it watches is also published on `link`.
pub fn spawn(
    conn: KubeConnection,
    settings: &KubeSettings,
    tx: Outbox<KubeUpdate>,
    link: watch::Sender<Option<KubeConnection>>,
) -> KubeHandle {
    let (commands, rx) = mpsc::channel(8);
    let every = Duration::from_secs(u64::from(settings.metrics_interval_secs.max(1)));
    let task = tokio::spawn(run::run(conn, every, tx, rx, link));
    KubeHandle { commands, task }
}
