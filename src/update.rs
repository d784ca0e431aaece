//! The plain data that sources send to the app loop.
//!
//! Every backend task (and the demo engine) speaks only this type, so the app
//! never waits on the network and tests can script a whole incident.

use crate::core::source::{AlertSummary, HealthReport};
use crate::core::timeline::TimelineEntry;
use crate::model::breakers::BreakersUpdate;
use crate::model::consumers::LagUpdate;
use crate::model::heatmap::PromUpdate;
use crate::model::logs::LogsUpdate;
use crate::model::queries::QueriesUpdate;
use crate::model::workloads::KubeUpdate;

/// Everything a source can tell the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Health(HealthReport),
    Timeline(TimelineEntry),
    /// The full set of alerts firing now (latest wins).
    Alerts(Vec<AlertSummary>),
    /// Deployments, pods, events, metrics.
    Kube(KubeUpdate),
    /// Log lines from followed pods.
    Logs(LogsUpdate),
    /// The contexts of the kubeconfig, for `:ctx` completion.
    Contexts(Vec<String>),
    /// Heatmap grids, latency buckets and alerts from Prometheus.
    Prometheus(PromUpdate),
    /// One poll of circuit breakers (actuator or Prometheus).
    Breakers(BreakersUpdate),
    /// One poll of a Kafka cluster's consumer groups.
    Lag(LagUpdate),
    /// One poll of one database target (Postgres, MongoDB, Redis).
    Queries(QueriesUpdate),
    /// The Kubernetes context and namespace the data is about.
    Scope {
        context: String,
        namespace: String,
    },
}
