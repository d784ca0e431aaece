//! Who reports (a source id), how bad it is (severity), and whether a
//! source is answering (health reports): the words every feature shares.

use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

/// A backend opsdeck reads from; one badge each in the header.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HealthReport {
    pub source: SourceId,
    pub at: DateTime<Utc>,
    /// `None` when the poll succeeded; the error text otherwise (secrets redacted).
    pub error: Option<String>,
    /// How often the source expects to report; data older than three of these is stale.
    pub interval: Duration,
}

/// A firing alert as the header counts it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

crate::core::clean::sanitize_fields! {
    HealthReport { error }
    AlertSummary { name, service }
}
