//! The plain data that sources send to the app loop.
//!
//! Every backend task (and the demo engine) speaks only this type, so the app
//! never waits on the network and tests can script a whole incident. Every
//! payload is `Clean`: its backend text was made safe on the way in.

use crate::core::clean::Clean;
use crate::core::outbox::Report;
use crate::core::replay::ReplayMark;
use crate::core::sanitize::{SafeText, sanitize_str};
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
    Health(Clean<HealthReport>),
    Timeline(TimelineEntry),
    /// The full set of alerts firing now (latest wins).
    Alerts(Clean<Vec<AlertSummary>>),
    /// Deployments, pods, events, metrics.
    Kube(Clean<KubeUpdate>),
    /// Log lines from followed pods.
    Logs(Clean<LogsUpdate>),
    /// The contexts of the kubeconfig, for `:ctx` completion.
    Contexts(Clean<Vec<String>>),
    /// Heatmap grids, latency buckets and alerts from Prometheus.
    Prometheus(Clean<PromUpdate>),
    /// One poll of circuit breakers (actuator or Prometheus).
    Breakers(Clean<BreakersUpdate>),
    /// One poll of a Kafka cluster's consumer groups.
    Lag(Clean<LagUpdate>),
    /// One poll of one database target (Postgres, MongoDB, Redis).
    Queries(Clean<QueriesUpdate>),
    /// Where a replay is (recorded time, speed, pause): the replay's clock.
    Replay(ReplayMark),
    /// The war room: joined, its link, its members, other consoles' messages.
    Room(Clean<crate::core::room::RoomUpdate>),
    /// The Kubernetes context and namespace the data is about.
    Scope {
        context: SafeText,
        namespace: SafeText,
    },
}

impl From<KubeUpdate> for Update {
    fn from(u: KubeUpdate) -> Self {
        match u {
            KubeUpdate::Scope { context, namespace } => Update::Scope {
                context: sanitize_str(&context),
                namespace: sanitize_str(&namespace),
            },
            KubeUpdate::Contexts(c) => Update::Contexts(Clean::new(c)),
            other => Update::Kube(Clean::new(other)),
        }
    }
}

macro_rules! from_payload {
    ($($payload:ty => $variant:ident),* $(,)?) => {
        $(impl From<$payload> for Update {
            fn from(u: $payload) -> Self {
                Update::$variant(Clean::new(u))
            }
        })*
    };
}

from_payload! {
    HealthReport => Health,
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
            Report::Health(h) => Update::Health(Clean::new(h)),
            Report::Timeline(e) => Update::Timeline(e),
            Report::Alerts(a) => Update::Alerts(Clean::new(a)),
        }
    }
}
