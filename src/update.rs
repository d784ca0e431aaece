//! The plain data that sources send to the app loop.
//!
//! Every backend task (and the demo engine) speaks only this type, so the app
//! never waits on the network and tests can script a whole incident.

use crate::core::outbox::Report;
use crate::core::source::{AlertSummary, HealthReport};
use crate::core::timeline::TimelineEntry;
use crate::features::breakers::model::BreakersUpdate;
use crate::features::heatmap::model::PromUpdate;
use crate::features::lag::model::LagUpdate;
use crate::features::logs::model::LogsUpdate;
use crate::features::pods::model::KubeUpdate;
use crate::features::queries::model::QueriesUpdate;

/// Everything a source can tell the app.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

impl From<KubeUpdate> for Update {
    fn from(u: KubeUpdate) -> Self {
        match u {
            KubeUpdate::Scope { context, namespace } => Update::Scope { context, namespace },
            KubeUpdate::Contexts(c) => Update::Contexts(c),
            other => Update::Kube(other),
        }
    }
}

macro_rules! from_payload {
    ($($payload:ty => $variant:ident),* $(,)?) => {
        $(impl From<$payload> for Update {
            fn from(u: $payload) -> Self {
                Update::$variant(u)
            }
        })*
    };
}

from_payload! {
    LogsUpdate => Logs,
    PromUpdate => Prometheus,
    BreakersUpdate => Breakers,
    LagUpdate => Lag,
    QueriesUpdate => Queries,
}

impl<T: Into<Update>> From<Report<T>> for Update {
    fn from(r: Report<T>) -> Self {
        match r {
            Report::Data(t) => t.into(),
            Report::Health(h) => Update::Health(h),
            Report::Timeline(e) => Update::Timeline(e),
            Report::Alerts(a) => Update::Alerts(a),
        }
    }
}
