//! The plain data that sources send to the app loop over one channel.
//!
//! Every backend task (and the demo engine) speaks only this type, so the app
//! never waits on the network and tests can script a whole incident.

use crate::model::breakers::BreakersUpdate;
use crate::model::consumers::LagUpdate;
use crate::model::heatmap::PromUpdate;
use crate::model::logs::LogsUpdate;
use crate::model::queries::QueriesUpdate;
use crate::model::workloads::KubeUpdate;
use crate::remediation::plan::ActionPlan;
use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

/// A backend opsdeck reads from; one badge each in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceId {
    Demo,
    Kubernetes,
    Prometheus,
    Kafka,
    Actuator,
    Postgres,
    Mongo,
    Redis,
}

impl SourceId {
    /// Short label used in badges and Timeline rows.
    pub fn label(self) -> &'static str {
        match self {
            SourceId::Demo => "demo",
            SourceId::Kubernetes => "kube",
            SourceId::Prometheus => "prom",
            SourceId::Kafka => "kafka",
            SourceId::Actuator => "actuator",
            SourceId::Postgres => "pg",
            SourceId::Mongo => "mongo",
            SourceId::Redis => "redis",
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How bad a Timeline entry or alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warn,
    Crit,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warn => "WARN",
            Severity::Crit => "CRIT",
        }
    }
}

/// The outcome of one poll (or watch reconnect) of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReport {
    pub source: SourceId,
    pub at: DateTime<Utc>,
    /// `None` when the poll succeeded; the error text otherwise (secrets redacted).
    pub error: Option<String>,
    /// How often the source expects to report; data older than three of these is stale.
    pub interval: Duration,
}

/// Who or what wrote a Timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Source(SourceId),
    /// A note typed by the user named here.
    Note(String),
    /// opsdeck itself (exports, actions).
    Opsdeck,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Source(s) => f.write_str(s.label()),
            Origin::Note(user) => write!(f, "note:{user}"),
            Origin::Opsdeck => f.write_str("opsdeck"),
        }
    }
}

/// One line of the incident Timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub severity: Severity,
    pub origin: Origin,
    pub text: String,
    /// For an executed action: the plan that undoes it, offered by `u`.
    pub undo: Option<Box<ActionPlan>>,
}

impl TimelineEntry {
    pub fn new(
        at: DateTime<Utc>,
        severity: Severity,
        origin: Origin,
        text: impl Into<String>,
    ) -> Self {
        TimelineEntry {
            at,
            severity,
            origin,
            text: text.into(),
            undo: None,
        }
    }
}

/// A firing alert as the header counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSummary {
    pub name: String,
    pub severity: Severity,
    pub service: String,
    pub since: DateTime<Utc>,
}

/// A request from the UI to a source to watch another context or namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeChange {
    pub context: Option<String>,
    /// `all` for every namespace.
    pub namespace: Option<String>,
}

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
