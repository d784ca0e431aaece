//! The data of one breaker row and where it came from.

pub use crate::core::action::Endpoint;

use crate::features::breakers::data::{BreakerSnapshot, BreakerState, Rate};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

/// Which kind of source reported a row.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum BreakerSource {
    Actuator,
    Prometheus,
}

impl BreakerSource {
    pub fn label(self) -> &'static str {
        match self {
            BreakerSource::Actuator => "actuator",
            BreakerSource::Prometheus => "prom",
        }
    }
}

/// A row's identity: which service, which instance of it, which breaker.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RowKey {
    /// The deployment (pod discovery), configured name (URL) or
    /// `application` label (Prometheus).
    pub service: String,
    /// The pod, URL label or Prometheus `instance`.
    pub instance: String,
    pub breaker: String,
}

/// What a source says about a breaker now. Thresholds and window counts
/// are `None` when the source does not export them (Prometheus).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figures {
    pub state: BreakerState,
    pub failure_rate: Option<Rate>,
    pub failure_threshold: Option<f64>,
    pub slow_rate: Option<Rate>,
    pub slow_threshold: Option<f64>,
    pub buffered: Option<u64>,
    pub failed: Option<u64>,
    pub slow: Option<u64>,
    pub not_permitted: Option<u64>,
}

impl From<&BreakerSnapshot> for Figures {
    fn from(s: &BreakerSnapshot) -> Self {
        Figures {
            state: s.state.clone(),
            failure_rate: Some(s.failure_rate),
            failure_threshold: Some(s.failure_rate_threshold),
            slow_rate: Some(s.slow_call_rate),
            slow_threshold: Some(s.slow_call_rate_threshold),
            buffered: Some(s.buffered_calls),
            failed: Some(s.failed_calls),
            slow: Some(s.slow_calls),
            not_permitted: Some(s.not_permitted_calls),
        }
    }
}

/// One breaker of one instance in one poll.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Observation {
    pub key: RowKey,
    /// Which polled target it came from (URL label or pod name).
    pub target: String,
    pub endpoint: Option<Endpoint>,
    pub figures: Figures,
}

/// A state change seen between two polls.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub from: BreakerState,
    pub to: BreakerState,
}

/// A breaker row as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerRow {
    pub key: RowKey,
    pub source: BreakerSource,
    pub target: String,
    pub endpoint: Option<Endpoint>,
    pub figures: Figures,
    /// When the current state began, or was first seen.
    pub since: DateTime<Utc>,
    /// False when `since` is only when opsdeck first saw the state.
    pub since_known: bool,
    /// Newest last.
    pub transitions: VecDeque<Transition>,
    /// Why the last poll of this row's target failed (the figures are older).
    pub error: Option<String>,
    pub seen: DateTime<Utc>,
}
