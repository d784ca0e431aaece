//! Services: the one name a responder thinks in, and what each source says
//! about one, in words every feature shares. Each feature turns its own
//! model into these signals (its `summary.rs`); the Overview links them
//! to services without naming any feature.

use crate::core::glob::glob_match;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// How a cell of the Overview stands: the theme's ok, warn or crit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum Condition {
    #[default]
    Ok,
    Warn,
    Crit,
}

/// A deployment's pods, as the Pods tab sees them now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodsSignal {
    pub namespace: String,
    pub deployment: String,
    /// The deployment's pod selector (what `[services] selector` matches).
    pub labels: BTreeMap<String, String>,
    pub desired: u32,
    pub ready: u32,
    /// Container restarts seen in the last 15 minutes (or since opsdeck
    /// started, when that is later).
    pub restarts: u32,
    /// The latest OOMKill among its pods.
    pub oom_killed: Option<DateTime<Utc>>,
    pub crash_looping: bool,
    pub condition: Condition,
    /// Since when it is not Ok, as far as the data tells.
    pub since: Option<DateTime<Utc>>,
}

/// One service's latency and errors from Prometheus, against its SLO.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SloSignal {
    /// The Prometheus label value (the Heatmap's row).
    pub service: String,
    pub p95_secs: Option<f64>,
    pub p95: Condition,
    pub error_ratio: Option<f64>,
    pub errors: Condition,
    pub availability: Option<f64>,
    pub avail: Condition,
    /// p95 per column, oldest first (`None`: no sample).
    pub trend: Vec<Option<f64>>,
    /// Start of the first column of the current breach of each SLO.
    pub p95_since: Option<DateTime<Utc>>,
    pub errors_since: Option<DateTime<Utc>>,
}

/// One breaker, merged over the instances of the service that owns it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BreakerSignal {
    /// The service whose pods hold the breaker (deployment, configured
    /// name or `application` label).
    pub owner: String,
    pub breaker: String,
    /// The worst state over its instances: `OPEN`, `HALF_OPEN`, ...
    pub state: String,
    /// Instances in that state, of how many.
    pub instances: (usize, usize),
    pub condition: Condition,
    pub since: Option<DateTime<Utc>>,
}

/// One consumer group's lag.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupSignal {
    pub cluster: String,
    pub group: String,
    /// The deployment that runs its consumers (`[kafka.consumers]`).
    pub consumer: Option<String>,
    /// Its members' client ids (often the pod's name: how a group is
    /// linked to a deployment when `[kafka.consumers]` does not say).
    pub clients: Vec<String>,
    pub lag: i64,
    pub growing: bool,
    /// At the current drain rate, when it drains.
    pub drain: Option<Duration>,
    pub spark: Vec<u64>,
    pub condition: Condition,
    pub since: Option<DateTime<Utc>>,
}

/// A database session that blocks others or runs over its threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionSignal {
    /// The target's name (`[queries.postgres.NAME]`).
    pub target: String,
    /// Postgres `application_name` or MongoDB `appName`.
    pub application: String,
    /// Whether it came from MongoDB (`appName`) rather than Postgres.
    pub mongo: bool,
    /// The pid or opid.
    pub id: String,
    /// Sessions waiting on it, directly or not.
    pub blocking: usize,
    /// It waits on another session's lock.
    pub blocked: bool,
    pub over_threshold: bool,
    pub running: Option<Duration>,
    pub condition: Condition,
}

/// Trouble of something every service shares: a database, a cache, a
/// dead-letter topic, a source that does not answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InfraSignal {
    pub name: String,
    pub text: String,
    pub condition: Condition,
}

/// A firing alert and the service its labels name.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSignal {
    pub service: String,
    pub name: String,
    pub condition: Condition,
    pub since: DateTime<Utc>,
}

/// Everything the sources say now, per source, in the Overview's words.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub pods: Vec<PodsSignal>,
    pub slo: Vec<SloSignal>,
    pub breakers: Vec<BreakerSignal>,
    pub groups: Vec<GroupSignal>,
    pub sessions: Vec<SessionSignal>,
    pub alerts: Vec<AlertSignal>,
    pub infra: Vec<InfraSignal>,
}

/// What a service links to in each source: the names a tab's rows carry.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceLinks {
    pub deployments: Vec<String>,
    pub prometheus: Vec<String>,
    /// Breakers, by name, that protect calls to this service.
    pub protecting: Vec<String>,
    pub groups: Vec<String>,
    pub pg_application: Vec<String>,
    pub mongo_app: Vec<String>,
}

/// What a tab's selected row names, so a key can jump to its service on
/// another tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowRef {
    Deployment(String),
    /// A Prometheus row, and the start of the selected cell.
    Prometheus {
        name: String,
        since: Option<DateTime<Utc>>,
    },
    /// The service whose pods hold a breaker.
    BreakerOwner(String),
    Group(String),
    /// A database session's `application_name` or `appName`.
    Application(String),
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowRef::Deployment(d) => write!(f, "deployment {d}"),
            RowRef::Prometheus { name, .. } => write!(f, "Prometheus row {name}"),
            RowRef::BreakerOwner(o) => write!(f, "breaker owner {o}"),
            RowRef::Group(g) => write!(f, "group {g}"),
            RowRef::Application(a) if a.is_empty() => {
                f.write_str("a session with no application name")
            }
            RowRef::Application(a) => write!(f, "application {a}"),
        }
    }
}

/// The service the console is scoped to: every tab shows only its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceScope {
    pub name: String,
    pub links: ServiceLinks,
}

impl ServiceScope {
    pub fn has_deployment(&self, name: &str) -> bool {
        self.links.deployments.iter().any(|d| d == name)
    }

    pub fn has_prometheus(&self, name: &str) -> bool {
        self.links.prometheus.iter().any(|p| p == name)
    }

    /// A breaker its pods hold, or one that protects calls to it.
    pub fn has_breaker(&self, owner: &str, breaker: &str) -> bool {
        self.has_deployment(owner)
            || owner == self.name
            || self.links.protecting.iter().any(|b| b == breaker)
    }

    pub fn has_group(&self, group: &str) -> bool {
        self.links.groups.iter().any(|g| g == group)
    }

    pub fn has_application(&self, application: &str) -> bool {
        self.links
            .pg_application
            .iter()
            .chain(&self.links.mongo_app)
            .any(|a| a == application || glob_match(a, application))
    }
}
